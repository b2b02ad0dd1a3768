"""The web application of ``negsim serve``: a static page and a small JSON API.

Endpoints (all GET; every query parameter is checked, see queries.py):

- ``/``: the page; ``/static/...``: its script and style, served from the package.
- ``/api/scenarios``: the scenarios this server was given.
- ``/api/scenarios/{id}``: labels, actors, the window, and every settable parameter with its
  value as written, its domain and a slider range.
- ``/api/scenarios/{id}/evidence?path=P``: the quotes or assumption behind parameter P.
- ``/api/scenarios/{id}/trace?seed&run&set=P=V...``: one run round by round (the Mesa
  engine, exactly as ``negsim trace``).
- ``/api/scenarios/{id}/distribution?seed&runs&set=...``: the summary of ``runs`` runs
  (the vector engine, exactly as ``negsim run``) and the names of its figures;
  ``/api/scenarios/{id}/figures/{name}.png?...``: one figure, drawn by negsim's plots.

The server keeps no state per user: a small cache of recent jobs (shared, bounded) lets the
figures of a job be drawn without running it again. Computing is done one job at a time per
kind (traces; distributions and figures), in a worker thread; requests wait for their turn
in the event loop, and one whose browser has gone away by then (a superseded slider move) is
dropped without computing. Each job has a work budget, so that no request can take the
machine.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections import OrderedDict
from pathlib import Path

import anyio
from starlette.applications import Starlette
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .. import __version__
from ..scenario import ScenarioError
from ..scenario.overrides import OverrideError, settable
from . import queries
from .catalogue import (
    Catalogue,
    InvalidSettings,
    UnknownParameter,
    UnknownScenario,
    describe,
    evidence,
)
from .queries import BadRequest, BadSetting

STATIC = Path(__file__).parent / "static"
CACHE_JOBS = 8  # recent distribution jobs kept for their figures
CACHE_FIGURES = 32
MAX_WAITING = 8  # requests waiting for one kind of job; more are told the server is busy
CLIENT_GONE = 499  # the status logged for a request dropped because its client left
SECURITY_HEADERS = {
    # everything comes from this server: no CDN, no inline script
    "content-security-policy": "default-src 'self'; img-src 'self' data:; "
                               "style-src 'self'; script-src 'self'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}
LOOPBACK = ("127.0.0.1", "localhost", "[::1]")  # Host header names of this machine


def host_names(host: str) -> tuple[str, ...] | None:
    """The Host header names a server listening on ``host`` answers to: this machine's for a
    loopback address, the address itself otherwise, any for every address (0.0.0.0, ::)."""
    if host in ("0.0.0.0", "::", ""):
        return None
    if host in ("127.0.0.1", "localhost", "::1"):
        return LOOPBACK
    return (f"[{host}]",) if ":" in host else (host,)


class Guard:
    """ASGI middleware: refuse requests addressed to another host name (DNS rebinding) or
    sent by another site's page, and add SECURITY_HEADERS to every response."""

    def __init__(self, app, hosts: tuple[str, ...] | None = None):
        self.app = app
        self.hosts = hosts  # None: any Host header (a server listening on every address)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = Headers(scope=scope)
        host = headers.get("host", "")
        name = host[:host.find("]") + 1] if host.startswith("[") else host.split(":")[0]
        if self.hosts is not None and name not in self.hosts:
            response = _error(421, f"this server answers to {', '.join(self.hosts)} only")
        elif headers.get("sec-fetch-site") in ("cross-site", "same-site") or (
                "origin" in headers and headers["origin"].split("://", 1)[-1] != host):
            response = _error(403, "requests from other sites' pages are refused")
        else:
            response = None
        if response is not None:
            return await response(scope, receive, _with_headers(send))
        await self.app(scope, receive, _with_headers(send))


def _with_headers(send):
    async def send_with_headers(message):
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            for name, value in SECURITY_HEADERS.items():
                headers[name] = value
        await send(message)

    return send_with_headers


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


def _error(status: int, message: str, kind: str = "request") -> Json:
    """An error reply: its message, and what it is about, so that the page knows what to put
    back: "settings" (a set= value), "request" (another parameter), "file" (the scenario file
    itself), "server"."""
    return Json({"error": message, "kind": kind}, status_code=status)


class ClientGone(Exception):
    """The request's client disconnected while it waited: nothing is computed for it."""


class Slot:
    """One kind of job at a time: requests wait in the event loop (not in threads), at most
    MAX_WAITING of them whose clients are still there, and one whose client has gone is
    dropped before computing."""

    def __init__(self):
        self._lock = asyncio.Lock()
        self._waiting: set = set()

    async def run(self, request: Request, function, *args):
        """``function(*args)`` in a worker thread, when this slot is free."""
        if len(self._waiting) >= MAX_WAITING:
            live = [r for r in list(self._waiting) if not await _disconnected(r)]
            if len(live) >= MAX_WAITING:
                raise HTTPException(503, "the server is busy with earlier requests; try again")
        self._waiting.add(request)
        try:
            await self._lock.acquire()
        finally:
            self._waiting.discard(request)
        try:
            if await _disconnected(request):
                raise ClientGone
            # abandoned (not awaited) if the server stops: the job ends on its own
            return await anyio.to_thread.run_sync(lambda: function(*args),
                                                  abandon_on_cancel=True)
        finally:
            self._lock.release()


async def _disconnected(request: Request) -> bool:
    """Whether the client has gone. The first look may only take the (empty) body of a GET
    off the wire, so a second one is needed to see a disconnect already there."""
    return await request.is_disconnected() or await request.is_disconnected()


class Cache(OrderedDict):
    """A small least-recently-used mapping."""

    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def put(self, key, value):
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.size:
            self.popitem(last=False)
        return value


