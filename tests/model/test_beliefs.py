"""Property tests of beliefs about the war (negsim.model.beliefs): each test states a rule of
docs/design.md section 3 ("Beliefs about the war") and tries to break it with generated inputs.

    mu_hat_ik(t) = (n_ik m_ik + q_k(t) - q_k(0)) / (n_ik + t)
"""

import numpy as np
from hypothesis import assume, example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from negsim.model import beliefs

unit = st.floats(0.0, 1.0, allow_nan=False)
drift = st.floats(-0.2, 0.2, allow_nan=False)
weight = st.floats(0.5, 200.0, allow_nan=False)


@given(drift, weight, unit, unit, st.integers(0, 500))
@example(0.01, 52.0, 0.5, 0.6, 10)
def test_the_estimate_is_the_weighted_mean_of_prior_and_experience(m, n, q0, q, t):
    estimate = beliefs.drift_estimate(np.array([[m]]), np.array([[n]]), np.array([q]),
                                      np.array([q0]), t)
    assert estimate.shape == (1, 1)
    assert np.isclose(estimate[0, 0], (n * m + q - q0) / (n + t), rtol=1e-12, atol=1e-15)


@given(hnp.arrays(float, (3, 2), elements=drift), hnp.arrays(float, (3, 2), elements=weight),
       hnp.arrays(float, 2, elements=unit))
def test_before_any_fighting_every_actor_believes_its_prior(m, n, q0):
    assert np.allclose(beliefs.drift_estimate(m, n, q0, q0, 0), m, rtol=1e-12, atol=1e-15)


@given(drift, drift, weight, st.integers(0, 400), st.floats(-1.0, 1.0))
@example(0.02, -0.01, 52.0, 0, 0.0)
@example(0.02, -0.01, 1.0, 400, 0.3)
def test_with_equal_weights_the_gap_is_the_prior_gap_shrunk_by_n_over_n_plus_t(m1, m2, n, t,
                                                                               moved):
    # whatever the front did (the same front for both), the gap is |dm| n / (n + t)
    q0 = 0.5
    estimate = beliefs.drift_estimate(np.array([[m1], [m2]]), np.full((2, 1), n),
                                      np.array([q0 + moved / 2]), np.array([q0]), t)
    gap = abs(estimate[0, 0] - estimate[1, 0])
    assert np.isclose(gap, abs(m1 - m2) * n / (n + t), rtol=1e-9, atol=1e-15)


@given(drift, drift, weight, st.floats(-1e-3, 1e-3), st.floats(0.0, 2e-3),
       st.integers(0, 2**32 - 1))
@example(0.05, -0.05, 52.0, 1e-4, 1e-3, 0)
def test_estimates_converge_to_the_realised_drift_while_the_front_is_unclipped(m1, m2, n, mu,
                                                                              sigma, seed):
    # a front that moves by mu + sigma eps per round, in runs where it stays inside (0, 1)
    rounds = 2000
    noise = np.random.default_rng(seed).standard_normal(rounds)
    front = 0.5 + np.concatenate([[0.0], np.cumsum(mu + sigma * noise)])
    assume(np.all((front > 0.0) & (front < 1.0)))
    t = np.arange(1, rounds + 1)
    realised = (front[1:] - front[0]) / t
    m, w = np.array([[m1], [m2]]), np.full((2, 1), n)
    for actor, prior in enumerate((m1, m2)):
        estimate = np.array([beliefs.drift_estimate(m, w, front[s:s + 1], front[:1], s)[actor, 0]
                             for s in t[::50]])
        # the estimate is off the realised drift by the prior's share n / (n + t) of the
        # evidence, a share that falls to 0 as the fighting goes on
        error = np.abs(estimate - realised[::50])
        share = n / (n + t[::50])
        assert np.allclose(error, np.abs(prior - realised[::50]) * share, rtol=1e-6, atol=1e-12)
    last = beliefs.drift_estimate(m, w, front[-1:], front[:1], rounds)[:, 0]
    assert np.all(np.abs(last - realised[-1]) <= (abs(m1) + abs(m2) + 1e-2) * n / (n + rounds))


@given(drift, weight, st.integers(1, 10_000))
def test_with_the_prior_equal_to_the_realised_drift_the_estimate_never_moves(m, n, t):
    q0 = 0.4
    q = q0 + m * t  # the front moved exactly as believed (not clipped: no bound is checked)
    estimate = beliefs.drift_estimate(np.array([[m]]), np.array([[n]]), np.array([q]),
                                      np.array([q0]), t)
    assert np.isclose(estimate[0, 0], m, rtol=1e-9, atol=1e-12)


@given(drift, drift, weight, unit, unit, unit, st.integers(0, 100))
def test_the_estimate_rises_with_the_prior_mean_and_with_the_front(m1, m2, n, q0, qa, qb, t):
    lo_m, hi_m = sorted([m1, m2])
    lo_q, hi_q = sorted([qa, qb])
    est = beliefs.drift_estimate(np.array([[lo_m], [hi_m], [lo_m]]), np.full((3, 1), n),
                                 np.array([lo_q]), np.array([q0]), t)[:, 0]
    higher_front = beliefs.drift_estimate(np.array([[lo_m]]), np.array([[n]]), np.array([hi_q]),
                                          np.array([q0]), t)[0, 0]
    assert est[1] >= est[0]
    assert higher_front >= est[2]


@given(hnp.arrays(float, (2, 3, 7), elements=drift), hnp.arrays(float, (2, 3, 7), elements=weight),
       hnp.arrays(float, (3, 7), elements=unit), hnp.arrays(float, (3, 7), elements=unit),
       st.integers(0, 60))
def test_a_batch_gives_each_run_its_own_estimate(m, n, start, front, t):
    batch = beliefs.drift_estimate(m, n, front, start, t)
    assert batch.shape == (2, 3, 7)
    for r in range(7):
        one = beliefs.drift_estimate(m[..., r], n[..., r], front[:, r], start[:, r], t)
        assert np.array_equal(batch[..., r], one)


@given(hnp.arrays(float, (3, 2), elements=drift), hnp.arrays(float, (3, 2), elements=weight),
       hnp.arrays(float, 2, elements=unit), st.integers(0, 100))
def test_off_the_front_the_estimate_is_the_prior_shrunk_toward_zero(m, n, q0, t):
    # an issue that never moves (q(t) = q(0)) teaches a drift of 0
    estimate = beliefs.drift_estimate(m, n, q0, q0, t)
    assert np.allclose(estimate, m * n / (n + t), rtol=1e-12, atol=1e-15)
