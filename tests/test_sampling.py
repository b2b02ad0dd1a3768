"""Sampling: every draw made up front, reproducible, chunk-independent, shared across scenarios."""

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from negsim.model.layout import Layout
from negsim.sampling import BLOCK, inverse_transform, sample
from negsim.scenario import load_scenario, load_scenario_data
from negsim.scenario.params import Beta, Choice, Normal, Triangular, Uniform
from negsim.scenario.yamldoc import read_yaml
from tests.conftest import BASELINE, DATA, SCENARIOS
from tests.strategies import scenarios

SINK = load_scenario(DATA / "kitchen_sink.yaml")
ARRAYS = ("ideal", "salience", "capability", "reservation", "war_cost", "exponent", "rate",
          "initial", "red_low", "red_high", "status_quo", "drift", "volatility", "noise",
          "horizon", "bias", "lean", "proposer", "event_fires", "event_start", "event_end",
          "effect_value")


def same(a, b) -> bool:
    return all(np.array_equal(getattr(a, f), getattr(b, f), equal_nan=True) for f in ARRAYS)


def test_same_seed_same_draws_and_different_seeds_differ():
    assert same(sample(SINK, 5, 0, 300), sample(SINK, 5, 0, 300))
    a, b = sample(SINK, 5, 0, 300), sample(SINK, 6, 0, 300)
    for name in ("reservation", "noise", "event_fires", "proposer", "bias"):
        if len(np.unique(getattr(a, name))) > 1:
            assert not np.array_equal(getattr(a, name), getattr(b, name)), name


@pytest.mark.parametrize("start,stop", [(0, 10), (4090, 4100), (8191, 8193), (100, 9000)])
def test_a_run_draws_the_same_whatever_the_range_it_is_drawn_in(start, stop):
    whole = sample(SINK, 11, 0, 9000)
    part = sample(SINK, 11, start, stop)
    assert same(part, whole.take(slice(start, stop)))
    assert list(part.run) == list(range(start, stop))


def test_common_random_numbers_across_scenarios():
    data = copy.deepcopy(read_yaml(DATA / "kitchen_sink.yaml").data)
    data["evidence_registry"] = "../seeds/evidence.yaml"
    data["actors"]["north"]["war_cost"] = 0.5  # a different parameter changes
    data["actors"]["north"]["reservation"]["high"] = 0.9  # a wider distribution, same path
    other = load_scenario_data(data, base_dir=SCENARIOS)
    a, b = sample(SINK, 3, 0, 2000), sample(other, 3, 0, 2000)
    assert np.array_equal(a.capability, b.capability)  # shared parameter: identical draws
    assert np.array_equal(a.noise, b.noise) and np.array_equal(a.event_fires, b.event_fires)
    ra, rb = a.reservation[:, 0], b.reservation[:, 0]
    assert stats.spearmanr(ra, rb).statistic > 0.99  # same uniforms, monotone transform


def test_each_parameter_draws_from_its_own_stream():
    data = copy.deepcopy(read_yaml(DATA / "kitchen_sink.yaml").data)
    data["evidence_registry"] = "../seeds/evidence.yaml"
    same_spec = {"dist": "uniform", "low": 0.2, "high": 0.8}
    data["actors"]["north"]["reservation"] = same_spec
    data["actors"]["south"]["reservation"] = same_spec
    data["actors"]["north"]["ideal"]["money"] = same_spec
    b = sample(load_scenario_data(data, base_dir=SCENARIOS), 1, 0, 1000)
    north, south = b.reservation[:, 0], b.reservation[:, 1]
    assert abs(stats.pearsonr(north, south).statistic) < 0.1
    assert abs(stats.pearsonr(north, b.ideal[:, 0, 1]).statistic) < 0.1


def test_fewer_rounds_share_the_first_rounds_noise():
    data = copy.deepcopy(read_yaml(DATA / "kitchen_sink.yaml").data)
    data["evidence_registry"] = "../seeds/evidence.yaml"
    data["protocol"]["max_rounds"] = 16
    short = load_scenario_data(data, base_dir=SCENARIOS)
    assert np.array_equal(sample(short, 2, 0, 50).noise, sample(SINK, 2, 0, 50).noise[:, :16])


DISTRIBUTIONS = [
    (Uniform(dist="uniform", low=0.2, high=0.7), stats.uniform(0.2, 0.5)),
    (Normal(dist="normal", mean=0.5, sd=0.2, low=0.0, high=1.0),
     stats.truncnorm(-2.5, 2.5, loc=0.5, scale=0.2)),
    (Beta(dist="beta", alpha=2, beta=5, low=0.1, high=0.9), stats.beta(2, 5, loc=0.1, scale=0.8)),
    (Triangular(dist="triangular", low=0.1, mode=0.3, high=0.9),
     stats.triang(0.25, loc=0.1, scale=0.8)),
]


@pytest.mark.parametrize("value,law", DISTRIBUTIONS, ids=lambda v: getattr(v, "dist", ""))
def test_draws_follow_their_distribution(value, law):
    u = np.random.default_rng(0).random(20_000)
    x = inverse_transform(value, u)
    assert stats.kstest(x, law.cdf).pvalue > 1e-3
    lo, hi = value.support()
    assert x.min() >= lo and x.max() <= hi


def test_choice_draws_follow_their_weights():
    value = Choice(dist="choice", values=[1.0, 2.0, 4.0], weights=[1, 2, 5])
    x = inverse_transform(value, np.random.default_rng(0).random(40_000))
    counts = [np.sum(x == v) for v in (1.0, 2.0, 4.0)]
    assert stats.chisquare(counts, np.array([1, 2, 5]) / 8 * 40_000).pvalue > 1e-3


@settings(max_examples=40)
@given(scenarios(), st.integers(0, 2**32))
def test_batches_respect_the_scenario(scenario, seed):
    layout = Layout.from_scenario(scenario)
    b = sample(scenario, seed, 0, 64, layout)
    assert np.allclose(b.salience.sum(-1), 1.0)
    assert np.all((b.ideal >= b.red_low) & (b.ideal <= b.red_high))
    assert np.all((b.ideal >= 0) & (b.ideal <= 1)) and np.all(b.capability > 0)
    assert np.all((0 <= b.event_start) & (b.event_start < b.event_end)
                  & (b.event_end <= layout.max_rounds))
    assert np.all(b.noise[:, :, ~layout.contested] == 0)
    assert set(np.unique(b.proposer)) <= set(np.flatnonzero(layout.signatory)) | {layout.mediator}


def test_block_size_and_baseline_shapes():
    b = sample(load_scenario(BASELINE), 1, 0, 10)
    assert BLOCK == 4096
    assert b.ideal.shape == (10, 4, 8) and b.noise.shape == (10, 52, 8)
