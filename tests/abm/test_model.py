"""The Mesa engine: rules of a whole negotiation, checked on generated scenarios."""

import copy

import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from negsim.abm import NegotiationModel, play, run_abm
from negsim.model import rules
from negsim.model.events import round_parameters
from negsim.sampling import sample
from negsim.scenario import load_scenario, load_scenario_data
from negsim.trace import trace_of
from tests.conftest import BASELINE
from tests.strategies import scenario_data, scenarios

BASE = load_scenario(BASELINE)


def two_party(ideal_a, ideal_b, strategy_a, strategy_b, rounds=12, **extra) -> dict:
    """Two signatories on one issue, status quo 0.5, no cost of war, no horizon (so that each
    one's value of war is u(0.5)), reservation left to its default 0."""
    def actor(ideal, strategy):
        return {"name": "x", "role": "party", "signatory": True, "ideal": {"k": ideal},
                "salience": {"k": 1.0}, "capability": 1.0, "war_cost": 0.0,
                "strategy": strategy}
    return {"name": "pair", "title": "two parties", "issues": {
                "k": {"label": "K", "zero": "z", "one": "o", "status_quo": 0.5}},
            "actors": {"a": actor(ideal_a, strategy_a), "b": actor(ideal_b, strategy_b)},
            "protocol": {"type": "alternating", "max_rounds": rounds, "horizon": 0}, **extra}


def test_a_deal_exactly_at_the_threshold_in_the_last_round():
    # Each side's value of war is u(q = 0.5) = 0.5, its floor. With patience 4 the linear
    # demand a(t) = 0.5 + 0.5 (1 - (t+1)/5) reaches the floor only at t = 4, the last of 5
    # rounds; an offer then gives the other side exactly 1 - 0.5 = 0.5, and its threshold is
    # max(f, a(t+1)) = 0.5 (no cost of delay, no hazard): both boundaries at once. Before, an
    # offer gives 1 - a(t) < a(t+1).
    linear = {"type": "time_dependent", "exponent": 1.0, "patience": 4}
    data = two_party(0.0, 1.0, linear, linear, rounds=5)
    model = play(load_scenario_data(data), 0, 0)
    def responder(entry):
        return entry["responses"]["b" if entry["proposer"] == "a" else "a"]

    assert model.agreed and model.deal_round == 4 == len(model.trace) - 1
    last = responder(model.trace[-1])
    assert last["accept"] and abs(last["utility"] - last["threshold"]) < 1e-12
    assert last["threshold"] == model.trace[-1]["actors"]["a"]["floor"] == 0.5
    assert not any(responder(entry)["accept"] for entry in model.trace[:-1])


@settings(max_examples=30)
@given(st.floats(0.0, 0.49), st.floats(0.51, 1.0), st.integers(1, 30), st.floats(0.0, 50.0))
@example(0.0, 1.0, 1, 0.0)  # a single round, which is the last
def test_two_hardliners_with_different_ideals_never_agree_without_a_cost_of_delay(a, b, rounds,
                                                                                  horizon):
    # a hardliner demands 1 in every round; with no cost of one more round (kappa = 0) and no
    # hazard its threshold is max(f, 1 - 0) = 1, which the other's ideal never gives it
    hard = {"type": "hardliner"}
    scenario = load_scenario_data(_with(two_party(a, b, hard, hard, rounds), horizon=horizon))
    outcomes = run_abm(scenario, 0, 0, 3)
    assert not outcomes.agreed.any() and np.all(outcomes.rounds == rounds)
    assert outcomes.censored.all()


def _with(data: dict, horizon=0.0, war_cost=(0.0, 0.0)) -> dict:
    data["protocol"]["horizon"] = horizon
    for actor, cost in zip(data["actors"].values(), war_cost, strict=True):
        actor["war_cost"] = cost
    return data


@settings(max_examples=60)
@given(st.floats(0.0, 0.49), st.floats(0.51, 1.0), st.integers(1, 6), st.floats(0.0, 30.0),
       st.floats(0.0, 0.6), st.floats(0.0, 0.6))
