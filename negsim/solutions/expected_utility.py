"""Bueno de Mesquita's expected utility model of group decisions, as Scholz, Calbert & Smith
(2011) reconstruct it, one issue at a time (docs/solutions.md, "The expected utility model").

Actors hold positions x_i on a 0-1 scale, a capability c_i and a salience s_i. Each round
every actor weighs challenging every other, from its expected utility of a challenge, and
moves in answer to the most pressing offer it receives (conflict, compromise or
capitulation). The forecast is the median position (the Condorcet winner of the
capability x salience weighted votes) when the model stops: once no position moves
(by more than 1e-6) in a round, or after 10 rounds.

Arrays are batches of independent one-issue problems: positions, capability, salience
(P, A). Actors with equal positions never challenge each other.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .voting import weighted_median

Q = 1.0  # probability that the status quo holds when i does not challenge j
T = 1.0  # probability that, when it does not hold, the change is for the better
MAX_ROUNDS = 10  # the model stops after this many rounds at the latest
STILL = 1e-6  # or once no position moves more than this in a round


@dataclass
class Forecast:
    """The model's forecast (P,), the round it stopped at (P,) and the medians of every
    round (P, rounds + 1)."""

    median: np.ndarray
    rounds: np.ndarray
    history: np.ndarray


def median(x, c, s) -> np.ndarray:
    """The Condorcet winner of the votes c_k s_k (|x_k - a| - |x_k - b|): with linear
    utilities on one dimension, the weighted median of the positions."""
    return weighted_median(x[:, :, None], c, s[:, :, None])[:, 0]


def success(x, c, s) -> np.ndarray:
    """P[p, i, j]: the probability that i prevails over j, the share of the votes
    v_k = c_k s_k (|x_k - x_j| - |x_k - x_i|) cast for i among all votes cast (0 when i and
    j stand together)."""
    xi, xj, xk = x[:, :, None, None], x[:, None, :, None], x[:, None, None, :]
    votes = (c * s)[:, None, None, :] * (np.abs(xk - xj) - np.abs(xk - xi))
    cast = np.abs(votes).sum(axis=3)
    for_i = np.maximum(votes, 0.0).sum(axis=3)
    return np.where(cast > 0, for_i / np.where(cast > 0, cast, 1.0), 0.0)


def expected_utility(x, s, p, mu, exponent) -> np.ndarray:
    """EU[p, i, j]: i's expected utility of challenging j, with the risk exponent
    exponent[p, i, j] (P, A, A), (P, A, 1) or (P, 1, A):

    s_j (P_ij U^s + (1 - P_ij) U^f) + (1 - s_j) U^s - Q U^sq - (1 - Q)(T U^b + (1 - T) U^w)
    """
    r = exponent
    gap = np.abs(x[:, :, None] - x[:, None, :])
    to_median = np.abs(x - mu[:, None])[:, :, None]
    shape = lambda base: 2 - 4 * base ** r  # noqa: E731  2 - 4 (.)^r
    win, lose = shape(0.5 - 0.5 * gap), shape(0.5 + 0.5 * gap)
    better = shape(0.5 - 0.25 * (to_median + gap))
    worse = shape(0.5 + 0.25 * (to_median + gap))
    still = shape(np.full_like(gap, 0.5))
    sj = s[:, None, :]
    return (sj * (p * win + (1 - p) * lose) + (1 - sj) * win
            - Q * still - (1 - Q) * (T * better + (1 - T) * worse))


def risk_exponents(x, s, p, mu) -> np.ndarray:
    """r_i = (1 - R_i/3) / (1 + R_i/3), R_i = (2 D_i - max D - min D) / (max D - min D),
    where D_i = sum_j EU_j(j challenges i) at r = 1 is how exposed i is. In [1/2, 2]."""
    eu = expected_utility(x, s, p, mu, np.ones_like(x)[:, :, None])
    np.einsum("pii->pi", eu)[...] = 0.0
    exposed = eu.sum(axis=1)  # D_i: column sums, what the others expect from challenging i
    high, low = exposed.max(axis=1, keepdims=True), exposed.min(axis=1, keepdims=True)
    spread = high - low
    R = np.where(spread > 0, (2 * exposed - high - low) / np.where(spread > 0, spread, 1), 0)
    return (1 - R / 3) / (1 + R / 3)


def step(x, c, s) -> np.ndarray:
    """One round: every actor's new position (P, A).

    Receiver i weighs each other actor j by i's view of both sides' expected utilities
    (e_i = EU_i(ij), e_j = EU_j(ji), both with i's risk exponent): a conflict it loses
    (e_j > e_i > 0) moves it to x_j; a compromise (e_j > 0 > e_i, e_j > |e_i|) moves it
    a share |e_i / e_j| of the way to x_j; a capitulation (e_j > 0 > e_i, |e_i| >= e_j)
    moves it to x_j. Of the offers it gets, i answers the first kind present in that order,
    and of that kind the one that moves it least (ties: nearer the median, then lower).
    """
    mu = median(x, c, s)
    p = success(x, c, s)
    risk = risk_exponents(x, s, p, mu)
    ei = expected_utility(x, s, p, mu, risk[:, :, None])  # [i, j]: i challenges j, r_i
    # [i, j]: j challenges i as i sees it (r_i): entry [j, i] with the target's exponent
    ej = expected_utility(x, s, p, mu, risk[:, None, :]).transpose(0, 2, 1)
    differs = np.abs(x[:, :, None] - x[:, None, :]) > 0
    conflict = differs & (ej > ei) & (ei > 0)
    yields = differs & (ej > 0) & (ei < 0)
    compromise = yields & (ej > -ei)
    capitulate = yields & ~compromise
    target = np.broadcast_to(x[:, None, :], ei.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(compromise, -ei / ej, 1.0)
    moved = x[:, :, None] + share * (target - x[:, :, None])
    new = x.copy()
    for kind in (capitulate, compromise, conflict):  # the last applied wins: conflict first
        new = np.where(kind.any(axis=2), _least_move(kind, moved, x, mu), new)
    return new


def _least_move(kind, moved, x, mu):
    """Of the offers of one kind, the one that moves the receiver least; equal moves (one
    on each side) go to the one nearer the median, then to the lower position, so that the
    order of the actors never matters. (P, A)"""
    candidates = kind
    for key in (np.abs(moved - x[:, :, None]), np.abs(moved - mu[:, None, None]), moved):
        value = np.where(candidates, key, np.inf)
        candidates = candidates & (value == value.min(axis=2, keepdims=True))
    pick = np.argmax(candidates, axis=2)
    return np.take_along_axis(moved, pick[:, :, None], axis=2)[:, :, 0]


def forecast(x, c, s, rounds: int = MAX_ROUNDS) -> Forecast:
    """Play rounds until no position moves more than STILL in a round, or ``rounds``
    rounds; the forecast is the median then."""
    x = np.asarray(x, float).copy()
    c, s = np.asarray(c, float), np.asarray(s, float)
    history = [median(x, c, s)]
    stopped = np.full(len(x), rounds)
    live = np.ones(len(x), bool)
    for t in range(1, rounds + 1):
        new = np.where(live[:, None], step(x, c, s), x)
        still = live & (np.abs(new - x).max(axis=1) <= STILL)
        x = new
        history.append(np.where(live, median(x, c, s), history[-1]))
        stopped[still] = t
        live &= ~still
        if not live.any():
            break
    history = np.stack(history + [history[-1]] * (rounds + 1 - len(history)), axis=1)
    return Forecast(history[np.arange(len(x)), stopped], stopped, history)
