"""The scenario language: pydantic models of docs/design.md section 3 with cross-field checks.

Validation context (given by the loader, optional otherwise): ``issues`` and ``actors`` (the
ids the file declares) let references be checked where they are written, so that every
error of a file is reported at once; ``evidence_ids`` (the evidence registry's ids, or None
when the scenario names no registry) lets citations be checked.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, ClassVar, Literal

from pydantic import (
    AfterValidator,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .errors import did_you_mean
from .params import (
    BELIEF_WEIGHT,
    CAPABILITY,
    DURATION,
    EFFECT,
    EXPONENT,
    HORIZON,
    MAX_ROUNDS,
    MAX_RUNS,
    MAX_SEED,
    PATIENCE,
    RATE,
    ROUND,
    SIGNED_UNIT,
    STEP,
    UNIT,
    WAR_COST,
    WEIGHT,
    Domain,
    Param,
    Provenance,
    Strict_,
    UnitParam,
    center,
    fail,
    is_zero,
    param,
    support,
)

Id = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64),
    Field(description="snake_case identifier"),
]


def _reference(kind: str):
    def check(value: str, info: ValidationInfo) -> str:
        known = (info.context or {}).get(kind)
        if known is not None and value not in known:
            fail("unknown_id", f"unknown {kind[:-1]} {value!r}{did_you_mean(value, known)}")
        return value

    return Annotated[str, AfterValidator(check)]


IssueRef = _reference("issues")
ActorRef = _reference("actors")


class Problems:
    """Collects cross-field problems as (sub-path, message) and raises them as one error."""

    def __init__(self):
        self.items: list[tuple[tuple, str]] = []

    def add(self, path: tuple, message: str) -> None:
        """Record a problem at ``path`` below the model being validated."""
        self.items.append((path, message))

    def raise_if_any(self) -> None:
        """Raise a single pydantic error that the loader expands into one line per problem."""
        if self.items:
            raise PydanticCustomError(
                "cross_field", "{message}",
                {"message": "; ".join(m for _, m in self.items), "problems": tuple(self.items)},
            )


# --- issues -------------------------------------------------------------------------------


DEFAULT_BELIEF_WEIGHT = 52.0  # rounds of fighting a prior is worth unless the file says


class Level(Strict_):
    """A named point on an issue's scale, for display."""

    value: float = Field(ge=0, le=1)
    label: str


class Issue(Strict_):
    """One issue of the negotiation, scaled to [0, 1]."""

    label: str = Field(description="short name for tables and plots")
    zero: str = Field(description="what a settlement at 0 means")
    one: str = Field(description="what a settlement at 1 means")
    status_quo: UnitParam = Field(description="q0: the no-deal value at the start")
    contested: bool = Field(False, description="no-deal value moves with the battlefield")
    levels: list[Level] = Field(default_factory=list, description="named points, for display")
    description: str | None = None


# --- actors -------------------------------------------------------------------------------


class RedLine(Strict_):
    """Bounds an actor will never accept a settlement outside of, on one issue."""

    min: UnitParam | None = None
    max: UnitParam | None = None

    @model_validator(mode="after")
    def _ordered(self):
        if self.min is None and self.max is None:
            fail("red_line", "a red line needs 'min', 'max' or both")
        if self.min is not None and self.max is not None:
            if support(self.min)[0] > support(self.max)[1]:
                fail("red_line", "min is above max: no settlement could satisfy this red line")
        return self


class TimeDependent(Provenance):
    """Polynomial concession from 1 down to the floor over ``patience`` rounds: e > 1
    Boulware, e = 1 linear, e < 1 Conceder."""

    type: Literal["time_dependent"]
    exponent: param(EXPONENT, "e: > 1 Boulware, 1 linear, < 1 Conceder")
    patience: param(PATIENCE, "P: rounds the actor takes to concede down to its floor")

    missing_hints: ClassVar[dict[str, str]] = {
        "patience": "required key missing: patience, the rounds this actor takes to concede "
                    "down to its floor (model version 1 conceded over max_rounds; write "
                    "patience: <max_rounds> to keep that pace)"}


