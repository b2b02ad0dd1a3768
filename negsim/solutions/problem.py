"""The bargaining problem of a batch of runs, in the form the solver takes
(docs/solutions.md, "The bargaining problem").

The deals considered are the settlements inside every required actor's red lines: a box
lo_k <= x_k <= hi_k. On each issue, the ideals of the required actors who weigh it cut
[lo_k, hi_k] into at most m + 1 segments, and on each segment every utility is linear. A
settlement is written x_k = lo_k + sum of z_kj over the segments j of issue k, with
0 <= z_kj <= length_kj, so that

    u_i(x) = u_i(lo) + sum_kj slope_ikj z_kj,  slope_ikj = w_ik sign(p_ik - midpoint_kj)

Filling the segments out of order is allowed, but never helps: moving length to an earlier
segment weakly raises every utility (each u_i is concave on every issue), so optima of
problems that reward every utility fill them in order, and x follows from the sums.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .barrier import times


@dataclass
class Bargaining:
    """N bargaining problems over m required actors and K issues."""

    low: np.ndarray  # (N, K) the box of settlements inside every red line
    high: np.ndarray  # (N, K)
    length: np.ndarray  # (N, K * (m + 1)) segment lengths (0 for empty segments)
    slope: np.ndarray  # (N, m, K * (m + 1))
    base: np.ndarray  # (N, m) u_i(low)
    disagreement: np.ndarray  # (N, m) d_i
    ideal: np.ndarray  # (N, m, K)
    weight: np.ndarray  # (N, m, K)

    @property
    def feasible(self) -> np.ndarray:
        """(N,) whether any settlement lies inside every red line."""
        return np.all(self.low <= self.high, axis=1)

    @property
    def issues(self) -> int:
        return self.low.shape[1]

    def settlement(self, z: np.ndarray) -> np.ndarray:
        """x (N, K) from segment fillings z (N, n)."""
        n, k = self.low.shape
        return np.clip(self.low + z.reshape(n, k, -1).sum(axis=2), self.low, self.high)

    def surplus(self, z: np.ndarray) -> np.ndarray:
        """r_i = u_i - d_i (N, m) as the linear form gives it."""
        return self.base - self.disagreement + times(self.slope, z)


def bargaining(ideal, weight, red_low, red_high, disagreement) -> Bargaining:
    """The problems of N runs over the required actors: ideal, weight, red_low, red_high
    (N, m, K) and disagreement (N, m)."""
    ideal, weight = np.asarray(ideal, float), np.asarray(weight, float)
    n, m, k = ideal.shape
    low = np.maximum(np.asarray(red_low).max(axis=1), 0.0)
    high = np.minimum(np.asarray(red_high).min(axis=1), 1.0)
    top = np.maximum(high, low)  # infeasible issues get empty segments (feasible says so)
    cuts = np.where(weight > 0, np.clip(ideal, low[:, None], top[:, None]), low[:, None])
    points = np.sort(np.concatenate([low[:, None], cuts, top[:, None]], axis=1), axis=1)
    length = np.diff(points, axis=1)  # (N, m + 1, K)
    middle = (points[:, 1:] + points[:, :-1]) / 2
    slope = weight[:, :, None, :] * np.sign(ideal[:, :, None, :] - middle[:, None])
    base = (weight * (1 - np.abs(low[:, None] - ideal))).sum(axis=2)
    # flatten issue-major: segment j of issue k at k * (m + 1) + j
    length = length.transpose(0, 2, 1).reshape(n, -1)
    slope = slope.transpose(0, 1, 3, 2).reshape(n, m, -1)
    return Bargaining(low, high, length, slope, base, np.array(disagreement, float), ideal,
                      weight)


def utilities(x, ideal, weight) -> np.ndarray:
    """u_i(x) (N, A) for settlements x (N, K), ideals and weights (N, A, K)."""
    return (weight * (1 - np.abs(np.asarray(x)[:, None] - ideal))).sum(axis=2)
