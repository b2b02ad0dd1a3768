"""Rule formulas written once for both kinds of batch engine (docs/engines.md, "One copy of
the rules").

A function marked ``@element`` is one formula of the model applied element by element: it
takes numbers and gives a number, written only with arithmetic, comparisons, ``abs``,
numpy's elementwise functions and ``select``. So the same function works

- on numpy arrays of any shape, as the numpy engines call it (each number then stands for
  a whole batch of runs, or one run's actors or issues), and
- on plain floats inside the compiled engine (negsim.engine.compiled), where numba compiles
  it into the loop that plays one run after another.

The functions stay plain Python functions: numba is imported only by the compiled engine,
which registers every marked function with it (``registered``).
"""

from __future__ import annotations

import math

import numpy as np

_MARKED: list = []


def element(function):
    """Mark a formula that works on floats and on numpy arrays alike (see the module)."""
    _MARKED.append(function)
    return function


def registered() -> tuple:
    """Every function marked with ``element``, in the order they were defined."""
    return tuple(_MARKED)


def select(condition, if_true, if_false):
    """``if_true`` where ``condition`` holds, else ``if_false`` (numpy.where; a plain
    conditional expression for a single condition, and in the compiled engine)."""
    if isinstance(condition, (bool, np.bool_)) and not isinstance(if_true, np.ndarray) \
            and not isinstance(if_false, np.ndarray):
        return if_true if condition else if_false
    return np.where(condition, if_true, if_false)


def split(x):
    """(m, k) with x = m 2^k and m in [0.5, 1) (numpy.frexp; math.frexp for one number; read
    from the bits when compiled)."""
    if isinstance(x, float):
        return math.frexp(x)
    return np.frexp(x)


def scale2(x, k):
    """x 2^k for a whole number k held as a float (numpy.ldexp; math.ldexp for one number).
    Compiled, it multiplies by two powers of 2, which rounds once as ldexp does for x in
    [0.5, 2) (what ``exp`` passes) and any k."""
    if isinstance(x, float) and np.ndim(k) == 0:
        return math.ldexp(x, int(k))
    return np.ldexp(x, np.asarray(k).astype(np.int32))


# --- a power function that gives the same bits everywhere ------------------------------------
#
# numpy's own ** on arrays uses vectorised routines on some processors (AVX-512) that differ
# from the C library's pow in the last bit, and the compiled engine would use the C library's:
# the same run would then differ in its last bits between engines and between machines. These
# use only +, -, *, /, floor and exact scalings by powers of 2, which IEEE 754 makes identical
# everywhere: a few units in the last place from the true values, the same bits on every
# machine and in every engine.

LN2_HI = 6.93147180369123816490e-01  # ln 2 split so that k * LN2_HI is exact (fdlibm)
LN2_LO = 1.90821492927058770002e-10
INV_LN2 = 1.44269504088896338700e00
SQRT_HALF = 0.7071067811865476


@element
def log(x):
    """ln x for finite x > 0: x = m 2^k with m in [1/sqrt 2, sqrt 2), and
    ln m = 2 atanh(s) = 2 (s + s^3/3 + ... + s^23/23), s = (m - 1)/(m + 1), |s| < 0.172."""
    m, k = split(x)
    small = m < SQRT_HALF
    m = select(small, m * 2.0, m)
    k = select(small, k - 1.0, k * 1.0)
    s = (m - 1.0) / (m + 1.0)
    z = s * s
    p = (((((1.0 / 23.0 * z + 1.0 / 21.0) * z + 1.0 / 19.0) * z + 1.0 / 17.0) * z
          + 1.0 / 15.0) * z + 1.0 / 13.0) * z + 1.0 / 11.0
    p = ((((p * z + 1.0 / 9.0) * z + 1.0 / 7.0) * z + 1.0 / 5.0) * z + 1.0 / 3.0) * z + 1.0
    return k * LN2_HI + (2.0 * s * p + k * LN2_LO)


@element
def exp(y):
    """e^y for y in [-1100, 709]: y = n ln 2 + r with |r| <= ln2 / 2, e^r by its Taylor
    series to r^14 / 14!, then scaled by 2^n."""
    n = np.floor(y * INV_LN2 + 0.5)
    r = (y - n * LN2_HI) - n * LN2_LO
    q = ((((((1.0 / 87178291200.0 * r + 1.0 / 6227020800.0) * r + 1.0 / 479001600.0) * r
            + 1.0 / 39916800.0) * r + 1.0 / 3628800.0) * r + 1.0 / 362880.0) * r
         + 1.0 / 40320.0)
    q = (((((((q * r + 1.0 / 5040.0) * r + 1.0 / 720.0) * r + 1.0 / 120.0) * r + 1.0 / 24.0)
            * r + 1.0 / 6.0) * r + 0.5) * r + 1.0) * r + 1.0
    return scale2(q, n)


def powers(x, e):
    """``power`` of arrays of any size: number by number for a handful (the Mesa engine's
    rows, where numpy's per-call cost would dominate), else on the arrays. The same bits."""
    x, e = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(e, dtype=float))
    if x.size > FEW:
        return power(x, e)
    return np.array([power(float(a), float(b)) for a, b in zip(x.flat, e.flat, strict=True)],
                    dtype=float).reshape(x.shape)


FEW = 8


@element
def power(x, e):
    """x^e for 0 < x <= 1 and e > 0 (e may be infinite: 0 below 1), as e^(e ln x); 1 at
    x = 1; NaN where e is NaN."""
    y = e * log(x)
    missing = np.isnan(y)
    y = np.minimum(np.maximum(select(missing, 0.0, y), -1100.0), 709.0)
    return select(x == 1.0, 1.0, select(missing, np.nan, exp(y)))
