"""Demands and the acceptance threshold: how much an actor insists on, and what it takes.

The **demand** a_i(t) is the utility an actor insists on in its own offers (its tactic):

- time-dependent (Faratin, Sierra & Jennings 1998): a = f + (b - f)(1 - tau^e) with
  tau(t) = min(1, (t + 1) / (P + 1)), P the actor's patience in rounds;
- hardliner: a = b;
- reciprocal (tit-for-tat): a(0) = max(f, b - initial), then a(t) = clip(a(t-1) - rho c(t-1),
  f(t), b), with c the concession received from the same proposer.

b is the most the stage on the table can give the actor: 1 without an agenda (every issue
at its ideal); for a stage of an agenda, its value with the stage's issues at the actor's
ideal (negsim.model.agenda).

The **acceptance threshold** (AC_next of Baarslag, Hindriks & Jonker, with Rubinstein's cost
of delay) is what waiting one more round is worth:

    theta_j(t) = max(f_j(t), (1 - h(t)) a_j(t+1) + h(t) W_j(t) - kappa_j)

one more round of war, after which the talks either end (perceived hazard h, value W) or go
on with the actor demanding a_j(t+1), computed with today's floor.
"""

from __future__ import annotations

import numpy as np

from .element import element, powers
from .rules import HARDLINER, RECIPROCAL, clip, lead


@element
def concession_time(t, patience):
    """tau(t) = min(1, (t + 1) / (P + 1)): 1 from round P on (P = 0: at the floor at once)."""
    return np.minimum(1.0, (t + 1.0) / (patience + 1.0))


@element
def timed_demand(tau, floor_, exponent, best):
    """f + (b - f)(1 - tau^e), the time-dependent demand at concession time tau (tau^e by
    element.power, the same bits in every engine and on every machine)."""
    return conceded(floor_, best, powers(tau, exponent))


@element
def conceded(floor_, best, share):
    """f + (b - f)(1 - s): the demand once a share s = tau^e of the way is left to go."""
    return floor_ + (best - floor_) * (1.0 - share)


def time_dependent_demand(t, floor_, exponent, patience, best=1.0):
    """a(t) = f + (b - f)(1 - tau^e): e > 1 Boulware, e = 1 linear, e < 1 Conceder.

    b is the most the stage on the table can give the actor (1 without an agenda: every issue
    at its ideal). An infinite exponent (the hardliner) gives b while tau < 1.
    """
    tau = concession_time(t, patience)
    with np.errstate(invalid="ignore"):  # exponents of other strategies are NaN
        return timed_demand(tau, floor_, exponent, best)


@element
def reciprocal_demand(previous, floor_, rate, received, best=1.0):
    """a(t) = clip(a(t-1) - rho c(t-1), f(t), b): concede rho times the concession received."""
    return clip(previous - rate * received, floor_, best)


@element
def initial_reciprocal_demand(floor_, initial, best=1.0):
    """a(0) = max(f(0), b - initial concession), at the opening of the talks or of a stage."""
    return np.maximum(floor_, best - initial)


def demand(t: int, strategy, floor_, exponent, patience, rate, initial, previous, received,
           best=1.0, opening=None):
    """Demand of every actor at round t, whatever its strategy. -> (A, ...).

    ``strategy`` (A,) holds the strategy codes; ``previous`` and ``received`` are the
    reciprocal actors' demand of the round before and the concession they received in it
    (ignored where a stage opens and for other strategies). ``best`` (A, ...) is the most the
    stage on the table can give each actor; ``opening`` (...) marks runs whose stage opens
    this round (None: the talks' first round, t = 0, without an agenda).
    """
    timed = time_dependent_demand(t, floor_, exponent, patience, best)
    strategy = lead(strategy, timed)
    if opening is None:
        if t == 0:
            reciprocal = initial_reciprocal_demand(floor_, initial, best)
        else:
            reciprocal = reciprocal_demand(previous, floor_, rate, received, best)
    elif np.any(strategy == RECIPROCAL):
        reciprocal = np.where(opening, initial_reciprocal_demand(floor_, initial, best),
                              reciprocal_demand(previous, floor_, rate, received, best))
    else:
        reciprocal = timed
    return np.where(strategy == RECIPROCAL, reciprocal,
                    np.where(strategy == HARDLINER, best, timed))


def next_demand(t: int, strategy, floor_, exponent, patience, rate, demand_, received,
                best=1.0):
    """a(t+1) as the actor sees it in round t: with today's floor (it cannot see tomorrow's
    front), and for a reciprocal actor the concession this round's offer made to it."""
    timed = time_dependent_demand(t + 1, floor_, exponent, patience, best)
    reciprocal = reciprocal_demand(demand_, floor_, rate, received, best)
    strategy = lead(strategy, timed)
    return np.where(strategy == RECIPROCAL, reciprocal,
                    np.where(strategy == HARDLINER, best, timed))


@element
def threshold(floor_, next_demand_, war_value, war_cost, hazard):
    """theta_j(t) = max(f_j, (1 - h) a_j(t+1) + h W_j - kappa_j). -> (A, ...)."""
    waiting = (1.0 - hazard) * next_demand_ + hazard * war_value - war_cost
    return np.maximum(floor_, waiting)
