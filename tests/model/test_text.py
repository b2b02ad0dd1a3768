"""Property tests of the mediator's single negotiating text (negsim.model.text): each test
states a rule of docs/design.md section 3 ("Mediated protocol") and tries to break it.

    x(0) = Pi[(1 - b) g + b p_m],   x(t+1) = Pi[x(t) + eta sum_j omega_j delta_j]
"""

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from negsim.model import rules, text

unit = st.floats(0.0, 1.0, allow_nan=False)
eta = st.floats(0.01, 1.0, allow_nan=False)


@st.composite
def table(draw, A=None, K=None):
    """A text x, and ideals, normalised weights and red lines (around the ideals) of A actors."""
    A = A or draw(st.integers(1, 4))
    K = K or draw(st.integers(1, 5))
    x = draw(hnp.arrays(float, K, elements=unit))
    ideal = draw(hnp.arrays(float, (A, K), elements=unit))
    raw = draw(hnp.arrays(float, (A, K), elements=st.floats(0.0, 3.0)))
    raw[:, 0] += 1e-3
    weight = raw / raw.sum(axis=1, keepdims=True)
    low = ideal * draw(hnp.arrays(float, (A, K), elements=unit))
    high = ideal + (1 - ideal) * draw(hnp.arrays(float, (A, K), elements=unit))
    return x, ideal, weight, low, high


def u(x, ideal, weight):
    """Every actor's utility of x."""
    return rules.utility(np.asarray(x), ideal, weight)


def lone(A, j):
    rejected = np.zeros(A, dtype=bool)
    rejected[j] = True
    return rejected


# --- the redraft ---------------------------------------------------------------------------------


@given(table(), st.data(), eta)
def test_a_lone_rejecters_utility_does_not_fall_after_a_redraft(tab, data, step):
    # whatever binds (the mediator's red lines or floor, the rejecter's own red lines), the
    # redraft never moves the text away from the lone rejecter's ideal on any issue
    x, ideal, weight, low, high = tab
    A, K = ideal.shape
    j = data.draw(st.integers(0, A - 1))
    theta = data.draw(hnp.arrays(float, A, elements=unit))
    med_ideal = data.draw(hnp.arrays(float, K, elements=unit))
    med_low = np.minimum(x, data.draw(hnp.arrays(float, K, elements=unit)))
    med_high = np.maximum(x, data.draw(hnp.arrays(float, K, elements=unit)))
    med_floor = float(u(x, med_ideal[None], np.full((1, K), 1 / K))[0]) * data.draw(unit)
    direction = text.redraft_direction(x, ideal, weight, theta, low, high, lone(A, j),
                                       np.ones(A), step)
    new = text.constrain(x, direction, med_ideal, np.full(K, 1 / K), med_floor, med_low, med_high)
    assert np.all(np.abs(new - ideal[j]) <= np.abs(x - ideal[j]) + 1e-12)
    assert u(new, ideal, weight)[j] >= u(x, ideal, weight)[j] - 1e-12


@given(table(), st.data(), eta)
def test_a_lone_rejecters_utility_strictly_rises_when_nothing_binds(tab, data, step):
    x, ideal, weight, _, _ = tab
    A, K = ideal.shape
    j = data.draw(st.integers(0, A - 1))
    low, high = np.zeros((A, K)), np.ones((A, K))  # no red lines
    theta = np.full(A, 0.999)
    before = u(x, ideal, weight)[j]
    assume(before < theta[j] - 1e-9)  # j falls short
    direction = text.redraft_direction(x, ideal, weight, theta, low, high, lone(A, j),
                                       np.ones(A), step)
    # a mediator without interests (floor -inf) and without red lines
    new = text.constrain(x, direction, np.full(K, 0.5), np.full(K, 1 / K), -np.inf, np.zeros(K),
                         np.ones(K))
    assert u(new, ideal, weight)[j] > before


