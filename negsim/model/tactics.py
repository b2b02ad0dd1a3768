"""Demands and the acceptance threshold: how much an actor insists on, and what it takes.

The **demand** a_i(t) is the utility an actor insists on in its own offers (its tactic):

- time-dependent (Faratin, Sierra & Jennings 1998): a = f + (1 - f)(1 - tau^e) with
  tau(t) = min(1, (t + 1) / (P + 1)), P the actor's patience in rounds;
- hardliner: a = 1;
- reciprocal (tit-for-tat): a(0) = max(f, 1 - initial), then a(t) = clip(a(t-1) - rho c(t-1),
  f(t), 1), with c the concession received from the same proposer.

The **acceptance threshold** (AC_next of Baarslag, Hindriks & Jonker, with Rubinstein's cost
of delay) is what waiting one more round is worth:

    theta_j(t) = max(f_j(t), (1 - h(t)) a_j(t+1) + h(t) W_j(t) - kappa_j)

one more round of war, after which the talks either end (perceived hazard h, value W) or go
on with the actor demanding a_j(t+1), computed with today's floor.
"""

from __future__ import annotations

import numpy as np

from .rules import HARDLINER, RECIPROCAL, clip, lead


def concession_time(t, patience):
    """tau(t) = min(1, (t + 1) / (P + 1)): 1 from round P on (P = 0: at the floor at once)."""
    return np.minimum(1.0, (np.asarray(t, dtype=float) + 1.0) / (patience + 1.0))


def time_dependent_demand(t, floor_, exponent, patience):
    """a(t) = f + (1 - f)(1 - tau^e): e > 1 Boulware, e = 1 linear, e < 1 Conceder.

    An infinite exponent (the hardliner) gives 1 while tau < 1.
    """
    tau = concession_time(t, patience)
    with np.errstate(invalid="ignore"):  # exponents of other strategies are NaN
        return floor_ + (1.0 - floor_) * (1.0 - tau**exponent)


def reciprocal_demand(previous, floor_, rate, received):
    """a(t) = clip(a(t-1) - rho c(t-1), f(t), 1): concede rho times the concession received."""
    return clip(previous - rate * received, floor_, 1.0)


def initial_reciprocal_demand(floor_, initial):
    """a(0) = max(f(0), 1 - initial concession)."""
    return np.maximum(floor_, 1.0 - initial)


def demand(t: int, strategy, floor_, exponent, patience, rate, initial, previous, received):
    """Demand of every actor at round t, whatever its strategy. -> (A, ...).

    ``strategy`` (A,) holds the strategy codes; ``previous`` and ``received`` are the
    reciprocal actors' demand of the round before and the concession they received in it
    (ignored at t = 0 and for other strategies).
    """
    timed = time_dependent_demand(t, floor_, exponent, patience)
    if t == 0:
        reciprocal = initial_reciprocal_demand(floor_, initial)
    else:
        reciprocal = reciprocal_demand(previous, floor_, rate, received)
    strategy = lead(strategy, timed)
    return np.where(strategy == RECIPROCAL, reciprocal,
                    np.where(strategy == HARDLINER, 1.0, timed))


def next_demand(t: int, strategy, floor_, exponent, patience, rate, demand_, received):
    """a(t+1) as the actor sees it in round t: with today's floor (it cannot see tomorrow's
    front), and for a reciprocal actor the concession this round's offer made to it."""
    timed = time_dependent_demand(t + 1, floor_, exponent, patience)
    reciprocal = reciprocal_demand(demand_, floor_, rate, received)
    strategy = lead(strategy, timed)
    return np.where(strategy == RECIPROCAL, reciprocal,
                    np.where(strategy == HARDLINER, 1.0, timed))


def threshold(floor_, next_demand_, war_value, war_cost, hazard):
    """theta_j(t) = max(f_j, (1 - h) a_j(t+1) + h W_j - kappa_j). -> (A, ...)."""
    h = np.asarray(hazard)
    waiting = (1.0 - h) * next_demand_ + h * war_value - war_cost
    return np.maximum(floor_, waiting)
