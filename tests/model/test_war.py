"""Property tests of the value of war and the floor (negsim.model.war): each test states a
rule of docs/design.md section 3 ("Value of war") and tries to break it with generated inputs.

    y_hat_ik(t) = clip(q_k(t) + H mu_hat_ik(t), 0, 1),   W_i(t) = u_i(y_hat_i(t)) - kappa_i H,
    f_i(t) = max(r_i, W_i(t))
"""

import numpy as np
from hypothesis import assume, example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from negsim.model import rules, war

unit = st.floats(0.0, 1.0, allow_nan=False)
drift = st.floats(-0.1, 0.1, allow_nan=False)
horizon = st.floats(0.0, 60.0, allow_nan=False)
cost = st.floats(0.0, 0.05, allow_nan=False)


@st.composite
def actors(draw, A=None, K=None):
    """Ideals and normalised saliences of A actors over K issues."""
    A = A or draw(st.integers(1, 4))
    K = K or draw(st.integers(1, 4))
    ideal = draw(hnp.arrays(float, (A, K), elements=unit))
    raw = draw(hnp.arrays(float, (A, K), elements=st.floats(0.0, 3.0)))
    raw[:, 0] += 1e-3
    return ideal, raw / raw.sum(axis=1, keepdims=True)


def one(ideal, q, estimate, kappa, H):
    """W of one actor on one issue, by hand."""
    return 1.0 - abs(min(max(q + H * estimate, 0.0), 1.0) - ideal) - kappa * H


@given(unit, unit, drift, cost, horizon)
@example(1.0, 0.75, 0.002, 0.004, 26.0)  # 1 - |0.802 - 1| - 0.104 = 0.698
@example(0.0, 0.9, 0.01, 0.0, 26.0)  # the front would pass 1: clipped
def test_the_value_of_war_is_the_utility_of_the_expected_front_less_the_cost(p, q, mu, kappa,
                                                                            H):
    value = war.value_of_war(np.array([q]), np.array([[mu]]), np.array([[p]]), np.array([[1.0]]),
                             np.array([kappa]), H)
    assert value.shape == (1,)
    assert np.isclose(value[0], one(p, q, mu, kappa, H), rtol=0, atol=1e-12)


def test_a_hand_computed_value_of_war():
    # two issues, the second off the front (estimate 0): y_hat = (0.802, 0.5)
    value = war.value_of_war(np.array([0.75, 0.5]), np.array([[0.002, 0.0]]),
                             np.array([[1.0, 0.0]]), np.array([[0.6, 0.4]]), np.array([0.004]),
                             26.0)
    assert np.isclose(value[0], 0.6 * (1 - 0.198) + 0.4 * (1 - 0.5) - 0.104, atol=1e-12)


@given(actors(), st.data(), horizon)
def test_the_expected_front_stays_in_the_unit_interval_and_off_the_front_stays_put(prefs, data,
                                                                                  H):
    ideal, weight = prefs
    A, K = ideal.shape
    q = data.draw(hnp.arrays(float, K, elements=unit))
    estimate = data.draw(hnp.arrays(float, (A, K), elements=drift))
    off = data.draw(hnp.arrays(bool, K))
    estimate[:, off] = 0.0
    expected = war.expected_front(q, estimate, H)
    assert expected.shape == (A, K)
    assert np.all((expected >= 0.0) & (expected <= 1.0))
    assert np.array_equal(expected[:, off], np.broadcast_to(q[off], (A, off.sum())))
    value = war.value_of_war(q, estimate, ideal, weight, np.zeros(A), H)
    assert np.allclose(value, rules.own_utility(expected, ideal, weight), atol=1e-12)


@given(actors(), st.data(), horizon, cost, cost)
def test_the_value_of_war_falls_with_the_cost_of_war(prefs, data, H, k1, k2):
    ideal, weight = prefs
    A, K = ideal.shape
    q = data.draw(hnp.arrays(float, K, elements=unit))
    estimate = data.draw(hnp.arrays(float, (A, K), elements=drift))
    low, high = sorted([k1, k2])
    cheap = war.value_of_war(q, estimate, ideal, weight, np.full(A, low), H)
    dear = war.value_of_war(q, estimate, ideal, weight, np.full(A, high), H)
    assert np.all(dear <= cheap + 1e-15)
    assert np.allclose(cheap - dear, (high - low) * H, atol=1e-12)  # by kappa H exactly


