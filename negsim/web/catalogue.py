"""The scenario files a server may read, and what the page shows of each.

The server reads only the files it was given when it started. Each is known by an id (its
scenario name, or its file stem where names repeat), and is read again when it or its
evidence registry changes on disk, so an analyst can edit a file and reload the page.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from ..evidence.registry import describe_value, format_value, provenance_rows
from ..scenario import Scenario, ScenarioError
from ..scenario.loader import load_scenario_and_data
from ..scenario.overrides import domain_of, reasons, settable_refs, with_values
from ..scenario.params import Domain, support
from ..scenario.paths import ParamRef, is_cited

# Shown above the others: what the analyst most often asks about (issue 14: every uncertain
# parameter, every war cost, belief and patience).
KEY_PARAMETERS = ("war_cost", "belief.drift", "belief.weight", "strategy.patience")
SLIDER_STEPS = 200  # positions of a continuous slider
EDITED = 16  # recent scenarios with settings kept validated (a move's trace, job, figures)
LABELS = {
    "ideal": "ideal", "salience": "salience", "red_line.min": "red line (at least)",
    "red_line.max": "red line (at most)", "capability": "capability",
    "reservation": "reservation", "war_cost": "war cost per round",
    "belief.drift": "belief: drift of the front per round",
    "belief.weight": "belief: weight of the prior (rounds)",
    "strategy.exponent": "concession exponent", "strategy.patience": "patience (rounds)",
    "strategy.rate": "reciprocity rate", "strategy.initial": "initial demand",
    "status_quo": "status quo", "drift": "front: drift per round",
    "volatility": "front: volatility per round",
    "protocol.horizon": "horizon of the war (rounds)", "protocol.bias": "mediator's bias",
    "protocol.step": "mediator's step", "protocol.max_rounds": "rounds observed (window)",
}
GROUPS = {"issues": "Status quo", "protocol": "Protocol", "battlefield": "Battlefield",
          "events": "Events"}


class UnknownScenario(LookupError):
    """A scenario id that is not one of the server's files."""


class UnknownParameter(KeyError):
    """A path that is not a cited parameter of the scenario."""


class InvalidSettings(ValueError):
    """Settings that the scenario refuses (a value out of its parameter's range, or one that
    breaks a rule tying parameters together); the message names the parameter."""


@dataclass(frozen=True)
class Loaded:
    """One validated scenario file, with its raw data for edits, and the files it was read
    from (the scenario and its evidence registry) with their stamps."""

    scenario: Scenario
    data: object
    files: tuple[Path, ...]
    stamp: tuple


class Catalogue:
    """The scenario files of one server, by id."""

    def __init__(self, paths: list[Path]):
        self.paths: dict[str, Path] = {}
        self._loaded: dict[str, Loaded] = {}
        self._lock = threading.Lock()
        loaded = [(Path(p), _read(Path(p))) for p in paths]  # ScenarioError: located
        self._edited = OrderedDict()  # recent (id, stamp, settings) -> validated scenario
        names = [x.scenario.name for _, x in loaded]
        for path, entry in loaded:
            sid = entry.scenario.name if names.count(entry.scenario.name) == 1 else path.stem
            while sid in self.paths:
                sid += "_"
            self.paths[sid] = path.resolve()
            self._loaded[sid] = entry

    def ids(self) -> list[str]:
        """The ids, in the order the files were given."""
        return list(self.paths)

    def load(self, sid: str) -> Loaded:
        """The scenario ``sid`` as its files now read (ScenarioError, located, if it no longer
        validates or can no longer be read)."""
        path = self.paths.get(sid)
        if path is None:
            raise UnknownScenario(sid)
        with self._lock:
            hit = self._loaded.get(sid)
        if hit is not None and _stamps(hit.files) == hit.stamp:
            return hit
        loaded = _read(path)
        with self._lock:
            self._loaded[sid] = loaded
        return loaded

    def scenario(self, loaded: Loaded, sid: str, values: dict[str, float]) -> Scenario:
        """The loaded scenario ``sid`` with the parameters of ``values`` set (validated again,
        once per recent settings; InvalidSettings names what the settings break)."""
        if not values:
            return loaded.scenario
        key = (sid, loaded.stamp, tuple(sorted(values.items())))
        with self._lock:
            hit = self._edited.get(key)
        if hit is not None:
            return hit
        path = self.paths[sid]
        try:
            edited = with_values(loaded.data, values, str(path), path.parent)
        except ScenarioError as exc:
            raise InvalidSettings(reasons(exc)) from None
        with self._lock:
            self._edited[key] = edited
            while len(self._edited) > EDITED:
                self._edited.popitem(last=False)
        return edited

    def listing(self) -> list[dict]:
        """Id, name, title and file name of every scenario (a file that does not load is
        listed with its error)."""
        out = []
        for sid, path in self.paths.items():
            try:
                scenario = self.load(sid).scenario
                out.append({"id": sid, "name": scenario.name, "title": scenario.title,
                            "file": path.name})
            except ScenarioError as exc:
                out.append({"id": sid, "name": sid, "title": f"{path.name} (does not load)",
                            "file": path.name, "error": str(exc)})
        return out


def _read(path: Path) -> Loaded:
    """Read (once) and validate one scenario file, noting the files it depends on."""
    files = [path]
    stamp_before = _stamps((path,))
    scenario, data = load_scenario_and_data(path)
    if scenario.registry is not None and scenario.evidence_registry:
        files.append((path.parent / scenario.evidence_registry).resolve())
    stamp = _stamps(tuple(files))
    if stamp[0] != stamp_before[0]:  # changed while read: read again next time
        stamp = (None, *stamp[1:])
    return Loaded(scenario, data, tuple(files), stamp)


