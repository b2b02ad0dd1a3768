"""The evidence registry: verbatim quotes from the source documents, and what they inform.

A registry (``seeds/evidence.yaml``) lists documents and evidence items. Each item quotes a
document verbatim (up to whitespace and curly versus straight quotes) and says which actor,
issue and parameter it informs. Scenario parameters cite item ids, or state an assumption.
Loading a registry checks every quote against its document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, PrivateAttr, StringConstraints, field_validator

from ..scenario.diagnostics import validate_document
from ..scenario.errors import Problem, ScenarioError, format_path
from ..scenario.params import Strict_, support
from ..scenario.paths import iter_parameters
from ..scenario.schema import Scenario

PARAMETERS = (
    "ideal", "salience", "red_line", "capability", "reservation", "war_cost", "strategy",
    "status_quo", "drift", "volatility", "signatory", "veto", "role", "event", "protocol",
    "belief",
)

_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'",
                         "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "\u00a0": " "})


def normalise(text: str) -> str:
    """Fold curly quotes to straight ones and every run of whitespace to one space."""
    return re.sub(r"\s+", " ", text.translate(_QUOTES)).strip()


class Informs(Strict_):
    """What an evidence item bears on."""

    actor: str | None = None
    issue: str | None = None
    parameter: Literal[PARAMETERS]


class DocumentInfo(Strict_):
    """A source document of the registry."""

    title: str
    published: str | None = None


class EvidenceItem(Strict_):
    """A verbatim quote from one document."""

    document: str
    quote: Annotated[str, StringConstraints(min_length=8)]
    informs: list[Informs] = Field(min_length=1)
    note: str | None = None


class Registry(Strict_):
    """Documents and the evidence items that quote them."""

    documents: dict[str, DocumentInfo] = Field(min_length=1)
    evidence: dict[Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")], EvidenceItem]

    _dir: Path | None = PrivateAttr(None)
    _texts: dict = PrivateAttr(default_factory=dict)

    @field_validator("documents")
    @classmethod
    def _plain_names(cls, docs: dict) -> dict:
        for name in docs:
            if "/" in name or "\\" in name or name.startswith("."):
                raise ValueError(f"document {name!r} must be a plain file name beside the registry")
        return docs

    def path(self, document: str) -> Path:
        """Where a registry document lies on disk."""
        return self._dir / document


_LOADED: dict[tuple, tuple[Registry, tuple]] = {}


def load_registry(path: str | Path) -> Registry:
    """Load and check a registry: schema, documents present, every quote found verbatim.

    A registry already loaded in this process is reused while neither its file nor its
    documents have changed (same size and modification time).
    """
    key = _stat(Path(path))
    hit = _LOADED.get(key) if key else None
    if hit is not None and hit[1] == _document_stats(hit[0]):
        return hit[0]
    registry = _load_registry(path)
    if key:
        _LOADED[key] = (registry, _document_stats(registry))
    return registry


def _stat(path: Path) -> tuple | None:
    try:
        st = path.stat()
    except (OSError, ValueError):
        return None
    return (str(path.resolve()), st.st_mtime_ns, st.st_size)


def _document_stats(registry: Registry) -> tuple:
    return tuple(_stat(registry.path(name)) for name in registry.documents)


def _load_registry(path: str | Path) -> Registry:
    from ..scenario.yamldoc import read_yaml

    doc = read_yaml(path)
    registry, problems = validate_document(Registry, doc, {})
    if registry is None:
        raise ScenarioError(problems)
    registry._dir = Path(path).resolve().parent
    for name in registry.documents:
        try:
            registry._texts[name] = (registry._dir / name).read_text(encoding="utf-8")
        except (OSError, ValueError) as exc:  # ValueError includes UnicodeDecodeError
            line, col = doc.locate(("documents", name), prefer_key=True)
            problems.append(Problem(doc.file, line, col, f"documents.{name}",
                                    f"cannot read the document: {exc}"))
    normalised = {name: normalise(text) for name, text in registry._texts.items()}
    for eid, item in registry.evidence.items():
        where = ("evidence", eid)
        if item.document not in registry.documents:
            line, col = doc.locate(where + ("document",))
            problems.append(Problem(doc.file, line, col, format_path(where + ("document",)),
                                    f"{item.document!r} is not listed under documents"))
        elif item.document in normalised and normalise(item.quote) not in normalised[item.document]:
            line, col = doc.locate(where + ("quote",))
            problems.append(Problem(doc.file, line, col, format_path(where + ("quote",)),
                                    f"not found verbatim in {item.document}"))
    if problems:
        raise ScenarioError(problems)
    return registry


@dataclass(frozen=True)
class EvidenceRow:
    """One line of a scenario's evidence listing (see ``evidence_rows``)."""

    actor: str | None
    issue: str | None
    parameter: str
    value: object
    evidence_id: str | None
    document: str | None
    quote: str | None
    assumption: str | None
    note: str | None
    value_text: str  # the value as short text, for tables

    def as_dict(self) -> dict:
        """The row as JSON-ready data (without the table text)."""
        return {k: v for k, v in self.__dict__.items() if k != "value_text"}


