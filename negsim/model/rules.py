"""The agent rules of the bargaining model (docs/model.md), written once: preferences, the
front, the proposer's logrolled offer, answers and events. Beliefs, the value of war, demands
and thresholds, and the mediator's single text have modules of their own in this package.

Every function is plain numpy and works on one run or on a batch of runs whose run axis
comes last: shapes are written (A, K, ...) with A for actors, K for issues and ``...`` for
the run axes (none for the Mesa engine, one for a chunk of the vectorised engine). The run
axis is last so that numpy's inner loops run over the runs, not over the few actors or
issues. Nothing here draws random numbers or keeps state; the engines
hold the state of a negotiation and call these functions round by round.

docs/model.md states the same rules as equations.
"""

from __future__ import annotations

import numpy as np

from .element import element, select

EPS = 1e-12  # acceptance tolerance: an offer exactly at the threshold is accepted
MOVE_TOL = 1e-9  # an offer "moves" an issue when it differs from the status quo by more

TIME_DEPENDENT, RECIPROCAL, HARDLINER = 0, 1, 2  # strategy codes


def lead(values, like, axes: int = 1):
    """A fixed (A,), (K,) or (A, K) array of the layout, with singleton run axes appended so
    that it broadcasts against ``like``, whose first ``axes`` axes are not run axes."""
    values = np.asarray(values)
    return values.reshape(values.shape + (1,) * (np.ndim(like) - axes))


@element
def clip(x, low, high):
    """min(max(x, low), high): np.clip for the NaN-free values of the model, without its
    overhead (low <= high everywhere)."""
    return np.minimum(np.maximum(x, low), high)


# --- preferences ----------------------------------------------------------------------------


def utility(x, ideal, weight, work=None):
    """u_i(x) = sum_k w_ik (1 - |x_k - p_ik|) for every actor.

    x (K, ...); ideal and weight (A, K, ...), weights summing to 1 per actor -> (A, ...).
    ``work``, an optional scratch array shaped like ``ideal``, saves allocations.
    """
    return own_utility(np.asarray(x)[None], ideal, weight, work)


@element
def issue_utility(x, ideal, weight):
    """w_ik (1 - |x_k - p_ik|): what one issue adds to an actor's utility."""
    return (1.0 - abs(x - ideal)) * weight


def own_utility(points, ideal, weight, work=None):
    """u_i(y_i): each actor's utility of a point of its own, points (A, K, ...) -> (A, ...):
    the sum of ``issue_utility`` over the issues, computed in place in ``work``."""
    gap = np.subtract(points, ideal, out=work)
    np.abs(gap, out=gap)
    np.subtract(1.0, gap, out=gap)
    np.multiply(gap, weight, out=gap)
    return issue_sum(gap)


def issue_sum(values):
    """Sum over the issue axis of an (A, K, ...) array, issue by issue in file order (the
    same order of additions for one run as for a batch). -> (A, ...)"""
    total = values[:, 0].copy()
    for k in range(1, values.shape[1]):
        total += values[:, k]
    return total


def actor_sum(values, axis: int = 0):
    """Sum over an actor axis, actor by actor in file order. numpy's own sums add in another
    order for one run than for a batch (pairwise over a last axis), so a run's last bits
    would depend on the chunk it is played in; this order is the same everywhere."""
    values = np.moveaxis(np.asarray(values), axis, 0)
    total = values[0].copy()
    for a in range(1, values.shape[0]):
        total += values[a]
    return total


@element
def advance_front(no_deal, drift, volatility, noise):
    """q(t+1) = clip(q(t) + mu + sigma * eps, 0, 1); issues with mu = sigma = 0 stay put."""
    return clip(no_deal + drift + volatility * noise, 0.0, 1.0)


# --- reciprocity ----------------------------------------------------------------------------


@element
def received_concession(new_utility, last_utility):
    """How much an offer improved on the same proposer's previous offer, in the receiver's
    utility. Never negative; 0 when that proposer made no earlier offer (``last_utility`` NaN).
    """
    return select(np.isnan(last_utility), 0.0, np.maximum(new_utility - last_utility, 0.0))


def reciprocity(last_from, utility_, proposer):
    """What each actor received this round, and its updated memory of offers.

    ``last_from`` (A, A, ...): entry [i, j] is actor i's utility of the last offer actor j
    made (NaN before j's first offer). ``utility_`` (A, ...): everyone's utility of this
    round's offer; ``proposer`` (A, ...) marks who made it. The concession received by i is
    the gain over the proposer's own previous offer (0 for the proposer itself). Returns
    (received (A, ...), last_from updated).
    """
    earlier = actor_sum(np.where(proposer[None], last_from, 0.0), axis=1)
    first = np.all(np.where(proposer[None], np.isnan(last_from), True), axis=1)
    received = np.where(proposer | first, 0.0,
                        received_concession(utility_, np.where(first, np.nan, earlier)))
    remembered = np.where(proposer[None], utility_[:, None], last_from)
    return received, remembered


