"""The scenario files a server may read, and what the page shows of each.

The server reads only the files it was given when it started. Each is known by an id (its
scenario name, or its file stem where names repeat), and is read again when it changes on
disk, so an analyst can edit a file and reload the page.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from pathlib import Path

from ..evidence.registry import describe_value, format_value, provenance_rows
from ..scenario import Scenario, ScenarioError, load_scenario
from ..scenario.overrides import domain_of, with_values
from ..scenario.params import Domain, support
from ..scenario.paths import ParamRef, is_cited, iter_parameters
from ..scenario.yamldoc import read_yaml

# Shown above the others: what the analyst most often asks about (issue 14: every uncertain
# parameter, every war cost, belief and patience).
KEY_PARAMETERS = ("war_cost", "belief.drift", "belief.weight", "strategy.patience")
SLIDER_STEPS = 200  # positions of a continuous slider


class UnknownScenario(LookupError):
    """A scenario id that is not one of the server's files."""


@dataclass(frozen=True)
class Loaded:
    """One validated scenario file, with its raw data for edits."""

    scenario: Scenario
    data: object
    stamp: tuple


class Catalogue:
    """The scenario files of one server, by id."""

    def __init__(self, paths: list[Path]):
        self.paths: dict[str, Path] = {}
        self._loaded: dict[str, Loaded] = {}
        self._lock = threading.Lock()
        loaded = [(Path(p), load_scenario(p)) for p in paths]  # ScenarioError: located
        names = [s.name for _, s in loaded]
        for path, scenario in loaded:
            sid = scenario.name if names.count(scenario.name) == 1 else path.stem
            while sid in self.paths:
                sid += "_"
            self.paths[sid] = path.resolve()
            self._loaded[sid] = Loaded(scenario, read_yaml(path).data, _stamp(path))

    def ids(self) -> list[str]:
        """The ids, in the order the files were given."""
        return list(self.paths)

    def load(self, sid: str) -> Loaded:
        """The scenario ``sid`` as its file now reads (ScenarioError if it no longer
        validates)."""
        path = self.paths.get(sid)
        if path is None:
            raise UnknownScenario(sid)
        stamp = _stamp(path)
        with self._lock:
            hit = self._loaded.get(sid)
            if hit is not None and hit.stamp == stamp:
                return hit
        loaded = Loaded(load_scenario(path), read_yaml(path).data, stamp)
        with self._lock:
            self._loaded[sid] = loaded
        return loaded

    def scenario(self, sid: str, values: dict[str, float]) -> Scenario:
        """Scenario ``sid`` with the parameters of ``values`` set (validated again)."""
        loaded = self.load(sid)
        if not values:
            return loaded.scenario
        path = self.paths[sid]
        return with_values(loaded.data, values, str(path), path.parent)

    def listing(self) -> list[dict]:
        """Id, name, title and file name of every scenario."""
        out = []
        for sid, path in self.paths.items():
            try:
                scenario = self.load(sid).scenario
                out.append({"id": sid, "name": scenario.name, "title": scenario.title,
                            "file": path.name})
            except ScenarioError as exc:
                out.append({"id": sid, "name": sid, "title": f"{path.name} (invalid)",
                            "file": path.name, "error": str(exc)})
        return out


def _stamp(path: Path) -> tuple:
    stat = path.stat()
    return (stat.st_mtime_ns, stat.st_size)


def describe(sid: str, scenario: Scenario) -> dict:
    """What the page needs of a scenario: labels, actors, the window, and its parameters."""
    required = {a for a, actor in scenario.actors.items() if actor.signatory or actor.veto}
    return {
        "id": sid,
        "name": scenario.name,
        "title": scenario.title,
        "description": scenario.description,
        "seed": scenario.montecarlo.seed,
        "max_rounds": scenario.protocol.max_rounds,
        "protocol": scenario.protocol.type,
        "issues": [{"id": k, "label": i.label, "zero": i.zero, "one": i.one,
                    "contested": i.contested} for k, i in scenario.issues.items()],
        "actors": [{"id": a, "name": actor.name, "required": a in required,
                    "red_lines": {k: {"min": _centre(line.min), "max": _centre(line.max)}
                                  for k, line in actor.red_lines.items()}}
                   for a, actor in scenario.actors.items()],
        "stages": [{"id": st.id, "issues": list(st.issues)}
                   for st in scenario.protocol.agenda or []],
        "events": list(scenario.events),
        "parameters": [parameter(scenario, ref) for ref in _refs(scenario)],
    }


def _centre(value) -> float | None:
    return None if value is None else float(getattr(value, "center", lambda: value)())


