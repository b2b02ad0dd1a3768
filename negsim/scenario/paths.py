"""Every numeric parameter of a scenario, addressed by its path in the file.

The path (for example ``("actors", "russia", "ideal", "territory")``, written
``actors.russia.ideal.territory``) is the parameter's stable name: the evidence listing
uses it, random streams are keyed by it, and sweeps refer to it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .params import Param
from .schema import Mediated, Modify, Reciprocal, Scenario, TimeDependent


@dataclass(frozen=True)
class ParamRef:
    """One numeric parameter: where it is, what it is about, and its (parsed) value."""

    path: tuple
    value: Param
    actor: str | None
    issue: str | None
    parameter: str

    @property
    def dotted(self) -> str:
        """The path written with dots: 'actors.russia.ideal.territory'."""
        return ".".join(str(p) for p in self.path)


def is_cited(value) -> bool:
    """Whether a parameter value cites evidence or states an assumption."""
    return bool(getattr(value, "cited", False))


def iter_parameters(scenario: Scenario) -> Iterator[ParamRef]:
    """Yield every numeric parameter in a fixed order: issues, actors, protocol (the agenda's
    stages' effects included), battlefield, events."""
    for iid, issue in scenario.issues.items():
        yield ParamRef(("issues", iid, "status_quo"), issue.status_quo, None, iid, "status_quo")
    for aid, actor in scenario.actors.items():
        base = ("actors", aid)
        for iid in scenario.issues:
            if iid in actor.ideal:
                yield ParamRef(base + ("ideal", iid), actor.ideal[iid], aid, iid, "ideal")
            if iid in actor.salience:
                yield ParamRef(base + ("salience", iid), actor.salience[iid], aid, iid, "salience")
            line = actor.red_lines.get(iid)
            for bound in ("min", "max"):
                if line is not None and getattr(line, bound) is not None:
                    yield ParamRef(base + ("red_lines", iid, bound), getattr(line, bound), aid,
                                   iid, f"red_line.{bound}")
        for name in ("capability", "reservation", "war_cost"):
            yield ParamRef(base + (name,), getattr(actor, name), aid, None, name)
        for iid in scenario.issues:
            belief = actor.beliefs.get(iid)
            if belief is not None:
                for name in ("drift", "weight"):
                    yield ParamRef(base + ("beliefs", iid, name), getattr(belief, name), aid,
                                   iid, f"belief.{name}")
        strategy = actor.strategy
        if isinstance(strategy, TimeDependent):
            for name in ("exponent", "patience"):
                yield ParamRef(base + ("strategy", name), getattr(strategy, name), aid, None,
                               f"strategy.{name}")
        elif isinstance(strategy, Reciprocal):
            for name in ("rate", "initial"):
                yield ParamRef(base + ("strategy", name), getattr(strategy, name), aid, None,
                               f"strategy.{name}")
    protocol = scenario.protocol
    names = ("horizon", "bias", "step") if isinstance(protocol, Mediated) else ("horizon",)
    for name in names:
        yield ParamRef(("protocol", name), getattr(protocol, name), None, None, f"protocol.{name}")
    for s, stage in enumerate(protocol.agenda or []):
        for k, effect in enumerate(stage.effects):
            yield ParamRef(("protocol", "agenda", s, "effects", k, "value"), effect.value, None,
                           None, f"stage.{stage.id}: {effect.op} {effect.target}")
    for iid, front in scenario.battlefield.items():
        for name in ("drift", "volatility"):
            yield ParamRef(("battlefield", iid, name), getattr(front, name), None, iid, name)
    for ename, event in scenario.events.items():
        base = ("events", ename)
        for name in ("round", "probability", "duration"):
            value = getattr(event, name)
            if value is not None:
                yield ParamRef(base + (name,), value, None, None, f"event.{ename}.{name}")
        for k, effect in enumerate(event.effects):
            if isinstance(effect, Modify):
                yield ParamRef(base + ("effects", k, "value"), effect.value, None, None,
                               f"event.{ename}: {effect.op} {effect.target}")
