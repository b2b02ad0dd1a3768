"""The compiled round loop (numba): every run of a batch played to its end, one after another.

Imported only by negsim.engine.compiled, after it has pointed numba's cache at a folder keyed
by the rules' source and registered the shared formulas (negsim.model.element) with numba.
The formulas themselves (utilities, beliefs, the value of war, demands, thresholds, offers,
the mediator's steps, the front) are the functions of negsim.model, called here on floats;
what this module writes is the order in which they are applied to one run, the same order as
the numpy engine's (negsim.engine.vector) and the Mesa engine's, and the sums over actors
and issues, added in the same order as rules.issue_sum and rules.actor_sum. Tests check it
against both engines run by run (tests/engine/test_compiled.py).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..model.beliefs import estimate as belief_estimate
from ..model.element import power
from ..model.rules import (
    EPS,
    HARDLINER,
    RECIPROCAL,
    accepts,
    advance_front,
    clip,
    concession_ratio,
    concession_share,
    effect,
    issue_utility,
    moved,
    received_concession,
    weighted_mean,
    within,
)
from ..model.tactics import (
    conceded,
    concession_time,
    initial_reciprocal_demand,
    reciprocal_demand,
    threshold,
)
from ..model.text import SHORTEN_STEPS, closing_scale, opening_text, pull_share, rejecter_move
from ..model.war import floor, front_point, war_value

# what an effect changes (EffectSpec.kind and attr as codes; see compiled.layout_arrays)
EXIT, RESERVATION, WAR_COST, CAPABILITY, EXPONENT, PATIENCE, BELIEF_DRIFT, BELIEF_WEIGHT, \
    DRIFT, VOLATILITY = range(10)
# the kinds of condition that start or end an event (layout.ConditionSpec.kind; -1: none)
REJECTED, ACCEPTED, AGREED, NOT_AGREED = range(4)
NEVER = np.iinfo(np.int64).max // 2  # layout.NEVER

OPTIONS = {"cache": True, "error_model": "numpy", "nogil": True}
INLINE = {**OPTIONS, "inline": "always"}  # helpers: inlined into play (calls cost ~300 ns)


@njit(**INLINE)
def utility_of(x, ideal, weight, a):
    """u_a(x) of actor a (ideal, weight (A, K)): issue_utility summed in file order."""
    total = issue_utility(x[0], ideal[a, 0], weight[a, 0])
    for k in range(1, x.shape[0]):
        total += issue_utility(x[k], ideal[a, k], weight[a, k])
    return total


@njit(**INLINE)
def text_utility(x, ideal, weight):
    """u(x) of the mediator (ideal, weight (K,)): issue_utility summed in file order."""
    total = issue_utility(x[0], ideal[0], weight[0])
    for k in range(1, x.shape[0]):
        total += issue_utility(x[k], ideal[k], weight[k])
    return total


@njit(**INLINE)
def activity(t, fires, start, end, stage_round, stage_duration, active):
    """Which events, then which agreed stages, act in round t (events.activity for one run)
    into ``active`` (E + S,)."""
    n_events = fires.shape[0]
    for e in range(n_events):
        active[e] = fires[e] and start[e] <= t and t < end[e]
    for s in range(stage_round.shape[0]):
        r = stage_round[s]
        active[n_events + s] = r >= 0 and r < t and t < r + stage_duration[s]


@njit(**INLINE)
def apply_parameters(active, effect_value, base_a, base_ak, base_k, now_a, now_ak, now_k,
                     eff_event, eff_attr, eff_op, eff_index, eff_issue, eff_low, eff_high):
    """The parameters in force under ``active`` (events.parameters for one run): copies the
    drawn values into now_* and applies every active effect in order; returns whether the
    mediator walks away."""
    now_a[:] = base_a
    now_ak[:] = base_ak
    now_k[:] = base_k
    leaving = False
    for f in range(eff_event.shape[0]):
        if not active[eff_event[f]]:
            continue
        attr = eff_attr[f]
        if attr == EXIT:
            leaving = True
        elif attr <= PATIENCE:
            j = eff_index[f]
            now_a[attr - 1, j] = effect(now_a[attr - 1, j], eff_op[f], effect_value[f],
                                        eff_low[f], eff_high[f])
        elif attr <= BELIEF_WEIGHT:
            j, k = eff_index[f], eff_issue[f]
            c = attr - BELIEF_DRIFT
            now_ak[c, j, k] = effect(now_ak[c, j, k], eff_op[f], effect_value[f], eff_low[f],
                                     eff_high[f])
        else:
            k = eff_index[f]
            c = attr - DRIFT
            now_k[c, k] = effect(now_k[c, k], eff_op[f], effect_value[f], eff_low[f],
                                 eff_high[f])
    return leaving


@njit(**INLINE)
def drift_estimate(t, a, k, front, start, now_ak, active, n_events, effect_value, eff_event,
                   eff_attr, eff_op, eff_index):
    """mu_hat(t) of actor a on issue k, with what agreed stages say about the drift
    (assessment.estimate_drift: beliefs.estimate, then events.believed)."""
    mu = belief_estimate(now_ak[0, a, k], now_ak[1, a, k], front[k] - start[k], t)
    for f in range(eff_event.shape[0]):
        e = eff_event[f]
        if e >= n_events and eff_attr[f] == DRIFT and eff_index[f] == k and active[e]:
            mu = effect(mu, eff_op[f], effect_value[f], -1.0, 1.0)
    return mu


@njit(**INLINE)
def war_values(t, front, start, ideal, weight, now_a, now_ak, horizon, settled, still,
               still_term, active, n_events, effect_value, eff_event, eff_attr, eff_op,
               eff_index, out):
    """W(t) of every actor (assessment.value_of_war for one run) into ``out`` (A,); settled
    issues (not NaN in ``settled``) count at their agreed value. On a still issue (one that
    never moves and that no belief or effect is about) the estimate is exactly 0 and y_hat
    exactly q(0), so its term is the run's constant ``still_term`` (A, K)."""
    n_actors, n_issues = ideal.shape
    for a in range(n_actors):
        total = 0.0
        for k in range(n_issues):
            if still[k] and np.isnan(settled[k]):
                term = still_term[a, k]
                total = term if k == 0 else total + term
                continue
            if np.isnan(settled[k]):
                mu = drift_estimate(t, a, k, front, start, now_ak, active, n_events,
                                    effect_value, eff_event, eff_attr, eff_op, eff_index)
                point = front_point(front[k], mu, horizon)
            else:
                point = settled[k]
            term = issue_utility(point, ideal[a, k], weight[a, k])
            total = term if k == 0 else total + term
        out[a] = war_value(total, now_a[1, a], horizon)


