"""Beliefs about the war: each actor's estimate of how the front drifts, learned from it.

Smith & Stam (2004) and Slantchev (2003): sides start from prior beliefs about the course of
the war and update them as fighting reveals it. An actor holds, for every contested issue, a
prior mean m_ik of the drift per round and a prior weight n_ik > 0, counted in rounds of
fighting. After t rounds it has seen the front move by q_k(t) - q_k(0), and its estimate is the
weighted mean of the prior and that experience:

    mu_hat_ik(t) = (n_ik m_ik + q_k(t) - q_k(0)) / (n_ik + t)

With equal weights the gap between two actors' estimates shrinks as |m_1 - m_2| n / (n + t)
while the front is unclipped, and each estimate tends to the realised drift. Divergent priors
(mutual optimism) keep the floors apart; fighting brings them together.
"""

from __future__ import annotations

import numpy as np

from .element import element


def drift_estimate(prior_mean, prior_weight, front, start, t: int):
    """mu_hat(t) of every actor on every issue.

    prior_mean, prior_weight (A, K, ...); front q(t) and start q(0) (K, ...). -> (A, K, ...).
    Issues off the front have q(t) = q(0), so the estimate stays at the prior there.
    """
    moved = np.asarray(front) - np.asarray(start)
    return estimate(prior_mean, prior_weight, moved[None], t)


@element
def estimate(prior_mean, prior_weight, moved, t):
    """(n m + (q(t) - q(0))) / (n + t): one actor's estimate of one issue's drift."""
    return (prior_weight * prior_mean + moved) / (prior_weight + t)
