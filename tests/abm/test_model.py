"""The Mesa engine: rules of a whole negotiation, checked on generated scenarios."""

import copy

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from negsim.abm import NegotiationModel, play, run_abm
from negsim.model import rules
from negsim.sampling import sample
from negsim.scenario import load_scenario, load_scenario_data
from negsim.trace import trace_of
from tests.conftest import BASELINE
from tests.strategies import scenario_data, scenarios

BASE = load_scenario(BASELINE)


def two_party(ideal_a, ideal_b, strategy_a, strategy_b, rounds=12, **extra) -> dict:
    def actor(ideal, strategy):
        return {"name": "x", "role": "party", "signatory": True, "ideal": {"k": ideal},
                "salience": {"k": 1.0}, "capability": 1.0, "reservation": 0.0,
                "war_cost": 0.0, "strategy": strategy}
    return {"name": "pair", "title": "two parties", "issues": {
                "k": {"label": "K", "zero": "z", "one": "o", "status_quo": 0.5}},
            "actors": {"a": actor(ideal_a, strategy_a), "b": actor(ideal_b, strategy_b)},
            "protocol": {"type": "alternating", "max_rounds": rounds, "horizon": 0}, **extra}


def test_a_deal_exactly_at_the_threshold_in_the_last_round():
    # a(t) = 0.4 + 0.6 (1 - (t+1)/6) reaches 0.5 only at t = 4, the last of 5 rounds; an offer
    # then gives the other side exactly 1 - 0.5 = 0.5, its threshold: both boundaries at once.
    linear = {"type": "time_dependent", "exponent": 1.0}
    data = two_party(0.0, 1.0, linear, linear, rounds=5)
    for actor in data["actors"].values():
        actor["reservation"] = 0.4
    model = play(load_scenario_data(data), 0, 0)
    def responder(entry):
        return entry["responses"]["b" if entry["proposer"] == "a" else "a"]

    assert model.agreed and model.deal_round == 4 == len(model.trace) - 1
    last = responder(model.trace[-1])
    assert last["accept"] and abs(last["utility"] - last["threshold"]) < 1e-12
    assert not any(responder(entry)["accept"] for entry in model.trace[:-1])


@settings(max_examples=30)
@given(st.floats(0.0, 0.49), st.floats(0.51, 1.0), st.integers(1, 30))
@example(0.0, 1.0, 1)  # a single round, which is the last
def test_two_hardliners_with_different_ideals_never_agree(a, b, rounds):
    hard = {"type": "hardliner"}
    scenario = load_scenario_data(two_party(a, b, hard, hard, rounds))
    outcomes = run_abm(scenario, 0, 0, 3)
    assert not outcomes.agreed.any() and np.all(outcomes.rounds == rounds)


@settings(max_examples=30)
@given(scenario_data(events=False, uncertain=False), st.integers(0, 2**31))
def test_identical_preferences_agree_in_round_zero(data, seed):
    first = next(iter(data["actors"].values()))
    for actor in data["actors"].values():
        for key in ("ideal", "salience", "red_lines"):
            actor[key] = copy.deepcopy(first[key])
    outcomes = run_abm(load_scenario_data(data), seed, 0, 4)
    assert outcomes.agreed.all() and np.all(outcomes.round == 0)


@settings(max_examples=25)
@given(scenarios(), st.integers(0, 2**31))
def test_same_seed_same_outcomes(scenario, seed):
    a, b = run_abm(scenario, seed, 0, 5), run_abm(scenario, seed, 0, 5)
    for name in ("agreed", "round", "rounds", "proposer", "blocker", "deal", "utility", "event"):
        assert np.array_equal(getattr(a, name), getattr(b, name), equal_nan=True), name


def test_different_seeds_give_different_runs():
    a, b = run_abm(BASE, 1, 0, 20), run_abm(BASE, 2, 0, 20)
    assert not np.array_equal(a.utility, b.utility)


