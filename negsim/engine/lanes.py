"""The compiled loop in lanes: LANES runs played side by side, one round of each at a time.

kernel.play plays one run after another; each round of a run is a few hundred dependent
operations, which a core runs one or two at a time. Here the same rounds of LANES runs are
interleaved: every step of the round is a loop over the lanes, on arrays with the lane axis
last, which numba (LLVM) turns into vector instructions (8 numbers at once with AVX-512, 4
with AVX2). A lane whose run ends (a deal, or the window closes) records its outcome and
takes the next run of the batch, so lanes stay busy however long their runs last.

It plays the scenarios of the mediated protocol without an agenda, state-triggered events
or reciprocal actors (``fits``): events at drawn rounds, their effects and the mediator's
exits included; kernel.play plays every other. Each lane applies the shared formulas
(negsim.model) in kernel.play's order, so its outcomes are the same bits; the tests check
lanes, kernel.play and the numpy engine against each other (tests/engine/test_lanes.py).
What happens once a run (the mediator's opening, an outcome to record, a run to load) or
rarely (the mediator shortening its step) is done lane by lane, with kernel.py's helpers.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..model.beliefs import estimate as belief_estimate
from ..model.element import power
from ..model.rules import (
    EPS,
    HARDLINER,
    accepts,
    advance_front,
    clip,
    effect,
    issue_utility,
    moved,
    within,
)
from ..model.tactics import conceded, concession_time, threshold
from ..model.text import closing_scale, opening_text, pull_share, rejecter_move
from ..model.war import floor, front_point, war_value
from .kernel import (
    BELIEF_DRIFT,
    BELIEF_WEIGHT,
    CAPABILITY,
    DRIFT,
    EXIT,
    EXPONENT,
    INLINE,
    OPTIONS,
    PATIENCE,
    RESERVATION,
    WAR_COST,
    constrain,
    target,
)

LANES = 64  # runs side by side (16: 175 ns a run-round on the baseline, 32: 144, 64: 121, 128: 118)


def fits(fixed: dict) -> bool:
    """Whether the lane loop plays a scenario (its compiled.layout_arrays): mediated, no
    agenda, no state-triggered events, no reciprocal actors."""
    return (int(fixed["mediator"]) >= 0 and fixed["stage_duration"].shape[0] == 0
            and not fixed["stateful"] and not fixed["reciprocal"])


@njit(**INLINE)
def _load(w, i, ideal, salience, base_a, base_ak, base_k, red_low, red_high, status_quo,
          horizon, bias, step, fires, event_start, event_end, effect_value, still, state):
    """Put run i in lane w: its parameters (as drawn, and in force until an event changes
    them) and its state at round 0."""
    (run, t, blocker, x_ideal, x_weight, x_low, x_high, x_sq, x_h, x_bias, x_step, x_res,
     x_cost, x_cap, x_exp, x_pat, x_bdrift, x_bweight, x_drift, x_vol, front, still_term,
     fire, start, end, seen, b_a, b_ak, b_k, x_value) = state
    n_actors, n_issues = ideal.shape[1], ideal.shape[2]
    run[w] = i
    t[w] = 0
    blocker[w] = -1
    x_h[w] = horizon[i]
    x_bias[w] = bias[i]
    x_step[w] = step[i]
    for a in range(n_actors):
        x_res[a, w] = base_a[i, 0, a]
        x_cost[a, w] = base_a[i, 1, a]
        x_cap[a, w] = base_a[i, 2, a]
        x_exp[a, w] = base_a[i, 3, a]
        x_pat[a, w] = base_a[i, 4, a]
        for c in range(5):
            b_a[c, a, w] = base_a[i, c, a]
        for k in range(n_issues):
            x_ideal[a, k, w] = ideal[i, a, k]
            x_weight[a, k, w] = salience[i, a, k]
            x_low[a, k, w] = red_low[i, a, k]
            x_high[a, k, w] = red_high[i, a, k]
            x_bdrift[a, k, w] = base_ak[i, 0, a, k]
            x_bweight[a, k, w] = base_ak[i, 1, a, k]
            b_ak[0, a, k, w] = base_ak[i, 0, a, k]
            b_ak[1, a, k, w] = base_ak[i, 1, a, k]
            if still[k]:
                still_term[a, k, w] = issue_utility(status_quo[i, k], ideal[i, a, k],
                                                    salience[i, a, k])
    for k in range(n_issues):
        x_sq[k, w] = status_quo[i, k]
        front[k, w] = status_quo[i, k]
        x_drift[k, w] = base_k[i, 0, k]
        x_vol[k, w] = base_k[i, 1, k]
        b_k[0, k, w] = base_k[i, 0, k]
        b_k[1, k, w] = base_k[i, 1, k]
    for f in range(x_value.shape[0]):
        x_value[f, w] = effect_value[i, f]
    for e in range(fire.shape[0]):
        fire[e, w] = fires[i, e]
        start[e, w] = event_start[i, e]
        end[e, w] = event_end[i, e]
        seen[e, w] = False


@njit(**INLINE)
def _in_force(tt, fire, start, end, b_a, b_ak, b_k, value, x_res, x_cost, x_cap, x_exp, x_pat,
              x_bdrift, x_bweight, x_drift, x_vol, eff_event, eff_attr, eff_op, eff_index,
              eff_issue, eff_low, eff_high, act, leaving):
    """The parameters in force in each lane's round tt (kernel.apply_parameters, lane by
    lane): the drawn values, then every effect of an event acting in that round, in order;
    ``leaving`` marks the lanes whose mediator walks away."""
    n_actors, n_issues, n_lanes = b_ak.shape[1], b_ak.shape[2], b_ak.shape[3]
    for a in range(n_actors):
        for w in range(n_lanes):
            x_res[a, w] = b_a[0, a, w]
            x_cost[a, w] = b_a[1, a, w]
            x_cap[a, w] = b_a[2, a, w]
            x_exp[a, w] = b_a[3, a, w]
            x_pat[a, w] = b_a[4, a, w]
        for k in range(n_issues):
            for w in range(n_lanes):
                x_bdrift[a, k, w] = b_ak[0, a, k, w]
                x_bweight[a, k, w] = b_ak[1, a, k, w]
    for k in range(n_issues):
        for w in range(n_lanes):
            x_drift[k, w] = b_k[0, k, w]
            x_vol[k, w] = b_k[1, k, w]
    for f in range(eff_event.shape[0]):
        e, attr, op, j = eff_event[f], eff_attr[f], eff_op[f], eff_index[f]
        low, high = eff_low[f], eff_high[f]
        for w in range(n_lanes):
            act[w] = fire[e, w] and start[e, w] <= tt[w] and tt[w] < end[e, w]
        if attr == EXIT:
            for w in range(n_lanes):
                leaving[w] = leaving[w] or act[w]
        elif attr <= PATIENCE:
            row = (x_res if attr == RESERVATION else x_cost if attr == WAR_COST
                   else x_cap if attr == CAPABILITY else x_exp if attr == EXPONENT else x_pat)
            for w in range(n_lanes):
                if act[w]:
                    row[j, w] = effect(row[j, w], op, value[f, w], low, high)
        elif attr <= BELIEF_WEIGHT:
            k = eff_issue[f]
            table = x_bdrift if attr == BELIEF_DRIFT else x_bweight
            for w in range(n_lanes):
                if act[w]:
                    table[j, k, w] = effect(table[j, k, w], op, value[f, w], low, high)
        else:
            row = x_drift if attr == DRIFT else x_vol
            for w in range(n_lanes):
                if act[w]:
                    row[j, w] = effect(row[j, w], op, value[f, w], low, high)


@njit(**OPTIONS)
def play(ideal, salience, base_a, base_ak, base_k, red_low, red_high, status_quo, noise,
         horizon, bias, step, hazard, proposer, fires, event_start, event_end, effect_value,
         signatory, veto, members, strategy, mediator, max_rounds, moving, still, actor_rank,
         eff_event, eff_attr, eff_op, eff_index, eff_issue, eff_low, eff_high, o_agreed,
         o_round, o_rounds, o_proposer, o_blocker, o_left, o_censored, o_deal, o_nodeal,
         o_utility, o_war, o_event):
    """Play every run of a batch (for a scenario that ``fits``) in LANES lanes; the same
    outcomes as kernel.play, into the same o_* arrays."""
    n_runs, n_actors, n_issues = ideal.shape
    n_events = fires.shape[1]
    n_effects = eff_event.shape[0]
    W = LANES
    A, K = n_actors, n_issues
    m = mediator
    run = np.full(W, -1, dtype=np.int64)
    t = np.zeros(W, dtype=np.int64)
    blocker = np.full(W, -1, dtype=np.int64)
    x_ideal = np.zeros((A, K, W))
    x_weight = np.zeros((A, K, W))
    x_low = np.zeros((A, K, W))
    x_high = np.ones((A, K, W))
    x_sq = np.zeros((K, W))
    x_h = np.zeros(W)
    x_bias = np.zeros(W)
    x_step = np.zeros(W)
    x_res = np.zeros((A, W))
    x_cost = np.zeros((A, W))
    x_cap = np.zeros((A, W))
    x_exp = np.ones((A, W))
    x_pat = np.zeros((A, W))
    x_bdrift = np.zeros((A, K, W))
    x_bweight = np.ones((A, K, W))
    x_drift = np.zeros((K, W))
    x_vol = np.zeros((K, W))
    front = np.zeros((K, W))
    direction = np.zeros((K, W))
    still_term = np.zeros((A, K, W))
    fire = np.zeros((n_events, W), dtype=np.bool_)
    start = np.zeros((n_events, W), dtype=np.int64)
    end = np.zeros((n_events, W), dtype=np.int64)
    seen = np.zeros((n_events, W), dtype=np.bool_)
    b_a = np.zeros((5, A, W))  # the parameters as drawn (x_res ... x_vol: in force)
    b_ak = np.zeros((2, A, K, W))
    b_k = np.zeros((2, K, W))
    x_value = np.zeros((n_effects, W))
    state = (run, t, blocker, x_ideal, x_weight, x_low, x_high, x_sq, x_h, x_bias, x_step,
             x_res, x_cost, x_cap, x_exp, x_pat, x_bdrift, x_bweight, x_drift, x_vol, front,
             still_term, fire, start, end, seen, b_a, b_ak, b_k, x_value)
    goal = np.empty(K)
    gain = np.empty(K)
    col, col2, col3 = np.empty(K), np.empty(K), np.empty(K)
    col4, col5 = np.empty(K), np.empty(K)
    now_a = np.empty((5, A))
    # the round's working arrays (lane axis last)
    text = np.zeros((K, W))
    offer = np.zeros((K, W))
    total = np.zeros(W)
    war = np.zeros((A, W))
    floors = np.zeros((A, W))
    utility = np.zeros((A, W))
    inside = np.zeros((A, W), dtype=np.bool_)
    thresholds = np.zeros((A, W))
    rejected = np.zeros((A, W), dtype=np.bool_)
    steps = np.zeros((A, K, W))
    ok = np.zeros(W, dtype=np.bool_)
    required = np.zeros(W, dtype=np.bool_)
    deal = np.zeros(W, dtype=np.bool_)
    breaching = np.zeros(W, dtype=np.bool_)
    done = np.zeros(W, dtype=np.bool_)
    leaving = np.zeros(W, dtype=np.bool_)
    act = np.zeros(W, dtype=np.bool_)
    tt = np.zeros(W, dtype=np.int64)
    hz = np.zeros(W)
    tf = np.zeros(W)
    p = np.zeros(W, dtype=np.int64)
    widest = np.zeros(W)
    rank = np.zeros(W, dtype=np.int64)
    pull_total = np.zeros(W)
    norm = np.zeros(W)
    last_t = hazard.shape[1] - 1
    following = 0
    for w in range(W):
        if following < n_runs:
            _load(w, following, ideal, salience, base_a, base_ak, base_k, red_low, red_high,
                  status_quo, horizon, bias, step, fires, event_start, event_end,
                  effect_value, still, state)
            following += 1
    while True:
        busy = False
        for w in range(W):
            busy = busy or run[w] >= 0
        if not busy:
            break
        for w in range(W):
            tf[w] = t[w]
            done[w] = False
            leaving[w] = False
            tt[w] = min(t[w], max_rounds - 1)  # a closed window: the last round's parameters
        if n_effects > 0:  # the parameters in force (kernel.apply_parameters, lane by lane)
            _in_force(tt, fire, start, end, b_a, b_ak, b_k, x_value, x_res, x_cost, x_cap,
                      x_exp, x_pat, x_bdrift, x_bweight, x_drift, x_vol, eff_event, eff_attr,
                      eff_op, eff_index, eff_issue, eff_low, eff_high, act, leaving)
        for e in range(n_events):  # the events acting this round (events.activity)
            for w in range(W):
                seen[e, w] = seen[e, w] or (t[w] < max_rounds and fire[e, w]
                                            and start[e, w] <= t[w] and t[w] < end[e, w])
        for w in range(W):  # a run's first round: the mediator's opening direction
            if t[w] == 0 and run[w] >= 0:
                i = run[w]
                for a in range(A):
                    now_a[0, a] = x_res[a, w]
                    now_a[1, a] = x_cost[a, w]
                    now_a[2, a] = x_cap[a, w]
                    now_a[3, a] = x_exp[a, w]
                    now_a[4, a] = x_pat[a, w]
                target(ideal[i], salience[i], now_a, members, m, goal, gain)
                for k in range(K):
                    m_ideal = ideal[i, m, k]
                    direction[k, w] = opening_text(m_ideal, bias[i], goal[k]) - m_ideal
        # the value of war (kernel.war_values)
        for a in range(A):
            for k in range(K):
                if still[k]:
                    for w in range(W):
                        term = still_term[a, k, w]
                        total[w] = term if k == 0 else total[w] + term
                else:
                    for w in range(W):
                        mu = belief_estimate(x_bdrift[a, k, w], x_bweight[a, k, w],
                                             front[k, w] - x_sq[k, w], tf[w])
                        point = front_point(front[k, w], mu, x_h[w])
                        term = issue_utility(point, x_ideal[a, k, w], x_weight[a, k, w])
                        total[w] = term if k == 0 else total[w] + term
            for w in range(W):
                war[a, w] = war_value(total[w], x_cost[a, w], x_h[w])
        # runs that end without a deal: the window closed, or the mediator left (the war
        # as it stands, kernel._no_deal)
        for w in range(W):
            if run[w] >= 0 and t[w] == max_rounds:
                i = run[w]
                o_rounds[i] = max_rounds
                o_censored[i] = True
                o_blocker[i] = blocker[w]
                for k in range(K):
                    o_nodeal[i, k] = front[k, w]
                for a in range(A):
                    o_utility[i, a] = war[a, w]
                    o_war[i, a] = war[a, w]
                for e in range(n_events):
                    o_event[i, e] = seen[e, w]
                done[w] = True
            elif run[w] >= 0 and leaving[w]:  # the mediator walks away
                i = run[w]
                o_left[i] = True
                o_rounds[i] = t[w]
                o_blocker[i] = blocker[w]
                for k in range(K):
                    o_nodeal[i, k] = front[k, w]
                for a in range(A):
                    o_utility[i, a] = war[a, w]
                    o_war[i, a] = war[a, w]
                for e in range(n_events):
                    o_event[i, e] = seen[e, w]
                done[w] = True
        # floors (the demands only matter to reciprocal actors and proposers: none here)
        for a in range(A):
            for w in range(W):
                floors[a, w] = floor(x_res[a, w], war[a, w])
        # the mediator's text: a step along the direction, kept if it meets its floor
        for w in range(W):
            total[w] = 0.0
        for k in range(K):
            for w in range(W):
                base = x_ideal[m, k, w] if t[w] == 0 else text[k, w]
                x = clip(base + direction[k, w], x_low[m, k, w], x_high[m, k, w])
                offer[k, w] = x
                term = issue_utility(x, x_ideal[m, k, w], x_weight[m, k, w])
                total[w] = term if k == 0 else total[w] + term
        for w in range(W):
            ok[w] = total[w] >= floors[m, w] - EPS
        for w in range(W):
            if not ok[w] and run[w] >= 0 and not done[w]:  # shorter steps (kernel.constrain)
                for k in range(K):
                    col[k] = x_ideal[m, k, w] if t[w] == 0 else text[k, w]
                    col2[k] = direction[k, w]
                    col3[k] = x_ideal[m, k, w]
                    col4[k] = x_weight[m, k, w]
                    col5[k] = x_low[m, k, w]
                    goal[k] = x_high[m, k, w]
                constrain(col, col2, col3, col4, floors[m, w], col5, goal, gain)
                for k in range(K):
                    offer[k, w] = gain[k]
        for k in range(K):
            for w in range(W):
                text[k, w] = offer[k, w]
        # everyone's answer
        for a in range(A):
            for w in range(W):
                total[w] = 0.0
                ok[w] = True
            for k in range(K):
                for w in range(W):
                    term = issue_utility(offer[k, w], x_ideal[a, k, w], x_weight[a, k, w])
                    total[w] = term if k == 0 else total[w] + term
                    ok[w] = ok[w] & within(offer[k, w], x_low[a, k, w], x_high[a, k, w])
            for w in range(W):
                utility[a, w] = total[w]
                inside[a, w] = ok[w]
        for w in range(W):
            at = min(t[w], last_t)
            i = max(run[w], 0)
            hz[w] = hazard[i, at]
            p[w] = proposer[i, at]
            deal[w] = True
            breaching[w] = False
        for a in range(A):
            hard = strategy[a] == HARDLINER
            for w in range(W):
                tau = concession_time(t[w] + 1, x_pat[a, w])
                nxt = 1.0 if hard else power(tau, x_exp[a, w])
                upcoming = 1.0 if hard else conceded(floors[a, w], 1.0, nxt)
                thresholds[a, w] = threshold(floors[a, w], upcoming, war[a, w], x_cost[a, w],
                                             hz[w])
        for a in range(A):  # who must answer, who rejects (| and &: no branches per lane)
            for w in range(W):
                required[w] = signatory[a]
            for k in range(K):
                if veto[a, k]:
                    for w in range(W):
                        required[w] = required[w] | moved(offer[k, w], x_sq[k, w])
            for w in range(W):
                yes = accepts(utility[a, w], thresholds[a, w], inside[a, w]) | (a == p[w])
                no = required[w] & ~yes
                rejected[a, w] = no
                deal[w] = deal[w] & ~no
                breaching[w] = breaching[w] | (no & ~inside[a, w])
        for w in range(W):  # the deals (kernel.play, ``deal and final``)
            if deal[w] and run[w] >= 0 and not done[w]:
                i = run[w]
                o_agreed[i] = True
                o_round[i] = t[w]
                o_rounds[i] = t[w] + 1
                o_proposer[i] = p[w]
                for k in range(K):
                    o_deal[i, k] = offer[k, w]
                    o_nodeal[i, k] = front[k, w]
                for a in range(A):
                    o_utility[i, a] = utility[a, w]
                    o_war[i, a] = war[a, w]
                for e in range(n_events):
                    o_event[i, e] = seen[e, w]
                done[w] = True
        # the blocker (rules.blocker)
        for w in range(W):
            blocker[w] = -1
            widest[w] = 0.0
            rank[w] = 0
        for a in range(A):
            for w in range(W):
                gap = thresholds[a, w] - utility[a, w]
                if rejected[a, w] and (not breaching[w] or not inside[a, w]) and (
                        blocker[w] < 0 or gap > widest[w]
                        or (gap == widest[w] and actor_rank[a] < rank[w])):
                    widest[w] = gap
                    blocker[w] = a
                    rank[w] = actor_rank[a]
        # the mediator's redraft (kernel.redraft): toward the rejecters' acceptance sets
        for a in range(A):
            for w in range(W):
                pull = x_cap[a, w] if rejected[a, w] else 0.0
                pull_total[w] = pull if a == 0 else pull_total[w] + pull
            for k in range(K):
                for w in range(W):
                    onto = clip(offer[k, w], x_low[a, k, w], x_high[a, k, w])
                    d = x_weight[a, k, w] * np.sign(x_ideal[a, k, w] - onto)
                    term = issue_utility(onto, x_ideal[a, k, w], x_weight[a, k, w])
                    norm[w] = d * d if k == 0 else norm[w] + d * d
                    total[w] = term if k == 0 else total[w] + term
                    steps[a, k, w] = onto
            for w in range(W):
                total[w] = closing_scale(thresholds[a, w] - total[w], norm[w])
            for k in range(K):
                for w in range(W):
                    steps[a, k, w] = rejecter_move(offer[k, w], steps[a, k, w],
                                                   x_ideal[a, k, w], x_weight[a, k, w],
                                                   total[w])
        for k in range(K):
            for a in range(A):
                for w in range(W):
                    term = pull_share(x_cap[a, w], pull_total[w]) * steps[a, k, w] \
                        if rejected[a, w] else 0.0
                    total[w] = term if a == 0 else total[w] + term
            for w in range(W):
                direction[k, w] = x_step[w] * total[w]
        # the front moves
        for j in range(moving.shape[0]):
            k = moving[j]
            for w in range(W):
                at = min(t[w], last_t)
                shock = noise[at, j, max(run[w], 0)]
                front[k, w] = advance_front(front[k, w], x_drift[k, w], x_vol[k, w], shock)
        for w in range(W):
            t[w] += 1
            if done[w]:
                if following < n_runs:
                    _load(w, following, ideal, salience, base_a, base_ak, base_k, red_low,
                          red_high, status_quo, horizon, bias, step, fires, event_start,
                          event_end, effect_value, still, state)
                    following += 1
                else:
                    run[w] = -1
