"""Property tests of the agent rules (negsim.rules): each test states a rule and tries to
break it with generated inputs."""

import numpy as np
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from negsim.model import rules

unit = st.floats(0.0, 1.0, allow_nan=False)


@st.composite
def preferences(draw, actors=None, issues=None):
    """Ideals inside red lines and normalised weights for A actors and K issues."""
    A = actors or draw(st.integers(1, 5))
    K = issues or draw(st.integers(1, 6))
    ideal = draw(hnp.arrays(float, (A, K), elements=unit))
    raw = draw(hnp.arrays(float, (A, K), elements=st.floats(0.0, 5.0)))
    raw[:, 0] += 1e-3  # never all zero
    weight = raw / raw.sum(axis=1, keepdims=True)
    low = ideal * draw(hnp.arrays(float, (A, K), elements=unit))
    high = ideal + (1 - ideal) * draw(hnp.arrays(float, (A, K), elements=unit))
    return ideal, weight, low, high


# --- preferences ----------------------------------------------------------------------------


@given(preferences(), hnp.arrays(float, (5, 6), elements=unit))
def test_each_actors_utility_of_a_point_of_its_own(prefs, points):
    """own_utility(y) gives u_i(y_i) for every actor i: the utility function applied to each
    actor's own point (the value of war applies it to each actor's expected front)."""
    ideal, weight, _, _ = prefs
    A, K = ideal.shape
    points = points[:A, :K]
    u = rules.own_utility(points, ideal, weight)
    for i in range(A):
        alone = rules.utility(points[i], ideal[i:i + 1], weight[i:i + 1])[0]
        assert u[i] == alone
        assert u[i] == pytest.approx(np.sum(weight[i] * (1 - np.abs(points[i] - ideal[i]))))
        assert -1e-12 <= u[i] <= 1 + 1e-12


@given(st.integers(1, 5), st.integers(1, 4), st.data())
def test_own_takes_each_runs_own_actor(A, N, data):
    array = data.draw(hnp.arrays(float, (A, 3, N), elements=unit))
    actor = np.array(data.draw(st.lists(st.integers(0, A - 1), min_size=N, max_size=N)))
    rows = rules.own(array, actor)
    assert rows.shape == (3, N)
    for n in range(N):
        assert np.array_equal(rows[:, n], array[actor[n], :, n])


# --- reciprocity ----------------------------------------------------------------------------


@given(unit, unit)
def test_received_concession_is_never_negative(new, last):
    assert rules.received_concession(new, last) >= 0
    assert rules.received_concession(new, np.nan) == 0


# --- offers ---------------------------------------------------------------------------------


@given(preferences(), st.integers(0, 4), hnp.arrays(float, 5, elements=unit),
       hnp.arrays(float, 5, elements=st.floats(0.1, 3)), hnp.arrays(bool, 5))
@example(prefs=(np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([[0.5, 0.5], [0.5, 0.5]]),
                np.zeros((2, 2)), np.ones((2, 2))), p=0, demand=np.zeros(5),
         capability=np.ones(5), members=np.ones(5, bool))
def test_the_proposers_offer_meets_its_own_demand_inside_its_red_lines(prefs, p, demand,
                                                                       capability, members):
    """rules.offer spends the budget 1 - a_p(t) of the proposer's own demand (nobody else's),
    logrolling toward the other members, and clips to its red lines: u_p(x) >= a_p(t)."""
    ideal, weight, low, high = prefs
    A, K = ideal.shape
    assume(p < A)
    members = members[:A]
    x = rules.offer(p, members, ideal, weight, demand[:A], capability[:A], low, high,
                    np.arange(K))
    u = rules.utility(x, ideal[p:p + 1], weight[p:p + 1])[0]
    assert u >= demand[p] - 1e-9
    assert np.all((x >= 0) & (x <= 1))
    assert np.all((x >= low[p]) & (x <= high[p]))
    # the same offer as the logroll toward the capability-weighted target of the others
    others = members & (np.arange(A) != p)
    goal, gain = rules.target(ideal, weight, capability[:A], others)
    alone = rules.logroll_offer(ideal[p], weight[p], demand[p], goal, gain, low[p], high[p],
                                np.arange(K))
    assert np.array_equal(x, alone)


