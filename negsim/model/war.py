"""The value of war and the floor it sets (Fearon 1995).

Without a deal the war goes on. What actor i expects from fighting on for H more rounds is
the settlement the front would reach if it moved as i believes, less the cost of those rounds:

    y_hat_ik(t) = clip(q_k(t) + H mu_hat_ik(t), 0, 1)     (q_k(t) on issues off the front)
    W_i(t)      = u_i(y_hat_i(t)) - kappa_i H

Its floor is f_i(t) = max(r_i, W_i(t)): no deal worth less than fighting on (or than the
domestic floor r_i) is offered or accepted. The floor moves with the front and with beliefs:
a side that sees the war turning against it accepts worse terms; a side that expects to gain
by fighting demands more.
"""

from __future__ import annotations

import numpy as np

from .element import element
from .rules import clip, own_utility


def expected_front(front, estimate, horizon):
    """y_hat: where actor i expects the front H rounds on. front (K, ...), estimate
    (A, K, ...) -> (A, K, ...). Off the front the estimate is 0, so y_hat = q(t)."""
    return front_point(np.asarray(front)[None], estimate, np.asarray(horizon))


@element
def front_point(front, estimate, horizon):
    """clip(q_k + H mu_hat_ik, 0, 1): one issue of y_hat."""
    return clip(front + horizon * estimate, 0.0, 1.0)


def value_of_war(front, estimate, ideal, weight, war_cost, horizon, work=None, settled=None):
    """W_i(t) = u_i(y_hat_i(t)) - kappa_i H for every actor. -> (A, ...).

    ``settled`` (K, ...), NaN on open issues, holds what stages of the agenda have agreed: the
    war no longer decides those issues, so y_hat takes the agreed value there.
    """
    expected = expected_front(front, estimate, horizon)
    if settled is not None:
        expected = np.where(np.isnan(settled)[None], expected, np.asarray(settled)[None])
    return war_value(own_utility(expected, ideal, weight, work), war_cost, np.asarray(horizon))


@element
def war_value(utility, war_cost, horizon):
    """W = u(y_hat) - kappa H."""
    return utility - war_cost * horizon


@element
def floor(reservation, war_value):
    """f_i(t) = max(r_i, W_i(t)): the least an actor offers or accepts."""
    return np.maximum(reservation, war_value)
