"""The agent rules of the bargaining model (DESIGN.md section 3), written once.

Every function is plain numpy and works on any leading batch shape ``...``: one run (no
leading axes) for the Mesa engine, a chunk of runs for the vectorised engine. Shapes use
A for actors and K for issues. Nothing here draws random numbers or keeps state; the engines
hold the state of a negotiation and call these functions round by round.

docs/model.md states the same rules as equations.
"""

from __future__ import annotations

import numpy as np

EPS = 1e-12  # acceptance tolerance: an offer exactly at the threshold is accepted
MOVE_TOL = 1e-9  # an offer "moves" an issue when it differs from the status quo by more

TIME_DEPENDENT, RECIPROCAL, HARDLINER = 0, 1, 2  # strategy codes


# --- preferences ----------------------------------------------------------------------------


def utility(x, ideal, weight):
    """u_i(x) = sum_k w_ik (1 - |x_k - p_ik|) for every actor.

    x (..., K); ideal and weight (..., A, K), weights summing to 1 per actor -> (..., A).
    """
    x = np.asarray(x)
    return np.einsum("...k,...k->...", weight, 1.0 - np.abs(x[..., None, :] - ideal))


def batna(no_deal, ideal, weight, war_cost, horizon):
    """Value of walking away: u_i(q(t)) - kappa_i * H. -> (..., A)."""
    return utility(no_deal, ideal, weight) - war_cost * np.asarray(horizon)[..., None]


def advance_front(no_deal, drift, volatility, noise):
    """q(t+1) = clip(q(t) + mu + sigma * eps, 0, 1); issues with mu = sigma = 0 stay put."""
    return np.clip(no_deal + drift + volatility * noise, 0.0, 1.0)


# --- aspiration and threshold ---------------------------------------------------------------


def relative_time(t, max_rounds):
    """tau(t) = (t + 1) / (T + 1), in (0, 1) for rounds t = 0 .. T-1."""
    return (np.asarray(t, dtype=float) + 1.0) / (max_rounds + 1.0)


def time_dependent_aspiration(t, max_rounds, reservation, exponent):
    """a(t) = r + (1 - r)(1 - tau^e): e > 1 Boulware, e = 1 linear, e < 1 Conceder.

    An infinite exponent (the hardliner) gives a(t) = 1, since tau < 1.
    """
    tau = relative_time(t, max_rounds)
    with np.errstate(invalid="ignore"):  # exponents of other strategies may be NaN
        return reservation + (1.0 - reservation) * (1.0 - tau**exponent)


def initial_reciprocal_aspiration(reservation, initial):
    """a(0) = max(r, 1 - initial concession) for the reciprocal strategy."""
    return np.maximum(reservation, 1.0 - initial)


def reciprocal_aspiration(previous, reservation, rate, received):
    """a(t) = clip(a(t-1) - rho * c(t-1), r, 1): concede rho times the concession received."""
    return np.clip(previous - rate * received, reservation, 1.0)


def aspiration(t: int, max_rounds, strategy, reservation, exponent, rate, initial, previous,
               received):
    """Aspiration of every actor at round t, whatever its strategy. -> (..., A).

    ``strategy`` holds the strategy codes (A,); ``previous`` and ``received`` are the
    reciprocal actors' aspiration and received concession of round t-1 (ignored at t = 0
    and for other strategies).
    """
    timed = time_dependent_aspiration(t, max_rounds, reservation, exponent)
    if t == 0:
        reciprocal = initial_reciprocal_aspiration(reservation, initial)
    else:
        reciprocal = reciprocal_aspiration(previous, reservation, rate, received)
    return np.where(strategy == RECIPROCAL, reciprocal,
                    np.where(strategy == HARDLINER, 1.0, timed))


def threshold(aspiration_, batna_):
    """theta_i(t) = max(a_i(t), BATNA_i(t)): the least utility an actor accepts or offers."""
    return np.maximum(aspiration_, batna_)


def received_concession(new_utility, last_utility):
    """How much an offer improved on the same proposer's previous offer, in the receiver's
    utility. Never negative; 0 when that proposer made no earlier offer (``last_utility`` NaN).
    """
    return np.where(np.isnan(last_utility), 0.0, np.maximum(new_utility - last_utility, 0.0))