@given(preferences(), hnp.arrays(float, 5, elements=unit), st.data())
def test_a_batch_of_proposers_makes_each_runs_own_offer(prefs, demand, data):
    """Run axis last: each run's proposer spends its own budget, as it would alone."""
    ideal, weight, low, high = prefs
    A, K = ideal.shape
    N = data.draw(st.integers(1, 4))
    proposers = np.array(data.draw(st.lists(st.integers(0, A - 1), min_size=N, max_size=N)))
    members = np.ones(A, bool)

    def runs(array):
        return np.repeat(np.asarray(array)[..., None], N, axis=-1)

    x = rules.offer(proposers, members, runs(ideal), runs(weight), runs(demand[:A]),
                    runs(np.ones(A)), runs(low), runs(high), np.arange(K))
    for n, p in enumerate(proposers):
        one = rules.offer(p, members, ideal, weight, demand[:A], np.ones(A), low, high,
                          np.arange(K))
        assert np.allclose(x[:, n], one, rtol=0, atol=1e-12)


@given(preferences(actors=3), unit)
def test_logrolling_concedes_where_the_others_gain_most_per_unit_of_cost(prefs, theta):
    ideal, weight, low, high = prefs
    K = ideal.shape[1]
    goal, gain = rules.target(ideal, weight, np.ones(3), np.array([False, True, True]))
    x = rules.logroll_offer(ideal[0], weight[0], theta, goal, gain, np.zeros(K), np.ones(K),
                            np.arange(K))
    g = np.where(np.isnan(goal), ideal[0], goal)
    moved = np.abs(g - ideal[0])
    share = np.divide(np.abs(x - ideal[0]), moved, out=np.ones(K), where=moved > 0)
    cost = weight[0] * moved
    with np.errstate(over="ignore"):
        ratio = np.where(cost > 0, gain / np.where(cost > 0, cost, 1), np.inf)
    for i in range(K):
        for j in range(K):
            if ratio[i] > ratio[j] and share[j] > 1e-9 and cost[i] > 0:
                assert share[i] >= 1 - 1e-9  # a better issue is exhausted first


# --- answers --------------------------------------------------------------------------------


@given(preferences(), hnp.arrays(float, 6, elements=unit),
       hnp.arrays(float, 5, elements=st.floats(-0.1, 0.1)))
@example(prefs=(np.array([[0.5]]), np.array([[1.0]]), np.zeros((1, 1)), np.ones((1, 1))),
         x=np.full(6, 0.25), offset=np.zeros(5))  # utility exactly at the threshold
def test_individual_rationality(prefs, x, offset):
    ideal, weight, low, high = prefs
    A, K = ideal.shape
    x = x[:K]
    u = rules.utility(x, ideal, weight)
    theta = u + offset[:A]  # thresholds near the utility: the boundary is where rules break
    inside = rules.inside_red_lines(x, low, high)
    accept = rules.accepts(u, theta, inside)
    assert np.all(~accept | ((u >= theta - rules.EPS) & inside))
    assert np.all(accept | (u < theta - rules.EPS) | ~inside)
    assert np.all(accept[(offset[:A] <= 0) & inside])  # at or under the utility: accepted


@given(preferences(), hnp.arrays(float, 6, elements=unit), hnp.arrays(float, 6, elements=unit),
       hnp.arrays(float, 5, elements=unit))
def test_acceptance_is_monotone(prefs, x, y, theta):
    ideal, weight, low, high = prefs
    A, K = ideal.shape
    x, y, theta = x[:K], y[:K], theta[:A]
    ux, uy = rules.utility(x, ideal, weight), rules.utility(y, ideal, weight)
    ax = rules.accepts(ux, theta, rules.inside_red_lines(x, low, high))
    ay = rules.accepts(uy, theta, rules.inside_red_lines(y, low, high))
    better = (uy >= ux) & rules.inside_red_lines(y, low, high)
    assert np.all(~(ax & better) | ay)


@given(st.integers(2, 5), st.integers(1, 5), st.data())
def test_deal_iff_every_required_actor_accepts_and_vetoes_bind_only_when_moved(A, K, data):
    signatory = data.draw(hnp.arrays(bool, A))
    veto = data.draw(hnp.arrays(bool, (A, K))) & ~signatory[:, None]
    x = data.draw(hnp.arrays(float, K, elements=unit))
    q = np.where(data.draw(hnp.arrays(bool, K)), x, data.draw(hnp.arrays(float, K, elements=unit)))
    accepted = data.draw(hnp.arrays(bool, A))
    p = data.draw(st.integers(0, A - 1))
    proposer = np.arange(A) == p
    moved = rules.moved(x, q)
    required = rules.required(signatory, veto, moved)
    for a in range(A):
        expected = signatory[a] or bool(np.any(veto[a] & (np.abs(x - q) > rules.MOVE_TOL)))
        assert required[a] == expected
    deal = rules.deal_struck(required, accepted | proposer, proposer)
    assert deal == all(accepted[a] or a == p for a in range(A) if required[a])