def _refs(scenario: Scenario) -> list[ParamRef]:
    """Every settable parameter (settable()'s paths, in its order)."""
    return [*iter_parameters(scenario),
            ParamRef(("protocol", "max_rounds"), float(scenario.protocol.max_rounds), None,
                     None, "protocol.max_rounds")]


def parameter(scenario: Scenario, ref: ParamRef) -> dict:
    """One slider: the parameter's path, what it is, its value as written, and its range."""
    domain = domain_of(scenario, ref.path)
    lo, hi = support(ref.value)
    centre = float(ref.value) if isinstance(ref.value, (int, float)) else ref.value.center()
    low, high = slider_range(domain, lo, hi)
    step = 1.0 if domain.integer else _step(high - low)
    low = max(domain.lo, _tidy(math.floor(low / step) * step))
    high = min(domain.hi, _tidy(math.ceil(high / step) * step))
    if domain.lo_open and low <= domain.lo:  # (0, 1]: the slider starts one step in
        low = _tidy(domain.lo + step)
    return {
        "path": ref.dotted,
        "group": _group(scenario, ref),
        "label": _label(scenario, ref),
        "text": format_value(ref.value),
        "value": centre,
        "uncertain": lo != hi,
        "key": lo != hi or ref.parameter in KEY_PARAMETERS,
        "min": low, "max": high, "step": step,
        "integer": domain.integer,
        "domain": domain.describe(),
        "cited": is_cited(ref.value),
    }


def slider_range(domain: Domain, lo: float, hi: float) -> tuple[float, float]:
    """A slider's ends: the domain where it is a unit-like scale the value fills, otherwise
    three times the value's magnitude either way, within the domain."""
    lo = max(lo, domain.lo)
    hi = min(hi, domain.hi)
    magnitude = max(abs(lo), abs(hi))
    width = domain.hi - domain.lo
    if width <= 2 and 3 * magnitude >= 0.1 * width:
        return domain.lo, domain.hi
    if magnitude == 0:
        magnitude = 1.0 / 3.0
    return max(domain.lo, -3 * magnitude if domain.lo < 0 else domain.lo), min(
        domain.hi, 3 * magnitude)


def _tidy(x: float) -> float:
    """A slider end as one writes it: 0.018, not 0.018000000000000002."""
    return float(f"{x:.12g}")


def _step(width: float) -> float:
    """A round step giving about SLIDER_STEPS positions."""
    raw = width / SLIDER_STEPS
    if raw <= 0 or not math.isfinite(raw):
        return 1.0
    power = 10.0 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return factor * power
    return 10 * power


def _group(scenario: Scenario, ref: ParamRef) -> str:
    if ref.actor is not None:
        return scenario.actors[ref.actor].name
    return {"issues": "Status quo", "protocol": "Protocol", "battlefield": "Battlefield",
            "events": "Events"}[ref.path[0]]


def _label(scenario: Scenario, ref: ParamRef) -> str:
    issue = scenario.issues[ref.issue].label if ref.issue is not None else None
    names = {"ideal": "ideal", "salience": "salience", "red_line.min": "red line (at least)",
             "red_line.max": "red line (at most)", "capability": "capability",
             "reservation": "reservation", "war_cost": "war cost per round",
             "belief.drift": "belief: drift of the front per round",
             "belief.weight": "belief: weight of the prior (rounds)",
             "strategy.exponent": "concession exponent", "strategy.patience": "patience (rounds)",
             "strategy.rate": "reciprocity rate", "strategy.initial": "initial demand",
             "status_quo": "status quo", "drift": "front: drift per round",
             "volatility": "front: volatility per round",
             "protocol.horizon": "horizon of the war (rounds)",
             "protocol.bias": "mediator's bias", "protocol.step": "mediator's step",
             "protocol.max_rounds": "rounds observed (window)"}
    text = names.get(ref.parameter, ref.parameter)
    return f"{text} · {issue}" if issue else text


def evidence(scenario: Scenario, path: str) -> list[dict]:
    """The quotes (with document and title) or assumption behind the parameter at ``path``;
    KeyError when the scenario has no such parameter."""
    for ref in iter_parameters(scenario):
        if ref.dotted == path:
            break
    else:
        raise KeyError(path)
    registry = scenario.registry
    rows = provenance_rows(registry, ref.actor, ref.issue, ref.parameter,
                           describe_value(ref.value), ref.value, format_value(ref.value))
    out = []
    for row in rows:
        title = None
        if registry is not None and row.document in registry.documents:
            title = registry.documents[row.document].title
        out.append({"evidence_id": row.evidence_id, "document": row.document,
                    "document_title": title, "quote": row.quote, "assumption": row.assumption,
                    "note": row.note, "value": row.value_text})
    return out