def reciprocity(last_from, utility_, proposer):
    """What each actor received this round, and its updated memory of offers.

    ``last_from`` (..., A, A): entry [i, j] is actor i's utility of the last offer actor j
    made (NaN before j's first offer). ``utility_`` (..., A): everyone's utility of this
    round's offer; ``proposer`` (..., A) marks who made it. The concession received by i is
    the gain over the proposer's own previous offer (0 for the proposer itself). Returns
    (received (..., A), last_from updated).
    """
    earlier = np.sum(np.where(proposer[..., None, :], last_from, 0.0), axis=-1)
    first = np.all(np.where(proposer[..., None, :], np.isnan(last_from), True), axis=-1)
    received = np.where(proposer | first, 0.0,
                        received_concession(utility_, np.where(first, np.nan, earlier)))
    remembered = np.where(proposer[..., None, :], utility_[..., :, None], last_from)
    return received, remembered


# --- offers ---------------------------------------------------------------------------------


def target(ideal, weight, pull, members):
    """Capability-weighted target of the actors in ``members`` on every issue.

    g_k = sum_j m_j c_j w_jk p_jk / sum_j m_j c_j w_jk, with ``pull`` c_j (capability, or
    the mediator's leaning weights) (..., A) and ``members`` (..., A) boolean.
    Returns (g, gain) with gain_k = sum_j m_j c_j w_jk; g is NaN where gain is 0.
    """
    cw = np.where(members, pull, 0.0)[..., None] * weight
    gain = np.einsum("...ak->...k", cw)
    num = np.einsum("...ak,...ak->...k", cw, ideal)
    g = np.divide(num, gain, out=np.full_like(num, np.nan), where=gain > 0)
    return g, gain


def logroll_offer(own_ideal, own_weight, own_threshold, goal, gain, low, high, tie_rank):
    """The proposer's offer: concede where it helps the others most per unit of own utility.

    own_ideal, own_weight (..., K); own_threshold (...); goal and gain from ``target``
    (..., K); low, high the proposer's red lines (..., K); tie_rank (K,) orders equal ratios.
    Issues are taken by gain/cost, highest first, spending the budget 1 - theta:
    lambda_k = clip((budget - cost spent before k) / cost_k, 0, 1), x = p + lambda (g - p),
    clipped to the proposer's red lines. Then u_p(x) >= theta_p.
    """
    g = np.where(np.isnan(goal), own_ideal, goal)
    direction = g - own_ideal
    cost = own_weight * np.abs(direction)
    free = cost <= 0.0
    with np.errstate(over="ignore"):  # a tiny cost gives an infinite ratio: concede first
        ratio = np.where(free, np.inf, gain / np.where(free, 1.0, cost))
    ranks = np.broadcast_to(tie_rank, ratio.shape)
    order = np.lexsort((ranks, -ratio), axis=-1)
    cost_sorted = np.take_along_axis(cost, order, axis=-1)
    spent_before = np.cumsum(cost_sorted, axis=-1) - cost_sorted
    budget = (1.0 - np.asarray(own_threshold))[..., None]
    with np.errstate(over="ignore"):
        step = np.where(cost_sorted > 0.0,
                        (budget - spent_before) / np.where(cost_sorted > 0.0, cost_sorted, 1.0),
                        1.0)
    share = np.empty_like(step)
    np.put_along_axis(share, order, np.clip(step, 0.0, 1.0), axis=-1)
    return np.clip(own_ideal + share * direction, low, high)


def leaning_pull(capability, rejections, lean):
    """The mediator's weights c_j (1 + gamma)^n_j: more weight to whoever keeps rejecting."""
    return capability * (1.0 + np.asarray(lean)[..., None]) ** rejections


def mediated_text(mediator_ideal, bias, goal, low, high):
    """The mediator's single text x = (1 - b) g + b p_m, clipped to its own red lines."""
    g = np.where(np.isnan(goal), mediator_ideal, goal)
    b = np.asarray(bias)[..., None]
    return np.clip((1.0 - b) * g + b * mediator_ideal, low, high)