@given(st.integers(2, 5), st.data())
def test_the_blocker_rejects_and_is_most_opposed(A, data):
    required = data.draw(hnp.arrays(bool, A))
    accepted = data.draw(hnp.arrays(bool, A))
    proposer = np.arange(A) == data.draw(st.integers(0, A - 1))
    u = data.draw(hnp.arrays(float, A, elements=unit))
    theta = data.draw(hnp.arrays(float, A, elements=unit))
    inside = data.draw(hnp.arrays(bool, A))
    rank = np.arange(A)[::-1]
    b = rules.blocker(required, accepted, proposer, u, theta, inside, rank)
    rejecting = required & ~accepted & ~proposer
    if not rejecting.any():
        assert b == -1
        return
    assert rejecting[b]
    key = [(not inside[j], theta[j] - u[j], -rank[j]) for j in range(A)]  # larger is worse
    assert all(key[b] >= key[j] for j in np.flatnonzero(rejecting))


@given(st.integers(2, 5), st.data())
def test_rejections_count_the_required_actors_who_rejected_except_the_proposer(A, data):
    before = data.draw(hnp.arrays(float, A, elements=st.integers(0, 9).map(float)))
    required = data.draw(hnp.arrays(bool, A))
    accepted = data.draw(hnp.arrays(bool, A))
    proposer = np.arange(A) == data.draw(st.integers(0, A - 1))
    after = rules.count_rejections(before, required, accepted, proposer)
    for j in range(A):
        rejected = required[j] and not accepted[j] and not proposer[j]
        assert after[j] == before[j] + rejected


@given(preferences(), hnp.arrays(float, 6, elements=unit), hnp.arrays(float, 6, elements=unit),
       hnp.arrays(float, 5, elements=unit), st.data())
def test_an_answer_is_who_must_accept_who_accepts_the_deal_and_the_blocker(prefs, x, q, theta,
                                                                           data):
    """rules.answer puts the rules together: the proposer always accepts its own offer, every
    other actor by its threshold and red lines; a deal iff every required actor accepts."""
    ideal, weight, low, high = prefs
    A, K = ideal.shape
    x, q, theta = x[:K], q[:K], theta[:A]
    signatory = data.draw(hnp.arrays(bool, A))
    veto = data.draw(hnp.arrays(bool, (A, K)))
    p = data.draw(st.integers(0, A - 1))
    proposer = np.arange(A) == p
    u = rules.utility(x, ideal, weight)
    inside = rules.inside_red_lines(x, low, high)
    required, accepted, deal, blocker = rules.answer(u, theta, inside, signatory, veto, x, q,
                                                     proposer, np.arange(A))
    assert np.array_equal(required, rules.required(signatory, veto, rules.moved(x, q)))
    assert np.array_equal(accepted, rules.accepts(u, theta, inside) | proposer)
    assert deal == all(accepted[j] for j in range(A) if required[j])
    assert blocker == rules.blocker(required, accepted, proposer, u, theta, inside,
                                    np.arange(A))
    assert (blocker == -1) == (not np.any(required & ~accepted))


# --- no-deal point and events ---------------------------------------------------------------


@given(hnp.arrays(float, 4, elements=unit), hnp.arrays(float, 4, elements=st.floats(-1, 1)),
       hnp.arrays(float, 4, elements=unit), hnp.arrays(float, 4, elements=st.floats(-5, 5)))
def test_the_front_stays_in_zero_one_and_still_issues_do_not_move(q, drift, vol, noise):
    nxt = rules.advance_front(q, drift, vol, noise)
    assert np.all((nxt >= 0) & (nxt <= 1))
    still = rules.advance_front(q, np.zeros(4), np.zeros(4), noise)
    assert np.array_equal(still, q)


@given(st.floats(-5, 5), st.sampled_from(["add", "scale", "set"]), st.floats(-5, 5))
def test_effects_stay_in_bounds(value, op, amount):
    out = rules.apply_effect(np.array([value]), op, amount, 0.0, 1.0)
    assert 0.0 <= out[0] <= 1.0
    if op == "set":
        assert out[0] == min(max(amount, 0.0), 1.0)
