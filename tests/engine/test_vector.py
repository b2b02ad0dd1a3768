"""The vectorised engine gives the Mesa engine's results, run by run."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from negsim.abm import run_abm
from negsim.engine import run_vector
from negsim.sampling import sample
from negsim.scenario import load_scenario, load_scenario_data
from tests.conftest import DATA, SCENARIO_FILES, three_endings_data
from tests.strategies import scenarios

EXACT = ("agreed", "round", "rounds", "proposer", "blocker", "mediator_left", "censored",
         "event")
CLOSE = ("deal", "no_deal", "utility")


def assert_same(vector, abm) -> None:
    for name in EXACT:
        assert np.array_equal(getattr(vector, name), getattr(abm, name)), name
    for name in CLOSE:
        a, b = getattr(vector, name), getattr(abm, name)
        assert np.array_equal(np.isnan(a), np.isnan(b)), name
        assert np.allclose(a, b, atol=1e-9, rtol=0, equal_nan=True), name


@settings(max_examples=60)
@given(scenarios(), st.integers(0, 2**31), st.integers(0, 9000))
def test_engines_agree_on_generated_scenarios(scenario, seed, start):
    vector = run_vector(sample(scenario, seed, start, start + 12))
    abm = run_abm(scenario, seed, start, start + 12)
    assert_same(vector, abm)


@pytest.mark.parametrize("path", SCENARIO_FILES + [DATA / "kitchen_sink.yaml",
                                                  DATA / "nine_one_issue.yaml"],
                         ids=lambda p: p.name)
def test_engines_agree_on_every_scenario_file(path):
    scenario = load_scenario(path)
    assert_same(run_vector(sample(scenario, 9, 0, 200)), run_abm(scenario, 9, 0, 200))


def test_engines_agree_on_deals_break_offs_and_censored_runs():
    scenario = load_scenario_data(three_endings_data())
    vector, abm = run_vector(sample(scenario, 2, 0, 300)), run_abm(scenario, 2, 0, 300)
    assert vector.agreed.any() and vector.mediator_left.any() and vector.censored.any()
    assert_same(vector, abm)