def _reordered(data: dict, rng: np.random.Generator) -> dict:
    out = copy.deepcopy(data)
    for key in ("actors", "issues"):
        names = list(out[key])
        out[key] = {n: out[key][n] for n in rng.permutation(names)}
    for actor in out["actors"].values():
        for key in ("ideal", "salience"):
            names = list(actor[key])
            actor[key] = {n: actor[key][n] for n in rng.permutation(names)}
    return out


def _fix_order(data: dict) -> dict:
    """Alternating protocols propose in file order unless an order is given: give one."""
    if data["protocol"]["type"] == "alternating" and data["protocol"]["proposer_order"] == "fixed":
        data["protocol"]["order"] = [a for a, x in data["actors"].items() if x["signatory"]]
    return data


def _same_outcomes(a, b, layout_a, layout_b):
    fa, fb = a.to_frame(layout_a), b.to_frame(layout_b)
    fb = fb[fa.columns]
    for column in fa.columns:
        if fa[column].dtype == float:
            assert np.allclose(fa[column], fb[column], atol=1e-12, equal_nan=True), column
        else:
            assert (fa[column] == fb[column]).all(), column


@settings(max_examples=30)
@given(scenario_data(), st.integers(0, 2**31), st.integers(0, 2**31))
def test_reordering_actors_and_issues_in_the_file_changes_nothing(data, seed, shuffle):
    from negsim.model.layout import Layout

    data = _fix_order(data)
    original = load_scenario_data(data)
    shuffled = load_scenario_data(_reordered(data, np.random.default_rng(shuffle)))
    a, b = run_abm(original, seed, 0, 4), run_abm(shuffled, seed, 0, 4)
    _same_outcomes(a, b, Layout.from_scenario(original), Layout.from_scenario(shuffled))


def test_reversing_the_file_order_changes_nothing_even_with_tied_issues():
    from negsim.model.layout import Layout

    td = {"type": "time_dependent", "exponent": 1.0}
    data = two_party(0.0, 1.0, td, td, rounds=3)
    data["issues"] = {k: {"label": k, "zero": "z", "one": "o", "status_quo": 0.5}
                      for k in ("issue_a", "issue_b")}  # two identical issues: ratios tie
    for actor in data["actors"].values():
        actor["ideal"] = {k: actor["ideal"]["k"] for k in data["issues"]}
        actor["salience"] = {k: 1.0 for k in data["issues"]}
    data["protocol"]["order"] = ["a", "b"]
    reversed_data = copy.deepcopy(data)
    reversed_data["issues"] = dict(reversed(list(data["issues"].items())))
    reversed_data["actors"] = dict(reversed(list(data["actors"].items())))
    original, flipped = load_scenario_data(data), load_scenario_data(reversed_data)
    first = play(original, 0, 0).trace[0]["offer"]
    assert first["issue_a"] != first["issue_b"]  # the budget covers one issue of the two
    a, b = run_abm(original, 0, 0, 2), run_abm(flipped, 0, 0, 2)
    _same_outcomes(a, b, Layout.from_scenario(original), Layout.from_scenario(flipped))


@settings(max_examples=30)
@given(scenario_data(), st.integers(0, 2**31),
       st.lists(st.sampled_from([0.25, 0.5, 2.0, 8.0, 3.0, 0.3, 7.0]), min_size=7, max_size=7))
def test_scaling_an_actors_saliences_changes_nothing(data, seed, factors):
    from negsim.model.layout import Layout

    scaled = copy.deepcopy(data)
    for actor, factor in zip(scaled["actors"].values(), factors, strict=False):
        actor["salience"] = {k: w * factor for k, w in actor["salience"].items()}
    a = run_abm(load_scenario_data(data), seed, 0, 4)
    b = run_abm(load_scenario_data(scaled), seed, 0, 4)
    layout = Layout.from_scenario(load_scenario_data(data))
    _same_outcomes(a, b, layout, layout)


