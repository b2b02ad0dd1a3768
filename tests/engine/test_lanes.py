"""The lane loop (negsim.engine.lanes) plays every run exactly as the run-by-run loop
(kernel.play) and the numpy engine do, whatever the number of runs, wherever runs end."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from negsim.abm import run_abm
from negsim.engine import compiled, run_vector
from negsim.model.layout import Layout
from negsim.sampling import sample
from negsim.scenario import load_scenario
from tests.conftest import BASELINE, load_data
from tests.engine.test_compiled import ROOT, SCENARIOS
from tests.engine.test_v2_equivalence import TARGETED, assert_identical
from tests.model.test_theory import baseline_like, v2_scenario_data

pytestmark = pytest.mark.skipif(not compiled.available(), reason="numba is not installed")


def fits(scenario) -> bool:
    from negsim.engine import lanes

    return lanes.fits(compiled.layout_arrays(Layout.from_scenario(scenario)))


def all_three(scenario, seed, start, stop):
    """The lane loop's outcomes, checked against kernel.play's and the numpy engine's."""
    assert fits(scenario)
    params = sample(scenario, seed, start, stop)
    laned = compiled.run_compiled(params)
    assert_identical(laned, compiled.run_compiled(params, lanes=False))
    assert_identical(laned, run_vector(params))
    return laned


def test_what_the_lane_loop_plays():
    assert fits(load_scenario(BASELINE))
    assert fits(load_data(TARGETED["mediator-floor-and-red-lines"]()))
    assert fits(load_data(TARGETED["known-exit"]()))
    assert fits(load_data(TARGETED["events-on-beliefs-and-patience"]()))
    assert not fits(load_data(TARGETED["reciprocal-alternating-beliefs"]()))
    assert not fits(load_scenario(ROOT / "scenarios" / "ceasefire_first.yaml"))  # an agenda


@pytest.mark.parametrize("runs", [1, 63, 64, 65, 130, 700])
def test_any_number_of_runs_fills_and_empties_the_lanes(runs):
    all_three(load_scenario(BASELINE), 5, 4090, 4090 + runs)  # across a block boundary


def test_runs_cut_off_by_the_window_record_the_war_as_it_stands():
    data = baseline_like(gap=0.0, step=0.5)
    data["protocol"]["max_rounds"] = 30  # about 60% of runs reach the end of the window
    out = all_three(load_data(data), 3, 0, 300)
    assert 100 < out.censored.sum() < 250 and (out.blocker[out.censored] >= 0).any()


@pytest.mark.parametrize("name", ["known-exit", "unknown-exit",
                                  "events-on-beliefs-and-patience"])
def test_events_change_the_parameters_and_the_mediator_walks_away_in_the_lanes(name):
    out = all_three(load_data(TARGETED[name]()), 13, 0, 300)
    assert out.event.any()
    if "exit" in name:
        assert 0 < out.mediator_left.sum() < 300


def test_the_mediator_shortens_its_steps_in_the_lanes_too():
    out = all_three(load_data(TARGETED["mediator-floor-and-red-lines"]()), 11, 0, 400)
    assert out.agreed.any()


@pytest.mark.parametrize("path", [p for p in SCENARIOS if fits(load_scenario(p))],
                         ids=lambda p: p.stem)
def test_every_scenario_the_lanes_play(path):
    all_three(load_scenario(path), 7, 4000, 4000 + 300)


def lane_data(data: dict) -> dict:
    """A generated scenario made one the lane loop plays: no reciprocal actors."""
    data = copy.deepcopy(data)
    for actor in data["actors"].values():
        if actor["strategy"]["type"] == "reciprocal":
            actor["strategy"] = {"type": "hardliner"}
    return data


@settings(max_examples=60, deadline=None)
@given(v2_scenario_data(protocol="mediated"), st.integers(0, 2**31), st.integers(0, 9000),
       st.integers(1, 150))
def test_generated_scenarios_play_the_same_in_lanes(data, seed, start, runs):
    scenario = load_data(lane_data(data))
    out = all_three(scenario, seed, start, start + runs)
    if runs <= 40:
        assert_identical(out, run_abm(scenario, seed, start, start + runs))
    ends = out.agreed.astype(int) + out.censored + out.mediator_left  # each run ends once
    assert np.all(ends == 1)
