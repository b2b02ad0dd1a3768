"""Property tests of the perceived exit hazard (negsim.model.hazard): each test states a rule
of docs/design.md section 3 ("Acceptance threshold": h_j(t)) and tries to break it.

An exit that fires with probability pi at round R (the mediator leaves at the start of R) ends
the talks before round t + 1 with probability, given that they are still on in round t,

    h(t) = pi p(t + 1) / (1 - pi F(t)),   p(k) = P(floor(R) = k), F(t) = P(floor(R) <= t)

and several independent threats combine as h = 1 - prod_e (1 - h_e).
"""

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from negsim.model import hazard
from negsim.sampling import round_pmf, sample
from negsim.scenario import load_scenario_data
from negsim.scenario.params import Uniform

unit = st.floats(0.0, 1.0, allow_nan=False)


def one_hot(R: int, T: int) -> np.ndarray:
    pmf = np.zeros(T + 1)
    pmf[R] = 1.0
    return pmf


@given(st.floats(0.0, 0.999), st.integers(1, 40), st.integers(0, 40))
@example(0.3, 5, 10)
def test_a_fixed_round_exit_is_a_threat_only_in_the_round_before_it(pi, T, R):
    R = min(R, T)
    h = hazard.exit_hazard(np.array([pi]), one_hot(R, T))
    assert h.shape == (1, T)
    expected = np.zeros(T)
    if R >= 1:
        expected[R - 1] = pi  # in round R - 1 the mediator leaves "before round R" w.p. pi
    assert np.allclose(h[0], expected, rtol=0, atol=1e-15)
    # the same from the scenario language's round (a number)
    assert np.array_equal(round_pmf(R, T), one_hot(R, T))


def test_after_a_sure_exit_the_hazard_is_one_in_the_rounds_never_reached():
    # pi = 1, R = 3: the mediator surely leaves at round 3; rounds 3.. are never played with
    # it, and the formula's 0 / 0 there is taken as 1
    h = hazard.exit_hazard(np.array([1.0]), one_hot(3, 6))[0]
    assert np.array_equal(h, [0.0, 0.0, 1.0, 1.0, 1.0, 1.0])


def test_a_uniform_round_exit_by_hand():
    # R ~ uniform[0, 10), pi = 1: p(k) = 0.1 for k = 0..9, so h(t) = 0.1 / (1 - 0.1 (t + 1))
    # = 1 / (9 - t): 1/9, 1/8, ..., 1/1 in round 8 (the mediator surely leaves at round 9)
    pmf = round_pmf(Uniform(dist="uniform", low=0, high=10), 10)
    assert np.allclose(pmf[:10], 0.1, atol=1e-12) and pmf[10] < 1e-12
    h = hazard.exit_hazard(np.array([1.0, 0.5]), pmf)
    assert np.allclose(h[0, :9], [1 / (9 - t) for t in range(9)], atol=1e-12)
    assert h[1, 9] < 1e-12  # nothing is left to fire after round 9
    # pi = 0.5: h(t) = 0.05 / (1 - 0.05 (t + 1))
    assert np.allclose(h[1, :9], [0.05 / (1 - 0.05 * (t + 1)) for t in range(9)], atol=1e-12)


@given(st.floats(0.0, 0.99), st.floats(0.0, 0.99), st.integers(2, 30), st.integers(1, 30),
       st.integers(1, 30))
def test_two_threats_combine_as_independent_risks(pi1, pi2, T, R1, R2):
    R1, R2 = min(R1, T), min(R2, T)
    h1 = hazard.exit_hazard(np.array([pi1]), one_hot(R1, T))
    h2 = hazard.exit_hazard(np.array([pi2]), one_hot(R2, T))
    both = hazard.combined_hazard([h1, h2])
    assert np.allclose(both, 1.0 - (1.0 - h1) * (1.0 - h2), atol=1e-15)
    assert np.all(both >= np.maximum(h1, h2) - 1e-15) and np.all(both <= h1 + h2 + 1e-15)
    if R1 == R2:
        assert np.isclose(both[0, R1 - 1], pi1 + pi2 - pi1 * pi2, atol=1e-15)
    else:
        assert np.isclose(both[0, R1 - 1], pi1) and np.isclose(both[0, R2 - 1], pi2)


