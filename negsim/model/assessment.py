"""An actor's assessment of a round: what it believes about the war, what fighting on is
worth, its floor and its demand (docs/model.md, "A round"). Both engines call these for every
actor: the vectorised engine on a batch, the Mesa agents on their own row."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import beliefs, tactics, war
from .events import believed


@dataclass
class Assessment:
    """One round's assessment by every actor (arrays (A, ...), the estimate (A, K, ...))."""

    estimate: np.ndarray  # mu_hat: the believed drift of each issue
    war: np.ndarray  # W: the value of fighting on
    floor: np.ndarray  # f = max(r, W)
    demand: np.ndarray  # a(t)


def estimate_drift(t: int, now, front, start):
    """mu_hat(t) of every actor, with what agreed stages tell every actor about the drift."""
    estimate = beliefs.drift_estimate(now.belief_drift, now.belief_weight, front, start, t)
    return believed(now, estimate)


def value_of_war(t: int, now, front, start, ideal, weight, horizon, work=None, settled=None):
    """(mu_hat(t), W(t)) of every actor from the front q(t) and the parameters in force
    (``settled``: the issues agreed stages have settled, NaN elsewhere; see war.value_of_war)."""
    estimate = estimate_drift(t, now, front, start)
    return estimate, war.value_of_war(front, estimate, ideal, weight, now.war_cost, horizon,
                                      work, settled)


def assess(t: int, now, front, start, ideal, weight, horizon, strategy, rate, initial,
           previous, received, work=None, stage=None) -> Assessment:
    """Beliefs, value of war, floor and demand of every actor at round t.

    ``now`` holds the parameters in force (events.RoundParameters, or an actor's row of
    them); ``previous`` and ``received`` are the reciprocal actors' memory of the round before.
    ``stage`` (agenda.Stage, or None without an agenda) gives the settled issues, the best
    the stage on the table can give each actor and whether it opens this round.
    """
    settled = None if stage is None else stage.settled
    estimate, value = value_of_war(t, now, front, start, ideal, weight, horizon, work, settled)
    floor_ = war.floor(now.reservation, value)
    best, opening = (1.0, None) if stage is None else (stage.best, stage.opening)
    demand = tactics.demand(t, strategy, floor_, now.exponent, now.patience, rate, initial,
                            previous, received, best, opening)
    return Assessment(estimate, value, floor_, demand)


def threshold(t: int, assessed: Assessment, now, strategy, rate, received, hazard, best=1.0):
    """(a(t+1), theta(t)): the demand of the next round as seen today, and the acceptance
    threshold. ``received`` is the concession this round's offer made to each actor;
    ``best`` the most the stage on the table can give each actor (1 without an agenda)."""
    upcoming = tactics.next_demand(t, strategy, assessed.floor, now.exponent, now.patience,
                                   rate, assessed.demand, received, best)
    return upcoming, tactics.threshold(assessed.floor, upcoming, assessed.war, now.war_cost,
                                       hazard)