class Reciprocal(Provenance):
    """Tit-for-tat: concede rate times the average concession received last round."""

    type: Literal["reciprocal"]
    rate: param(RATE) = Field(description="rho: share of the others' concession returned")
    initial: UnitParam = Field(description="concession made in the first round")


class Hardliner(Provenance):
    """Never lowers its aspiration (the e = infinity limit)."""

    type: Literal["hardliner"]


Strategy = Annotated[TimeDependent | Reciprocal | Hardliner, Field(discriminator="type")]


class Belief(Provenance):
    """An actor's prior belief about the drift of a contested issue's front."""

    drift: param(SIGNED_UNIT, "m: the drift per round the actor expects before fighting on")
    weight: param(BELIEF_WEIGHT, "n: how many rounds of fighting the prior is worth") = Field(
        DEFAULT_BELIEF_WEIGHT, description="n: how many rounds of fighting the prior is worth "
        f"(default {DEFAULT_BELIEF_WEIGHT:g})")


class Actor(Provenance):
    """A party, mediator or stakeholder with preferences over every issue.

    Its own ``evidence``/``assumption`` back its role, signatory status and vetoes.
    """

    name: str
    role: Literal["party", "mediator", "stakeholder"]
    signatory: bool = Field(False, description="must accept any deal")
    veto: list[IssueRef] = Field(default_factory=list,
                                 description="must accept any deal that moves these issues")
    ideal: dict[IssueRef, UnitParam] = Field(description="ideal point p on every issue")
    salience: dict[IssueRef, param(WEIGHT)] = Field(
        description="weight w on every issue (normalised to sum 1)")
    capability: param(CAPABILITY, "c: relative power (only ratios matter)")
    reservation: UnitParam = Field(
        0.0, description="r: a floor beyond the value of war (domestic constraints; default 0)")
    war_cost: param(WAR_COST) = Field(description="kappa: utility lost per round of war")
    red_lines: dict[IssueRef, RedLine] = Field(default_factory=dict)
    beliefs: dict[IssueRef, Belief] = Field(
        default_factory=dict, description="prior beliefs about the drift of contested issues "
        "(default: the run's true drift, weight 52)")
    strategy: Strategy
    description: str | None = None

    @model_validator(mode="after")
    def _consistent(self):
        problems = Problems()
        if len(set(self.veto)) != len(self.veto):
            problems.add(("veto",), "an issue is listed twice")
        if self.salience and all(is_zero(w) for w in self.salience.values()):
            problems.add(("salience",),
                         "saliences are all zero: the actor would care about nothing")
        for issue, line in self.red_lines.items():
            ideal = self.ideal.get(issue)
            if ideal is None:
                continue
            lo, hi = support(ideal)
            if line.min is not None and hi < support(line.min)[0]:
                problems.add(("ideal", issue), f"ideal ({center(ideal):g}) lies below the actor's "
                             f"own red line min ({center(line.min):g})")
            if line.max is not None and lo > support(line.max)[1]:
                problems.add(("ideal", issue), f"ideal ({center(ideal):g}) lies above the actor's "
                             f"own red line max ({center(line.max):g})")
        problems.raise_if_any()
        return self


# --- conditions on the state of the talks ---------------------------------------------------


class Rejected(Strict_):
    """An actor has rejected ``times`` offers (in consecutive rounds with ``in_a_row``)."""

    actor: ActorRef
    times: int = Field(ge=1, le=MAX_ROUNDS, description="n: how many rejections")
    in_a_row: bool = Field(False, description="count only rejections in consecutive rounds")


class Accepted(Strict_):
    """An actor has accepted an offer someone else made (of one stage, if named)."""

    actor: ActorRef
    stage: Id | None = Field(None, description="only offers of this stage of the agenda")


class NotAgreed(Strict_):
    """A stage of the agenda is still not agreed at a round (from that round on)."""

    stage: Id
    round: int = Field(ge=0, le=MAX_ROUNDS, description="the round from which it holds")