def _stamps(files: tuple[Path, ...]) -> tuple:
    """Modification time and size of each file (None for one that cannot be read)."""
    out = []
    for path in files:
        try:
            stat = path.stat()
            out.append((stat.st_mtime_ns, stat.st_size))
        except OSError:
            out.append(None)
    return tuple(out)


def describe(sid: str, scenario: Scenario) -> dict:
    """What the page needs of a scenario: labels, actors, the window, and its parameters."""
    required = {a for a, actor in scenario.actors.items() if actor.signatory or actor.veto}
    return {
        "id": sid,
        "name": scenario.name,
        "title": scenario.title,
        "description": scenario.description,
        "seed": str(scenario.montecarlo.seed),  # a string: JSON numbers lose digits past 2**53
        "max_rounds": scenario.protocol.max_rounds,
        "protocol": scenario.protocol.type,
        "issues": [{"id": k, "label": i.label, "zero": i.zero, "one": i.one,
                    "contested": i.contested} for k, i in scenario.issues.items()],
        "actors": [{"id": a, "name": actor.name, "required": a in required}
                   for a, actor in scenario.actors.items()],
        "stages": [{"id": st.id, "issues": list(st.issues)}
                   for st in scenario.protocol.agenda or []],
        "events": list(scenario.events),
        "parameters": parameters(scenario),
    }


def parameters(scenario: Scenario) -> list[dict]:
    """One slider per settable parameter, in settable() order."""
    refs = settable_refs(scenario)
    scale: dict[str, float] = {}  # the largest magnitude of each kind, for values of 0
    for ref in refs:
        lo, hi = support(ref.value)
        scale[ref.parameter] = max(scale.get(ref.parameter, 0.0), abs(lo), abs(hi))
    return [parameter(scenario, ref, scale[ref.parameter]) for ref in refs]


def parameter(scenario: Scenario, ref: ParamRef, kind_scale: float = 0.0) -> dict:
    """One slider: the parameter's path, what it is, its value as written, its domain and a
    range to slide over (``kind_scale``: the magnitude of its kind, for a value of 0)."""
    domain = domain_of(scenario, ref.path)
    lo, hi = support(ref.value)
    centre = float(ref.value) if isinstance(ref.value, (int, float)) else ref.value.center()
    low, high = slider_range(domain, lo, hi, kind_scale)
    step = 1.0 if domain.integer else _step(high - low)
    low = max(domain.lo, _tidy(math.floor(low / step) * step))
    high = min(domain.hi, _tidy(math.ceil(high / step) * step))
    if domain.lo_open and low <= domain.lo:  # (0, 1]: the slider starts one step in
        low = _tidy(domain.lo + step)
    window = ref.path == ("protocol", "max_rounds")
    return {
        "path": ref.dotted,
        "group": _group(scenario, ref),
        "label": _label(scenario, ref),
        "text": format_value(ref.value),
        "value": centre,
        "uncertain": lo != hi,
        "key": lo != hi or ref.parameter in KEY_PARAMETERS,
        "min": low, "max": high, "step": step,
        "domain": {"text": domain.describe(), "lo": _finite_or_none(domain.lo),
                   "hi": _finite_or_none(domain.hi), "lo_open": domain.lo_open,
                   "integer": domain.integer},
        "cited": is_cited(ref.value),
        "sourced": not window,  # the window is a setting of the study, not evidence
    }


def _finite_or_none(x: float) -> float | None:
    return x if math.isfinite(x) else None


def slider_range(domain: Domain, lo: float, hi: float,
                 kind_scale: float = 0.0) -> tuple[float, float]:
    """A slider's ends: the domain where it is a unit-like scale the value fills, otherwise
    three times the value's magnitude either way, within the domain. A value of 0 takes the
    magnitude of its kind elsewhere in the scenario (``kind_scale``)."""
    lo = max(lo, domain.lo)
    hi = min(hi, domain.hi)
    magnitude = max(abs(lo), abs(hi)) or kind_scale
    width = domain.hi - domain.lo
    if width <= 2 and (magnitude == 0 or 3 * magnitude >= 0.1 * width):
        return domain.lo, domain.hi
    if magnitude == 0:
        magnitude = 1.0 / 3.0
    low = -3 * magnitude if domain.lo < 0 else domain.lo
    return max(domain.lo, low), min(domain.hi, 3 * magnitude)


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
    if ref.path[:2] == ("protocol", "agenda"):
        return "Agenda"
    return GROUPS[ref.path[0]]


def _label(scenario: Scenario, ref: ParamRef) -> str:
    """What a person reads for a parameter: 'war cost per round', 'ideal · Territory',
    'us_suspends_aid: probability', 'ceasefire: set battlefield.territory.drift'."""
    if ref.path[0] == "events":
        event, name = ref.path[1], ref.path[2]
        if name == "effects":  # parameter: 'event.<id>: <op> <target>'
            return f"{event}: {ref.parameter.split(': ', 1)[1]}"
        return f"{event}: {name}"
    if ref.path[:2] == ("protocol", "agenda"):
        return ref.parameter.removeprefix("stage.")
    issue = scenario.issues[ref.issue].label if ref.issue is not None else None
    text = LABELS.get(ref.parameter, ref.parameter)
    return f"{text} · {issue}" if issue else text


def evidence(scenario: Scenario, path: str) -> list[dict]:
    """The quotes (with document and title) or assumption behind the parameter at ``path``;
    UnknownParameter when the scenario has no such parameter, or it is the window."""
    for ref in settable_refs(scenario):
        if ref.dotted == path and ref.path != ("protocol", "max_rounds"):  # a setting
            break
    else:
        raise UnknownParameter(path)
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