def create_app(paths: list[Path], hosts: tuple[str, ...] | None = None) -> Starlette:
    """The application serving the scenario files ``paths`` (validated now: ScenarioError).
    ``hosts``: the host names it answers to (None: any)."""
    catalogue = Catalogue(paths)
    traces, jobs = Slot(), Slot()
    results_cache, figures_cache = Cache(CACHE_JOBS), Cache(CACHE_FIGURES)

    def scenario_id(request: Request) -> str:
        sid = request.path_params["sid"]
        if sid not in catalogue.paths:
            raise HTTPException(404, f"unknown scenario {sid[:80]!r}; this server has: "
                                     + ", ".join(catalogue.ids()))
        return sid

    def job(request: Request, names: set[str]):
        """The scenario (with the request's settings), its key, and the seed of a request."""
        sid = scenario_id(request)
        query = request.query_params
        queries.check_names(query, names)
        loaded = catalogue.load(sid)
        values = queries.settings(query, settable(loaded.scenario))
        seed = queries.seed(query, loaded.scenario.montecarlo.seed)
        scenario = catalogue.scenario(loaded, sid, values)
        key = (sid, loaded.stamp, tuple(sorted(values.items())), seed)
        return scenario, key, values, seed

    def index(request: Request) -> Response:
        return FileResponse(STATIC / "index.html")

    def scenarios(request: Request) -> Response:
        queries.check_names(request.query_params, ())
        ids = catalogue.ids()
        default = "baseline" if "baseline" in ids else ids[0]
        return Json({"scenarios": catalogue.listing(), "default": default,
                     "negsim": __version__, "page_runs": queries.PAGE_RUNS,
                     "min_page_runs": queries.MIN_PAGE_RUNS,
                     "max_page_runs": queries.MAX_PAGE_RUNS,
                     "max_run_rounds": queries.MAX_RUN_ROUNDS,
                     "max_page_rounds": queries.MAX_PAGE_ROUNDS})

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
        except UnknownParameter:
            raise BadRequest(f"no evidence for {path[:80]!r}: not a cited parameter of this "
                             f"scenario") from None
        return Json({"path": path, "rows": rows})

    async def trace(request: Request) -> Response:
        from ..trace import trace as trace_of

        scenario, _, values, seed = job(request, {"seed", "run", "set"})
        run = queries.run(request.query_params)
        queries.check_window(scenario.protocol.max_rounds)
        data = await traces.run(request, trace_of, scenario, seed, run)
        return Json({**data, "settings": values, "max_rounds": scenario.protocol.max_rounds})

    def simulate_job(scenario, runs: int, seed: int, key: tuple, label: str):
        from ..simulation import simulate

        if key in results_cache:
            results_cache.move_to_end(key)
            return results_cache[key]
        results = simulate(scenario, runs=runs, seed=seed, keep_runs=False)
        results.label = label  # the figures' legends say when sliders changed it
        return results_cache.put(key, results)

    async def distribution_job(request: Request):
        scenario, key, values, seed = job(request, {"seed", "runs", "set"})
        runs = queries.runs(request.query_params)
        queries.check_budget(runs, scenario.protocol.max_rounds)
        key = (*key, runs)
        label = f"{scenario.name} ({len(values)} set)" if values else scenario.name
        results = await jobs.run(request, simulate_job, scenario, runs, seed, key, label)
        return key, results, values

    async def distribution(request: Request) -> Response:
        from ..plots import figure_names

        key, results, values = await distribution_job(request)
        return Json({"summary": results.summary(), "settings": values,
                     "figures": figure_names([results])})

    def draw(key: tuple, name: str, results) -> bytes:
        from ..plots import figure_png

        hit = figures_cache.get((key, name))
        return hit if hit is not None else figures_cache.put((key, name),
                                                             figure_png([results], name))

    async def figure(request: Request) -> Response:
        from ..plots import FIGURES, figure_names

        name = request.path_params["name"]
        if name not in FIGURES:
            raise HTTPException(404, f"unknown figure {name[:40]!r}; figures: "
                                     + ", ".join(FIGURES))
        key, results, _ = await distribution_job(request)
        if name not in figure_names([results]):
            raise HTTPException(404, f"this job has no {name} figure; it has: "
                                     + ", ".join(figure_names([results])))
        png = await jobs.run(request, draw, key, name, results)
        return Response(png, media_type="image/png", headers={"cache-control": "no-store"})

    async def bad_request(request: Request, exc: Exception) -> Response:
        return _error(400, str(exc))

    async def bad_setting(request: Request, exc: Exception) -> Response:
        return _error(400, str(exc), "settings")

    async def invalid(request: Request, exc: ScenarioError) -> Response:
        return _error(400, str(exc), "file")  # the file itself: located

    async def unknown(request: Request, exc: UnknownScenario) -> Response:
        return _error(404, f"unknown scenario {str(exc)[:80]!r}")

    async def http_error(request: Request, exc: HTTPException) -> Response:
        return _error(exc.status_code, str(exc.detail))

    async def gone(request: Request, exc: ClientGone) -> Response:
        return Response(status_code=CLIENT_GONE)

    async def internal(request: Request, exc: Exception) -> Response:
        # the server (uvicorn) logs the traceback; the page gets one line
        return _error(500, f"internal error: {type(exc).__name__}: {str(exc)[:200]} "
                           f"(the server goes on; its log has the details)", "server")

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
    handlers = {BadRequest: bad_request, BadSetting: bad_setting, OverrideError: bad_setting,
                InvalidSettings: bad_setting, ScenarioError: invalid, ClientGone: gone,
                UnknownScenario: unknown, HTTPException: http_error, Exception: internal}
    return Starlette(routes=routes, exception_handlers=handlers,
                     middleware=[Middleware(Guard, hosts=hosts)])