class Condition(Strict_):
    """A state of the talks, judged at the start of a round from the rounds before it.
    Exactly one key."""

    rejected: Rejected | None = None
    accepted: Accepted | None = None
    agreed: Id | None = Field(None, description="this stage of the agenda has been agreed")
    not_agreed: NotAgreed | None = None

    @model_validator(mode="after")
    def _one(self):
        given = [k for k in ("rejected", "accepted", "agreed", "not_agreed")
                 if getattr(self, k) is not None]
        if len(given) != 1:
            fail("condition", "a condition takes exactly one of rejected, accepted, agreed, "
                 f"not_agreed (found {len(given)}{': ' + ', '.join(given) if given else ''})")
        return self

    @property
    def kind(self) -> str:
        """Which condition this is: rejected, accepted, agreed or not_agreed."""
        return next(k for k in ("rejected", "accepted", "agreed", "not_agreed")
                    if getattr(self, k) is not None)

    @property
    def stage(self) -> str | None:
        """The stage the condition names, if any."""
        if self.agreed is not None:
            return self.agreed
        if self.not_agreed is not None:
            return self.not_agreed.stage
        if self.accepted is not None:
            return self.accepted.stage
        return None


# --- protocol -----------------------------------------------------------------------------


class Stage(Provenance):
    """One stage of the agenda: its issues, and what its agreement does to the war."""

    id: Id
    description: str | None = None
    issues: list[IssueRef] = Field(description="the issues this stage settles (may be none: "
                                   "a pure ceasefire or moratorium)")
    effects: list[Modify] = Field(default_factory=list, description="changes to the war once "
                                  "the stage is agreed (as an event's effects)")
    duration: int | None = Field(None, ge=1, le=MAX_ROUNDS, description="rounds the effects "
                                 "last after the agreement (omit: to the end)")
    skip_after: int | None = Field(None, ge=1, le=MAX_ROUNDS, description="rounds after which "
                                   "the talks move on to the next stage, taking this stage's "
                                   "issues with them (omit: it must be agreed first)")


class _ProtocolBase(Strict_):
    max_rounds: int = Field(ge=1, le=MAX_ROUNDS, description="T: the rounds observed; no actor "
                            "knows it (a run without a deal by then is censored)")
    horizon: param(HORIZON) = Field(description="H: expected further rounds of war without a deal")
    agenda: list[Stage] | None = Field(None, min_length=1, description="stages negotiated in "
                                       "order (omit: one stage with every issue)")


class Alternating(_ProtocolBase):
    """Signatories take turns proposing."""

    type: Literal["alternating"]
    proposer_order: Literal["fixed", "random"] = Field(
        "fixed", description="fixed: round-robin in `order`; random: a permutation per run")
    order: list[ActorRef] | None = Field(
        None, description="proposing order (default: signatories in file order)")


class Mediated(_ProtocolBase):
    """A mediator proposes a single negotiating text every round."""

    type: Literal["mediated"]
    mediator: ActorRef
    bias: UnitParam = Field(description="b: pull of the first text toward the mediator's ideal")
    step: param(STEP) = Field(1.0, description="eta: how far each redraft moves toward those "
                              "who rejected (1: all the way, averaged projections)")

    removed_keys: ClassVar[dict[str, str]] = {
        "lean": "'lean' was removed in model version 2: the mediator now redrafts its text "
                "toward those who reject, in proportion to their shortfall; write 'step' (its "
                "responsiveness, in (0, 1], default 1) instead"}


Protocol = Annotated[Alternating | Mediated, Field(discriminator="type")]


# --- battlefield and events ---------------------------------------------------------------


class Front(Strict_):
    """How a contested issue's no-deal value moves each round: drift plus noise."""

    drift: param(SIGNED_UNIT, "mu: expected move per round")
    volatility: param(Domain(0.0, 1.0), "sigma: standard deviation of the move per round")


