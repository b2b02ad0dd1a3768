"""The web application of ``negsim serve``: a static page and a small JSON API.

Endpoints (all GET; every query parameter is checked, see queries.py):

- ``/``: the page; ``/static/...``: its script and style, served from the package.
- ``/api/scenarios``: the scenarios this server was given.
- ``/api/scenarios/{id}``: labels, actors, the window, and every settable parameter with its
  value as written and a slider range.
- ``/api/scenarios/{id}/evidence?path=P``: the quotes or assumption behind parameter P.
- ``/api/scenarios/{id}/trace?seed&run&set=P=V...``: one run round by round (the Mesa
  engine, exactly as ``negsim trace``).
- ``/api/scenarios/{id}/distribution?seed&runs&set=...``: the summary of ``runs`` runs
  (the vector engine, exactly as ``negsim run``) and the names of its figures;
  ``/api/scenarios/{id}/figures/{name}.png?...``: one figure, drawn by negsim's plots.

The server keeps no state per user: a small cache of recent jobs (shared, bounded) lets the
figures of a job be drawn without running it again.
"""

from __future__ import annotations

import json
import math
import threading
from collections import OrderedDict
from pathlib import Path

from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .. import __version__
from ..scenario import ScenarioError
from ..scenario.overrides import OverrideError, reasons, settable
from . import queries
from .catalogue import Catalogue, UnknownScenario, describe, evidence
from .queries import BadRequest

