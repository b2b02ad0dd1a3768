"""The perceived hazard that the talks end before the next round.

Every ``mediator_exit`` event the actors know of (``known: true``, the default) is a threat to
walk away: with probability pi (as drawn for the run) it fires at a round R drawn from its
round distribution, and the mediator leaves at the start of that round. In round t, with the
talks still on, the chance that event e ends them before round t + 1 is

    h_e(t) = pi p(t + 1) / (1 - pi F(t)),   p(k) = P(floor(R) = k), F(t) = P(floor(R) <= t)

and with several threats h(t) = 1 - prod_e (1 - h_e(t)). Actors use h in their acceptance
threshold (negsim.model.tactics.threshold): a credible threat speeds concessions.
"""

from __future__ import annotations

import numpy as np


def exit_hazard(probability, pmf) -> np.ndarray:
    """h_e(t) for t = 0 .. T-1 of one exit event.

    probability (N,) drawn per run; pmf (T + 1,) the distribution of the round it fires at
    (p(k) for k = 0 .. T). -> (N, T).
    """
    pi = np.asarray(probability, dtype=float)[:, None]
    pmf = np.asarray(pmf, dtype=float)
    before = np.cumsum(pmf)[:-1]  # F(t) for t = 0 .. T-1
    alive = 1.0 - pi * before[None]
    with np.errstate(divide="ignore", invalid="ignore"):
        h = np.where(alive > 0.0, pi * pmf[None, 1:] / np.where(alive > 0, alive, 1.0), 1.0)
    return np.clip(h, 0.0, 1.0)


def combined_hazard(hazards) -> np.ndarray:
    """h(t) = 1 - prod_e (1 - h_e(t)) over independent threats (a list of (N, T) arrays)."""
    survive = 1.0
    for h in hazards:
        survive = survive * (1.0 - h)
    return 1.0 - survive