def check_trace(scenario, model) -> None:
    """Every rule of the model, checked on one finished run and its JSON trace."""
    p = model.params
    layout = p.layout
    data = trace_of(model, 0, 0)
    rounds = data["rounds"]
    assert len(rounds) <= layout.max_rounds
    for entry in rounds:
        x = np.array([entry["offer"][k] for k in layout.issues])
        q = np.array([entry["no_deal"][k] for k in layout.issues])
        assert np.all((x >= 0) & (x <= 1)) and np.all((q >= 0) & (q <= 1))
        proposer = layout.actors.index(entry["proposer"])
        assert np.all((x >= p.red_low[proposer]) & (x <= p.red_high[proposer]))
        required = rules.required(layout.signatory, layout.veto, rules.moved(x, p.status_quo))
        listed = {layout.actors[a] for a in np.flatnonzero(required)} | {entry["proposer"]}
        assert set(entry["responses"]) == listed
        for name, answer in entry["responses"].items():
            a = layout.actors.index(name)
            u = rules.utility(x, p.ideal[a:a + 1], p.salience[a:a + 1])[0]
            assert abs(answer["utility"] - u) < 1e-12
            if name == entry["proposer"]:
                assert answer["accept"]
                if not layout.mediated:  # a logrolled offer meets its proposer's threshold
                    assert answer["utility"] >= answer["threshold"] - 1e-9
                continue
            inside = bool(np.all((x >= p.red_low[a] - rules.EPS)
                                 & (x <= p.red_high[a] + rules.EPS)))
            assert answer["accept"] == (answer["utility"] >= answer["threshold"] - rules.EPS
                                        and inside)
        deal = all(r["accept"] for r in entry["responses"].values())
        assert deal == (entry is rounds[-1] and data["outcome"]["agreed"])
    out = data["outcome"]
    if out["agreed"]:
        assert out["deal"] == rounds[-1]["offer"] and out["round"] == rounds[-1]["round"]
    assert out["rounds"] == len(rounds)


@settings(max_examples=20)
@given(st.integers(0, 100_000), st.integers(0, 2**31))
def test_baseline_traces_obey_the_rules_for_any_run(run, seed):
    check_trace(BASE, play(BASE, seed, run))


@settings(max_examples=40)
@given(scenarios(), st.integers(0, 2**31), st.integers(0, 5000))
def test_generated_traces_obey_the_rules(scenario, seed, run):
    check_trace(scenario, play(scenario, seed, run))


class NegotiationSession(RuleBasedStateMachine):
    """A negotiation stepped one round at a time, with its invariants checked after each."""

    @initialize(scenario=scenarios(max_actors=4, max_issues=4, max_rounds=12),
                seed=st.integers(0, 2**31), run=st.integers(0, 10_000))
    def start(self, scenario, seed, run):
        self.model = NegotiationModel(sample(scenario, seed, run, run + 1).take(0), rng=seed)
        self.limit = scenario.protocol.max_rounds
        self.ended_with = None

    @rule()
    def step(self):
        before = len(self.model.trace)
        self.model.step()
        if self.ended_with is not None:
            assert len(self.model.trace) == before  # no offer after the end
        if self.model.ended and self.ended_with is None:
            self.ended_with = len(self.model.trace)

    @rule()
    def run_for(self):
        self.model.run_for(3)

    @invariant()
    def rounds_never_exceed_the_limit(self):
        if hasattr(self, "model"):
            assert len(self.model.trace) <= self.limit
            assert self.model.round <= self.limit

    @invariant()
    def a_deal_is_the_last_offer(self):
        if hasattr(self, "model") and self.model.agreed:
            last = self.model.trace[-1]
            assert list(last["offer"].values()) == list(map(float, self.model.deal))
            assert self.model.deal_round == last["round"]
            assert self.model.ended


TestNegotiationSession = NegotiationSession.TestCase
TestNegotiationSession.settings = settings(max_examples=40, stateful_step_count=20,
                                           deadline=None)