@example(0.3, 0.7, 3, 30.0, 0.5, 0.1)  # b refuses a's ideal; a takes b's in round 1
@example(0.3, 0.7, 3, 30.0, 0.0, 0.45)  # b takes a's ideal in round 0
@example(0.3, 0.7, 3, 0.0, 0.6, 0.6)  # the costs cover the gap, but not the floors
def test_two_hardliners_agree_iff_the_cost_of_one_more_round_covers_the_gap(a, b, rounds,
                                                                            horizon, kappa_a,
                                                                            kappa_b):
    """A hardliner demands 1, so it offers its own ideal and its threshold is
    theta = max(f, 1 - kappa) (no hazard): it takes the other's ideal, worth 1 - |a - b| to
    it, iff the gap |a - b| is at most its cost of one more round kappa and the offer is
    worth its floor f = max(0, W), W = u(0.5) - kappa H. Nothing changes from round to round,
    so a deal comes in round 0 (b takes a's offer), in round 1 (a takes b's), or never."""
    hard = {"type": "hardliner"}
    data = _with(two_party(a, b, hard, hard, rounds), horizon, (kappa_a, kappa_b))
    outcomes = run_abm(load_scenario_data(data), 0, 0, 2)

    def takes(own, other, kappa):
        u = 1.0 - abs(other - own)
        theta = max(0.0, (1.0 - abs(0.5 - own)) - kappa * horizon, 1.0 - kappa)
        assume(abs(u - theta) > 1e-9)  # not on the boundary, where rounding decides
        return u >= theta

    b_takes, a_takes = takes(b, a, kappa_b), takes(a, b, kappa_a)
    if b_takes:
        expected = 0
    elif a_takes and rounds >= 2:
        expected = 1
    else:
        expected = -1
    assert np.all(outcomes.round == expected)
    assert np.all(outcomes.agreed == (expected >= 0))
    if expected >= 0:
        proposer_ideal = a if expected == 0 else b
        assert np.all(outcomes.deal[:, 0] == proposer_ideal)
    else:
        assert outcomes.censored.all() and np.all(outcomes.rounds == rounds)


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
    for name in ("agreed", "round", "rounds", "proposer", "blocker", "mediator_left", "censored",
                 "deal", "no_deal", "utility", "event"):
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

    # patience 0: each side demands its floor, u(q) = 0.5, at once, a budget of 0.5 that
    # concedes one of the two identical issues entirely, which one by the ids' order
    td = {"type": "time_dependent", "exponent": 1.0, "patience": 0}
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
    assert a.agreed.all()  # the deal is that offer: its terms show the tie's order
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


def check_assessment(p, t: int, now, q: np.ndarray, hazard: float, views: dict) -> None:
    """Each actor's assessment of round t in the trace, recomputed from the parameters in force
    (docs/model.md): belief, value of war, floor, demand, next demand and threshold."""
    layout = p.layout
    issues = layout.issues
    for a, name in enumerate(layout.actors):
        view = views[name]
        # belief: mu_hat = (n m + q(t) - q(0)) / (n + t) on contested issues, 0 elsewhere
        n, m = now.belief_weight[a], now.belief_drift[a]
        estimate = np.where(layout.contested, (n * m + (q - p.status_quo)) / (n + t), 0.0)
        assert set(view["belief"]) == {k for k, c in zip(issues, layout.contested,
                                                         strict=True) if c}
        for k, issue in enumerate(issues):
            if layout.contested[k]:
                assert view["belief"][issue] == pytest.approx(estimate[k], abs=1e-12), issue
        # value of war: u(clip(q + H mu_hat, 0, 1)) - kappa H; floor: max(r, W)
        expected = np.clip(q + p.horizon * estimate, 0.0, 1.0)
        war = np.sum(p.salience[a] * (1 - np.abs(expected - p.ideal[a]))) - \
            now.war_cost[a] * p.horizon
        assert view["war"] == pytest.approx(war, abs=1e-9)
        floor = max(now.reservation[a], view["war"])
        assert view["floor"] == floor
        # demand: between the floor and 1, by the actor's tactic
        assert floor - 1e-12 <= view["demand"] <= 1.0 + 1e-12
        assert floor - 1e-12 <= view["next_demand"] <= 1.0 + 1e-12
        strategy = layout.strategy[a]
        if strategy == rules.HARDLINER:
            assert view["demand"] == view["next_demand"] == 1.0
        elif strategy == rules.TIME_DEPENDENT:
            P, e = now.patience[a], now.exponent[a]
            for s, key in ((t, "demand"), (t + 1, "next_demand")):
                tau = min(1.0, (s + 1) / (P + 1))
                assert view[key] == pytest.approx(floor + (1 - floor) * (1 - tau**e),
                                                  abs=1e-9), key
        else:  # reciprocal: it opens at max(f, 1 - initial), then concedes only what it
            # receives, never below the floor
            if t == 0:
                assert view["demand"] == max(floor, 1.0 - p.initial[a])
            assert view["next_demand"] <= view["demand"] + 1e-12
        # threshold: max(f, (1 - h) a(t+1) + h W - kappa), never below the floor
        waiting = (1 - hazard) * view["next_demand"] + hazard * view["war"] - now.war_cost[a]
        assert view["threshold"] == pytest.approx(max(floor, waiting), abs=1e-12)
        assert view["threshold"] >= floor