def test_a_hand_computed_combination():
    h1 = np.array([[0.5, 0.0, 0.2]])
    h2 = np.array([[0.2, 0.1, 0.0]])
    assert np.allclose(hazard.combined_hazard([h1, h2]), [[0.6, 0.1, 0.2]], atol=1e-15)
    assert np.allclose(hazard.combined_hazard([h1]), h1, rtol=0, atol=1e-15)


@given(hnp.arrays(float, 8, elements=unit), st.integers(1, 20), st.data())
def test_the_hazard_is_a_probability_and_rises_with_the_exit_probability(pis, T, data):
    raw = data.draw(hnp.arrays(float, T + 1, elements=st.floats(0.0, 1.0)))
    if raw.sum() == 0:
        raw[0] = 1.0
    pmf = raw / raw.sum()
    pis = np.sort(pis)
    h = hazard.exit_hazard(pis, pmf)
    assert np.all((h >= 0.0) & (h <= 1.0))
    assert np.all(np.diff(h, axis=0) >= -1e-12)  # a likelier threat is a larger hazard
    assert np.all(hazard.exit_hazard(np.zeros(1), pmf) == 0.0)


# --- the hazard a sampled batch carries --------------------------------------------------------


def mediated(events: dict, T: int = 12) -> dict:
    actor = {"name": "x", "role": "party", "signatory": True, "ideal": {"land": 1.0},
             "salience": {"land": 1.0}, "capability": 1.0, "war_cost": 0.01,
             "strategy": {"type": "time_dependent", "exponent": 1.0, "patience": 5}}
    return {"name": "h", "title": "h",
            "issues": {"land": {"label": "Land", "zero": "a", "one": "b", "status_quo": 0.5}},
            "actors": {"north": actor, "south": {**actor, "ideal": {"land": 0.0}},
                       "broker": {**actor, "role": "mediator", "signatory": False,
                                  "ideal": {"land": 0.5}}},
            "protocol": {"type": "mediated", "mediator": "broker", "max_rounds": T, "horizon": 4,
                         "bias": 0.2},
            "events": events}


def exit_event(round_, probability, known=True) -> dict:
    return {"round": round_, "probability": probability, "effects": [{"op": "mediator_exit"}],
            "known": known}


def test_without_known_threats_the_hazard_is_zero():
    quiet = load_scenario_data(mediated({}))
    assert np.all(sample(quiet, 1, 0, 50).hazard == 0.0)
    secret = load_scenario_data(mediated({"walkout": exit_event(5, 0.9, known=False)}))
    assert np.all(sample(secret, 1, 0, 50).hazard == 0.0)
    # an event that changes a parameter is no threat to walk away
    other = load_scenario_data(mediated({"shock": {
        "round": 3, "effects": [{"op": "add", "target": "actors.north.war_cost", "value": 0.1}]}}))
    assert np.all(sample(other, 1, 0, 50).hazard == 0.0)


@pytest.mark.parametrize("known", [True, False])
def test_a_sampled_batch_carries_the_hazard_of_the_threats_it_knows_of(known):
    scenario = load_scenario_data(mediated({
        "walkout": exit_event(5, 0.3, known),
        "moveon": exit_event({"dist": "uniform", "low": 2, "high": 11.999}, 0.5)}))
    h = sample(scenario, 4, 0, 20).hazard
    assert h.shape == (20, 12)
    uniform = hazard.exit_hazard(np.array([0.5]), round_pmf(Uniform(dist="uniform", low=2,
                                                                     high=11.999), 12))[0]
    fixed = np.zeros(12)
    fixed[4] = 0.3 if known else 0.0
    assert np.allclose(h, 1.0 - (1.0 - fixed) * (1.0 - uniform), atol=1e-12)


def test_a_drawn_exit_probability_gives_each_run_its_own_hazard():
    scenario = load_scenario_data(mediated({
        "walkout": exit_event(6, {"dist": "uniform", "low": 0.1, "high": 0.4})}))
    batch = sample(scenario, 4, 0, 200)
    assert np.all(np.delete(batch.hazard, 5, axis=1) == 0.0)
    pi = batch.hazard[:, 5]
    assert np.all((pi >= 0.1) & (pi <= 0.4)) and np.unique(pi).size == 200
    # the runs where the exit fires are those whose fire draw fell below their own pi
    assert 0.1 < batch.event_fires[:, 0].mean() < 0.4
