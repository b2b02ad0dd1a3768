"""Sampling: every draw made up front, reproducible, chunk-independent, shared across scenarios."""

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from negsim.model import rules
from negsim.model.layout import Layout
from negsim.sampling import BLOCK, inverse_transform, sample, uniforms
from negsim.scenario import load_scenario, load_scenario_data
from negsim.scenario.params import Beta, Choice, Normal, Triangular, Uniform
from negsim.scenario.yamldoc import read_yaml
from tests.conftest import BASELINE, DATA, SCENARIOS
from tests.strategies import scenarios

SINK = load_scenario(DATA / "kitchen_sink.yaml")
ARRAYS = ("ideal", "salience", "capability", "reservation", "war_cost", "exponent", "patience",
          "rate", "initial", "red_low", "red_high", "belief_drift", "belief_weight",
          "status_quo", "drift", "volatility", "noise", "horizon", "bias", "step", "hazard",
          "proposer", "event_fires", "event_start", "event_end", "effect_value")


def same(a, b) -> bool:
    return all(np.array_equal(getattr(a, f), getattr(b, f), equal_nan=True) for f in ARRAYS)


def test_same_seed_same_draws_and_different_seeds_differ():
    assert same(sample(SINK, 5, 0, 300), sample(SINK, 5, 0, 300))
    a, b = sample(SINK, 5, 0, 300), sample(SINK, 6, 0, 300)
    for name in ("reservation", "noise", "event_fires", "proposer", "bias", "step", "patience",
                 "belief_drift", "hazard"):
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
    assert np.array_equal(sample(short, 2, 0, 50).noise, sample(SINK, 2, 0, 50).noise[:16])


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
    moving = np.flatnonzero(layout.moving)
    assert b.noise.shape[1] == len(moving)  # shocks only for the issues that can move
    assert np.all(b.noise[:, ~layout.contested[moving]] == 0)
    assert set(np.unique(b.proposer)) <= set(np.flatnonzero(layout.signatory)) | {layout.mediator}
    timed = layout.strategy == rules.TIME_DEPENDENT
    assert np.all(b.patience[:, timed] >= 0) and np.all(b.patience[:, ~timed] == 0)
    assert np.all(b.reservation >= 0) and np.all(b.reservation <= 1)
    for a, actor in enumerate(scenario.actors.values()):
        if "reservation" not in actor.model_fields_set:
            assert np.all(b.reservation[:, a] == 0.0)  # the default
    assert np.all(b.belief_weight > 0) and np.all(np.abs(b.belief_drift) <= 1)
    assert np.all(b.belief_drift[:, :, ~layout.contested] == 0)
    if layout.mediated:
        assert np.all((b.step > 0) & (b.step <= 1))
    else:
        assert np.all(b.step == 0) and np.all(b.bias == 0)
    assert b.hazard.shape == (64, layout.max_rounds)
    assert np.all((b.hazard >= 0) & (b.hazard <= 1))
    if not layout.known_exits:
        assert np.all(b.hazard == 0)


def test_block_size_and_baseline_shapes():
    scenario = load_scenario(BASELINE)
    b = sample(scenario, 1, 0, 10)
    A, K, T = len(scenario.actors), len(scenario.issues), scenario.protocol.max_rounds
    assert BLOCK == 4096
    assert b.ideal.shape == b.belief_drift.shape == b.belief_weight.shape == (10, A, K)
    assert b.patience.shape == b.reservation.shape == (10, A)
    M = int(Layout.from_scenario(scenario).moving.sum())
    assert b.noise.shape == (T, M, 10) and b.hazard.shape == b.proposer.shape == (10, T)
    assert b.step.shape == b.bias.shape == b.horizon.shape == (10,)


def test_a_default_belief_is_the_runs_drawn_drift_with_weight_52(sink_data):
    sink_data["battlefield"]["land"]["drift"] = {"dist": "uniform", "low": -0.02, "high": 0.03}
    scenario = load_scenario_data(sink_data, base_dir=SCENARIOS)
    b = sample(scenario, 8, 0, 500)
    north, south, broker, bloc = range(4)
    land = 0
    assert np.unique(b.drift[:, land]).size == 500
    for a in (broker, bloc):  # no belief in the file: the run's true drift, weight 52
        assert np.array_equal(b.belief_drift[:, a, land], b.drift[:, land])
        assert np.all(b.belief_weight[:, a, land] == 52.0)
    # a belief in the file: its own drift (a number or drawn), and its weight or 52
    assert np.all(b.belief_drift[:, south, land] == -0.01)
    assert np.all(b.belief_weight[:, south, land] == 52.0)
    assert np.all((b.belief_drift[:, north, land] >= 0.0) & (b.belief_drift[:, north, land]
                                                             <= 0.03))
    assert not np.array_equal(b.belief_drift[:, north, land], b.drift[:, land])
    assert np.all(b.belief_weight[:, north, land] == 8.0)
    # off the front, there is nothing to believe: drift 0, weight 1
    assert np.all(b.belief_drift[:, :, 1:] == 0.0) and np.all(b.belief_weight[:, :, 1:] == 1.0)


def test_without_known_exit_events_the_hazard_is_zero(sink_data):
    sink_data["events"]["walkout"]["known"] = False
    assert np.all(sample(load_scenario_data(sink_data, base_dir=SCENARIOS), 3, 0, 100).hazard
                  == 0.0)
    del sink_data["events"]["walkout"]
    assert np.all(sample(load_scenario_data(sink_data, base_dir=SCENARIOS), 3, 0, 100).hazard
                  == 0.0)