TARGETS = {
    "battlefield": {"drift": SIGNED_UNIT, "volatility": Domain(0.0, 1.0)},
    "actors": {"war_cost": WAR_COST, "reservation": UNIT, "capability": CAPABILITY,
               "strategy.exponent": EXPONENT, "strategy.patience": PATIENCE,
               "beliefs.<issue>.drift": SIGNED_UNIT, "beliefs.<issue>.weight": BELIEF_WEIGHT},
}
TARGET_HELP = ("battlefield.<issue>.drift|volatility or actors.<actor>.war_cost|reservation|"
               "capability|strategy.exponent|strategy.patience|beliefs.<issue>.drift|"
               "beliefs.<issue>.weight")


class Modify(Strict_):
    """Change a parameter while the event is active."""

    op: Literal["add", "scale", "set"]
    target: str = Field(description=TARGET_HELP)
    value: param(EFFECT, "the amount to add, the factor to scale by, or the value to set")


def effect_domain(effect: Modify) -> Domain:
    """The values a (validated) effect's amount may take: any EFFECT to add, ≥ 0 to scale,
    the target's own domain to set."""
    if effect.op == "scale":
        return Domain(0.0, EFFECT.hi)
    if effect.op == "set":
        kind, _, attr = effect.target.split(".", 2)
        parts = attr.split(".")
        if len(parts) == 3 and parts[0] == "beliefs":
            attr = f"beliefs.<issue>.{parts[2]}"
        return TARGETS[kind][attr]
    return EFFECT


class MediatorExit(Strict_):
    """The mediator walks away: the talks end without a deal."""

    op: Literal["mediator_exit"]


Effect = Annotated[Modify | MediatorExit, Field(discriminator="op")]


class Event(Provenance):
    """Something that may happen during the talks and changes parameters while active."""

    description: str | None = None
    round: param(ROUND, "round at which it fires (draws are rounded down)") | None = Field(
        None, description="round at which it fires (draws are rounded down); or give 'when'")
    when: Condition | None = Field(None, description="a state of the talks that starts it "
                                   "(the first round it holds); or give 'round'")
    probability: UnitParam = 1.0
    duration: param(DURATION, "rounds it stays active") | None = Field(
        None, description="rounds it stays active (omit: until the end)")
    ends: Condition | None = Field(None, description="a state of the talks that ends it")
    effects: list[Effect] = Field(min_length=1)
    known: bool = Field(True, description="for a mediator_exit: whether the actors know of the "
                        "threat, so that it enters the hazard they perceive (false: a surprise)")

    @model_validator(mode="after")
    def _trigger(self):
        if (self.round is None) == (self.when is None):
            fail("trigger", "an event needs exactly one of 'round' (when it fires) and 'when' "
                 "(the state of the talks that starts it)")
        return self

    @property
    def exits(self) -> bool:
        """Whether the event makes the mediator walk away."""
        return any(isinstance(e, MediatorExit) for e in self.effects)

    @property
    def foreseen(self) -> bool:
        """Whether the actors weigh this event as a threat to end the talks: a known
        mediator_exit at a round (a state-triggered exit cannot be foreseen by round)."""
        return self.exits and self.known and self.round is not None


class MonteCarlo(Strict_):
    """Defaults for a Monte Carlo run (overridable from the command line)."""

    runs: int = Field(10_000, ge=1, le=MAX_RUNS)
    seed: int = Field(0, ge=0, le=MAX_SEED)


# --- the scenario -------------------------------------------------------------------------


