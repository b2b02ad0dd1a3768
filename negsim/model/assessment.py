"""An actor's assessment of a round: what it believes about the war, what fighting on is
worth, its floor and its demand (docs/model.md, "A round"). Both engines call these for every
actor: the vectorised engine on a batch, the Mesa agents on their own row."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import beliefs, tactics, war


@dataclass
class Assessment:
    """One round's assessment by every actor (arrays (A, ...), the estimate (A, K, ...))."""

    estimate: np.ndarray  # mu_hat: the believed drift of each issue
    war: np.ndarray  # W: the value of fighting on
    floor: np.ndarray  # f = max(r, W)
    demand: np.ndarray  # a(t)


def value_of_war(t: int, now, front, start, ideal, weight, horizon, work=None):
    """(mu_hat(t), W(t)) of every actor from the front q(t) and the parameters in force."""
    estimate = beliefs.drift_estimate(now.belief_drift, now.belief_weight, front, start, t)
    return estimate, war.value_of_war(front, estimate, ideal, weight, now.war_cost, horizon,
                                      work)


def assess(t: int, now, front, start, ideal, weight, horizon, strategy, rate, initial,
           previous, received, work=None) -> Assessment:
    """Beliefs, value of war, floor and demand of every actor at round t.

    ``now`` holds the parameters in force (events.RoundParameters, or an actor's row of
    them); ``previous`` and ``received`` are the reciprocal actors' memory of the round before.
    """
    estimate, value = value_of_war(t, now, front, start, ideal, weight, horizon, work)
    floor_ = war.floor(now.reservation, value)
    demand = tactics.demand(t, strategy, floor_, now.exponent, now.patience, rate, initial,
                            previous, received)
    return Assessment(estimate, value, floor_, demand)


def threshold(t: int, assessed: Assessment, now, strategy, rate, received, hazard):
    """(a(t+1), theta(t)): the demand of the next round as seen today, and the acceptance
    threshold. ``received`` is the concession this round's offer made to each actor."""
    upcoming = tactics.next_demand(t, strategy, assessed.floor, now.exponent, now.patience,
                                   rate, assessed.demand, received)
    return upcoming, tactics.threshold(assessed.floor, upcoming, assessed.war, now.war_cost,
                                       hazard)