def check_trace(scenario, model) -> None:
    """Every rule of the model, checked on one finished run and its JSON trace."""
    p = model.params
    layout = p.layout
    data = trace_of(model, 0, 0)
    rounds = data["rounds"]
    assert len(rounds) <= layout.max_rounds
    previous_text = None
    for t, entry in enumerate(rounds):
        assert entry["round"] == t
        now = round_parameters(p, t)
        x = np.array([entry["offer"][k] for k in layout.issues])
        q = np.array([entry["no_deal"][k] for k in layout.issues])
        assert np.all((x >= 0) & (x <= 1)) and np.all((q >= 0) & (q <= 1))
        assert entry["hazard"] == p.hazard[t] and 0.0 <= entry["hazard"] <= 1.0
        check_assessment(p, t, now, q, entry["hazard"], entry["actors"])
        proposer = layout.actors.index(entry["proposer"])
        assert np.all((x >= p.red_low[proposer]) & (x <= p.red_high[proposer]))
        mine = entry["actors"][entry["proposer"]]
        if layout.mediated:  # the text never falls below the mediator's floor, unless it stands
            assert proposer == layout.mediator
            assert (mine["utility"] >= mine["floor"] - 1e-9
                    or np.array_equal(x, previous_text)), t
            previous_text = x
        else:  # a logrolled offer meets its proposer's demand (and so its threshold)
            assert mine["utility"] >= mine["demand"] - 1e-9
            assert mine["utility"] >= mine["threshold"] - 1e-9
        required = rules.required(layout.signatory, layout.veto, rules.moved(x, p.status_quo))
        listed = {layout.actors[a] for a in np.flatnonzero(required)} | {entry["proposer"]}
        assert set(entry["responses"]) == listed
        for a, name in enumerate(layout.actors):
            u = rules.utility(x, p.ideal[a:a + 1], p.salience[a:a + 1])[0]
            assert abs(entry["actors"][name]["utility"] - u) < 1e-12
        for name, answer in entry["responses"].items():
            a = layout.actors.index(name)
            view = entry["actors"][name]
            assert answer["utility"] == view["utility"]
            assert answer["threshold"] == view["threshold"]
            inside = bool(np.all((x >= p.red_low[a] - rules.EPS)
                                 & (x <= p.red_high[a] + rules.EPS)))
            assert answer["inside_red_lines"] == inside
            if name == entry["proposer"]:
                assert answer["accept"]
                continue
            assert answer["accept"] == (answer["utility"] >= answer["threshold"] - rules.EPS
                                        and inside)
        deal = all(r["accept"] for r in entry["responses"].values())
        assert deal == (entry is rounds[-1] and data["outcome"]["agreed"])
    out = data["outcome"]
    assert out["rounds"] == len(rounds)
    # the talks end in a deal, break off (the mediator leaves) or are censored by the window
    assert out["agreed"] + out["mediator_left"] + out["censored"] == 1
    if out["agreed"]:
        assert out["deal"] == rounds[-1]["offer"] and out["round"] == rounds[-1]["round"]
        assert out["utilities"] == {a: v["utility"] for a, v in rounds[-1]["actors"].items()}
        return
    assert out["deal"] is None and out["round"] == -1
    end = len(rounds)
    if out["censored"]:
        assert end == layout.max_rounds
        now = round_parameters(p, end - 1)
    else:
        now = round_parameters(p, end)
        assert now.mediator_exit
    # without a deal each actor ends with its value of war at the end, W(T)
    q = np.array([out["no_deal"][k] for k in layout.issues])
    n, m = now.belief_weight, now.belief_drift
    estimate = np.where(layout.contested, (n * m + (q - p.status_quo)) / (n + end), 0.0)
    expected = np.clip(q + p.horizon * estimate, 0.0, 1.0)
    war = np.sum(p.salience * (1 - np.abs(expected - p.ideal)), axis=1) - now.war_cost * p.horizon
    assert list(out["utilities"].values()) == pytest.approx(list(war), abs=1e-9)


@settings(max_examples=20)
@given(st.integers(0, 100_000), st.integers(0, 2**31))
def test_baseline_traces_obey_the_rules_for_any_run(run, seed):
    check_trace(BASE, play(BASE, seed, run))


def _weightless_belief() -> dict:
    """A mediator whose prior on a contested issue an event scales to weight ~0 (found by a
    long run: the estimate must be computed as the rule writes it, n m + (q - q0))."""
    party = {"name": "x", "role": "party", "signatory": True, "ideal": {"k": 0.0},
             "salience": {"k": 1.0}, "capability": 1.0, "war_cost": 0.0,
             "strategy": {"type": "time_dependent", "exponent": 1.0, "patience": 0}}
    mediator = {**party, "role": "mediator", "signatory": False, "veto": ["k"],
                "strategy": {"type": "hardliner"},
                "beliefs": {"k": {"drift": 0.03125}}}
    return {"name": "generated", "title": "generated",
            "issues": {"k": {"label": "K", "zero": "z", "one": "o", "status_quo": 1.0,
                             "contested": True}},
            "actors": {"a": party, "b": party, "m": mediator},
            "protocol": {"type": "mediated", "mediator": "m", "max_rounds": 2, "horizon": 1.0,
                         "bias": 0.0},
            "events": {"doubt": {"round": 0, "effects": [
                {"op": "scale", "target": "actors.m.beliefs.k.weight", "value": 0.0}]}}}


@settings(max_examples=40)
@given(scenarios(), st.integers(0, 2**31), st.integers(0, 5000))
@example(scenario=load_scenario_data(_weightless_belief()), seed=0, run=0)
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
    def talks_end_in_exactly_one_way(self):
        if hasattr(self, "model"):
            m = self.model
            endings = m.agreed + m.mediator_left + m.censored
            assert endings == (1 if m.ended else 0)
            if m.censored:
                assert len(m.trace) == self.limit

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
