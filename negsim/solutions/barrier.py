"""A batched log-barrier interior-point method for the small convex problems of the
reference solutions (docs/solutions.md, "How they are computed").

Every problem of a batch has the same shape: variables y in a box 0 <= y_j <= U_j and m
affine functions r_i(y) = b_i + B_i . y that must stay positive. The objective is either
linear (maximise c . y, with r > 0 as constraints) or the weighted Nash product (maximise
sum_i alpha_i log r_i). The barrier problem

    minimise  phi(y) = -(c . y) / mu - sum_i beta_i log r_i - sum_j [log y_j + log(U_j - y_j)]

(beta_i = 1 for a linear objective, alpha_i / mu for the Nash product) has the Hessian
D + B' diag(beta / r^2) B with D diagonal: Newton steps take one m x m solve per problem
(Woodbury), so a batch of thousands of problems is a few numpy operations on (N, m, n)
arrays. As mu falls (from MU0, by SHRINK per stage) the iterates follow the central path
to an optimum; the bound on the optimality gap, (m + 2 n) mu for a linear objective and
2 n mu for the Nash product, stops it. The limit is the analytic centre of the optimal
set, so where the optimum is not unique the answer is still one well-defined point.

Variables with U_j = 0 are fixed at 0. Everything is deterministic: the same problem gives
the same answer in any batch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

GAP = 1e-10  # stop once the bound on the optimality gap is below this
MU0 = 0.01  # the first stage's mu (objectives and utilities are of order 1)
SHRINK = 50.0  # mu falls by this factor per stage
MAX_NEWTON = 50  # Newton steps per stage
MAX_HALVINGS = 20  # of the step in the line search
LOOSE = 1e-2  # Newton decrement that ends an intermediate stage
DECREMENT = 1e-10  # and the last one
ROUNDING = 1e-14  # relative rounding error allowed in a change of phi
RIDGE = 1e-13  # relative ridge on the m x m systems
FIXED = 1e-14  # a box narrower than this fixes its variable


@dataclass
class Problem:
    """A batch of N problems: box sizes U (N, n), rows B (N, m, n) and offsets b (N, m) of
    the functions r = b + B y, and the objective: ``linear`` c (N, n), or ``alpha`` (N, m)
    for the weighted Nash product."""

    upper: np.ndarray
    rows: np.ndarray
    offset: np.ndarray
    linear: np.ndarray | None = None
    alpha: np.ndarray | None = None


def solve(problem: Problem, start: np.ndarray) -> np.ndarray:
    """The optimum y (N, n) of every problem, from a strictly feasible ``start`` (inside
    the box, every r > 0; entries of fixed variables are ignored). Rows with no feasible
    start (NaN in ``start``, or r <= 0 there) give NaN."""
    U, b = problem.upper, problem.offset
    free = U > FIXED
    B = np.where(free[:, None, :], problem.rows, 0.0)  # fixed variables play no part
    y = np.where(free, np.nan_to_num(start), 0.0)
    y = np.where(free, np.clip(y, U * 1e-9, U * (1 - 1e-9)), 0.0)
    bad = np.isnan(start).any(axis=1) | ~(b + times(B, y) > 0).all(axis=1)
    U = np.where(free, U, 1.0)
    nash = problem.alpha is not None
    if nash:
        alpha = problem.alpha / problem.alpha.sum(axis=1, keepdims=True)
        c = np.zeros_like(U)
    else:
        alpha = np.ones_like(b)
        c = np.where(free, problem.linear, 0.0)
    terms = 2 * free.sum(axis=1) + (0 if nash else B.shape[1])
    rows = np.flatnonzero(~bad)
    mu = np.full(len(y), MU0)
    while len(rows):
        beta = alpha[rows] / mu[rows, None] if nash else alpha[rows]
        y[rows] = _centre(y[rows], c[rows] / mu[rows, None], beta, B[rows], b[rows], U[rows],
                          free[rows], final=terms[rows] * mu[rows] <= GAP * SHRINK)
        finished = terms[rows] * mu[rows] <= GAP
        rows = rows[~finished]
        mu[rows] /= SHRINK
    return np.where(bad[:, None], np.nan, y)


def _change(y, step, t, r, c, beta, B, U, free):
    """phi(y + t step) - phi(y), computed from the relative changes (log1p), so that it stays
    exact where phi itself is large, less what rounding can account for (so that a step
    whose gain is lost in rounding is still taken); +inf where the trial point leaves the
    domain."""
    move = t[:, None] * step
    dr = times(B, move)
    low, high = np.where(free, y, 1.0), np.where(free, U - y, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        box = np.where(free, np.log1p(move / low) + np.log1p(-move / high), 0.0)
        linear, logs = c * move, beta * np.log1p(dr / r)
        change = -linear.sum(axis=1) - logs.sum(axis=1) - box.sum(axis=1)
        # what rounding alone can make of that sum: a change within it is no change
        noise = ROUNDING * (np.abs(linear).sum(axis=1) + np.abs(logs).sum(axis=1)
                            + np.abs(box).sum(axis=1))
    inside = ((r + dr > 0).all(axis=1)
              & ((y + move > 0) & (y + move < U) | ~free).all(axis=1))
    return np.where(inside & np.isfinite(change), change - noise, np.inf)


def _centre(y, c, beta, B, b, U, free, final):
    """Newton's method with a backtracking line search on phi for one value of mu, on the
    problems still moving (a finished problem is not touched again). Intermediate stages
    stop at a loose Newton decrement, the last one (``final``) at a tight one."""
    y = y.copy()
    tolerance = np.where(final, DECREMENT, LOOSE)
    rows = np.arange(len(y))
    for _ in range(MAX_NEWTON):
        if not len(rows):
            break
        yr, cr, betar, Br, br, Ur, freer = (a[rows] for a in (y, c, beta, B, b, U, free))
        r = br + times(Br, yr)
        lost = ~((r > 0).all(axis=1) & ((yr > 0) & (yr < Ur) | ~freer).all(axis=1))
        # (rounding put the iterate on the boundary: it stops there)
        if lost.any():
            rows, keep = rows[~lost], ~lost
            yr, cr, betar, Br, br, Ur, freer, r = (
                a[keep] for a in (yr, cr, betar, Br, br, Ur, freer, r))
            if not len(rows):
                break
        low, high = np.where(freer, yr, 1.0), np.where(freer, Ur - yr, 1.0)
        grad = -cr - weighted(betar / r, Br)
        grad += np.where(freer, 1.0 / high - 1.0 / low, 0.0)
        diag = np.where(freer, 1.0 / low**2 + 1.0 / high**2, 1.0)
        step = np.where(freer, -_woodbury(diag, Br, betar / r**2, grad), 0.0)
        decrement = -(grad * step).sum(axis=1)
        moving = decrement > tolerance[rows]
        # the longest step that stays strictly inside the box and keeps r > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            to_box = np.where(step < 0, -low / step, np.where(step > 0, high / step, np.inf))
            dr = times(Br, step)
            to_r = np.where(dr < 0, -r / dr, np.inf)
        longest = np.minimum(np.where(freer, to_box, np.inf).min(axis=1), to_r.min(axis=1))
        t = np.minimum(1.0, 0.99 * longest)
        pending = np.flatnonzero(moving)
        for _ in range(MAX_HALVINGS):  # on the problems whose step is not yet accepted
            if not len(pending):
                break
            tp = t[pending]
            change = _change(yr[pending], step[pending], tp, r[pending], cr[pending],
                             betar[pending], Br[pending], Ur[pending], freer[pending])
            ok = change <= -0.25 * tp * decrement[pending]
            done = pending[ok]
            yr[done] += t[done, None] * step[done]
            pending = pending[~ok]
            t[pending] /= 2
        y[rows] = yr
        stuck = np.zeros(len(rows), bool)
        stuck[pending] = True
        rows = rows[moving & ~stuck]  # centred, or no progress left at this precision
    return y


def times(B, y):
    """B y for every problem: (N, m, n) by (N, n) -> (N, m). Batched matrix products work
    problem by problem, so a problem's answer does not depend on its batch."""
    return np.matmul(B, y[:, :, None])[:, :, 0]


