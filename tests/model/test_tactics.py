"""Property tests of demands and the acceptance threshold (negsim.model.tactics): each test
states a rule of docs/design.md section 3 ("Demand", "Acceptance threshold") and tries to break it.

    a(t) = f + (1 - f)(1 - tau^e),  tau(t) = min(1, (t + 1) / (P + 1))       (time-dependent)
    theta(t) = max(f, (1 - h) a(t+1) + h W - kappa)
"""

import numpy as np
from hypothesis import assume, example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from negsim.model import tactics
from negsim.model.rules import HARDLINER, RECIPROCAL, TIME_DEPENDENT

unit = st.floats(0.0, 1.0, allow_nan=False)
exponent = st.floats(0.05, 50.0, allow_nan=False)
patience = st.integers(0, 200) | st.floats(0.0, 200.0, allow_nan=False)
cost = st.floats(0.0, 0.05, allow_nan=False)


# --- concession time and the time-dependent demand ----------------------------------------------


@given(st.integers(0, 500), patience)
def test_concession_time_counts_rounds_to_patience_and_then_stays_at_one(t, P):
    tau = tactics.concession_time(t, P)
    assert np.isclose(tau, min(1.0, (t + 1) / (P + 1)), rtol=1e-15)
    assert 0.0 < tau <= 1.0
    if t >= P:
        assert tau == 1.0


