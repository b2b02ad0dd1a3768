"""Compromise and weighted median: unanimity, permutation invariance, known values."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from negsim.solutions.voting import compromise, weighted_median

unit = st.floats(0.0, 1.0, allow_nan=False)
positive = st.floats(0.01, 5.0)


@st.composite
def groups(draw):
    a, k = draw(st.integers(1, 7)), draw(st.integers(1, 3))
    return (draw(arrays(float, (1, a, k), elements=unit)),
            draw(arrays(float, (1, a), elements=positive)),
            draw(arrays(float, (1, a, k), elements=unit)))


@settings(max_examples=100, deadline=None)
@given(groups(), st.randoms(use_true_random=False))
def test_reordering_the_actors_changes_nothing(group, rnd):
    position, capability, salience = group
    order = list(range(position.shape[1]))
    rnd.shuffle(order)
    for model in (compromise, weighted_median):
        np.testing.assert_allclose(model(position, capability, salience),
                                   model(position[:, order], capability[:, order],
                                         salience[:, order]), atol=1e-12)


@settings(max_examples=100, deadline=None)
@given(groups(), unit)
def test_a_unanimous_group_gets_its_position(group, p):
    _, capability, salience = group
    position = np.full_like(salience, p)
    for model in (compromise, weighted_median):
        np.testing.assert_allclose(model(position, capability, salience), p, atol=1e-12)


@settings(max_examples=100, deadline=None)
@given(groups())
def test_the_median_minimises_the_weighted_distance(group):
    position, capability, salience = group
    weight = capability[:, :, None] * salience
    median = weighted_median(position, capability, salience)
    cost = lambda x: (weight * np.abs(x[:, None, :] - position)).sum(axis=1)  # noqa: E731
    for x in np.linspace(0, 1, 41):
        assert (cost(median) <= cost(np.full_like(median, x)) + 1e-12).all()


def test_known_values():
    position = np.array([[[0.0], [0.5], [1.0]]])
    capability = np.array([[1.0, 1.0, 2.0]])
    salience = np.array([[[1.0], [0.5], [0.25]]])  # weights 1, 0.5, 0.5
    assert compromise(position, capability, salience)[0, 0] == pytest.approx(0.75 / 2)
    assert weighted_median(position, capability, salience)[0, 0] == pytest.approx(0.25)
    # an issue nobody weighs falls back on the capabilities
    none = np.zeros_like(salience)
    assert compromise(position, capability, none)[0, 0] == pytest.approx(2.5 / 4)
    assert weighted_median(position, capability, none)[0, 0] == pytest.approx(0.75)