@njit(**INLINE)
def stage_view(t, front, start, ideal, weight, horizon, table, settled, still, final,
               duration, now_a, now_ak, after_a, after_ak, active, after_active, n_events,
               effect_value, eff_event, eff_attr, eff_op, eff_index, rest, penalty, best,
               offset):
    """How every actor values a deal of the stage on the table (agenda.view for one run):
    fills rest (A, K), penalty, best and offset (A,)."""
    n_actors, n_issues = ideal.shape
    lasting = min(duration, horizon)
    for a in range(n_actors):
        pen = 0.0 if final else after_a[1, a] * lasting + now_a[1, a] * (horizon - lasting)
        lost = 0.0
        kept = 0.0
        for k in range(n_issues):
            if still[k] and np.isnan(settled[k]):
                rest[a, k] = front[k]  # both estimates are exactly 0 there
            elif np.isnan(settled[k]):
                mu_after = drift_estimate(t, a, k, front, start, after_ak, after_active,
                                          n_events, effect_value, eff_event, eff_attr, eff_op,
                                          eff_index)
                mu_now = drift_estimate(t, a, k, front, start, now_ak, active, n_events,
                                        effect_value, eff_event, eff_attr, eff_op, eff_index)
                rest[a, k] = clip(front[k] + lasting * mu_after + (horizon - lasting) * mu_now,
                                  0.0, 1.0)
            else:
                rest[a, k] = settled[k]
            gap = np.abs(rest[a, k] - ideal[a, k])
            off_lost = 0.0 if table[k] else weight[a, k] * gap
            off_kept = 0.0 if table[k] else weight[a, k] * (1.0 - gap)
            lost = off_lost if k == 0 else lost + off_lost
            kept = off_kept if k == 0 else kept + off_kept
        penalty[a] = pen
        best[a] = 1.0 - (lost + pen)
        offset[a] = kept - pen