@given(table(), st.data())
def test_one_full_step_closes_a_lone_rejecters_shortfall_when_it_stops_short_of_its_ideal(tab,
                                                                                          data):
    # eta = 1 and no issue reaches j's ideal: u_j(x + delta_j) = theta_j, the linear step is
    # exact; with eta < 1 the shortfall left is (1 - eta) s_j
    x, ideal, weight, low, high = tab
    A, K = ideal.shape
    j = data.draw(st.integers(0, A - 1))
    low, high = np.zeros((A, K)), np.ones((A, K))
    before = u(x, ideal, weight)[j]
    assume(before < 1.0 - 1e-6)
    theta = np.full(A, before + (1.0 - before) * data.draw(st.floats(1e-6, 0.99)))
    step = data.draw(eta)
    full = text.redraft_direction(x, ideal, weight, theta, low, high, lone(A, j), np.ones(A), 1.0)
    assume(np.all((np.abs(full) < np.abs(ideal[j] - x) - 1e-9)
                  | (weight[j] == 0) | (ideal[j] == x)))  # at the ideal: no product (underflow)
    assert np.isclose(u(x + full, ideal, weight)[j], theta[j], rtol=0, atol=1e-12)
    part = text.redraft_direction(x, ideal, weight, theta, low, high, lone(A, j), np.ones(A), step)
    shortfall = theta[j] - u(x + part, ideal, weight)[j]
    assert np.isclose(shortfall, (1.0 - step) * (theta[j] - before), rtol=0, atol=1e-12)


@given(table(), st.data())
def test_a_full_step_brings_a_lone_rejecter_to_its_threshold_red_lines_included(tab, data):
    # the text is moved onto j's red lines, then by the step that closes the shortfall left
    # there; short of j's ideal, u_j of the new text is theta_j exactly
    x, ideal, weight, low, high = tab
    A, K = ideal.shape
    j = data.draw(st.integers(0, A - 1))
    on_line = np.clip(x, low[j], high[j])
    there = u(on_line, ideal, weight)[j]
    assume(there < 1.0 - 1e-6)
    theta = np.full(A, there + (1.0 - there) * data.draw(st.floats(1e-6, 0.99)))
    full = text.redraft_direction(x, ideal, weight, theta, low, high, lone(A, j), np.ones(A), 1.0)
    new = x + full
    assume(np.all((np.abs(new - on_line) < np.abs(ideal[j] - on_line) - 1e-9)
                  | (weight[j] == 0) | (ideal[j] == on_line)))  # at the ideal (no underflow)
    assert np.isclose(u(new, ideal, weight)[j], theta[j], rtol=0, atol=1e-12)
    assert rules.inside_red_lines(new, low[j:j + 1], high[j:j + 1])[0]


@given(table(), st.data())
def test_the_step_stops_at_the_rejecters_ideal(tab, data):
    x, ideal, weight, low, high = tab
    A, K = ideal.shape
    theta = data.draw(hnp.arrays(float, A, elements=st.floats(0.0, 5.0)))  # even out of reach
    steps = text.rejecter_steps(x, ideal, weight, theta, np.zeros((A, K)), np.ones((A, K)))
    moved = x[None] + steps
    # each actor's step goes toward its ideal, never past it
    assert np.all(np.abs(moved - ideal) <= np.abs(x[None] - ideal) + 1e-12)
    assert np.all((moved - ideal) * (x[None] - ideal) >= -1e-12)


@given(table(), st.data())
def test_a_red_line_rejection_moves_the_text_onto_the_red_line(tab, data):
    # a lone rejecter whose red lines the text breaches, and who has no shortfall once they
    # hold: a full step puts the text exactly onto its red lines
    x, ideal, weight, low, high = tab
    A, K = ideal.shape
    j = data.draw(st.integers(0, A - 1))
    breach = (x < low[j]) | (x > high[j])
    assume(breach.any())
    theta = np.full(A, -1.0)  # no shortfall: only the red lines make j reject
    direction = text.redraft_direction(x, ideal, weight, theta, low, high, lone(A, j), np.ones(A),
                                       1.0)
    new = text.constrain(x, direction, np.full(K, 0.5), np.full(K, 1 / K), -np.inf, np.zeros(K),
                         np.ones(K))
    assert np.allclose(new, np.clip(x, low[j], high[j]), rtol=0, atol=1e-15)
    assert rules.inside_red_lines(new, low[j:j + 1], high[j:j + 1])[0]
    # with a shortfall left beyond the line, the text ends inside the line, never outside it
    theta = np.full(A, 0.999)
    direction = text.redraft_direction(x, ideal, weight, theta, low, high, lone(A, j), np.ones(A),
                                       1.0)
    assert rules.inside_red_lines(x + direction, low[j:j + 1], high[j:j + 1])[0]
    on_line = np.clip(x, low[j], high[j])
    assert np.all(np.abs(x + direction - ideal[j]) <= np.abs(on_line - ideal[j]) + 1e-12)


