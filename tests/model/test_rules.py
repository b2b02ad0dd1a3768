"""Property tests of the agent rules (negsim.rules): each test states a rule and tries to
break it with generated inputs."""

import numpy as np
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


# --- aspiration -----------------------------------------------------------------------------


@given(st.integers(1, 200), unit, st.floats(0.01, 50.0) | st.just(np.inf))
@example(1, 0.0, 1.0)
@example(52, 1.0, 4.0)
@example(52, 0.3, np.inf)
def test_time_dependent_aspiration_falls_and_stays_between_reservation_and_one(T, r, e):
    a = rules.time_dependent_aspiration(np.arange(T), T, r, e)
    assert np.all(np.diff(a) <= 1e-15)
    assert np.all(a >= r - 1e-15) and np.all(a <= 1.0)
    if e == np.inf:
        assert np.all(a == 1.0)  # the hardliner never concedes


@given(unit, unit, st.floats(0.0, 5.0), hnp.arrays(float, 30, elements=st.floats(0.0, 1.0)))
def test_reciprocal_aspiration_falls_and_stays_between_reservation_and_one(r, initial, rate,
                                                                          received):
    a = [rules.initial_reciprocal_aspiration(r, initial)]
    for c in received:
        a.append(rules.reciprocal_aspiration(a[-1], r, rate, c))
    a = np.array(a)
    assert np.all(np.diff(a) <= 0) and np.all(a >= r) and np.all(a <= 1.0)


@given(unit, unit)
def test_received_concession_is_never_negative(new, last):
    assert rules.received_concession(new, last) >= 0
    assert rules.received_concession(new, np.nan) == 0


@given(preferences(), st.integers(0, 50), st.integers(51, 60))
def test_aspiration_dispatches_by_strategy(prefs, t, T):
    A = prefs[0].shape[0]
    strategy = np.arange(A) % 3
    r = np.full(A, 0.2)
    a = rules.aspiration(t, T, strategy, r, np.full(A, 2.0), np.full(A, 1.0), np.full(A, 0.1),
                         np.full(A, 0.7), np.full(A, 0.05))
    timed = rules.time_dependent_aspiration(t, T, 0.2, 2.0)
    reciprocal = 0.9 if t == 0 else 0.65
    expected = np.where(strategy == 0, timed, np.where(strategy == 1, reciprocal, 1.0))
    assert np.allclose(a, expected)


# --- offers ---------------------------------------------------------------------------------


@given(preferences(), st.integers(0, 4), unit, hnp.arrays(float, 5, elements=st.floats(0.1, 3)))
@example(prefs=(np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([[0.5, 0.5], [0.5, 0.5]]),
                np.zeros((2, 2)), np.ones((2, 2))), p=0, theta=0.0, capability=np.ones(5))
def test_logrolled_offer_meets_the_proposers_threshold_inside_its_red_lines(prefs, p, theta,
                                                                            capability):
    ideal, weight, low, high = prefs
    A, K = ideal.shape
    assume(p < A)
    others = np.arange(A) != p
    goal, gain = rules.target(ideal, weight, capability[:A], others)
    x = rules.logroll_offer(ideal[p], weight[p], theta, goal, gain, low[p], high[p],
                            np.arange(K))
    u = rules.utility(x, ideal[p:p + 1], weight[p:p + 1])[0]
    assert u >= theta - 1e-9
    assert np.all((x >= 0) & (x <= 1))
    assert np.all((x >= low[p]) & (x <= high[p]))


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


@given(preferences(), unit, st.integers(0, 4))
def test_mediated_text_is_a_mix_of_target_and_mediator_inside_its_red_lines(prefs, b, m):
    ideal, weight, low, high = prefs
    A, K = ideal.shape
    assume(m < A)
    goal, _ = rules.target(ideal, weight, np.ones(A), np.arange(A) != m)
    x = rules.mediated_text(ideal[m], b, goal, low[m], high[m])
    g = np.where(np.isnan(goal), ideal[m], goal)
    unclipped = (1 - b) * g + b * ideal[m]
    assert np.allclose(x, np.clip(unclipped, low[m], high[m]))
    assert np.all((x >= low[m]) & (x <= high[m]))


@given(hnp.arrays(float, 4, elements=st.floats(0.1, 3)), hnp.arrays(float, 4, elements=
       st.integers(0, 10).map(float)), st.floats(0.0, 1.0))
def test_leaning_weights_grow_with_rejections(capability, rejections, lean):
    pull = rules.leaning_pull(capability, rejections, lean)
    more = rules.leaning_pull(capability, rejections + 1, lean)
    assert np.all(more >= pull) and np.all(pull >= capability)


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