@njit(**INLINE)
def holds(kind, actor, times, in_a_row, stage, from_round, t, rejections, streak, accepted,
          stage_round):
    """Whether a condition (layout.ConditionSpec as codes) holds at the start of round t."""
    if kind == REJECTED:
        count = streak[actor] if in_a_row else rejections[actor]
        return count >= times
    if kind == ACCEPTED:
        if stage >= 0:
            return accepted[actor, stage]
        for s in range(accepted.shape[1]):
            if accepted[actor, s]:
                return True
        return False
    if kind == AGREED:
        return stage_round[stage] >= 0
    return t >= from_round and stage_round[stage] < 0


@njit(**INLINE)
def schedule(t, fires, start, end, length, max_rounds, starts, ends, rejections, streak,
             accepted, stage_round):
    """Start and end the events the state of the talks starts and ends (events.schedule for
    one run), in place. starts, ends (E, 6): kind, actor, times, in a row, stage, round."""
    for e in range(fires.shape[0]):
        c = starts[e]
        if c[0] >= 0 and start[e] == NEVER and fires[e] and holds(
                c[0], c[1], c[2], c[3] != 0, c[4], c[5], t, rejections, streak, accepted,
                stage_round):
            start[e] = t
            end[e] = min(t + length[e], max_rounds)
        c = ends[e]
        if c[0] >= 0 and start[e] <= t and t < end[e] and holds(
                c[0], c[1], c[2], c[3] != 0, c[4], c[5], t, rejections, streak, accepted,
                stage_round):
            end[e] = t


@njit(**INLINE)
def target(ideal, weight, now_a, members, skip, goal, gain):
    """The capability-weighted target of the members other than ``skip`` (rules.target)
    into goal, gain (K,); the capabilities are row 2 of ``now_a``."""
    n_actors, n_issues = ideal.shape
    for k in range(n_issues):
        g = 0.0
        num = 0.0
        for a in range(n_actors):
            pull = now_a[2, a] if members[a] and a != skip else 0.0
            cw = pull * weight[a, k]
            if a == 0:
                g, num = cw, cw * ideal[a, k]
            else:
                g += cw
                num += cw * ideal[a, k]
        gain[k] = g
        goal[k] = weighted_mean(num, g)


@njit(**INLINE)
def constrain(base, direction, ideal, weight, floor_, low, high, out):
    """text.constrain for one run: base + lambda direction inside [low, high] with the
    largest lambda of 1, 1/2, ... that keeps the mediator at its floor, else base."""
    n_issues = base.shape[0]
    for k in range(n_issues):
        out[k] = clip(base[k] + direction[k], low[k], high[k])
    if text_utility(out, ideal, weight) >= floor_ - EPS:
        return
    lam = 1.0
    for _ in range(SHORTEN_STEPS):
        lam = lam / 2.0
        for k in range(n_issues):
            out[k] = clip(base[k] + lam * direction[k], low[k], high[k])
        if text_utility(out, ideal, weight) >= floor_ - EPS:
            return
    for k in range(n_issues):
        out[k] = base[k]