class Scenario(Strict_):
    """A negotiation scenario: issues, actors, protocol, battlefield, events, Monte Carlo."""

    name: Id
    title: str
    description: str | None = None
    evidence_registry: str | None = Field(
        None, description="path of the evidence registry, relative to this file")
    issues: dict[Id, Issue] = Field(min_length=1)
    actors: dict[Id, Actor] = Field(min_length=2)
    protocol: Protocol
    battlefield: dict[IssueRef, Front] = Field(default_factory=dict)
    events: dict[Id, Event] = Field(default_factory=dict)
    montecarlo: MonteCarlo = Field(default_factory=MonteCarlo)

    _source: Path | None = PrivateAttr(None)  # the file it was read from, if any
    _registry: object = PrivateAttr(None)  # the loaded evidence registry, if any
    _warnings: list = PrivateAttr(default_factory=list)  # located lint warnings
    _design: dict = PrivateAttr(default_factory=dict)  # path -> uniforms (sampling.with_design)

    @model_validator(mode="after")
    def _consistent(self):
        problems = Problems()
        self._check_actors(problems)
        self._check_protocol(problems)
        self._check_battlefield(problems)
        self._check_agenda(problems)
        self._check_events(problems)
        problems.raise_if_any()
        return self

    def _check_actors(self, problems: Problems) -> None:
        if len(self.signatories) < 2:
            problems.add(("actors",), f"at least two actors must be signatories "
                         f"(found {len(self.signatories)})")
        for aid, actor in self.actors.items():
            for field in ("ideal", "salience"):
                missing = [i for i in self.issues if i not in getattr(actor, field)]
                if missing:
                    problems.add(("actors", aid, field), "missing for issue(s): "
                                 + ", ".join(missing))
            for issue in actor.beliefs:
                if issue in self.issues and not self.issues[issue].contested:
                    problems.add(("actors", aid, "beliefs", issue), f"issue {issue!r} is not "
                                 "contested: beliefs are about the drift of a front")

    def _check_protocol(self, problems: Problems) -> None:
        p = self.protocol
        if isinstance(p, Mediated) and p.mediator in self.actors:
            if self.actors[p.mediator].role != "mediator":
                role = self.actors[p.mediator].role
                problems.add(("protocol", "mediator"), f"actor {p.mediator!r} has role "
                             f"{role!r}; the mediator needs role 'mediator'")
        if isinstance(p, Alternating) and p.order is not None:
            if p.proposer_order == "random":
                problems.add(("protocol", "order"), "a proposing order applies to "
                             "proposer_order: fixed, not random")
            elif sorted(p.order) != sorted(self.signatories):
                problems.add(("protocol", "order"), "must list every signatory exactly once: "
                             + ", ".join(self.signatories))

    def _check_battlefield(self, problems: Problems) -> None:
        for issue in self.battlefield:
            if issue in self.issues and not self.issues[issue].contested:
                problems.add(("battlefield", issue), f"issue {issue!r} is not contested "
                             "(set contested: true on the issue)")

    @property
    def stages(self) -> list[str]:
        """Ids of the agenda's stages, in order (empty without an agenda)."""
        return [stage.id for stage in self.protocol.agenda or []]

    def _check_agenda(self, problems: Problems) -> None:
        agenda = self.protocol.agenda
        if agenda is None:
            return
        seen: dict[str, str] = {}
        ids: set[str] = set()
        for i, stage in enumerate(agenda):
            where = ("protocol", "agenda", i)
            if stage.id in ids:
                problems.add(where + ("id",), f"stage {stage.id!r} is listed twice")
            ids.add(stage.id)
            for j, issue in enumerate(stage.issues):
                if issue in seen:
                    problems.add(where + ("issues", j), f"issue {issue!r} is already settled "
                                 f"by stage {seen[issue]!r}; an issue belongs to one stage")
                seen.setdefault(issue, stage.id)
            if stage.skip_after is not None and i == len(agenda) - 1:
                problems.add(where + ("skip_after",), "the last stage cannot be skipped: "
                             "there is no stage to move on to")
            for k, effect in enumerate(stage.effects):
                self._check_effect(effect, where + ("effects", k), problems)
        missing = [k for k in self.issues if k not in seen]
        if missing:
            problems.add(("protocol", "agenda"), "every issue must be settled by a stage; "
                         "missing: " + ", ".join(missing))

    def _check_effect(self, effect: Modify, where: tuple, problems: Problems) -> None:
        message = self._target_problem(effect)
        if message:
            problems.add(where + ("target",), message)
        elif effect.op == "scale" and support(effect.value)[0] < 0:
            problems.add(where + ("value",), "'scale' value must be ≥ 0")

    def _check_condition(self, condition: Condition | None, where: tuple,
                         problems: Problems) -> None:
        if condition is None:
            return
        stage = condition.stage
        if stage is not None and stage not in self.stages:
            known = self.stages
            problems.add(where + (condition.kind,) + (("stage",) if condition.kind in
                                                      ("accepted", "not_agreed") else ()),
                         f"unknown stage {stage!r}" + (did_you_mean(stage, known) if known
                                                       else " (the protocol has no agenda)"))
        if condition.not_agreed is not None:
            last = self.protocol.max_rounds - 1
            if condition.not_agreed.round > last:
                problems.add(where + ("not_agreed", "round"),
                             f"falls after the last round ({last})")

    def _check_events(self, problems: Problems) -> None:
        last = self.protocol.max_rounds - 1
        for name, event in self.events.items():
            if "known" in event.model_fields_set and not event.exits:
                problems.add(("events", name, "known"), "'known' applies only to an event with "
                             "a mediator_exit effect")
            elif event.when is not None and event.known and "known" in event.model_fields_set:
                problems.add(("events", name, "known"), "an exit started by the state of the "
                             "talks cannot be foreseen by round; write known: false (it is "
                             "then a surprise, as the default for 'when' events)")
            if event.round is not None:
                lo, hi = support(event.round)
                if math.floor(hi) > last:  # draws are rounded down
                    problems.add(("events", name, "round"),
                                 f"may fall after the last round ({last})")
            self._check_condition(event.when, ("events", name, "when"), problems)
            self._check_condition(event.ends, ("events", name, "ends"), problems)
            for k, effect in enumerate(event.effects):
                where = ("events", name, "effects", k)
                if isinstance(effect, MediatorExit):
                    if not isinstance(self.protocol, Mediated):
                        problems.add(where + ("op",), "mediator_exit needs a mediated protocol")
                    continue
                self._check_effect(effect, where, problems)

    def _target_problem(self, effect: Modify) -> str | None:
        parts = effect.target.split(".", 2)
        attr = parts[2] if len(parts) == 3 else ""
        belief = attr.split(".")
        if len(belief) == 3 and belief[0] == "beliefs":
            attr = f"beliefs.<issue>.{belief[2]}"
        if len(parts) != 3 or parts[0] not in TARGETS or attr not in TARGETS[parts[0]]:
            return f"not a target events may change; use {TARGET_HELP}"
        kind, ident = parts[0], parts[1]
        if kind == "battlefield":
            if ident not in self.issues or not self.issues[ident].contested:
                return f"{ident!r} is not a contested issue"
        else:
            if ident not in self.actors:
                return f"unknown actor {ident!r}"
            name = attr.split(".")[-1]
            if attr.startswith("strategy.") and not isinstance(
                self.actors[ident].strategy, TimeDependent
            ):
                return f"actor {ident!r} has no {name} (its strategy is not time_dependent)"
            if attr.startswith("beliefs."):
                issue = belief[1]
                if issue not in self.issues or not self.issues[issue].contested:
                    return f"{issue!r} is not a contested issue"
        if effect.op == "set":
            message = TARGETS[kind][attr].problem(effect.value)
            if message:
                return f"'set' value {message}"
        return None

    # --- convenience -----------------------------------------------------------------------

    @property
    def source(self) -> Path | None:
        """The file this scenario was loaded from (None when built in memory)."""
        return self._source

    @property
    def warnings(self) -> list:
        """Located warnings (scenario.Problem) found when loading: valid but surely unintended."""
        return self._warnings

    @property
    def registry(self):
        """The evidence registry the scenario cites (an evidence.Registry), or None."""
        return self._registry

    @property
    def signatories(self) -> list[str]:
        """Ids of the actors who must accept any deal, in file order."""
        return [a for a, actor in self.actors.items() if actor.signatory]



Scenario.model_rebuild()
__all__ = ["Scenario", "Issue", "Actor", "Belief", "RedLine", "Event", "Modify", "MediatorExit",
           "Stage", "Condition", "Rejected", "Accepted", "NotAgreed",
           "Alternating", "Mediated", "TimeDependent", "Reciprocal", "Hardliner", "Front",
           "MonteCarlo", "Level", "Param"]
