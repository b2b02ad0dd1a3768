"""Nash and Kalai-Smorodinsky solutions: closed forms (docs/solutions.md), the axioms, and
batch independence."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from negsim.solutions import axiomatic as ax
from negsim.solutions.problem import bargaining, utilities

TOL = 1e-6


def one_issue(d1, d2, high=1.0):
    """Actor 1 wants 0, actor 2 wants 1, on one issue; actor 1 will not go above ``high``."""
    ideal = np.array([[[0.0], [1.0]]])
    red_high = np.array([[[high], [1.0]]])
    return bargaining(ideal, np.ones((1, 2, 1)), np.zeros((1, 2, 1)), red_high,
                      np.array([[d1, d2]]))


@pytest.mark.parametrize("d1,d2", [(0.2, 0.1), (0.0, 0.5), (0.45, 0.05)])
def test_nash_on_one_issue_splits_the_surplus(d1, d2):
    """u1 = 1 - x, u2 = x: (1 - x - d1)(x - d2) peaks at x = (1 + d2 - d1) / 2."""
    problem = one_issue(d1, d2)
    found = ax.bargaining_range(problem)
    assert found.margin[0] == pytest.approx((1 - d1 - d2) / 2, abs=TOL)
    assert ax.nash(problem, found)[0, 0] == pytest.approx((1 + d2 - d1) / 2, abs=TOL)


def test_kalai_smorodinsky_on_one_issue_with_a_red_line():
    """Actor 1 refuses x > h = 0.6, so actor 2's best is h - d2 above its disagreement value
    while actor 1's is 1 - d2 - d1: KS puts x = d2 + g2 (1 - d1 - d2) / (g1 + g2)."""
    d1, d2, h = 0.2, 0.1, 0.6
    problem = one_issue(d1, d2, high=h)
    found = ax.bargaining_range(problem)
    g1, g2 = 1 - d2 - d1, h - d2
    np.testing.assert_allclose(ax.utopia(problem, found)[0], [g1, g2], atol=TOL)
    expected = d2 + g2 * (1 - d1 - d2) / (g1 + g2)
    assert ax.kalai_smorodinsky(problem, found)[0, 0] == pytest.approx(expected, abs=TOL)
    assert ax.nash(problem, found)[0, 0] == pytest.approx((1 + d2 - d1) / 2, abs=TOL)


@pytest.mark.parametrize("a1,a2", [(1.0, 3.0), (2.0, 0.5)])
def test_weighted_nash_gives_each_side_its_share_of_the_surplus(a1, a2):
    """max a1 log(1 - x - d1) + a2 log(x - d2): x = d2 + a2 / (a1 + a2) (1 - d1 - d2)."""
    d1, d2 = 0.2, 0.1
    problem = one_issue(d1, d2)
    found = ax.bargaining_range(problem)
    x = ax.nash(problem, found, np.array([[a1, a2]]))[0, 0]
    assert x == pytest.approx(d2 + a2 / (a1 + a2) * (1 - d1 - d2), abs=TOL)


def test_a_red_line_binds_every_solution():
    """Actor 2 will not go below 0.7 (actor 1 wants 0): u1 = 1 - x <= 0.3. Nash sits on the
    red line; KS scales actor 1's best (0.3) and actor 2's (1): 1 - x = 0.3 t, x = t."""
    ideal = np.array([[[0.0], [1.0]]])
    problem = bargaining(ideal, np.ones((1, 2, 1)), np.array([[[0.0], [0.7]]]),
                         np.ones((1, 2, 1)), np.array([[0.0, 0.0]]))
    found = ax.bargaining_range(problem)
    assert found.margin[0] == pytest.approx(0.3, abs=TOL)  # at x = 0.7: u = (0.3, 0.7)
    assert ax.nash(problem, found)[0, 0] == pytest.approx(0.7, abs=TOL)
    assert ax.kalai_smorodinsky(problem, found)[0, 0] == pytest.approx(1 / 1.3, abs=TOL)


