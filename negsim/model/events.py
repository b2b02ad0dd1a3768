"""Which events are active in a round, and the parameters as the active events change them.

Shared by both engines: works on one run, or on a batch whose run axis comes last
(ParameterBatch.runs_last()), as the rules do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from . import rules

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


def round_parameters(params: ParameterBatch, t: int) -> RoundParameters:
    """Parameters at round t: the drawn values, changed by every event active at t.

    An event is active from its start round until (not including) its end round, in runs
    where it fires. Effects apply in file order; each result is kept inside its target's
    bounds. A mediator_exit effect ends the talks in the round its event becomes active.
    Parameters no effect changes are the batch's own arrays: read them, do not write them.
    """
    active = params.event_fires & (params.event_start <= t) & (t < params.event_end)
    values = {"reservation": params.reservation, "war_cost": params.war_cost,
              "capability": params.capability, "strategy.exponent": params.exponent,
              "strategy.patience": params.patience, "belief.drift": params.belief_drift,
              "belief.weight": params.belief_weight, "drift": params.drift,
              "volatility": params.volatility}
    for attr in {spec.attr for spec in params.layout.effects if spec.kind != "exit"}:
        values[attr] = values[attr].copy()  # only what an effect changes is copied
    exit_now = np.zeros(active.shape[1:], dtype=bool)
    for f, spec in enumerate(params.layout.effects):
        on = active[spec.event]
        if spec.kind == "exit":
            exit_now = exit_now | on
            continue
        target = values[spec.attr]
        where = (spec.index, spec.issue) if spec.kind == "belief" else spec.index
        current = target[where]
        changed = rules.apply_effect(current, spec.op, params.effect_value[f], *spec.bounds)
        target[where] = np.where(on, changed, current)
    return RoundParameters(active=active, mediator_exit=exit_now,
                           reservation=values["reservation"], war_cost=values["war_cost"],
                           capability=values["capability"],
                           exponent=values["strategy.exponent"],
                           patience=values["strategy.patience"],
                           belief_drift=values["belief.drift"],
                           belief_weight=values["belief.weight"], drift=values["drift"],
                           volatility=values["volatility"])