@given(unit, exponent, patience)
@example(0.3, 2.0, 0)  # patience 0: at the floor at once
@example(0.0, 1.0, 52)
def test_the_time_dependent_demand_falls_from_near_one_to_the_floor_by_round_P(f, e, P):
    t = np.arange(0, int(np.ceil(P)) + 30)
    a = tactics.time_dependent_demand(t, f, e, P)
    assert np.all(np.diff(a) <= 1e-15)  # it never rises
    assert np.all(a >= f) and np.all(a <= 1.0)  # never below the floor, never above 1
    assert np.all(a[t >= P] == f)  # at the floor from round P on
    # a(0) is 1 less the first step of the concession: (1 - f)(1 / (P + 1))^e
    assert np.isclose(a[0], 1.0 - (1.0 - f) * (1.0 / (P + 1.0)) ** e, rtol=1e-12, atol=1e-15)
    # a hand-computed round in between
    s = min(int(P) // 2, len(t) - 1)
    tau = min(1.0, (s + 1) / (P + 1))
    assert np.isclose(a[s], f + (1 - f) * (1 - tau**e), rtol=1e-12, atol=1e-15)


@given(unit, st.floats(1.0, 50.0), st.floats(0.05, 1.0), st.integers(1, 100))
def test_boulware_concedes_later_than_conceder(f, boulware, conceder, P):
    t = np.arange(P + 1)
    assert np.all(tactics.time_dependent_demand(t, f, boulware, P)
                  >= tactics.time_dependent_demand(t, f, conceder, P) - 1e-15)


@given(unit, unit, exponent, st.integers(1, 100), st.integers(0, 100))
def test_the_demand_rises_with_the_floor(f1, f2, e, P, t):
    low, high = sorted([f1, f2])
    assert (tactics.time_dependent_demand(t, high, e, P)
            >= tactics.time_dependent_demand(t, low, e, P) - 1e-15)


@given(unit, exponent, st.integers(1, 100), st.integers(0, 100))
def test_more_patience_never_lowers_the_demand(f, e, P, t):
    assert (tactics.time_dependent_demand(t, f, e, P + 1)
            >= tactics.time_dependent_demand(t, f, e, P) - 1e-15)


# --- strategies ----------------------------------------------------------------------------------


@given(hnp.arrays(float, 5, elements=unit), st.integers(0, 100), st.integers(0, 30))
def test_the_hardliner_always_demands_everything(f, t, P):
    strategy = np.full(5, HARDLINER)
    inf, zero = np.full(5, np.inf), np.zeros(5)
    a = tactics.demand(t, strategy, f, inf, np.full(5, P), zero, zero, zero, zero)
    upcoming = tactics.next_demand(t, strategy, f, inf, np.full(5, P), zero, a, zero)
    assert np.all(a == 1.0) and np.all(upcoming == 1.0)


@given(unit, unit, st.floats(0.0, 5.0),
       hnp.arrays(float, 30, elements=st.floats(0.0, 1.0)),
       hnp.arrays(float, 31, elements=unit))
def test_the_reciprocal_demand_is_floored_at_the_floor_and_never_rises(f0, initial, rate, received,
                                                                       floors):
    # with a constant floor it never rises; with any floor it stays in [f(t), 1]
    a = [float(tactics.initial_reciprocal_demand(f0, initial))]
    assert a[0] == max(f0, 1.0 - initial)
    for c in received:
        a.append(float(tactics.reciprocal_demand(a[-1], f0, rate, c)))
    assert np.all(np.diff(a) <= 0) and np.all(np.array(a) >= f0) and np.all(np.array(a) <= 1)
    b = [float(tactics.initial_reciprocal_demand(floors[0], initial))]
    for c, f in zip(received, floors[1:], strict=True):
        b.append(float(tactics.reciprocal_demand(b[-1], f, rate, c)))
        assert f <= b[-1] <= 1.0
        assert b[-1] == min(1.0, max(f, b[-2] - rate * c))


@given(st.integers(0, 60), hnp.arrays(float, 3, elements=unit), st.floats(0.1, 10.0),
       st.integers(0, 60), st.floats(0.0, 3.0), st.floats(0.0, 0.5), unit, unit)
def test_demand_and_next_demand_dispatch_by_strategy(t, f, e, P, rate, initial, previous, received):
    strategy = np.array([TIME_DEPENDENT, RECIPROCAL, HARDLINER])
    exponents = np.array([e, np.nan, np.inf])
    patiences = np.array([P, 0.0, 0.0])
    rates = np.array([0.0, rate, 0.0])
    initials = np.array([0.0, initial, 0.0])
    prev = np.full(3, previous)
    rec = np.full(3, received)
    a = tactics.demand(t, strategy, f, exponents, patiences, rates, initials, prev, rec)
    assert np.isclose(a[0], tactics.time_dependent_demand(t, f[0], e, P), rtol=1e-15, atol=0)
    expected = (tactics.initial_reciprocal_demand(f[1], initial) if t == 0
                else tactics.reciprocal_demand(previous, f[1], rate, received))
    assert a[1] == expected
    assert a[2] == 1.0
    upcoming = tactics.next_demand(t, strategy, f, exponents, patiences, rates, a, rec)
    # a(t+1) as seen today: the time-dependent tactic one round on with today's floor, the
    # reciprocal answer to this round's concession
    assert np.isclose(upcoming[0], tactics.time_dependent_demand(t + 1, f[0], e, P), rtol=1e-15,
                      atol=0)
    assert upcoming[1] == tactics.reciprocal_demand(a[1], f[1], rate, received)
    assert upcoming[2] == 1.0


# --- the acceptance threshold ------------------------------------------------------------------


@given(unit, unit, st.floats(-1.0, 1.0), cost, unit)
def test_the_threshold_is_never_below_the_floor_and_is_the_value_of_waiting(f, upcoming, W, kappa,
                                                                         h):
    assume(W <= f)  # the floor is max(r, W)
    theta = tactics.threshold(f, upcoming, W, kappa, h)
    assert theta >= f
    assert np.isclose(theta, max(f, (1 - h) * upcoming + h * W - kappa), rtol=0, atol=1e-15)


@given(unit, unit, st.floats(-1.0, 1.0), cost, unit, unit)
@example(0.4, 0.9, 0.3, 0.0, 0.0, 0.5)
def test_the_threshold_falls_as_the_hazard_rises_when_demand_exceeds_the_value_of_war(
        f, upcoming, W, kappa, h1, h2):
    assume(W <= f <= upcoming)  # a(t+1) >= f >= W
    low, high = sorted([h1, h2])
    calm = tactics.threshold(f, upcoming, W, kappa, low)
    threatened = tactics.threshold(f, upcoming, W, kappa, high)
    assert threatened <= calm + 1e-15
    waiting = (1 - low) * upcoming + low * W - kappa
    if waiting > f + 1e-9 and (high - low) * (upcoming - W) > 1e-9:
        assert threatened < calm  # strictly while the floor does not bind


@given(unit, unit, st.floats(-1.0, 1.0), cost, cost, unit)
def test_the_threshold_falls_with_the_cost_of_one_more_round(f, upcoming, W, k1, k2, h):
    assume(W <= f)
    low, high = sorted([k1, k2])
    assert (tactics.threshold(f, upcoming, W, high, h)
            <= tactics.threshold(f, upcoming, W, low, h) + 1e-15)
    waiting = (1 - h) * upcoming + h * W
    if waiting - high > f:  # where the floor does not bind, exactly by the cost
        assert np.isclose(tactics.threshold(f, upcoming, W, low, h)
                          - tactics.threshold(f, upcoming, W, high, h), high - low, atol=1e-12)


@given(unit, st.floats(-1.0, 1.0), cost, exponent, st.integers(0, 100))
def test_with_patience_zero_and_no_hazard_the_threshold_is_the_floor(r, W, kappa, e, t):
    f = max(r, W)
    upcoming = tactics.next_demand(t, np.array([TIME_DEPENDENT]), np.array([f]), np.array([e]),
                                   np.array([0.0]), np.zeros(1), np.array([f]), np.zeros(1))
    assert upcoming[0] == f
    assert tactics.threshold(np.array([f]), upcoming, np.array([W]), np.array([kappa]), 0.0)[0] == f


def test_a_hand_computed_threshold():
    # f = 0.5, a(t+1) = 0.8, W = 0.45, kappa = 0.01, h = 0.25:
    # max(0.5, 0.75 * 0.8 + 0.25 * 0.45 - 0.01) = 0.7025
    assert np.isclose(tactics.threshold(0.5, 0.8, 0.45, 0.01, 0.25), 0.7025, atol=1e-15)
    # the same with h = 1: waiting is worth W - kappa = 0.44 < f, so the floor
    assert tactics.threshold(0.5, 0.8, 0.45, 0.01, 1.0) == 0.5