def two_issues(d):
    """Actor 1 (ideal 0, 0) cares most about issue 1, actor 2 (ideal 1, 1) about issue 2."""
    ideal = np.array([[[0.0, 0.0], [1.0, 1.0]]])
    weight = np.array([[[0.8, 0.2], [0.2, 0.8]]])
    return bargaining(ideal, weight, np.zeros((1, 2, 2)), np.ones((1, 2, 2)), np.array([d]))


def test_logrolling_puts_nash_and_ks_on_the_corner():
    """Each side wins the issue it cares about: x = (0, 1), u = (0.8, 0.8)."""
    problem = two_issues([0.0, 0.0])
    found = ax.bargaining_range(problem)
    np.testing.assert_allclose(ax.nash(problem, found)[0], [0.0, 1.0], atol=TOL)
    np.testing.assert_allclose(ax.kalai_smorodinsky(problem, found)[0], [0.0, 1.0], atol=TOL)


def test_unequal_disagreement_moves_ks_off_the_corner_but_not_nash():
    """d = (0.1, 0.3): at the corner both directions of trade lower the Nash product
    (0.2/0.7 < 0.8/0.5 and 0.2/0.5 < 0.8/0.7), so Nash stays at (0, 1). The utopia point is
    (0.925, 0.975); the ray from d towards it meets the frontier on the edge x2 = 1 at
    0.8 (1 - x1) - 0.1 = t 0.825, 0.8 + 0.2 x1 - 0.3 = t 0.675."""
    problem = two_issues([0.1, 0.3])
    found = ax.bargaining_range(problem)
    np.testing.assert_allclose(ax.nash(problem, found)[0], [0.0, 1.0], atol=TOL)
    np.testing.assert_allclose(ax.utopia(problem, found)[0], [0.825, 0.675], atol=TOL)
    ratio = 0.675 / 0.825
    x1 = (0.7 * ratio - 0.5) / (0.2 + 0.8 * ratio)
    np.testing.assert_allclose(ax.kalai_smorodinsky(problem, found)[0], [x1, 1.0], atol=TOL)


def test_no_range_gives_no_solution():
    problem = one_issue(0.6, 0.5)  # 1 - x > 0.6 and x > 0.5 cannot both hold
    found = ax.bargaining_range(problem)
    assert not found.exists[0] and found.margin[0] == pytest.approx(-0.05, abs=TOL)
    assert np.isnan(ax.nash(problem, found)).all()
    assert np.isnan(ax.kalai_smorodinsky(problem, found)).all()


def test_red_lines_that_cross_leave_no_deal():
    ideal = np.array([[[0.0], [1.0]]])
    problem = bargaining(ideal, np.ones((1, 2, 1)), np.array([[[0.0], [0.7]]]),
                         np.array([[[0.5], [1.0]]]), np.zeros((1, 2)))
    found = ax.bargaining_range(problem)
    assert not problem.feasible[0] and np.isnan(found.margin[0]) and not found.exists[0]


@st.composite
def problems(draw):
    m, k = draw(st.integers(2, 4)), draw(st.integers(1, 4))
    unit = st.floats(0.0, 1.0, allow_nan=False)
    ideal = draw(arrays(float, (1, m, k), elements=unit))
    weight = draw(arrays(float, (1, m, k), elements=st.floats(0.0, 1.0))) + 1e-3
    weight /= weight.sum(axis=2, keepdims=True)
    d = draw(arrays(float, (1, m), elements=st.floats(0.0, 0.6)))
    return ideal, weight, d


def solved(ideal, weight, d):
    problem = bargaining(ideal, weight, np.zeros_like(ideal), np.ones_like(ideal), d)
    found = ax.bargaining_range(problem)
    return problem, found