STATIC = Path(__file__).parent / "static"
CACHE_JOBS = 8  # recent distribution jobs kept for their figures
CACHE_FIGURES = 32
SECURITY_HEADERS = {
    # everything comes from this server: no CDN, no inline script
    "content-security-policy": "default-src 'self'; img-src 'self' data:; "
                               "style-src 'self'; script-src 'self'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}


class SecurityHeaders:
    """ASGI middleware adding SECURITY_HEADERS to every response (static files included)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _finite(value):
    """JSON-safe data: non-finite floats become null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


class Json(JSONResponse):
    """A JSON response whose non-finite numbers are written as null."""

    def render(self, content) -> bytes:
        return json.dumps(_finite(content), ensure_ascii=False, allow_nan=False,
                          separators=(",", ":")).encode("utf-8")


def _error(status: int, message: str) -> Json:
    return Json({"error": message}, status_code=status)


class Jobs:
    """Recent distribution jobs and their figures, computed one at a time (two cores: one
    job uses what a page needs, and a burst of slider moves must not pile up)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._plot_lock = threading.Lock()  # matplotlib's pyplot is not thread-safe
        self._results: OrderedDict = OrderedDict()
        self._figures: OrderedDict = OrderedDict()

    def results(self, key: tuple, scenario_of, runs: int, seed: int):
        """The Results of a job (from the cache when it ran recently)."""
        from ..simulation import simulate

        with self._lock:
            if key in self._results:
                self._results.move_to_end(key)
                return self._results[key]
            results = simulate(scenario_of(), runs=runs, seed=seed, keep_runs=False)
            self._results[key] = results
            while len(self._results) > CACHE_JOBS:
                self._results.popitem(last=False)
            return results

    def figure(self, key: tuple, name: str, results) -> bytes:
        """A figure's PNG (from the cache when drawn recently)."""
        from ..plots import figure_png

        with self._plot_lock:
            hit = self._figures.get((key, name))
            if hit is None:
                hit = figure_png([results], name)
                self._figures[(key, name)] = hit
                while len(self._figures) > CACHE_FIGURES:
                    self._figures.popitem(last=False)
            return hit


def create_app(paths: list[Path]) -> Starlette:
    """The application serving the scenario files ``paths`` (validated now: ScenarioError)."""
    catalogue = Catalogue(paths)
    jobs = Jobs()

    def scenario_id(request: Request) -> str:
        sid = request.path_params["sid"]
        if sid not in catalogue.paths:
            raise HTTPException(404, f"unknown scenario {sid[:80]!r}; this server has: "
                                     + ", ".join(catalogue.ids()))
        return sid

    def job(request: Request, names: set[str]):
        """The scenario (with the request's settings), seed and settings of a request."""
        sid = scenario_id(request)
        query = request.query_params
        queries.check_names(query, names)
        loaded = catalogue.load(sid)
        values = queries.settings(query, settable(loaded.scenario))
        seed = queries.seed(query, loaded.scenario.montecarlo.seed)
        return sid, loaded, values, seed

    def index(request: Request) -> Response:
        return FileResponse(STATIC / "index.html")

    def scenarios(request: Request) -> Response:
        queries.check_names(request.query_params, ())
        ids = catalogue.ids()
        default = "baseline" if "baseline" in ids else ids[0]
        return Json({"scenarios": catalogue.listing(), "default": default,
                     "negsim": __version__, "page_runs": queries.PAGE_RUNS,
                     "min_page_runs": queries.MIN_PAGE_RUNS,
                     "max_page_runs": queries.MAX_PAGE_RUNS})

    def scenario(request: Request) -> Response:
        sid = scenario_id(request)
        queries.check_names(request.query_params, ())
        return Json(describe(sid, catalogue.load(sid).scenario))

    def quotes(request: Request) -> Response:
        sid = scenario_id(request)
        query = request.query_params
        queries.check_names(query, {"path"})
        path = query.get("path")
        if not path:
            raise BadRequest("evidence needs ?path=<parameter path>")
        try:
            rows = evidence(catalogue.load(sid).scenario, path)
        except KeyError:
            raise BadRequest(f"unknown parameter {path[:80]!r}: not a parameter of this "
                             f"scenario") from None
        return Json({"path": path, "rows": rows})

    def trace(request: Request) -> Response:
        from ..trace import trace as trace_of

        sid, loaded, values, seed = job(request, {"seed", "run", "set"})
        run = queries.run(request.query_params)
        data = trace_of(catalogue.scenario(sid, values), seed, run)
        return Json({**data, "settings": values})

    def distribution_job(request: Request):
        sid, loaded, values, seed = job(request, {"seed", "runs", "set"})
        runs = queries.runs(request.query_params)
        key = (sid, loaded.stamp, tuple(sorted(values.items())), seed, runs)
        results = jobs.results(key, lambda: catalogue.scenario(sid, values), runs, seed)
        return key, results, values

    def distribution(request: Request) -> Response:
        from ..plots import figure_names

        key, results, values = distribution_job(request)
        return Json({"summary": results.summary(), "settings": values,
                     "figures": figure_names([results])})

    def figure(request: Request) -> Response:
        from ..plots import figure_names

        name = request.path_params["name"]
        key, results, _ = distribution_job(request)
        if name not in figure_names([results]):
            raise HTTPException(404, f"unknown figure {name[:40]!r}; this job has: "
                                     + ", ".join(figure_names([results])))
        png = jobs.figure(key, name, results)
        return Response(png, media_type="image/png", headers={"cache-control": "no-store"})

    async def bad_request(request: Request, exc: Exception) -> Response:
        return _error(400, str(exc))

    async def invalid(request: Request, exc: ScenarioError) -> Response:
        return _error(400, reasons(exc) if request.query_params.getlist("set") else str(exc))

    async def unknown(request: Request, exc: UnknownScenario) -> Response:
        return _error(404, f"unknown scenario {str(exc)[:80]!r}")

    async def http_error(request: Request, exc: HTTPException) -> Response:
        return _error(exc.status_code, str(exc.detail))

    async def internal(request: Request, exc: Exception) -> Response:
        # the server (uvicorn) logs the traceback; the page gets one line
        return _error(500, f"internal error: {type(exc).__name__}: {str(exc)[:200]} "
                           f"(the server goes on; its log has the details)")

    routes = [
        Route("/", index),
        Route("/api/scenarios", scenarios),
        Route("/api/scenarios/{sid}", scenario),
        Route("/api/scenarios/{sid}/evidence", quotes),
        Route("/api/scenarios/{sid}/trace", trace),
        Route("/api/scenarios/{sid}/distribution", distribution),
        Route("/api/scenarios/{sid}/figures/{name}.png", figure),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    handlers = {BadRequest: bad_request, OverrideError: bad_request, ScenarioError: invalid,
                UnknownScenario: unknown, HTTPException: http_error, Exception: internal}
    return Starlette(routes=routes, exception_handlers=handlers,
                     middleware=[Middleware(SecurityHeaders)])
