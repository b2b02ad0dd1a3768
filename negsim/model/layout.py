"""A scenario's fixed structure as arrays and indices: who, what, in which order.

The layout holds everything that does not vary between runs (ids, signatories, vetoes,
strategy kinds, the protocol, event effects and their targets). Everything that may vary
(every numeric parameter, and all random draws) lives in a ParameterBatch (sampling.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..scenario.schema import TARGETS, Alternating, Condition, MediatorExit, Scenario
from . import rules


def _bounds(domain) -> tuple[float, float]:
    return (domain.lo, domain.hi)


STRATEGY_CODES = {"time_dependent": rules.TIME_DEPENDENT, "reciprocal": rules.RECIPROCAL,
                  "hardliner": rules.HARDLINER}

# Parameters events may change, with the bounds the changed value is kept in: the ranges a
# scenario may write (scenario.schema.TARGETS), so an event cannot take a value out of them.
ACTOR_TARGETS = {attr: _bounds(TARGETS["actors"][attr]) for attr in
                 ("war_cost", "reservation", "capability", "strategy.exponent",
                  "strategy.patience")}
BELIEF_TARGETS = {attr: _bounds(TARGETS["actors"][f"beliefs.<issue>.{attr}"])
                  for attr in ("drift", "weight")}
FRONT_TARGETS = {attr: _bounds(TARGETS["battlefield"][attr]) for attr in ("drift", "volatility")}


NEVER = np.iinfo(np.int64).max // 2  # the start round of an event that has not started
FOREVER = np.inf  # the duration of a stage's effects that last to the end


@dataclass(frozen=True)
class EffectSpec:
    """One effect of an event or of a stage's agreement: which parameter it changes, how, and
    in which bounds."""

    event: int  # index into Layout.events, or E + s for stage s of the agenda
    op: str  # add, scale, set or mediator_exit
    kind: str  # "actor", "belief", "front" or "exit"
    attr: str  # war_cost, reservation, capability, strategy.exponent, strategy.patience,
    #            belief.drift, belief.weight, drift, volatility
    index: int  # actor or issue index (-1 for mediator_exit)
    bounds: tuple[float, float]
    issue: int = -1  # the issue of a belief
    path: str = ""  # the scenario path of its value (the stream it is drawn from)


@dataclass(frozen=True)
class ConditionSpec:
    """A state of the talks that starts or ends an event (schema.Condition, as indices)."""

    kind: str  # rejected, accepted, agreed or not_agreed
    actor: int = -1
    times: int = 0  # rejected: how many
    in_a_row: bool = False  # rejected: consecutive rounds only
    stage: int = -1  # accepted (-1: any stage), agreed, not_agreed
    round: int = 0  # not_agreed: from this round on

    @classmethod
    def of(cls, condition: Condition | None, a_index: dict, s_index: dict):
        """The spec of a validated condition (None for None)."""
        if condition is None:
            return None
        kind = condition.kind
        stage = s_index.get(condition.stage, -1)
        if kind == "rejected":
            r = condition.rejected
            return cls(kind, a_index[r.actor], r.times, r.in_a_row)
        if kind == "accepted":
            return cls(kind, a_index[condition.accepted.actor], stage=stage)
        if kind == "agreed":
            return cls(kind, stage=stage)
        return cls(kind, stage=stage, round=condition.not_agreed.round)


@dataclass(frozen=True)
class Layout:
    """The fixed structure of a scenario, in the order of the file."""

    name: str
    actors: tuple[str, ...]
    issues: tuple[str, ...]
    events: tuple[str, ...]
    signatory: np.ndarray  # (A,) bool
    veto: np.ndarray  # (A, K) bool
    contested: np.ndarray  # (K,) bool
    strategy: np.ndarray  # (A,) strategy codes
    mediated: bool
    mediator: int  # actor index, -1 for the alternating protocol
    max_rounds: int
    random_order: bool  # alternating protocol: a permutation of signatories per run
    order: tuple[int, ...]  # alternating protocol, fixed order: proposer indices
    effects: tuple[EffectSpec, ...]
    known_exits: tuple[int, ...]  # events with a mediator_exit the actors know of
    stages: tuple[str, ...]  # the agenda's stage ids in order (empty without an agenda)
    stage_of_issue: np.ndarray  # (K,) the stage that settles each issue (0 without an agenda)
    stage_duration: np.ndarray  # (S,) rounds a stage's effects last (inf: to the end)
    stage_skip: np.ndarray  # (S,) rounds after which a stage is skipped (-1: never)
    starts: tuple  # per event: the ConditionSpec that starts it, None for a round event
    ends: tuple  # per event: the ConditionSpec that ends it, or None
    actor_rank: np.ndarray  # (A,) rank of each actor id in sorted order (ties)
    issue_rank: np.ndarray  # (K,) rank of each issue id in sorted order (ties)

    @property
    def staged(self) -> bool:
        """Whether the scenario has an agenda (the engines then play it stage by stage)."""
        return len(self.stages) > 0

    @property
    def stage_count(self) -> int:
        """Stages the talks go through: the agenda's, or 1 (every issue at once)."""
        return max(len(self.stages), 1)

    @property
    def members(self) -> np.ndarray:
        """Actors whose preferences the targets weigh: signatories and veto holders. (A,)"""
        return self.signatory | self.veto.any(axis=1)

    @property
    def moving(self) -> np.ndarray:
        """Issues whose no-deal point can move: contested ones, and those an event's front
        effect targets. Elsewhere drift and volatility are 0 in every run. (K,) bool"""
        moving = self.contested.copy()
        for spec in self.effects:
            if spec.kind == "front":
                moving[spec.index] = True
        return moving

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> Layout:
        """Build the layout of a validated scenario."""
        actors = tuple(scenario.actors)
        issues = tuple(scenario.issues)
        a_index = {a: i for i, a in enumerate(actors)}
        k_index = {k: i for i, k in enumerate(issues)}
        veto = np.zeros((len(actors), len(issues)), dtype=bool)
        for a, actor in scenario.actors.items():
            for k in actor.veto:
                veto[a_index[a], k_index[k]] = True
        protocol = scenario.protocol
        alternating = isinstance(protocol, Alternating)
        if alternating:
            names = protocol.order or scenario.signatories
            order = tuple(a_index[a] for a in names)
        else:
            order = ()
        agenda = protocol.agenda or []
        s_index = {stage.id: s for s, stage in enumerate(agenda)}
        stage_of_issue = np.zeros(len(issues), dtype=np.int64)
        for s, stage in enumerate(agenda):
            for k in stage.issues:
                stage_of_issue[k_index[k]] = s
        return cls(
            name=scenario.name,
            actors=actors,
            issues=issues,
            events=tuple(scenario.events),
            signatory=np.array([scenario.actors[a].signatory for a in actors], dtype=bool),
            veto=veto,
            contested=np.array([scenario.issues[k].contested for k in issues], dtype=bool),
            strategy=np.array([STRATEGY_CODES[scenario.actors[a].strategy.type]
                               for a in actors], dtype=np.int8),
            mediated=not alternating,
            mediator=-1 if alternating else a_index[protocol.mediator],
            max_rounds=protocol.max_rounds,
            random_order=alternating and protocol.proposer_order == "random",
            order=order,
            effects=_effects(scenario, a_index, k_index),
            known_exits=tuple(e for e, event in enumerate(scenario.events.values())
                              if event.foreseen),
            stages=tuple(s_index),
            stage_of_issue=stage_of_issue,
            stage_duration=np.array([FOREVER if st.duration is None else float(st.duration)
                                     for st in agenda]),
            stage_skip=np.array([-1 if st.skip_after is None else st.skip_after
                                 for st in agenda], dtype=np.int64),
            starts=tuple(ConditionSpec.of(ev.when, a_index, s_index)
                         for ev in scenario.events.values()),
            ends=tuple(ConditionSpec.of(ev.ends, a_index, s_index)
                       for ev in scenario.events.values()),
            actor_rank=_ranks(actors),
            issue_rank=_ranks(issues),
        )


