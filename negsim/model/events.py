"""Which events are active in a round, what starts and ends them, and the parameters as the
active events (and the agenda's agreed stages) change them.

Shared by both engines: works on one run, or on a batch whose run axis comes last
(ParameterBatch.runs_last()), as the rules do.

An event starts at its drawn round, or (``when``) at the first round whose start finds a
state of the talks: an actor has rejected n times (or n rounds in a row), has accepted an
offer (of a stage), a stage is agreed, or a stage is still not agreed at a round. It ends
after its duration, or at the first round whose start finds its ``ends`` condition. The
probability applies as for any event: a run in which it does not fire never starts it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from . import rules
from .layout import NEVER, ConditionSpec, Layout

if TYPE_CHECKING:
    from ..sampling import ParameterBatch


@dataclass
class RoundParameters:
    """The parameters events may change, as they stand in one round."""

    active: np.ndarray  # (E, ...) events active this round
    mediator_exit: np.ndarray  # (...) the mediator walks away this round
    reservation: np.ndarray  # (A, ...)
    war_cost: np.ndarray  # (A, ...)
    capability: np.ndarray  # (A, ...)
    exponent: np.ndarray  # (A, ...)
    patience: np.ndarray  # (A, ...)
    belief_drift: np.ndarray  # (A, K, ...)
    belief_weight: np.ndarray  # (A, K, ...)
    drift: np.ndarray  # (K, ...)
    volatility: np.ndarray  # (K, ...)
    known_drift: tuple = ()  # (issue, op, amount (...), on (...)): agreed stages' effects on
    #                          the drift, which every actor knows (see believed)


@dataclass
class Talks:
    """What the conditions of events read: the talks so far, before the current round."""

    rejections: np.ndarray  # (A, ...) offers each actor has rejected
    streak: np.ndarray  # (A, ...) consecutive rounds, up to the last, in which it rejected
    accepted: np.ndarray  # (A, S, ...) it has accepted an offer of stage s (S >= 1)
    stage_round: np.ndarray  # (S, ...) round each stage was agreed, -1 while not


def holds(spec: ConditionSpec, t: int, talks: Talks) -> np.ndarray:
    """Whether a condition holds at the start of round t. -> (...) bool."""
    if spec.kind == "rejected":
        count = talks.streak if spec.in_a_row else talks.rejections
        return count[spec.actor] >= spec.times
    if spec.kind == "accepted":
        mine = talks.accepted[spec.actor]
        return mine.any(axis=0) if spec.stage < 0 else mine[spec.stage]
    if spec.kind == "agreed":
        return talks.stage_round[spec.stage] >= 0
    return (t >= spec.round) & (talks.stage_round[spec.stage] < 0)


def schedule(layout: Layout, t: int, fires, start, end, length, talks: Talks):
    """(start, end) of every event after judging the state of the talks at round t.

    An event a condition starts (start NEVER until then) starts at the first round its
    condition holds, in runs where it fires, and lasts ``length`` rounds (to the end of the
    window at most); an event with an end condition ends at the first round, once started,
    at which that condition holds. Arrays (E, ...); new arrays are returned when they change.
    """
    horizon = layout.max_rounds
    copied = False
    for e, (starts, ends) in enumerate(zip(layout.starts, layout.ends, strict=True)):
        if starts is not None:
            newly = (start[e] == NEVER) & fires[e] & holds(starts, t, talks)
            if np.any(newly):
                if not copied:
                    start, end, copied = start.copy(), end.copy(), True
                start[e] = np.where(newly, t, start[e])
                end[e] = np.where(newly, np.minimum(t + length[e], horizon), end[e])
        if ends is not None:
            stop = (start[e] <= t) & (t < end[e]) & holds(ends, t, talks)
            if np.any(stop):
                if not copied:
                    start, end, copied = start.copy(), end.copy(), True
                end[e] = np.where(stop, t, end[e])
    return start, end


def activity(layout: Layout, t: int, fires, start, end, stage_round) -> np.ndarray:
    """Which events, then which agreed stages, act in round t. -> (E + S, ...) bool.

    An event acts from its start round until (not including) its end round, in runs where it
    fires. A stage agreed in round r acts in rounds r + 1 .. r + d - 1 for a duration d (to
    the end without one); with the front's move at the end of round r (agenda.front_after),
    the war is changed for d rounds counting the round of the agreement.
    """
    events = fires & (start <= t) & (t < end)
    if not layout.staged:
        return events
    lasting = t < stage_round + rules.lead(layout.stage_duration, stage_round)
    stages = (stage_round >= 0) & (stage_round < t) & lasting
    return np.concatenate([events, stages], axis=0)


def parameters(params: ParameterBatch, active) -> RoundParameters:
    """The drawn values, changed by every active event and agreed stage.

    Effects apply in order (events in file order, then stages in agenda order); each result
    is kept inside its target's bounds. A mediator_exit effect ends the talks in the round its
    event becomes active. Parameters no effect changes are the batch's own arrays: read them,
    do not write them.
    """
    layout = params.layout
    n_events = len(layout.events)
    values = {"reservation": params.reservation, "war_cost": params.war_cost,
              "capability": params.capability, "strategy.exponent": params.exponent,
              "strategy.patience": params.patience, "belief.drift": params.belief_drift,
              "belief.weight": params.belief_weight, "drift": params.drift,
              "volatility": params.volatility}
    for attr in {spec.attr for spec in layout.effects if spec.kind != "exit"}:
        values[attr] = values[attr].copy()  # only what an effect changes is copied
    exit_now = np.zeros(active.shape[1:], dtype=bool)
    known = []
    for f, spec in enumerate(layout.effects):
        on = active[spec.event]
        if spec.kind == "exit":
            exit_now = exit_now | on
            continue
        target = values[spec.attr]
        where = (spec.index, spec.issue) if spec.kind == "belief" else spec.index
        current = target[where]
        changed = rules.apply_effect(current, spec.op, params.effect_value[f], *spec.bounds)
        target[where] = np.where(on, changed, current)
        if spec.event >= n_events and spec.kind == "front" and spec.attr == "drift":
            known.append((spec.index, spec.op, params.effect_value[f], on))
    return RoundParameters(active=active[:n_events], mediator_exit=exit_now,
                           reservation=values["reservation"], war_cost=values["war_cost"],
                           capability=values["capability"],
                           exponent=values["strategy.exponent"],
                           patience=values["strategy.patience"],
                           belief_drift=values["belief.drift"],
                           belief_weight=values["belief.weight"], drift=values["drift"],
                           volatility=values["volatility"], known_drift=tuple(known))


def round_parameters(params: ParameterBatch, t: int) -> RoundParameters:
    """Parameters at round t with the drawn schedule of events and no stage agreed (the
    whole story for a scenario without an agenda or state-triggered events)."""
    fires = params.event_fires  # (E,) for one run, (E, N) with the run axis last
    stage_round = np.full((len(params.layout.stages),) + fires.shape[1:], -1)
    start, end = params.event_start, params.event_end
    return parameters(params, activity(params.layout, t, fires, start, end, stage_round))


def believed(now: RoundParameters, estimate):
    """Every actor's estimate of the drift (A, K, ...) under the agreed stages' effects on the
    drift: the actors know what they signed (a ceasefire that sets the drift to 0 makes every
    actor expect the front to stay put). Events' effects on the drift are not known: the
    actors learn them from the front."""
    if not now.known_drift:
        return estimate
    estimate = np.array(estimate, dtype=float)
    for k, op, amount, on in now.known_drift:
        current = estimate[:, k]
        estimate[:, k] = np.where(on, rules.apply_effect(current, op, amount, -1.0, 1.0),
                                  current)
    return estimate