def test_the_hazard_of_a_known_exit_is_its_chance_of_ending_the_talks_before_the_next_round(
        sink_data):
    # h(t) = pi p(t+1) / (1 - pi F(t)). The walkout comes at round 10 or 15, as likely, and
    # happens at all with probability pi = 0.4: h(9) = 0.4 * 0.5 / 1 = 0.2 and
    # h(14) = 0.4 * 0.5 / (1 - 0.4 * 0.5) = 0.25, 0 in every other round.
    sink_data["events"]["walkout"]["probability"] = 0.4
    b = sample(load_scenario_data(sink_data, base_dir=SCENARIOS), 3, 0, 100)
    expected = np.zeros(20)
    expected[9], expected[14] = 0.2, 0.25
    assert np.allclose(b.hazard, expected[None], rtol=0, atol=1e-15)


def test_a_fixed_round_exit_threatens_each_run_with_its_own_drawn_probability(sink_data):
    # at a fixed round R, p(R) = 1: h(R - 1) = pi / 1 = pi, the probability drawn for the
    # run (the same draw that decides whether the exit fires), and 0 in every other round
    walkout = sink_data["events"]["walkout"]
    walkout["round"] = 12
    scenario = load_scenario_data(sink_data, base_dir=SCENARIOS)
    b = sample(scenario, 5, 0, 300)
    pi = inverse_transform(scenario.events["walkout"].probability,
                           uniforms(5, "events.walkout.probability", range(1))[:300])
    assert np.allclose(b.hazard[:, 11], pi, rtol=0, atol=1e-15)  # 1 - (1 - pi): last bits
    assert np.all(np.delete(b.hazard, 11, axis=1) == 0.0)
    fires = uniforms(5, "events.walkout.fires", range(1))[:300] < pi
    assert np.array_equal(b.event_fires[:, 1], fires)


# --- sensitivity designs (with_design) ---------------------------------------------------

def _uncertain(scenario) -> list[str]:
    from negsim.scenario.params import support
    from negsim.scenario.paths import iter_parameters

    return [r.dotted for r in iter_parameters(scenario)
            if support(r.value)[0] != support(r.value)[1]]


def test_a_design_of_the_streams_own_uniforms_changes_nothing():
    from negsim.sampling import with_design
    from negsim.simulation import simulate

    scenario = load_scenario(BASELINE)
    runs, seed = 600, 11
    own = {p: uniforms(seed, p, range(0, 1))[:runs] for p in _uncertain(scenario)}
    designed = with_design(scenario, own)
    for engine, n in (("vector", runs), ("abm", 12)):
        plain = simulate(scenario, runs=n, seed=seed, engine=engine).runs
        same = simulate(designed, runs=n, seed=seed, engine=engine).runs
        assert plain.equals(same), engine


def test_a_design_sets_its_parameters_and_no_other_draw():
    from negsim.sampling import with_design

    scenario = load_scenario(BASELINE)
    u = np.linspace(0.0, 1.0, 900)
    designed = with_design(scenario, {"actors.russia.war_cost": u,
                                      "battlefield.territory.drift": u[::-1]})
    plain, batch = sample(scenario, 3, 0, 900), sample(designed, 3, 0, 900)
    russia = plain.layout.actors.index("russia")
    war_cost = batch.war_cost[:, russia]
    assert war_cost[0] == pytest.approx(0.002) and war_cost[-1] == pytest.approx(0.006)
    assert np.all(np.diff(war_cost) >= 0)  # the parameter's own inverse transform
    others = [a for a in range(len(plain.layout.actors)) if a != russia]
    assert np.array_equal(batch.war_cost[:, others], plain.war_cost[:, others])
    # (belief_drift follows the drift for an actor with no stated belief: the model's rule)
    for name in ("ideal", "salience", "reservation", "noise", "patience", "belief_weight"):
        assert np.array_equal(getattr(batch, name), getattr(plain, name)), name
    assert not np.array_equal(batch.drift, plain.drift)
    assert scenario._design == {}  # the scenario itself is unchanged


@pytest.mark.parametrize("options", [{"chunk_size": 4096}, {"chunk_size": 8192},
                                     {"workers": 2, "chunk_size": 4096}])
def test_a_design_runs_the_same_in_any_chunk_or_worker(options):
    from negsim.sampling import with_design
    from negsim.simulation import simulate

    scenario = load_scenario(BASELINE)
    rng = np.random.default_rng(0)
    design = with_design(scenario, {p: rng.random(9000) for p in _uncertain(scenario)[:4]})
    reference = simulate(design, runs=9000, seed=2, chunk_size=16384).runs
    assert simulate(design, runs=9000, seed=2, **options).runs.equals(reference)


def test_a_bad_design_is_refused_with_the_reason():
    from negsim.sampling import with_design
    from negsim.simulation import simulate

    scenario = load_scenario(BASELINE)
    with pytest.raises(ValueError, match="not an uncertain parameter"):
        with_design(scenario, {"actors.united_states.war_cost": np.full(10, 0.5)})  # fixed
    with pytest.raises(ValueError, match="not an uncertain parameter"):
        with_design(scenario, {"actors.russia.nothing": np.full(10, 0.5)})
    for bad in (np.full(10, 1.5), np.full(10, np.nan), np.full((2, 5), 0.5)):
        with pytest.raises(ValueError, match="one uniform in"):
            with_design(scenario, {"actors.russia.war_cost": bad})
    with pytest.raises(ValueError, match="same number of runs"):
        with_design(scenario, {"actors.russia.war_cost": np.full(10, 0.5),
                               "actors.ukraine.war_cost": np.full(11, 0.5)})
    short = with_design(scenario, {"actors.russia.war_cost": np.full(10, 0.5)})
    with pytest.raises(ValueError, match="the design gives 10 runs"):
        simulate(short, runs=11, seed=1)