def _ranks(ids: tuple[str, ...]) -> np.ndarray:
    ranks = np.empty(len(ids), dtype=np.int64)
    ranks[np.argsort(np.array(ids))] = np.arange(len(ids))
    return ranks


def _effects(scenario: Scenario, a_index: dict, k_index: dict) -> tuple[EffectSpec, ...]:
    """Every event's effects in file order, then every stage's in agenda order (so that a
    stage's agreement, a ceasefire, holds whatever an event does)."""
    sources = [(e, f"events.{name}.effects", event.effects)
               for e, (name, event) in enumerate(scenario.events.items())]
    sources += [(len(scenario.events) + s, f"protocol.agenda.{s}.effects", stage.effects)
                for s, stage in enumerate(scenario.protocol.agenda or [])]
    specs = []
    for e, base, effects in sources:
        for j, effect in enumerate(effects):
            path = f"{base}.{j}.value"
            if isinstance(effect, MediatorExit):
                specs.append(EffectSpec(e, "mediator_exit", "exit", "", -1, (0.0, 0.0)))
                continue
            kind, ident, attr = effect.target.split(".", 2)
            if kind == "actors" and attr.startswith("beliefs."):
                _, issue, name = attr.split(".")
                specs.append(EffectSpec(e, effect.op, "belief", f"belief.{name}",
                                        a_index[ident], BELIEF_TARGETS[name], k_index[issue],
                                        path))
            elif kind == "actors":
                specs.append(EffectSpec(e, effect.op, "actor", attr, a_index[ident],
                                        ACTOR_TARGETS[attr], path=path))
            else:
                specs.append(EffectSpec(e, effect.op, "front", attr, k_index[ident],
                                        FRONT_TARGETS[attr], path=path))
    return tuple(specs)
