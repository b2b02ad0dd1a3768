"""The two engines agree, run by run and bit for bit, on what version 2 added: beliefs about
the drift (and events that change them), patience (and events that change it), optional
reservations, known and unknown exit threats (the hazard in the threshold), and the
mediator's moving single text (its step, red-line moves, its own floor)."""

from __future__ import annotations

import copy
from dataclasses import fields

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from negsim.abm import run_abm
from negsim.engine import run_vector
from negsim.results.outcome import Outcomes
from negsim.sampling import sample
from tests.conftest import load_data
from tests.model.test_theory import (
    baseline_like,
    bilateral,
    kitchen_sink,
    one_issue_mediated,
    party,
    v2_scenario_data,
)

SEED = 31
RUNS = 80  # runs of each targeted scenario (the Mesa engine plays them one by one)


def assert_identical(vector: Outcomes, abm: Outcomes) -> None:
    """Every field of the outcomes equal bit for bit (so +0 is not -0), NaN where the other
    has NaN."""
    for f in fields(Outcomes):
        a, b = getattr(vector, f.name), getattr(abm, f.name)
        assert a.shape == b.shape, f.name
        assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), f.name
        if a.dtype.kind == "f":
            number = ~np.isnan(a)
            assert np.array_equal(a[number].view(np.uint64), b[number].view(np.uint64)), f.name


def both(data: dict, start: int, stop: int, seed: int = SEED) -> tuple[Outcomes, Outcomes]:
    scenario = load_data(data)
    return run_vector(sample(scenario, seed, start, stop)), run_abm(scenario, seed, start, stop)


def mediator_with_a_floor() -> dict:
    """baseline-like, but the mediator has a high reservation, so its floor shortens redrafts,
    and strong red lines of its own."""
    data = baseline_like(gap=0.01, step={"dist": "uniform", "low": 0.2, "high": 1.0})
    us = data["actors"]["united_states"]
    us["reservation"] = {"dist": "uniform", "low": 0.6, "high": 0.9}
    us["red_lines"] = {"nato": {"min": 0.5}, "sanctions": {"max": 0.6}}
    return data


def events_on_beliefs_and_patience() -> dict:
    data = baseline_like(gap=0.02, exit_probability=0.4)
    data["events"]["optimism"] = {
        "round": {"dist": "uniform", "low": 2, "high": 20}, "probability": 0.7, "duration": 6,
        "effects": [{"op": "add", "target": "actors.ukraine.beliefs.territory.drift",
                     "value": -0.01},
                    {"op": "scale", "target": "actors.russia.beliefs.territory.weight",
                     "value": 0.5},
                    {"op": "set", "target": "actors.russia.strategy.patience", "value": 2},
                    {"op": "add", "target": "battlefield.territory.drift", "value": 0.01}]}
    data["events"]["secret_walkout"] = {
        "round": {"dist": "choice", "values": [10, 30]}, "probability": 0.5,
        "effects": [{"op": "mediator_exit"}], "known": False}
    return data


def reciprocal_alternating() -> dict:
    russia = party(1.0, belief={"drift": 0.01, "weight": {"dist": "uniform", "low": 5, "high": 50}},
                   strategy={"type": "reciprocal", "rate": 0.8, "initial": 0.05},
                   reservation={"dist": "uniform", "low": 0.0, "high": 0.4})
    ukraine = party(0.0, belief={"drift": -0.01}, exponent=2.0,
                    patience={"dist": "uniform", "low": 0, "high": 20}, war_cost=0.02)
    return bilateral(russia, ukraine, status_quo=0.6, drift={"dist": "normal", "mean": 0.002,
                                                             "sd": 0.004},
                     volatility=0.02, horizon=20.0, max_rounds=40, order="random")


TARGETED = {
    "known-exit": lambda: baseline_like(gap=0.01, exit_probability={"dist": "uniform",
                                                                    "low": 0.2, "high": 0.9}),
    "unknown-exit": lambda: baseline_like(step=1.0, exit_probability=0.8, known=False),
    "mediator-floor-and-red-lines": mediator_with_a_floor,
    "events-on-beliefs-and-patience": events_on_beliefs_and_patience,
    "reciprocal-alternating-beliefs": reciprocal_alternating,
    "single-text-zeno": lambda: one_issue_mediated(0.3, 0.6, 0.5, 60, 0.2, 0.1),
    "kitchen-sink": kitchen_sink,
}


@pytest.mark.parametrize("name", list(TARGETED))
def test_engines_agree_bit_for_bit_on_targeted_version_2_scenarios(name):
    vector, abm = both(TARGETED[name](), 0, RUNS)
    assert_identical(vector, abm)


def test_engines_agree_across_a_block_boundary():
    # runs 4090 .. 4101 straddle the first block of 4096 runs
    vector, abm = both(events_on_beliefs_and_patience(), 4090, 4102)
    assert_identical(vector, abm)


def test_the_targeted_scenarios_exercise_what_they_are_for():
    # deals, broken-off and censored runs all occur, so the comparison covers each ending
    ends = {"agreed": 0, "mediator_left": 0, "censored": 0}
    for name in ("known-exit", "events-on-beliefs-and-patience", "mediator-floor-and-red-lines"):
        o = run_vector(sample(load_data(TARGETED[name]()), SEED, 0, RUNS))
        for key in ends:
            ends[key] += int(getattr(o, key).sum())
    assert all(n > 0 for n in ends.values()), ends


@settings(max_examples=40)
@given(v2_scenario_data(), st.integers(0, 2**31), st.integers(0, 9000))
def test_engines_agree_bit_for_bit_on_generated_version_2_scenarios(data, seed, start):
    vector, abm = both(copy.deepcopy(data), start, start + 12, seed)
    assert_identical(vector, abm)