def weighted(w, B):
    """B' w for every problem: (N, m) and (N, m, n) -> (N, n)."""
    return np.matmul(w[:, None, :], B)[:, 0, :]


def _woodbury(diag, B, weight, grad):
    """(diag(d) + B' diag(w) B)^-1 g for every problem, with one m x m solve each."""
    inv = 1.0 / diag  # (N, n)
    dg = inv * grad
    Bd = B * inv[:, None, :]  # (N, m, n)
    inner = np.matmul(Bd, B.transpose(0, 2, 1))  # B D^-1 B'
    m = B.shape[1]
    diagonal = np.arange(m)
    with np.errstate(divide="ignore"):
        inner[:, diagonal, diagonal] += 1.0 / weight
    rhs = times(B, dg)[..., None]
    try:
        solved = np.linalg.solve(inner, rhs)[..., 0]
    except np.linalg.LinAlgError:
        # a degenerate vertex (more active rows than free directions) can make the m x m
        # system singular in floating point: a ridge far below rounding mends it, and a
        # direction it changes has D^-1 B' v ~ 0, so it barely moves dy. Only the problems
        # that need it get it (each matrix is solved on its own, so the others are as before)
        scale = np.abs(inner).max(axis=(1, 2))
        singular = np.linalg.cond(inner) > 1.0 / np.finfo(float).eps
        inner[:, diagonal, diagonal] += np.where(singular, RIDGE * scale, 0.0)[:, None]
        solved = np.linalg.solve(inner, rhs)[..., 0]
    return dg - weighted(solved, Bd)