# --- offers ---------------------------------------------------------------------------------


def target(ideal, weight, pull, members):
    """Capability-weighted target of the actors in ``members`` on every issue.

    g_k = sum_j m_j c_j w_jk p_jk / sum_j m_j c_j w_jk, with ``members`` (A, ...) boolean.
    Returns (g, gain) (K, ...) with gain_k = sum_j m_j c_j w_jk; g is NaN where gain is 0.
    ``pull`` is the capability c_j (A, ...).
    """
    cw = np.where(members, pull, 0.0)[:, None] * weight
    gain = actor_sum(cw)
    num = actor_sum(cw * ideal)
    with np.errstate(divide="ignore", invalid="ignore"):
        return weighted_mean(num, gain), gain


@element
def weighted_mean(total, weight):
    """total / weight, NaN where the weight is 0 (nobody pulls that way)."""
    return select(weight > 0.0, total / weight, np.nan)


@element
def concession_ratio(gain, cost):
    """gain_k / cost_k: what conceding issue k gives the others per unit of the proposer's
    own utility; infinite where conceding costs nothing (such issues are conceded first)."""
    free = cost <= 0.0
    return select(free, np.inf, gain / select(free, 1.0, cost))


@element
def concession_share(budget, spent_before, cost):
    """lambda_k = clip((budget - cost spent before k) / cost_k, 0, 1) (1 where free)."""
    paid = cost > 0.0
    return clip(select(paid, (budget - spent_before) / select(paid, cost, 1.0), 1.0), 0.0, 1.0)


def logroll_offer(own_ideal, own_weight, own_demand, goal, gain, low, high, tie_rank,
                  own_best=1.0):
    """The proposer's offer: concede where it helps the others most per unit of own utility.

    own_ideal, own_weight (K, ...); own_demand (...); goal and gain from ``target``
    (K, ...); low, high the proposer's red lines (K, ...); tie_rank (K,) orders equal ratios;
    own_best (...) the most the stage on the table can give the proposer (1 without an
    agenda). Issues are taken by gain/cost, highest first, spending the budget b_p - a_p:
    lambda_k = clip((budget - cost spent before k) / cost_k, 0, 1), x = p + lambda (g - p),
    clipped to the proposer's red lines. Then u_p(x) >= a_p.
    """
    g = np.where(np.isnan(goal), own_ideal, goal)
    direction = g - own_ideal
    cost = own_weight * np.abs(direction)
    with np.errstate(over="ignore"):  # a tiny cost gives an infinite ratio: concede first
        ratio = concession_ratio(gain, cost)
    ranks = np.broadcast_to(lead(tie_rank, ratio), ratio.shape)
    order = np.lexsort((ranks, -ratio), axis=0)
    cost_sorted = np.take_along_axis(cost, order, axis=0)
    spent_before = np.cumsum(cost_sorted, axis=0) - cost_sorted
    budget = (own_best - np.asarray(own_demand))[None]
    with np.errstate(over="ignore"):
        step = concession_share(budget, spent_before, cost_sorted)
    share = np.empty_like(step)
    np.put_along_axis(share, order, step, axis=0)
    return clip(own_ideal + share * direction, low, high)


def offer(proposer, members, ideal, weight, demand_, capability, low, high, tie_rank,
          table=None, best=None):
    """The logrolled offer of this round's proposer (alternating protocol).

    ``proposer`` (...) is the proposing actor's index; ``members`` (A,) marks signatories and
    veto holders, whose preferences the target weighs (the proposer excluded); the proposer
    spends the budget b_p - a_p(t) of its demand ``demand_`` (A, ...). Per-actor arrays are
    (A, ...) or (A, K, ...). Under an agenda, ``table`` (K, ...) marks the issues of the stage
    on the table (the offer keeps the proposer's ideal elsewhere, which the stage does not
    decide) and ``best`` (A, ...) is b, the most the stage can give each actor (1 otherwise).
    """
    proposer = np.asarray(proposer)
    is_proposer = lead(np.arange(ideal.shape[0]), proposer, 0) == proposer
    others = lead(members, is_proposer) & ~is_proposer
    goal, gain = target(ideal, weight, capability, others)
    if table is not None:
        goal = np.where(table, goal, np.nan)  # off the table: no move from the own ideal
    own_demand = np.take_along_axis(demand_, proposer[None], axis=0)[0]
    own_best = 1.0 if best is None else np.take_along_axis(best, proposer[None], axis=0)[0]
    return logroll_offer(own(ideal, proposer), own(weight, proposer), own_demand, goal, gain,
                         own(low, proposer), own(high, proposer), tie_rank, own_best)