@given(table(), st.data(), eta)
def test_eta_scales_the_step(tab, data, step):
    x, ideal, weight, low, high = tab
    A = ideal.shape[0]
    theta = data.draw(hnp.arrays(float, A, elements=unit))
    rejected = data.draw(hnp.arrays(bool, A))
    capability = data.draw(hnp.arrays(float, A, elements=st.floats(0.1, 3.0)))
    full = text.redraft_direction(x, ideal, weight, theta, low, high, rejected, capability, 1.0)
    scaled = text.redraft_direction(x, ideal, weight, theta, low, high, rejected, capability, step)
    assert np.allclose(scaled, step * full, rtol=1e-12, atol=1e-15)


@given(table(), st.data())
def test_rejecters_pull_in_proportion_to_capability_and_nobody_else_pulls(tab, data):
    x, ideal, weight, low, high = tab
    A, K = ideal.shape
    theta = data.draw(hnp.arrays(float, A, elements=unit))
    rejected = data.draw(hnp.arrays(bool, A))
    capability = data.draw(hnp.arrays(float, A, elements=st.floats(0.1, 3.0)))
    direction = text.redraft_direction(x, ideal, weight, theta, low, high, rejected, capability,
                                       1.0)
    if not rejected.any():
        assert np.all(direction == 0.0)
        return
    steps = text.rejecter_steps(x, ideal, weight, theta, low, high)
    omega = np.where(rejected, capability, 0.0) / capability[rejected].sum()
    assert np.allclose(direction, (omega[:, None] * steps).sum(axis=0), rtol=1e-12, atol=1e-15)


# --- the mediator's constraints ------------------------------------------------------------------


@given(st.integers(1, 5), st.data())
def test_the_mediator_never_puts_forward_a_text_below_its_floor_when_its_last_one_met_it(K, data):
    base = data.draw(hnp.arrays(float, K, elements=unit))
    direction = data.draw(hnp.arrays(float, K, elements=st.floats(-1.0, 1.0)))
    ideal = data.draw(hnp.arrays(float, K, elements=unit))
    raw = data.draw(hnp.arrays(float, K, elements=st.floats(0.0, 3.0)))
    raw[0] += 1e-3
    weight = raw / raw.sum()
    low = np.minimum(base, data.draw(hnp.arrays(float, K, elements=unit)))
    high = np.maximum(base, data.draw(hnp.arrays(float, K, elements=unit)))
    own = float(rules.utility(base, ideal[None], weight[None])[0])
    floor = own * data.draw(unit)  # the last text met the floor
    new = text.constrain(base, direction, ideal, weight, floor, low, high)
    assert rules.utility(new, ideal[None], weight[None])[0] >= floor - rules.EPS
    assert np.all((new >= low) & (new <= high))
    # it shortens the step to the largest of 1, 1/2, 1/4, ... that meets its floor, or stands
    candidates = [1.0 / 2**i for i in range(text.SHORTEN_STEPS + 1)]
    for lam in candidates:
        trial = np.clip(base + lam * direction, low, high)
        if rules.utility(trial, ideal[None], weight[None])[0] >= floor - rules.EPS:
            assert np.allclose(new, trial, rtol=0, atol=1e-15)
            break
    else:
        assert np.array_equal(new, base)


