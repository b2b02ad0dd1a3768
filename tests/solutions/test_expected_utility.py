"""The expected utility model: a first round computed by hand (scalar loops, written from
docs/solutions.md), and the properties Scholz et al. state."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from negsim.solutions import expected_utility as eu


def by_hand(x, c, s):
    """One round of the model for one group, with plain loops."""
    a = len(x)
    order = sorted(range(a), key=lambda i: x[i])
    total, running, mu = sum(c[i] * s[i] for i in range(a)), 0.0, None
    for i in order:  # weighted median (no exact half split in the case below)
        running += c[i] * s[i]
        if running > total / 2:
            mu = x[i]
            break

    def prob(i, j):
        votes = [c[k] * s[k] * (abs(x[k] - x[j]) - abs(x[k] - x[i])) for k in range(a)]
        cast = sum(abs(v) for v in votes)
        return sum(v for v in votes if v > 0) / cast if cast else 0.0

    def util(i, j, r):
        d = abs(x[i] - x[j])
        shape = lambda base: 2 - 4 * base ** r  # noqa: E731
        win, lose, still = shape(0.5 - 0.5 * d), shape(0.5 + 0.5 * d), shape(0.5)
        return s[j] * (prob(i, j) * win + (1 - prob(i, j)) * lose) + (1 - s[j]) * win - still

    exposed = [sum(util(j, i, 1.0) for j in range(a) if j != i) for i in range(a)]
    high, low = max(exposed), min(exposed)
    risk = [(1 - R / 3) / (1 + R / 3)
            for R in ((2 * e - high - low) / (high - low) for e in exposed)]
    new = list(x)
    for i in range(a):
        offers = {"conflict": [], "compromise": [], "capitulation": []}
        for j in range(a):
            if j == i or x[j] == x[i]:
                continue
            ei, ej = util(i, j, risk[i]), util(j, i, risk[i])
            if ej > ei > 0:
                offers["conflict"].append(x[j])
            elif ej > 0 > ei and ej > -ei:
                offers["compromise"].append(x[i] + (x[j] - x[i]) * (-ei / ej))
            elif ej > 0 > ei:
                offers["capitulation"].append(x[j])
        for kind in ("conflict", "compromise", "capitulation"):
            if offers[kind]:
                new[i] = min(offers[kind], key=lambda y, i=i: (abs(y - x[i]), abs(y - mu), y))
                break
    return mu, risk, new


@pytest.mark.parametrize("x,c,s", [
    ([0.0, 0.4, 1.0], [1.0, 0.6, 0.8], [0.9, 0.5, 0.7]),  # conflicts and capitulations
    ([0.3, 0.4, 0.0], [0.2, 0.8, 0.7], [0.7, 0.4, 1.0]),  # the first actor compromises
])
def test_a_first_round_by_hand(x, c, s):
    mu, risk, new = by_hand(x, c, s)
    X, C, S = (np.array([v]) for v in (x, c, s))
    assert eu.median(X, C, S)[0] == pytest.approx(mu)
    p = eu.success(X, C, S)
    np.testing.assert_allclose(eu.risk_exponents(X, S, p, eu.median(X, C, S))[0], risk)
    np.testing.assert_allclose(eu.step(X, C, S)[0], new, atol=1e-12)
    assert new != x  # the case exercises a move


groups = st.integers(2, 6).flatmap(lambda a: st.tuples(
    arrays(float, (1, a), elements=st.floats(0.0, 1.0)),
    arrays(float, (1, a), elements=st.floats(0.05, 2.0)),
    arrays(float, (1, a), elements=st.floats(0.05, 1.0))))


@settings(max_examples=60, deadline=None)
@given(groups, st.floats(0.0, 1.0))
def test_a_unanimous_group_stays_put(group, p):
    _, c, s = group
    x = np.full_like(c, p)
    np.testing.assert_array_equal(eu.step(x, c, s), x)
    forecast = eu.forecast(x, c, s)
    assert forecast.median[0] == p and forecast.rounds[0] == 1


@settings(max_examples=60, deadline=None)
@given(groups, st.randoms(use_true_random=False))
def test_the_order_of_the_actors_does_not_matter(group, rnd):
    x, c, s = group
    order = list(range(x.shape[1]))
    rnd.shuffle(order)
    np.testing.assert_allclose(eu.step(x, c, s)[:, order], eu.step(x[:, order], c[:, order],
                                                                   s[:, order]), atol=1e-12)
    assert eu.forecast(x, c, s).median[0] == pytest.approx(
        eu.forecast(x[:, order], c[:, order], s[:, order]).median[0], abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(groups)
def test_risk_exponents_lie_between_a_half_and_two(group):
    x, c, s = group
    p = eu.success(x, c, s)
    r = eu.risk_exponents(x, s, p, eu.median(x, c, s))
    assert ((r >= 0.5 - 1e-12) & (r <= 2 + 1e-12)).all()


@settings(max_examples=60, deadline=None)
@given(groups)
def test_positions_stay_between_the_extremes(group):
    x, c, s = group
    forecast = eu.forecast(x, c, s)
    assert x.min() - 1e-12 <= forecast.median[0] <= x.max() + 1e-12