def offer(mediated, proposer, members, ideal, weight, threshold_, capability, rejections,
          lean, bias, low, high, tie_rank):
    """The offer of this round's proposer: a logrolled offer, or the mediator's text.

    ``proposer`` (...) is the proposing actor's index (the mediator under the mediated
    protocol); ``members`` (A,) marks signatories and veto holders, whose preferences the
    target weighs (the proposer excluded). Per-actor arrays are (..., A) or (..., A, K).
    """
    proposer = np.asarray(proposer)
    n_actors = ideal.shape[-2]
    is_proposer = np.arange(n_actors) == proposer[..., None]
    others = members & ~is_proposer

    single = proposer.size > 0 and np.all(proposer == proposer.flat[0])

    def own(array):  # the proposer's row of a (..., A, K) array (a view when it is one actor)
        if single:
            return array[..., int(proposer.flat[0]), :]
        return np.take_along_axis(array, proposer[..., None, None], axis=-2)[..., 0, :]

    if mediated:
        pull = leaning_pull(capability, rejections, lean)
        goal, _ = target(ideal, weight, pull, others)
        return mediated_text(own(ideal), bias, goal, own(low), own(high))
    goal, gain = target(ideal, weight, capability, others)
    own_threshold = np.take_along_axis(threshold_, proposer[..., None], axis=-1)[..., 0]
    return logroll_offer(own(ideal), own(weight), own_threshold, goal, gain, own(low),
                         own(high), tie_rank)


# --- answers --------------------------------------------------------------------------------


def moved(x, status_quo):
    """Issues the offer moves away from their status quo q0. -> (..., K) bool."""
    return np.abs(x - status_quo) > MOVE_TOL


def required(signatory, veto, moved_):
    """Who must accept: signatories, and veto holders whose issues the offer moves. (..., A)."""
    return signatory | np.any(veto & moved_[..., None, :], axis=-1)


def inside_red_lines(x, low, high):
    """Whether x respects each actor's red lines on every issue. -> (..., A) bool."""
    x = np.asarray(x)[..., None, :]
    return np.all((x >= low - EPS) & (x <= high + EPS), axis=-1)


def accepts(utility_, threshold_, inside):
    """Acceptance: u_j(x) >= theta_j(t) and x inside j's red lines."""
    return (utility_ >= threshold_ - EPS) & inside


def deal_struck(required_, accepted, proposer):
    """A deal is struck iff every required actor other than the proposer accepts."""
    return np.all(~required_ | accepted | proposer, axis=-1)


def blocker(required_, accepted, proposer, utility_, threshold_, inside, actor_rank):
    """Index of the actor most opposed to a rejected offer, or -1 when nobody rejected.

    Among required actors (not the proposer) who reject: those whose red lines the offer
    breaches come first; then the largest shortfall theta - u; ties go to the actor whose id
    sorts first.
    """
    rejecting = required_ & ~accepted & ~proposer
    breach = np.where(rejecting, ~inside, False)
    shortfall = np.where(rejecting, threshold_ - utility_, -np.inf)
    rank = np.broadcast_to(actor_rank, shortfall.shape)
    order = np.lexsort((rank, -shortfall, ~breach), axis=-1)  # last key is the primary one
    pick = order[..., 0]
    return np.where(rejecting.any(axis=-1), pick, -1)


def answer(utility_, threshold_, inside, signatory, veto, x, status_quo, proposer, actor_rank):
    """Everyone's answer to an offer, and its consequence.

    Returns (required, accepted, deal, blocker): who had to accept (..., A); who accepts
    (the proposer always accepts its own offer) (..., A); whether the deal is struck (...);
    the blocker's index, -1 when nobody rejected (...).
    """
    required_ = required(signatory, veto, moved(x, status_quo))
    accepted = accepts(utility_, threshold_, inside) | proposer
    deal = deal_struck(required_, accepted, proposer)
    return required_, accepted, deal, blocker(required_, accepted, proposer, utility_,
                                              threshold_, inside, actor_rank)


def count_rejections(rejections, required_, accepted, proposer):
    """n_j after a round: +1 for every required actor (not the proposer) who rejected."""
    return rejections + (required_ & ~accepted & ~proposer)


# --- events ---------------------------------------------------------------------------------


def apply_effect(value, op, amount, low, high):
    """A parameter under an active effect: add, scale or set, kept inside [low, high]."""
    if op == "add":
        out = value + amount
    elif op == "scale":
        out = value * amount
    else:
        out = np.broadcast_to(amount, np.shape(value)).astype(float)
    return np.clip(out, low, high)
