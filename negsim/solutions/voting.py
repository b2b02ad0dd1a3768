"""Issue-by-issue forecasts from positions and weights: the compromise model (the
capability x salience weighted mean) and the weighted median (docs/solutions.md).

Both take, for each issue, the positions p_ik of the actors and their weights c_i w_ik, on a
batch: positions and weights (N, A, K) -> (N, K). An issue nobody weighs falls back on the
capabilities alone.
"""

from __future__ import annotations

import numpy as np


def _weights(capability, salience):
    """c_i w_ik, scaled to a largest weight of 1 on each issue (so that tiny weights do not
    underflow), or the capabilities on an issue nobody weighs."""
    capability = np.asarray(capability, float)[:, :, None]
    weight = capability * np.asarray(salience, float)
    weight = np.where(weight.sum(axis=1, keepdims=True) > 0, weight,
                      np.broadcast_to(capability, weight.shape))
    return weight / weight.max(axis=1, keepdims=True)


def compromise(position, capability, salience) -> np.ndarray:
    """x_k = sum_i c_i w_ik p_ik / sum_i c_i w_ik (Achen's compromise model)."""
    weight = _weights(capability, salience)
    return (weight * position).sum(axis=1) / weight.sum(axis=1)


def weighted_median(position, capability, salience) -> np.ndarray:
    """The point minimising sum_i c_i w_ik |x - p_ik|: the position no weighted majority
    would move away from. Where the minimisers form an interval (the weight splits exactly
    in half), its midpoint."""
    weight = _weights(capability, salience)
    position = np.asarray(position, float)
    order = np.argsort(position, axis=1, kind="stable")
    p = np.take_along_axis(position, order, axis=1)
    cumulative = np.cumsum(np.take_along_axis(weight, order, axis=1), axis=1)
    half = cumulative[:, -1:] / 2
    tol = 1e-12 * cumulative[:, -1:]
    lower = np.argmax(cumulative >= half - tol, axis=1)  # first reaching half
    upper = np.argmax(cumulative > half + tol, axis=1)  # first passing it
    pick = lambda index: np.take_along_axis(p, index[:, None], axis=1)[:, 0]  # noqa: E731
    return (pick(lower) + pick(upper)) / 2