def describe_value(value) -> object:
    """A parameter value as JSON data: the number, or the distribution's own fields."""
    if isinstance(value, (int, float)):
        return float(value)
    if hasattr(value, "dist"):
        return value.model_dump(exclude={"evidence", "assumption", "note"}, exclude_none=True)
    return float(value.value)


def format_value(value) -> str:
    """A parameter value as short text: '0.6', 'uniform [0.3, 0.5]', 'normal 0.6 ± 0.1 in [0, 1]'.
    """
    if isinstance(value, (int, float)):
        return f"{float(value):g}"
    if not hasattr(value, "dist"):
        return f"{value.value:g}"
    lo, hi = support(value)
    if value.dist == "normal":
        return f"normal {value.mean:g} ± {value.sd:g} in [{lo:g}, {hi:g}]"
    if value.dist == "uniform":
        return f"uniform [{lo:g}, {hi:g}]"
    if value.dist == "beta":
        return f"beta({value.alpha:g}, {value.beta:g}) on [{lo:g}, {hi:g}]"
    if value.dist == "triangular":
        return f"triangular {lo:g} – {value.mode:g} – {hi:g}"
    return "one of " + ", ".join(f"{v:g}" for v in value.values)


def provenance_rows(registry: Registry | None, actor: str | None, issue: str | None,
                    parameter: str, value, prov, text: str) -> list[EvidenceRow]:
    """The rows of one value whose provenance (evidence ids, assumption, note) is ``prov``:
    one per evidence item, plus one for an assumption; one bare row when it cites nothing."""
    ids = list(getattr(prov, "evidence", []) or [])
    assumption = getattr(prov, "assumption", None)
    note = getattr(prov, "note", None)
    rows = []
    for eid in ids:
        item = registry.evidence[eid] if registry is not None else None
        rows.append(EvidenceRow(actor, issue, parameter, value, eid,
                                item.document if item else None,
                                item.quote if item else None, None, note, text))
    if assumption is not None or not ids:
        rows.append(EvidenceRow(actor, issue, parameter, value, None, None, None,
                                assumption, note, text))
    return rows


def evidence_rows(scenario: Scenario) -> list[EvidenceRow]:
    """Each parameter of the scenario with the quotes or assumption behind it.

    A parameter citing several items gives one row per item, plus one for an assumption.
    An uncited parameter gives one row with no evidence and no assumption. Actor-level
    provenance (role, signatory, veto) is listed with parameter 'role'.
    """
    registry: Registry | None = scenario.registry
    rows: list[EvidenceRow] = []

    def add(actor, issue, parameter, value, prov, text) -> None:
        rows.extend(provenance_rows(registry, actor, issue, parameter, value, prov, text))

    for aid, actor in scenario.actors.items():
        role = actor.role + (", signatory" if actor.signatory else "") + (
            f", veto on {', '.join(actor.veto)}" if actor.veto else "")
        if actor.cited:
            add(aid, None, "role", role, actor, role)
        if actor.strategy.cited:
            add(aid, None, "strategy", actor.strategy.type, actor.strategy, actor.strategy.type)
    for ref in iter_parameters(scenario):
        add(ref.actor, ref.issue, ref.parameter, describe_value(ref.value), ref.value,
            format_value(ref.value))
    for stage in scenario.protocol.agenda or []:
        if stage.cited:
            add(None, None, f"stage.{stage.id}", stage.id, stage, stage.id)
    for name, event in scenario.events.items():
        if event.cited:
            add(None, None, f"event.{name}", name, event, name)
    order = {a: k for k, a in enumerate(scenario.actors)}
    issues = {i: k for k, i in enumerate(scenario.issues)}
    rows.sort(key=lambda r: (r.actor is None, order.get(r.actor, 0), r.issue is not None,
                             issues.get(r.issue, 0)))
    return rows