def test_a_hand_computed_redraft():
    # one issue, text 0.2, a lone rejecter with ideal 0.9 and threshold 0.6 (u = 0.3, short by
    # 0.3): a full step moves the text to 0.5, half a step to 0.35
    args = (np.array([[0.9]]), np.array([[1.0]]), np.array([0.6]), np.zeros((1, 1)),
            np.ones((1, 1)), np.array([True]), np.array([1.0]))
    assert np.allclose(text.redraft_direction(np.array([0.2]), *args, 1.0), [0.3])
    assert np.allclose(text.redraft_direction(np.array([0.2]), *args, 0.5), [0.15])
    # a threshold out of reach: the step stops at the ideal
    args = (np.array([[0.9]]), np.array([[1.0]]), np.array([2.0])) + args[3:]
    assert np.allclose(text.redraft_direction(np.array([0.2]), *args, 1.0), [0.7])


def test_a_hand_computed_shortening():
    # mediator ideal 0.5 on one issue, floor 0.8, text at 0.5 asked to move by +0.6: the move
    # of 0.6 (u = 0.4) and 0.3 (u = 0.7) fall short, 0.15 (u = 0.85) is taken
    new = text.constrain(np.array([0.5]), np.array([0.6]), np.array([0.5]), np.array([1.0]), 0.8,
                         np.zeros(1), np.ones(1))
    assert np.allclose(new, [0.65])
    # asked to move by +0.3: the full move (u = 0.7) falls short, half of it (u = 0.85) is taken
    new = text.constrain(np.array([0.5]), np.array([0.3]), np.array([0.5]), np.array([1.0]), 0.8,
                         np.zeros(1), np.ones(1))
    assert np.allclose(new, [0.65])
    # a mediator whose floor no move meets keeps its text
    new = text.constrain(np.array([0.5]), np.array([0.6]), np.array([0.5]), np.array([1.0]),
                         1.0 + 1e-6, np.zeros(1), np.ones(1))
    assert np.array_equal(new, [0.5])


@given(st.integers(1, 5), st.data())
def test_the_first_text_mixes_target_and_mediator_and_respects_the_mediators_floor(K, data):
    ideal = data.draw(hnp.arrays(float, K, elements=unit))
    goal = data.draw(hnp.arrays(float, K, elements=unit | st.just(np.nan)))
    b = data.draw(unit)
    raw = data.draw(hnp.arrays(float, K, elements=st.floats(0.0, 3.0)))
    raw[0] += 1e-3
    weight = raw / raw.sum()
    low = np.minimum(ideal, data.draw(hnp.arrays(float, K, elements=unit)))
    high = np.maximum(ideal, data.draw(hnp.arrays(float, K, elements=unit)))
    opening = text.opening_text(ideal, b, goal)
    g = np.where(np.isnan(goal), ideal, goal)
    assert np.allclose(opening, (1 - b) * g + b * ideal, rtol=0, atol=1e-15)
    # without a binding floor: the opening text, inside the mediator's red lines
    free = text.first_text(ideal, weight, -np.inf, b, goal, low, high)
    assert np.allclose(free, np.clip(opening, low, high), rtol=0, atol=1e-12)
    # with a floor: never below it (the mediator's ideal meets any floor up to 1)
    floor = data.draw(unit)
    first = text.first_text(ideal, weight, floor, b, goal, low, high)
    assert rules.utility(first, ideal[None], weight[None])[0] >= floor - rules.EPS
    assert np.all((first >= low) & (first <= high))


@given(table(A=3), st.integers(1, 6), st.data())
def test_a_batch_gives_each_run_its_own_redraft(tab, N, data):
    _, ideal, weight, low, high = tab
    A, K = ideal.shape
    xs = data.draw(hnp.arrays(float, (K, N), elements=unit))
    theta = data.draw(hnp.arrays(float, (A, N), elements=unit))
    rejected = data.draw(hnp.arrays(bool, (A, N)))
    capability = np.ones((A, N))
    step = data.draw(hnp.arrays(float, N, elements=eta))
    rep = lambda a: np.repeat(a[..., None], N, axis=-1)  # noqa: E731
    batch = text.redraft_direction(xs, rep(ideal), rep(weight), theta, rep(low), rep(high),
                                   rejected, capability, step)
    for r in range(N):
        one = text.redraft_direction(xs[:, r], ideal, weight, theta[:, r], low, high,
                                     rejected[:, r], capability[:, r], step[r])
        assert np.array_equal(batch[:, r], one)