@njit(**INLINE)
def logroll(p, ideal, weight, demand, own_best, goal, gain, low, high, issue_rank, cost, ratio,
            order, out):
    """rules.logroll_offer of proposer p into ``out`` (K,); own_best is the most the stage on
    the table can give it (1 without an agenda)."""
    n_issues = ideal.shape[1]
    for k in range(n_issues):
        g = ideal[p, k] if np.isnan(goal[k]) else goal[k]
        out[k] = g - ideal[p, k]  # the direction, for now
        cost[k] = weight[p, k] * np.abs(out[k])
        ratio[k] = concession_ratio(gain[k], cost[k])
    for k in range(n_issues):  # sort by ratio, highest first; ties by the issue's rank
        j = k
        while j > 0:
            q = order[j - 1]
            if -ratio[q] < -ratio[k] or (-ratio[q] == -ratio[k]
                                         and issue_rank[q] < issue_rank[k]):
                break
            order[j] = q
            j -= 1
        order[j] = k
    budget = own_best - demand[p]
    spent = 0.0
    for j in range(n_issues):
        k = order[j]
        spent = cost[k] if j == 0 else spent + cost[k]
        share = concession_share(budget, spent - cost[k], cost[k])
        out[k] = clip(ideal[p, k] + share * out[k], low[p, k], high[p, k])


@njit(**INLINE)
def redraft(x, ideal, weight, thresholds, low, high, rejected, now_a, step_size, steps, out):
    """text.redraft_direction for one run into ``out`` (K,); the capabilities are row 2 of
    ``now_a``. Only the rejecters' steps are computed: the others' terms are exactly +0."""
    n_actors, n_issues = ideal.shape
    pull_total = 0.0
    for a in range(n_actors):
        pull = now_a[2, a] if rejected[a] else 0.0
        pull_total = pull if a == 0 else pull_total + pull
        if not rejected[a]:
            continue
        norm = 0.0
        total = 0.0
        for k in range(n_issues):
            onto = clip(x[k], low[a, k], high[a, k])
            d = weight[a, k] * np.sign(ideal[a, k] - onto)
            term = issue_utility(onto, ideal[a, k], weight[a, k])
            if k == 0:
                norm, total = d * d, term
            else:
                norm += d * d
                total += term
            steps[a, k] = onto
        scale = closing_scale(thresholds[a] - total, norm)
        for k in range(n_issues):
            steps[a, k] = rejecter_move(x[k], steps[a, k], ideal[a, k], weight[a, k], scale)
    for k in range(n_issues):
        acc = 0.0
        for a in range(n_actors):
            term = pull_share(now_a[2, a], pull_total) * steps[a, k] if rejected[a] else 0.0
            acc = term if a == 0 else acc + term
        out[k] = step_size * acc


@njit(**INLINE)
def share_left(a, tau, exponent, cache):
    """tau^e for actor a (element.power), 1 at tau = 1; ``cache`` (3, A) keeps each actor's
    last tau, e and tau^e, because next round's demand takes the power this round's threshold
    took (the same arguments give the same bits)."""
    if tau == 1.0:
        return 1.0
    if tau == cache[0, a] and exponent == cache[1, a]:
        return cache[2, a]
    value = power(tau, exponent)
    cache[0, a], cache[1, a], cache[2, a] = tau, exponent, value
    return value