@given(unit, unit, drift, drift, cost, horizon)
def test_a_side_whose_belief_moves_the_front_its_way_values_war_more(p, q, m1, m2, kappa, H):
    # one issue, ideal p: a belief that moves the expected front toward p (not past it)
    # makes fighting on worth more
    toward = np.sign(p - q)
    assume(toward != 0)
    a, b = sorted([toward * m1, toward * m2])  # b moves the front further toward p than a
    near, far = toward * b, toward * a
    assume(toward * (q + H * near - p) <= 0)  # the nearer belief does not overshoot p
    values = war.value_of_war(np.array([q]), np.array([[far], [near]]), np.array([[p], [p]]),
                              np.ones((2, 1)), np.full(2, kappa), H)
    assert values[1] >= values[0] - 1e-12


@given(drift, drift, unit, cost, horizon)
def test_at_the_ends_of_the_scale_the_value_of_war_is_monotone_in_the_belief(m1, m2, q, kappa, H):
    # the side whose ideal is 1 gains when the front is believed to move up, the other loses
    low, high = sorted([m1, m2])
    values = war.value_of_war(np.array([q]), np.array([[low], [high], [low], [high]]),
                              np.array([[1.0], [1.0], [0.0], [0.0]]), np.ones((4, 1)),
                              np.full(4, kappa), H)
    assert values[1] >= values[0] - 1e-12
    assert values[3] <= values[2] + 1e-12


@given(hnp.arrays(float, 6, elements=unit), hnp.arrays(float, 6, elements=st.floats(-2.0, 1.0)))
def test_the_floor_is_the_larger_of_reservation_and_value_of_war(r, w):
    f = war.floor(r, w)
    assert np.all(f >= r) and np.all(f >= w)
    assert np.all((f == r) | (f == w))


@given(actors(), st.data(), st.integers(1, 6))
def test_a_batch_gives_each_run_its_own_value_of_war(prefs, data, N):
    ideal, weight = prefs
    A, K = ideal.shape
    q = data.draw(hnp.arrays(float, (K, N), elements=unit))
    estimate = data.draw(hnp.arrays(float, (A, K, N), elements=drift))
    kappa = data.draw(hnp.arrays(float, (A, N), elements=cost))
    horizons = data.draw(hnp.arrays(float, N, elements=horizon))
    ideal_n = np.repeat(ideal[..., None], N, axis=-1)
    weight_n = np.repeat(weight[..., None], N, axis=-1)
    batch = war.value_of_war(q, estimate, ideal_n, weight_n, kappa, horizons)
    for r in range(N):
        single = war.value_of_war(q[:, r], estimate[..., r], ideal, weight, kappa[:, r],
                                  horizons[r])
        assert np.allclose(batch[:, r], single, rtol=0, atol=1e-15)


def test_each_round_values_war_at_that_rounds_front_and_beliefs():
    # the engines assess the war at the front of the round they are in: W, the floor and the
    # belief in the trace are those of the formulas at q(t)
    from negsim.abm import play
    from negsim.scenario import load_scenario_data

    def side(ideal, drift, r):
        return {"name": "x", "role": "party", "signatory": True, "ideal": {"land": ideal},
                "salience": {"land": 1.0}, "capability": 1.0, "reservation": r,
                "war_cost": 0.004, "beliefs": {"land": {"drift": drift, "weight": 10}},
                "strategy": {"type": "hardliner"}}
    scenario = load_scenario_data({
        "name": "w", "title": "w",
        "issues": {"land": {"label": "L", "zero": "0", "one": "1", "status_quo": 0.5,
                            "contested": True}},
        "actors": {"north": side(1.0, 0.01, 0.2), "south": side(0.0, -0.01, 0.3)},
        "protocol": {"type": "alternating", "max_rounds": 30, "horizon": 12},
        "battlefield": {"land": {"drift": 0.005, "volatility": 0.02}}})
    rounds = play(scenario, 3, 0).trace
    q0 = rounds[0]["no_deal"]["land"]
    assert len({r["no_deal"]["land"] for r in rounds}) > 20  # the front moved
    for t, r in enumerate(rounds):
        q = r["no_deal"]["land"]
        for name, p, m, n, reservation in (("north", 1.0, 0.01, 10, 0.2),
                                           ("south", 0.0, -0.01, 10, 0.3)):
            seen = r["actors"][name]
            belief = (n * m + q - q0) / (n + t)
            value = one(p, q, belief, 0.004, 12)
            assert np.isclose(seen["belief"]["land"], belief, rtol=0, atol=1e-12)
            assert np.isclose(seen["war"], value, rtol=0, atol=1e-12)
            assert np.isclose(seen["floor"], max(reservation, value), rtol=0, atol=1e-12)
