"""The mediator's single negotiating text (Raiffa 1982; Fisher's one-text procedure).

The first text mixes the members' capability-weighted target g with the mediator's ideal:
x(0) = Pi[(1 - b) g + b p_m]. After a rejected round the mediator redrafts toward those who
rejected, in proportion to how far short each fell:

    x(t+1) = Pi[x(t) + eta sum_j omega_j delta_j],   omega_j = c_j / sum_rejecters c

over the required actors j who rejected. delta_j brings the text into j's acceptance set as
far as one linear step can: onto j's red lines where the text breaches them, then toward j's
ideal by s_j d_j / ||d_j||^2, with s_j = theta_j(t) - u_j the shortfall left after the red-line
move and d_jk = w_jk sign(p_jk - x_k) the direction in which j's utility rises fastest, stopped
at j's ideal on each issue (beyond it the step would cost j utility). eta in (0, 1] is the
mediator's responsiveness (``step``).

Pi keeps the text in [0, 1] and inside the mediator's red lines, and a mediator with interests
of its own never puts forward a text below its own floor: the step is shortened to the
largest of 1, 1/2, 1/4, ... (SHORTEN_STEPS halvings) that keeps u_m at or above its floor, and
to 0 (the text stands) when none does. The first text is shortened the same way, from the
mediator's ideal.
"""

from __future__ import annotations

import numpy as np

from .element import element, select
from .rules import EPS, actor_sum, clip, issue_sum, lead, own_utility, utility

SHORTEN_STEPS = 16  # halvings tried before the mediator keeps its text unchanged


@element
def opening_text(mediator_ideal, bias, goal):
    """The unconstrained first text (1 - b) g + b p_m (g NaN where no member cares: p_m)."""
    g = select(np.isnan(goal), mediator_ideal, goal)
    return (1.0 - bias) * g + bias * mediator_ideal


def rejecter_steps(text, ideal, weight, threshold, low, high):
    """delta_j for every actor (A, K, ...): the move that would bring the text into j's
    acceptance set if j's utility were linear along it.

    text (K, ...); ideal, weight, low, high (A, K, ...); threshold (A, ...) theta_j. The text
    is first moved onto j's red lines where it breaches them (x' = clip(x, l_j, h_j)), then
    toward j's ideal by the step that closes j's remaining shortfall s_j = theta_j - u_j(x'):
    s_j d_j / ||d_j||^2 with d_jk = w_jk sign(p_jk - x'_k), stopped at the ideal on each issue
    (beyond it the step would cost j utility). Both moves stay inside j's red lines.
    """
    x = np.asarray(text)[None]
    onto = clip(x, low, high)  # onto the red lines (x itself where none is breached)
    direction = weight * np.sign(ideal - onto)
    norm = issue_sum(direction * direction)
    shortfall = threshold - own_utility(onto, ideal, weight)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = closing_scale(shortfall, norm)
    return rejecter_move(x, onto, ideal, weight, scale[:, None])


@element
def closing_scale(shortfall, norm):
    """max(s_j, 0) / ||d_j||^2: how far along d_j the step goes (0 when d_j = 0)."""
    return select(norm > 0.0, np.maximum(shortfall, 0.0) / norm, 0.0)


@element
def rejecter_move(x, onto, ideal, weight, scale):
    """One issue of delta_j: onto j's red lines, then toward j's ideal by scale w |d|,
    stopped at the ideal."""
    toward = np.sign(ideal - onto)
    step = np.minimum(abs(weight * toward) * scale, abs(ideal - onto))
    return onto - x + toward * step


def redraft_direction(text, ideal, weight, threshold, low, high, rejected, capability,
                      step_size):
    """eta sum_j omega_j delta_j over the rejecters (K, ...); 0 when nobody rejected.

    rejected (A, ...) marks the required actors who rejected; capability (A, ...) in force.
    """
    steps = rejecter_steps(text, ideal, weight, threshold, low, high)
    pull = np.where(rejected, capability, 0.0)
    total = actor_sum(pull)
    with np.errstate(divide="ignore", invalid="ignore"):
        omega = pull_share(pull, total)
    # the sum runs over the rejecters only (the others' terms are exactly +0)
    return np.asarray(step_size) * actor_sum(np.where(rejected[:, None], omega[:, None] * steps,
                                                      0.0))


@element
def pull_share(pull, total):
    """omega_j = c_j / sum of the rejecters' c (0 when nobody rejected)."""
    return select(total > 0.0, pull / total, 0.0)


def constrain(base, direction, mediator_ideal, mediator_weight, mediator_floor, low, high):
    """Pi[base + lambda direction] with the largest lambda of 1, 1/2, ... that keeps the
    mediator at or above its floor (0 when none does: the text stays at ``base``).

    base, direction, mediator_ideal, mediator_weight, low, high (K, ...); mediator_floor (...).
    """
    base = np.asarray(base)
    text = clip(base + direction, low, high)
    ok = _meets(text, mediator_ideal, mediator_weight, mediator_floor)
    if np.all(ok):
        return text
    lam = np.ones(np.shape(ok))
    for _ in range(SHORTEN_STEPS):
        lam = np.where(ok, lam, lam / 2.0)
        trial = clip(base + lam * direction, low, high)
        text = np.where(ok, text, trial)
        ok = ok | _meets(trial, mediator_ideal, mediator_weight, mediator_floor)
        if np.all(ok):
            return text
    return np.where(ok, text, base)


def _meets(text, ideal, weight, floor_):
    return utility(text, ideal[None], weight[None])[0] >= floor_ - EPS


def first_text(mediator_ideal, mediator_weight, mediator_floor, bias, goal, low, high):
    """x(0): the opening text, shortened from the mediator's ideal to respect its floor."""
    opening = opening_text(mediator_ideal, bias, goal)
    return constrain(mediator_ideal, opening - mediator_ideal, mediator_ideal, mediator_weight,
                     mediator_floor, low, high)


__all__ = ["opening_text", "rejecter_steps", "redraft_direction", "constrain", "first_text",
           "lead"]