def own(array, actor):
    """Row ``actor`` (...) of an (A, K, ...) array: each run's own actor (a view when it is one
    actor for every run)."""
    actor = np.asarray(actor)
    if actor.size > 0 and np.all(actor == actor.flat[0]):
        return array[int(actor.flat[0])]
    return np.take_along_axis(array, actor[None, None], axis=0)[0]


# --- answers --------------------------------------------------------------------------------


@element
def moved(x, status_quo):
    """Issues the offer moves away from their status quo q0. -> (K, ...) bool."""
    return abs(x - status_quo) > MOVE_TOL


def required(signatory, veto, moved_):
    """Who must accept: signatories, and veto holders whose issues the offer moves. (A, ...)

    ``signatory`` (A,) and ``veto`` (A, K) come from the layout.
    """
    hits = np.tensordot(np.asarray(veto, dtype=float), moved_.astype(float), axes=1)
    return lead(signatory, hits) | (hits > 0.0)


def inside_red_lines(x, low, high):
    """Whether x respects each actor's red lines on every issue. -> (A, ...) bool."""
    return np.all(within(np.asarray(x)[None], low, high), axis=1)


@element
def within(x, low, high):
    """x_k inside the red lines [l, h] of issue k (with the acceptance tolerance)."""
    return (x >= low - EPS) & (x <= high + EPS)


@element
def accepts(utility_, threshold_, inside):
    """Acceptance: u_j(x) >= theta_j(t) and x inside j's red lines."""
    return (utility_ >= threshold_ - EPS) & inside


def deal_struck(required_, accepted, proposer):
    """A deal is struck iff every required actor other than the proposer accepts."""
    return np.all(~required_ | accepted | proposer, axis=0)


def blocker(required_, accepted, proposer, utility_, threshold_, inside, actor_rank):
    """Index of the actor most opposed to a rejected offer, or -1 when nobody rejected.

    Among required actors (not the proposer) who reject: those whose red lines the offer
    breaches come first; then the largest shortfall theta - u; ties go to the actor whose id
    sorts first.
    """
    rejecting = required_ & ~accepted & ~proposer
    breaching = rejecting & ~inside
    # the candidates: the rejecters who breach a red line if there are any, else all rejecters
    candidate = np.where(breaching.any(axis=0), breaching, rejecting)
    shortfall = np.where(candidate, threshold_ - utility_, -np.inf)
    widest = candidate & (shortfall == shortfall.max(axis=0))
    rank = lead(actor_rank, widest)
    pick = np.argmin(np.where(widest, rank, np.iinfo(np.int64).max), axis=0)
    return np.where(rejecting.any(axis=0), pick, -1)


def answer(utility_, threshold_, inside, signatory, veto, x, status_quo, proposer, actor_rank,
           table=None):
    """Everyone's answer to an offer, and its consequence.

    Returns (required, accepted, deal, blocker): who had to accept (A, ...); who accepts
    (the proposer always accepts its own offer) (A, ...); whether the deal is struck (...);
    the blocker's index, -1 when nobody rejected (...). Under an agenda only the issues on
    the table (``table`` (K, ...)) can move, so only their vetoes count.
    """
    moved_ = moved(x, status_quo)
    if table is not None:
        moved_ = moved_ & table
    required_ = required(signatory, veto, moved_)
    accepted = accepts(utility_, threshold_, inside) | proposer
    deal = deal_struck(required_, accepted, proposer)
    return required_, accepted, deal, blocker(required_, accepted, proposer, utility_,
                                              threshold_, inside, actor_rank)


def count_rejections(rejections, required_, accepted, proposer):
    """n_j after a round: +1 for every required actor (not the proposer) who rejected."""
    return rejections + (required_ & ~accepted & ~proposer)


def rejection_streak(streak, required_, accepted, proposer):
    """Consecutive rounds, up to this one, in which each actor rejected (0 after a round in
    which it did not)."""
    return np.where(required_ & ~accepted & ~proposer, streak + 1, 0)


# --- events ---------------------------------------------------------------------------------


OPS = {"add": 0, "scale": 1, "set": 2}  # effect codes


def apply_effect(value, op, amount, low, high):
    """A parameter under an active effect: add, scale or set, kept inside [low, high]."""
    if op == "set":
        amount = np.broadcast_to(amount, np.shape(value)).astype(float)
    return effect(value, OPS[op], amount, low, high)


@element
def effect(value, code, amount, low, high):
    """The value under one effect (code 0 add, 1 scale, 2 set), kept inside [low, high]."""
    if code == 0:
        return clip(value + amount, low, high)
    if code == 1:
        return clip(value * amount, low, high)
    return clip(amount, low, high)
