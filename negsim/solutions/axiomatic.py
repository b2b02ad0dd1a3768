"""Axiomatic bargaining solutions on a batch of problems: whether a bargaining range exists,
the Nash bargaining solution (symmetric and weighted) and the Kalai-Smorodinsky solution
(docs/solutions.md).

Each is a small convex problem per run, solved for the whole batch at once by the
interior-point method of barrier.py. A run without a bargaining range (no settlement that
every required actor strictly prefers to its disagreement value) has no Nash or
Kalai-Smorodinsky point: NaN.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .barrier import Problem, solve
from .problem import Bargaining

RANGE_TOL = 1e-9  # a range exists when some settlement beats every d_i by more than this


@dataclass
class Range:
    """The largest margin t* = max_x min_i (u_i(x) - d_i) of each run (N,), NaN when no
    settlement respects every red line, and a settlement z attaining it (N, n)."""

    margin: np.ndarray
    z: np.ndarray

    @property
    def exists(self) -> np.ndarray:
        """(N,) a settlement every required actor strictly prefers to its disagreement value."""
        return np.nan_to_num(self.margin, nan=-np.inf) > RANGE_TOL


def bargaining_range(problem: Bargaining) -> Range:
    """max t subject to u_i(x) - d_i >= t for every required actor, x in the box."""
    n = len(problem.base)
    z0 = problem.length / 2
    r0 = problem.surplus(z0)
    t_low = r0.min(axis=1) - 1.0
    reach = problem.base - problem.disagreement + np.einsum(
        "nmj,nj->nm", np.maximum(problem.slope, 0), problem.length)  # u_i at its best
    t_high = reach.max(axis=1) + 1.0
    offset, rows, upper = _with_margin(problem, np.ones_like(problem.base), t_low, t_high)
    linear = np.zeros_like(upper)
    linear[:, -1] = 1.0
    start = np.concatenate([z0, np.full((n, 1), 0.5)], axis=1)
    start[~problem.feasible] = np.nan
    solution = solve(Problem(upper, rows, offset, linear=linear), start)
    margin = t_low + solution[:, -1]
    return Range(np.where(problem.feasible, margin, np.nan), solution[:, :-1])


def nash(problem: Bargaining, found: Range, power=None) -> np.ndarray:
    """The settlement (N, K) maximising prod_i (u_i - d_i)^alpha_i over the range; alpha =
    ``power`` (N, m), 1 for everyone by default (the symmetric solution)."""
    power = np.ones_like(problem.base) if power is None else np.asarray(power, float)
    start = np.where(found.exists[:, None], found.z, np.nan)
    z = solve(Problem(problem.length, problem.slope, problem.base - problem.disagreement,
                      alpha=power), start)
    return _settled(problem, found, z)


def utopia(problem: Bargaining, found: Range) -> np.ndarray:
    """(N, m) each required actor's best utility over the individually rational settlements,
    as a surplus over its disagreement value (NaN without a range)."""
    n, m = problem.base.shape
    repeat = lambda a: np.repeat(a, m, axis=0)  # noqa: E731  problem (run, actor) pairs
    linear = problem.slope.reshape(n * m, -1)
    start = np.where(found.exists[:, None], found.z, np.nan)
    z = solve(Problem(repeat(problem.length), repeat(problem.slope),
                      repeat(problem.base - problem.disagreement), linear=linear),
              repeat(start))
    best = (linear * z).sum(axis=1).reshape(n, m)  # NaN where a solve failed
    return np.where(found.exists[:, None], problem.base - problem.disagreement + best, np.nan)


def kalai_smorodinsky(problem: Bargaining, found: Range) -> np.ndarray:
    """The settlement (N, K) on the segment from the disagreement point to the utopia point
    that goes furthest: max t subject to u_i - d_i >= t (U*_i - d_i) for every actor."""
    n = len(problem.base)
    best = utopia(problem, found)
    found = Range(found.margin, np.where(np.isnan(best).any(axis=1)[:, None], np.nan, found.z))
    gain = np.nan_to_num(best, nan=1.0)
    offset, rows, upper = _with_margin(problem, gain, np.full(n, -1.0), np.full(n, 2.0))
    linear = np.zeros_like(upper)
    linear[:, -1] = 1.0
    start = np.concatenate([found.z, np.full((n, 1), 0.5)], axis=1)
    start[~found.exists] = np.nan
    solution = solve(Problem(upper, rows, offset, linear=linear), start)
    return _settled(problem, found, solution[:, :-1])


def _settled(problem: Bargaining, found: Range, z: np.ndarray) -> np.ndarray:
    """The settlements of solved fillings z, NaN for runs without a range or whose solve
    failed (a start the solver refused)."""
    ok = found.exists & ~np.isnan(z).any(axis=1)
    return np.where(ok[:, None], problem.settlement(np.nan_to_num(z)), np.nan)


def _with_margin(problem: Bargaining, gain, t_low, t_high):
    """The problem in (z, s) with t = t_low + s in [t_low, t_high] and the constraints
    u_i - d_i - t gain_i >= 0."""
    upper = np.concatenate([problem.length, (t_high - t_low)[:, None]], axis=1)
    rows = np.concatenate([problem.slope, -gain[:, :, None]], axis=2)
    offset = problem.base - problem.disagreement - t_low[:, None] * gain
    return offset, rows, upper