@settings(max_examples=60, deadline=None)
@given(problems(), st.integers(0, 2**32 - 1))
def test_nash_and_ks_are_pareto_optimal_and_individually_rational(data, seed):
    ideal, weight, d = data
    problem, found = solved(ideal, weight, d)
    assume(found.exists[0])
    rng = np.random.default_rng(seed)
    samples = rng.random((4000, ideal.shape[2]))
    sampled = utilities(samples, np.repeat(ideal, len(samples), 0),
                        np.repeat(weight, len(samples), 0))
    for x in (ax.nash(problem, found), ax.kalai_smorodinsky(problem, found),
              ax.nash(problem, found, rng.random((1, ideal.shape[1])) + 0.1)):
        u = utilities(x, ideal, weight)[0]
        assert (u >= d[0] - 1e-7).all()  # at least the value of war
        assert not (sampled > u + 1e-6).all(axis=1).any()  # no point better for everyone


@settings(max_examples=40, deadline=None)
@given(problems(), st.floats(0.2, 5.0), st.floats(-1.0, 1.0), st.data())
def test_rescaling_one_actor_changes_nothing(data, scale, shift, draw):
    """u_i -> a u_i + b (and d_i with it) is the same problem: the rescaled problem's Nash
    and KS settlements are as good, on the original problem's own terms, as its solutions
    (Nash product, and the KS margin min_i (u_i - d_i) / (U*_i - d_i)), to solver accuracy.
    Settlements themselves may differ where a utility barely depends on them."""
    ideal, weight, d = data
    problem, found = solved(ideal, weight, d)
    assume(found.exists[0] and found.margin[0] >= 1e-4)
    i = draw.draw(st.integers(0, ideal.shape[1] - 1))
    scaled, _ = solved(ideal, weight, d)
    scaled.slope[:, i] *= scale
    scaled.base[:, i] = scale * scaled.base[:, i] + shift
    scaled.disagreement[:, i] = scale * scaled.disagreement[:, i] + shift
    found2 = ax.bargaining_range(scaled)
    nash_product = lambda x: np.log(utilities(x, ideal, weight) - d).sum()  # noqa: E731
    assert nash_product(ax.nash(scaled, found2)) >= nash_product(ax.nash(problem, found)) - 1e-6
    gain = ax.utopia(problem, found)
    ks_margin = lambda x: ((utilities(x, ideal, weight) - d) / gain).min()  # noqa: E731
    assert ks_margin(ax.kalai_smorodinsky(scaled, found2)) >= (
        ks_margin(ax.kalai_smorodinsky(problem, found)) - 1e-6)


@settings(max_examples=40, deadline=None)
@given(arrays(float, (1, 1, 3), elements=st.floats(0.0, 1.0)),
       arrays(float, (1, 1, 3), elements=st.floats(0.01, 1.0)), st.floats(0.0, 0.4))
def test_a_symmetric_problem_gets_a_symmetric_solution(p, w, d):
    """Actor 2 is actor 1 mirrored (ideal 1 - p, same weights, same d): equal utilities."""
    ideal = np.concatenate([p, 1 - p], axis=1)
    weight = np.repeat(w / w.sum(), 2, axis=1)
    problem, found = solved(ideal, weight, np.array([[d, d]]))
    assume(found.exists[0])
    for x in (ax.nash(problem, found), ax.kalai_smorodinsky(problem, found)):
        u = utilities(x, ideal, weight)[0]
        assert u[0] == pytest.approx(u[1], abs=1e-6)


def test_a_batch_solves_each_problem_as_alone():
    rng = np.random.default_rng(3)
    n, m, k = 64, 3, 4
    ideal, weight = rng.random((n, m, k)), rng.random((n, m, k))
    weight /= weight.sum(axis=2, keepdims=True)
    d = rng.random((n, m)) * 0.5
    problem, found = solved(ideal, weight, d)
    together = [ax.nash(problem, found), ax.kalai_smorodinsky(problem, found), found.margin]
    for i in (0, 17, 63):
        alone, found_alone = solved(ideal[i:i + 1], weight[i:i + 1], d[i:i + 1])
        single = [ax.nash(alone, found_alone), ax.kalai_smorodinsky(alone, found_alone),
                  found_alone.margin]
        for a, b in zip(together, single, strict=True):
            np.testing.assert_array_equal(a[i:i + 1], b)