@njit(**OPTIONS)
def play(ideal, salience, base_a, base_ak, base_k, rate, initial, red_low, red_high,
         status_quo, noise, horizon, bias, step, hazard, proposer, fires, event_start,
         event_end, event_length, effect_value, signatory, veto, members, strategy, mediator,
         max_rounds, moving, still, actor_rank, issue_rank, reciprocal, stateful, starts,
         ends,
         stage_of_issue, stage_duration, stage_skip, eff_event, eff_attr, eff_op, eff_index,
         eff_issue, eff_low, eff_high, o_agreed, o_round, o_rounds, o_proposer, o_blocker,
         o_left, o_censored, o_deal, o_nodeal, o_utility, o_war, o_event, o_stage_round):
    """Play every run of a batch to its end, as _State.play of negsim.engine.vector does.

    Per-run arrays have the run axis first. base_a (N, 5, A) holds reservation, war cost,
    capability, exponent and patience; base_ak (N, 2, A, K) the belief's drift and weight;
    base_k (N, 2, K) the front's drift and volatility; ``still`` (K,) the issues whose value
    of war is a constant of the run (see war_values); noise (T, M, N) the shocks of the M
    moving issues (``moving`` (M,) their indices), run axis last as they are drawn (the runs
    that follow each other read the same cache lines). Fills the o_* outcome arrays.
    """
    n_runs, n_actors, n_issues = ideal.shape
    n_events = fires.shape[1]
    n_stages = stage_duration.shape[0]
    staged = n_stages > 0
    mediated = mediator >= 0
    front = np.empty(n_issues)
    text = np.empty(n_issues)
    base = np.empty(n_issues)
    direction = np.empty(n_issues)
    offer = np.empty(n_issues)
    goal = np.empty(n_issues)
    gain = np.empty(n_issues)
    cost = np.empty(n_issues)
    ratio = np.empty(n_issues)
    order = np.empty(n_issues, dtype=np.int64)
    settled = np.empty(n_issues)
    table = np.ones(n_issues, dtype=np.bool_)
    w_m = np.empty(n_issues)  # the mediator's saliences, red lines on the table
    low_m = np.empty(n_issues)
    high_m = np.empty(n_issues)
    steps = np.empty((n_actors, n_issues))
    still_term = np.empty((n_actors, n_issues))
    cache = np.empty((3, n_actors))
    static = eff_event.shape[0] == 0  # no effects: the parameters never change in a run
    rest = np.empty((n_actors, n_issues))
    w_table = np.empty((n_actors, n_issues))  # saliences and red lines on the table
    low_table = np.empty((n_actors, n_issues))
    high_table = np.empty((n_actors, n_issues))
    now_a = np.empty((5, n_actors))
    now_ak = np.empty((2, n_actors, n_issues))
    now_k = np.empty((2, n_issues))
    after_a = np.empty((5, n_actors))
    after_ak = np.empty((2, n_actors, n_issues))
    after_k = np.empty((2, n_issues))
    rejections = np.empty(n_actors)
    streak = np.empty(n_actors)
    accepted_stage = np.empty((n_actors, max(n_stages, 1)), dtype=np.bool_)
    last_from = np.empty((n_actors, n_actors))
    previous = np.empty(n_actors)
    received = np.empty(n_actors)
    war = np.empty(n_actors)
    floors = np.empty(n_actors)
    demand = np.empty(n_actors)
    best = np.ones(n_actors)
    penalty = np.zeros(n_actors)
    offset = np.zeros(n_actors)
    thresholds = np.empty(n_actors)
    utility = np.empty(n_actors)
    inside = np.empty(n_actors, dtype=np.bool_)
    required = np.empty(n_actors, dtype=np.bool_)
    accepted = np.empty(n_actors, dtype=np.bool_)
    rejected = np.empty(n_actors, dtype=np.bool_)
    is_proposer = np.empty(n_actors, dtype=np.bool_)
    seen = np.empty(n_events, dtype=np.bool_)
    active = np.empty(n_events + n_stages, dtype=np.bool_)
    after_active = np.empty(n_events + n_stages, dtype=np.bool_)
    start = np.empty(n_events, dtype=np.int64)
    end = np.empty(n_events, dtype=np.int64)
    stage_round = np.empty(n_stages, dtype=np.int64)
    for i in range(n_runs):
        front[:] = status_quo[i]
        settled[:] = np.nan
        rejections[:] = 0.0
        streak[:] = 0.0
        accepted_stage[:] = False
        last_from[:] = np.nan
        previous[:] = np.nan
        received[:] = 0.0
        seen[:] = False
        start[:] = event_start[i]
        end[:] = event_end[i]
        stage_round[:] = -1
        stage = 0
        opened = 0
        blocker = -1
        h_i = horizon[i]
        ideal_i, weight_i = ideal[i], salience[i]
        low_i, high_i = red_low[i], red_high[i]
        sq_i, fires_i, length_i = status_quo[i], fires[i], event_length[i]
        values_i, base_a_i, base_ak_i, base_k_i = effect_value[i], base_a[i], base_ak[i], base_k[i]
        ideal_m = ideal_i[max(mediator, 0)]
        cache[:] = np.nan
        for a in range(n_actors):
            for k in range(n_issues):
                if still[k]:
                    still_term[a, k] = issue_utility(status_quo[i, k], ideal_i[a, k],
                                                     weight_i[a, k])
        if static:
            active[:] = False
            apply_parameters(active, effect_value[i], base_a[i], base_ak[i], base_k[i], now_a,
                             now_ak, now_k, eff_event, eff_attr, eff_op, eff_index, eff_issue,
                             eff_low, eff_high)
            if staged:
                apply_parameters(active, effect_value[i], base_a[i], base_ak[i], base_k[i],
                                 after_a, after_ak, after_k, eff_event, eff_attr, eff_op,
                                 eff_index, eff_issue, eff_low, eff_high)
        ended = False
        for t in range(max_rounds):
            if staged:  # stages whose time ran out are skipped
                for _ in range(n_stages):
                    limit = stage_skip[stage]
                    if not (limit >= 0 and t - opened >= limit):
                        break
                    stage += 1
                    opened = t
                    last_from[:] = np.nan
                    text[:] = np.nan
            if stateful:
                schedule(t, fires_i, start, end, length_i, max_rounds, starts, ends,
                         rejections, streak, accepted_stage, stage_round)
            activity(t, fires_i, start, end, stage_round, stage_duration, active)
            leaving = False
            if not static:
                leaving = apply_parameters(active, values_i, base_a_i, base_ak_i,
                                           base_k_i, now_a, now_ak, now_k, eff_event,
                                           eff_attr, eff_op, eff_index, eff_issue, eff_low,
                                           eff_high)
            for e in range(n_events):
                seen[e] = seen[e] or active[e]
            if leaving:
                o_left[i] = True
                o_rounds[i] = t
                _no_deal(i, t, front, sq_i, ideal_i, weight_i, now_a, now_ak, h_i, settled,
                         still, still_term, active, n_events, values_i, eff_event, eff_attr,
                         eff_op, eff_index, blocker, seen, stage_round, war, o_blocker,
                         o_nodeal, o_utility, o_war, o_event, o_stage_round)
                ended = True
                break
            final = True
            opening = t == 0
            if staged:  # the stage on the table, and the war if it were agreed now
                after_active[:] = active
                after_active[n_events + stage] = True
                if not static:
                    apply_parameters(after_active, values_i, base_a_i, base_ak_i,
                                     base_k_i, after_a, after_ak, after_k, eff_event,
                                     eff_attr, eff_op, eff_index, eff_issue, eff_low,
                                     eff_high)
                for k in range(n_issues):
                    table[k] = np.isnan(settled[k]) and stage_of_issue[k] <= stage
                final = stage == n_stages - 1
                opening = opened == t
                stage_view(t, front, sq_i, ideal_i, weight_i, h_i, table, settled,
                           still, final, stage_duration[stage], now_a, now_ak, after_a, after_ak,
                           active, after_active, n_events, values_i, eff_event,
                           eff_attr, eff_op, eff_index, rest, penalty, best, offset)
            # assess: beliefs, value of war, floor, demand
            war_values(t, front, sq_i, ideal_i, weight_i, now_a, now_ak, h_i,
                       settled, still, still_term, active, n_events, values_i, eff_event, eff_attr,
                       eff_op, eff_index, war)
            for a in range(n_actors):
                floors[a] = floor(now_a[0, a], war[a])
                s = strategy[a]
                if s == RECIPROCAL:
                    if opening:
                        demand[a] = initial_reciprocal_demand(floors[a], initial[i, a],
                                                              best[a])
                    else:
                        demand[a] = reciprocal_demand(previous[a], floors[a], rate[i, a],
                                                      received[a], best[a])
                elif s == HARDLINER:
                    demand[a] = best[a]
                else:
                    share = share_left(a, concession_time(t, now_a[4, a]), now_a[3, a], cache)
                    demand[a] = conceded(floors[a], best[a], share)
            # the offer
            p = proposer[i, t]
            if mediated:
                m = mediator
                for k in range(n_issues):
                    w_m[k] = weight_i[m, k] if table[k] else 0.0
                    low_m[k] = low_i[m, k] if table[k] else 0.0
                    high_m[k] = high_i[m, k] if table[k] else 1.0
                floor_m = floors[m] - offset[m] if staged else floors[m]
                if opening:
                    target(ideal_i, weight_i, now_a, members, m, goal, gain)
                    for k in range(n_issues):
                        g = goal[k] if table[k] else np.nan
                        direction[k] = opening_text(ideal_i[m, k], bias[i], g) - ideal_i[m, k]
                    constrain(ideal_m, direction, ideal_m, w_m, floor_m, low_m, high_m,
                              text)
                else:
                    base[:] = text
                    constrain(base, direction, ideal_m, w_m, floor_m, low_m, high_m, text)
                if staged:
                    _shown(text, table, settled, front)
                offer[:] = text
            else:
                target(ideal_i, weight_i, now_a, members, p, goal, gain)
                if staged:
                    for k in range(n_issues):
                        if not table[k]:
                            goal[k] = np.nan
                logroll(p, ideal_i, weight_i, demand, best[p], goal, gain, low_i, high_i,
                        issue_rank, cost, ratio, order, offer)
                if staged:
                    _shown(offer, table, settled, front)
            # everyone's answer
            for a in range(n_actors):
                if staged:
                    total = 0.0
                    for k in range(n_issues):
                        x = offer[k] if table[k] else rest[a, k]
                        term = issue_utility(x, ideal_i[a, k], weight_i[a, k])
                        total = term if k == 0 else total + term
                    utility[a] = total - penalty[a]
                else:
                    utility[a] = utility_of(offer, ideal_i, weight_i, a)
                ok = True
                for k in range(n_issues):
                    ok = ok and (within(offer[k], low_i[a, k], high_i[a, k]) or not table[k])
                inside[a] = ok
            if reciprocal:
                for a in range(n_actors):
                    last = last_from[a, p]
                    if a == p or np.isnan(last):
                        received[a] = 0.0
                    else:
                        received[a] = received_concession(utility[a], last)
                    last_from[a, p] = utility[a]
            h = hazard[i, t]
            for a in range(n_actors):
                s = strategy[a]
                if s == RECIPROCAL:
                    upcoming = reciprocal_demand(demand[a], floors[a], rate[i, a], received[a],
                                                 best[a])
                elif s == HARDLINER:
                    upcoming = best[a]
                else:
                    share = share_left(a, concession_time(t + 1, now_a[4, a]), now_a[3, a],
                                       cache)
                    upcoming = conceded(floors[a], best[a], share)
                thresholds[a] = threshold(floors[a], upcoming, war[a], now_a[1, a], h)
                is_proposer[a] = a == p
            if staged and not mediated:  # agenda.standing
                is_proposer[p] = utility[p] >= floors[p] - EPS
            deal = True
            any_breaching = False
            for a in range(n_actors):
                hit = signatory[a]
                for k in range(n_issues):
                    hit = hit or (veto[a, k] and table[k] and moved(offer[k], status_quo[i, k]))
                required[a] = hit
                accepted[a] = accepts(utility[a], thresholds[a], inside[a]) or is_proposer[a]
                rejected[a] = hit and not accepted[a]
                if rejected[a]:
                    deal = False
                    any_breaching = any_breaching or not inside[a]
                if stateful and hit and accepted[a] and not is_proposer[a]:
                    accepted_stage[a, stage] = True
            if deal and final:
                o_agreed[i] = True
                o_round[i] = t
                o_rounds[i] = t + 1
                o_proposer[i] = p
                o_deal[i] = offer
                o_nodeal[i] = front
                o_utility[i] = utility
                o_war[i] = war
                o_event[i] = seen
                if staged:
                    stage_round[n_stages - 1] = t
                    o_stage_round[i] = stage_round
                ended = True
                break
            partial = deal  # a stage that is not the last: settle it, open the next
            if partial:
                for k in range(n_issues):
                    if table[k]:
                        settled[k] = offer[k]
                stage_round[stage] = t
            # the blocker (rules.blocker): among the rejecters (those breaching a red line
            # if any do), the largest shortfall; ties to the actor whose id sorts first
            blocker = -1
            widest = 0.0
            for a in range(n_actors):
                if rejected[a] and (not any_breaching or not inside[a]):
                    gap = thresholds[a] - utility[a]
                    if blocker < 0 or gap > widest or (gap == widest
                                                       and actor_rank[a] < actor_rank[blocker]):
                        widest = gap
                        blocker = a
            for a in range(n_actors):
                if rejected[a]:
                    rejections[a] += 1.0
                if stateful:
                    streak[a] = streak[a] + 1.0 if rejected[a] else 0.0
                previous[a] = demand[a]
            if mediated:
                for a in range(n_actors):
                    for k in range(n_issues):
                        w_table[a, k] = weight_i[a, k] if table[k] else 0.0
                        low_table[a, k] = low_i[a, k] if table[k] else 0.0
                        high_table[a, k] = high_i[a, k] if table[k] else 1.0
                    thresholds[a] -= offset[a]
                redraft(offer, ideal_i, w_table, thresholds, low_table, high_table, rejected,
                        now_a, step[i], steps, direction)
            if partial:
                stage += 1
                opened = t + 1
                last_from[:] = np.nan
                text[:] = np.nan
            for j in range(moving.shape[0]):
                k = moving[j]
                if partial:  # the war as the stage agreed leaves it
                    front[k] = advance_front(front[k], after_k[0, k], after_k[1, k],
                                             noise[t, j, i])
                else:
                    front[k] = advance_front(front[k], now_k[0, k], now_k[1, k], noise[t, j, i])
        if not ended:
            o_rounds[i] = max_rounds
            o_censored[i] = True
            activity(max_rounds - 1, fires_i, start, end, stage_round, stage_duration, active)
            if not static:
                apply_parameters(active, values_i, base_a_i, base_ak_i, base_k_i,
                                 now_a, now_ak, now_k, eff_event, eff_attr, eff_op, eff_index,
                                 eff_issue, eff_low, eff_high)
            _no_deal(i, max_rounds, front, sq_i, ideal_i, weight_i, now_a, now_ak, h_i,
                     settled, still, still_term, active, n_events, values_i, eff_event,
                     eff_attr, eff_op, eff_index, blocker, seen, stage_round, war, o_blocker,
                     o_nodeal, o_utility, o_war, o_event, o_stage_round)


@njit(**INLINE)
def _shown(x, table, settled, front):
    """agenda.shown in place: the table's values, settled values, the front elsewhere."""
    for k in range(x.shape[0]):
        if not table[k]:
            x[k] = front[k] if np.isnan(settled[k]) else settled[k]


@njit(**INLINE)
def _no_deal(i, t, front, start, ideal, weight, now_a, now_ak, horizon, settled, still,
             still_term, active, n_events, effect_value, eff_event, eff_attr, eff_op,
             eff_index, blocker, seen, stage_round, war, o_blocker, o_nodeal, o_utility, o_war,
             o_event, o_stage_round):
    """Record run i ending without a deal at the start of round t (front q(t))."""
    o_blocker[i] = blocker
    o_nodeal[i] = front
    war_values(t, front, start, ideal, weight, now_a, now_ak, horizon, settled, still,
               still_term, active, n_events, effect_value, eff_event, eff_attr, eff_op,
               eff_index, war)
    o_utility[i] = war
    o_war[i] = war
    o_event[i] = seen
    o_stage_round[i] = stage_round
