"""What version 2 must show (docs/design.md section 3, items 1-9): the model's comparative statics,
each a test under common random numbers (CRN: the same seed, so two scenarios that differ in
one parameter share every other draw, run by run).

Where the model makes a statement exact — bilateral talks on one issue under the alternating
protocol — it is checked run by run. Elsewhere, on a baseline-like multi-actor mediated
scenario, it is checked on the distribution: paired differences over the same runs, with 95%
intervals (normal for means, a paired bootstrap for medians). A distributional "does not
fall" fails only when the interval lies entirely on the wrong side of 0.

Why the bilateral one-issue statements are exact. With one issue, salience 1 and the sides'
ideals at 1 ("russia") and 0 ("ukraine"), the proposer's logrolled offer gives it exactly its
demand a_p(t), so the responder gets 1 - a_p(t) (clipped at its own ideal); the responder
accepts iff that reaches its threshold theta_r(t) = max(f_r, (1 - h) a_r(t+1) + h W_r - kappa_r)
(h = 0: no mediator to walk away). For time-dependent actors and hardliners a(t) and
theta(t) depend on the round, the floor f = max(r, W) and W only — not on the history of
offers — and a(t) = f + (1 - f)(1 - tau^e) rises with f (da/df = tau^e >= 0). The front is
exogenous: q(t+1) = clip(q(t) + mu + sigma eps_t) is the same in every scenario of a
comparison except through mu, and is non-decreasing in mu. So a parameter that moves every
actor's W (hence f, a, theta) the same way in every round moves acceptance in every round the
same way, and the first round of acceptance (the deal round) monotonically.
"""

from __future__ import annotations

import copy
import math
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from negsim.abm import play
from negsim.engine import run_vector
from negsim.model import rules
from negsim.sampling import sample
from negsim.scenario import load_scenario_data
from negsim.scenario.yamldoc import read_yaml
from negsim.trace import trace
from tests.conftest import DATA, load_data

SEED = 20250318

# --- scenarios ---------------------------------------------------------------------------------


def party(ideal: float, *, exponent=1.0, patience=0, war_cost=0.01, reservation=0.0,
          belief=None, strategy=None) -> dict:
    """One signatory of a one-issue ("territory") scenario."""
    data = {"name": "x", "role": "party", "signatory": True, "ideal": {"territory": ideal},
            "salience": {"territory": 1.0}, "capability": 1.0, "reservation": reservation,
            "war_cost": war_cost,
            "strategy": strategy or {"type": "time_dependent", "exponent": exponent,
                                     "patience": patience}}
    if belief is not None:
        data["beliefs"] = {"territory": belief}
    return data


def bilateral(russia: dict, ukraine: dict, *, status_quo=0.5, drift=0.0, volatility=0.0,
              horizon=10.0, max_rounds=30, order="fixed") -> dict:
    """Two sides (ideals 1 and 0) bargaining over one contested issue, alternating offers."""
    return {"name": "bilateral", "title": "bilateral",
            "issues": {"territory": {"label": "Territory", "zero": "all returned",
                                     "one": "all kept", "status_quo": status_quo,
                                     "contested": True}},
            "actors": {"russia": russia, "ukraine": ukraine},
            "protocol": {"type": "alternating", "max_rounds": max_rounds, "horizon": horizon,
                         "proposer_order": order},
            "battlefield": {"territory": {"drift": drift, "volatility": volatility}},
            "montecarlo": {"runs": 100, "seed": 1}}


ISSUES = ("territory", "nato", "sanctions", "guarantees")


def baseline_like(*, gap=0.0, cost=1.0, drift=0.002, step=0.5, exit_probability=None,
                  known=True, max_rounds=52) -> dict:
    """A baseline-like mediated scenario: Russia and Ukraine sign, the US mediates with
    interests of its own, Europe holds a veto on sanctions; uncertain reservations, war costs,
    exponents, patience and bias; a moving front on territory. ``gap`` splits the two sides'
    prior beliefs about its drift, ``cost`` scales the two sides' war costs, ``drift`` is the
    front's true drift, ``step`` the mediator's eta, and ``exit_probability`` adds a mediator
    exit at a uniform round in [4, T)."""
    def actor(role, ideal, salience, **kw):
        return {"name": role, "role": role, "signatory": role == "party",
                "ideal": dict(zip(ISSUES, ideal, strict=True)),
                "salience": dict(zip(ISSUES, salience, strict=True)), **kw}

    def timed(exponent, patience):
        return {"type": "time_dependent", "exponent": exponent, "patience": patience}

    def uniform(low, high):
        return {"dist": "uniform", "low": low, "high": high}

    data = {
        "name": "baseline_like", "title": "baseline-like",
        "issues": {k: {"label": k, "zero": "0", "one": "1", "status_quo": q,
                       "contested": k == "territory"}
                   for k, q in zip(ISSUES, (0.75, 0.5, 0.05, 1.0), strict=True)},
        "actors": {
            "russia": actor("party", (1.0, 1.0, 1.0, 1.0), (0.4, 0.25, 0.15, 0.2),
                            capability=1.0, reservation=uniform(0.3, 0.5),
                            war_cost=uniform(0.002 * cost, 0.006 * cost),
                            beliefs={"territory": {"drift": 0.004 + gap / 2, "weight": 26}},
                            strategy=timed(uniform(1.0, 3.0), uniform(8, 40))),
            "ukraine": actor("party", (0.0, 0.0, 0.0, 0.0), (0.45, 0.2, 0.05, 0.3),
                             capability=0.6, reservation=uniform(0.2, 0.4),
                             war_cost=uniform(0.004 * cost, 0.01 * cost),
                             beliefs={"territory": {"drift": -gap / 2, "weight": 26}},
                             red_lines={"territory": {"max": 0.9}},
                             strategy=timed(uniform(1.0, 3.0), uniform(8, 40))),
            "united_states": actor("mediator", (0.7, 0.8, 0.5, 0.7), (0.3, 0.2, 0.3, 0.2),
                                   capability=1.5, war_cost=0.002, strategy=timed(1.0, 20)),
            "europe": actor("stakeholder", (0.2, 0.3, 0.0, 0.2), (0.3, 0.2, 0.3, 0.2),
                            capability=1.0, veto=["sanctions"], reservation=0.3, war_cost=0.002,
                            strategy=timed(2.0, 30)),
        },
        "protocol": {"type": "mediated", "mediator": "united_states", "max_rounds": max_rounds,
                     "horizon": 26, "bias": uniform(0.0, 0.3), "step": step},
        "battlefield": {"territory": {"drift": drift, "volatility": 0.01}},
        "montecarlo": {"runs": 100, "seed": 1},
    }
    if exit_probability is not None:
        data["events"] = {"walkout": {"round": uniform(4, max_rounds - 1e-6),
                                      "probability": exit_probability,
                                      "effects": [{"op": "mediator_exit"}], "known": known}}
    return data


def outcomes(data: dict, runs: int, seed: int = SEED):
    """Outcomes of runs 0 .. runs - 1 (vectorised engine)."""
    return run_vector(sample(load_data(data), seed, 0, runs))


def deal_round(o, never=np.inf) -> np.ndarray:
    """The round of the deal, ``never`` without one (censored or broken off)."""
    return np.where(o.agreed, o.round, never).astype(float)


def mean_interval(x) -> tuple[float, float, float]:
    """Mean of paired differences over runs and its 95% normal interval."""
    x = np.asarray(x, dtype=float)
    half = 1.96 * x.std(ddof=1) / math.sqrt(len(x))
    return x.mean(), x.mean() - half, x.mean() + half


def median_shift_interval(a, a_ok, b, b_ok, resamples=1000, seed=0):
    """median(b | b_ok) - median(a | a_ok) and its 95% paired-bootstrap interval (runs are
    resampled together in both scenarios: they share their draws)."""
    rng = np.random.default_rng(seed)
    n = len(a)
    shifts = np.empty(resamples)
    for i in range(resamples):
        pick = rng.integers(0, n, n)
        shifts[i] = np.median(b[pick][b_ok[pick]]) - np.median(a[pick][a_ok[pick]])
    return (np.median(b[b_ok]) - np.median(a[a_ok]), *np.percentile(shifts, [2.5, 97.5]))


@st.composite
def sides(draw, patience=None, strategies=("time_dependent", "hardliner"), reservation=True):
    """The two sides of a bilateral scenario (time-dependent or hardliner; never reciprocal,
    whose demand depends on the history of offers)."""
    out = []
    for ideal in (1.0, 0.0):
        kind = draw(st.sampled_from(strategies))
        strategy = None if kind == "time_dependent" else {"type": kind}
        P = patience if patience is not None else draw(
            st.integers(0, 40) | st.just({"dist": "uniform", "low": 0, "high": 40}))
        out.append(party(
            ideal, strategy=strategy, patience=P,
            exponent=draw(st.sampled_from([0.5, 1.0, 2.0, 5.0])
                          | st.just({"dist": "uniform", "low": 0.3, "high": 4.0})),
            war_cost=draw(st.floats(0.0, 0.02) | st.just({"dist": "uniform", "low": 0.0,
                                                          "high": 0.02})),
            reservation=draw(st.floats(0.0, 0.6)) if reservation else 0.0))
    return out


@st.composite
def fronts(draw):
    """Status quo, drift, volatility and horizon of the contested issue."""
    return {"status_quo": draw(st.floats(0.05, 0.95)),
            "drift": draw(st.floats(-0.02, 0.02) | st.just({"dist": "uniform", "low": -0.02,
                                                            "high": 0.02})),
            "volatility": draw(st.sampled_from([0.0, 0.01, 0.03])),
            "horizon": draw(st.floats(0.0, 30.0)),
            "max_rounds": draw(st.integers(3, 40)),
            "order": draw(st.sampled_from(["fixed", "random"]))}


# --- 1. beliefs ----------------------------------------------------------------------------------


@settings(max_examples=10)
@given(st.floats(-0.05, 0.05), st.floats(-0.05, 0.05), st.floats(1.0, 60.0),
       st.floats(-1e-3, 1e-3), st.integers(0, 2**31))
def test_1_belief_gap_shrinks_as_n_over_n_plus_t_and_estimates_converge(m1, m2, n, mu, seed):
    # two hardliners never agree, so the talks run the whole window and every round is seen
    russia = party(1.0, strategy={"type": "hardliner"}, belief={"drift": m1, "weight": n})
    ukraine = party(0.0, strategy={"type": "hardliner"}, belief={"drift": m2, "weight": n})
    T = 150
    scenario = load_data(bilateral(russia, ukraine, drift=mu, volatility=1e-3, max_rounds=T))
    rounds = trace(scenario, seed, 0)["rounds"]
    assert len(rounds) == T
    q0 = rounds[0]["no_deal"]["territory"]
    front = np.array([r["no_deal"]["territory"] for r in rounds])
    assume(np.all((front > 0.0) & (front < 1.0)))  # the front stayed unclipped
    for t, r in enumerate(rounds):
        b1 = r["actors"]["russia"]["belief"]["territory"]
        b2 = r["actors"]["ukraine"]["belief"]["territory"]
        assert math.isclose(abs(b1 - b2), abs(m1 - m2) * n / (n + t), rel_tol=1e-9,
                            abs_tol=1e-15)
        if t > 0:  # each estimate is off the realised drift by the prior's share n / (n + t)
            realised = (r["no_deal"]["territory"] - q0) / t
            for b, m in ((b1, m1), (b2, m2)):
                assert math.isclose(abs(b - realised), abs(m - realised) * n / (n + t),
                                    rel_tol=1e-6, abs_tol=1e-12)
    # after T rounds both are within n / (n + T - 1) of their prior's error
    last = rounds[-1]
    realised = (last["no_deal"]["territory"] - q0) / (T - 1)
    for actor, m in (("russia", m1), ("ukraine", m2)):
        error = abs(last["actors"][actor]["belief"]["territory"] - realised)
        assert error <= abs(m - realised) * n / (n + T - 1) + 1e-12


def test_1_without_a_stated_belief_an_actor_believes_the_runs_drift_with_weight_52():
    russia, ukraine = party(1.0, strategy={"type": "hardliner"}), party(0.0, exponent=2.0,
                                                                       patience=60)
    data = bilateral(russia, ukraine, drift={"dist": "uniform", "low": -0.01, "high": 0.01},
                     volatility=0.01, max_rounds=40)
    scenario = load_data(data)
    batch = sample(scenario, SEED, 0, 3)
    for run in range(3):
        mu = batch.drift[run, 0]
        rounds = trace(scenario, SEED, run)["rounds"]
        q0 = rounds[0]["no_deal"]["territory"]
        for t, r in enumerate(rounds):
            expected = (52.0 * mu + r["no_deal"]["territory"] - q0) / (52.0 + t)
            for side in ("russia", "ukraine"):
                assert math.isclose(r["actors"][side]["belief"]["territory"], expected,
                                    rel_tol=1e-9, abs_tol=1e-15)


# --- 2. metamorphic: the window is not a deadline -------------------------------------------------


EXACT = ("agreed", "round", "rounds", "proposer", "blocker", "mediator_left", "deal", "no_deal",
         "utility", "event")


def assert_same_runs_before_the_old_window(data: dict, longer: int, runs: int, seed: int):
    old = outcomes(data, runs, seed)
    wider = copy.deepcopy(data)
    wider["protocol"]["max_rounds"] = longer
    new = outcomes(wider, runs, seed)
    T = data["protocol"]["max_rounds"]
    ended = ~old.censored  # a deal, or the mediator left, inside the old window
    assert np.all(old.rounds[ended] <= T)
    for name in EXACT:
        a, b = getattr(old, name)[ended], getattr(new, name)[ended]
        assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), name
    # and no run that was still on at T ends before T in the wider window
    assert np.all(new.rounds[old.censored] >= T)
    assert np.all(new.round[old.censored & new.agreed] >= T)
    return ended.mean()


def kitchen_sink() -> dict:
    data = copy.deepcopy(read_yaml(DATA / "kitchen_sink.yaml").data)
    data["evidence_registry"] = "../seeds/evidence.yaml"
    return data


def test_2_raising_max_rounds_changes_no_run_that_ended_in_the_old_window_kitchen_sink():
    data = kitchen_sink()  # events at rounds 2-8 and 10 or 15: valid in both windows
    assert_same_runs_before_the_old_window(data, 35, 2000, SEED)
    # the fixture's hardliner veto holder blocks every deal; let it concede, so that deals
    # end runs inside the window too
    data["actors"]["bloc"]["strategy"] = {"type": "time_dependent", "exponent": 1.0,
                                          "patience": 3}
    data["actors"]["bloc"]["reservation"] = 0.0
    data["actors"]["north"]["strategy"]["patience"] = 2
    data["actors"]["south"]["strategy"] = {"type": "time_dependent", "exponent": 1.0,
                                           "patience": 2}
    data["events"]["aid_cut"]["effects"] = [e for e in data["events"]["aid_cut"]["effects"]
                                            if "south" not in e["target"]]
    share = assert_same_runs_before_the_old_window(data, 35, 2000, SEED)
    assert share > 0.3


@st.composite
def v2_scenario_data(draw, max_rounds=None, protocol=None) -> dict:
    """A random valid scenario exercising what version 2 added: beliefs, patience, optional
    reservations, the mediator's bias and step, known and unknown exits, events on beliefs
    and patience. Event rounds lie inside the window, whatever it is widened to."""
    T = max_rounds or draw(st.integers(1, 25))
    K = draw(st.integers(1, 3))
    issues = [f"issue_{'abc'[k]}" for k in range(K)]
    contested = [k for k in issues if draw(st.booleans())]
    kind = protocol or draw(st.sampled_from(["alternating", "mediated"]))
    mediated = kind == "mediated"
    n_actors = draw(st.integers(2, 4))
    actors = [f"actor_{'abcd'[a]}" for a in range(n_actors)] + (["actor_m"] if mediated else [])
    unit = st.floats(0.0, 1.0)

    def maybe_uncertain(value, low, high):
        if draw(st.booleans()):
            return value
        return {"dist": "uniform", "low": low, "high": high}

    actor_data = {}
    for j, a in enumerate(actors):
        is_mediator = a == "actor_m"
        signatory = not is_mediator and (j < 2 or draw(st.booleans()))
        ideal = {k: draw(unit) for k in issues}
        red = {}
        for k in issues:
            if draw(st.integers(0, 4)) == 0:
                red[k] = {"min": draw(st.floats(0.0, ideal[k])),
                          "max": draw(st.floats(ideal[k], 1.0))}
        strategy_kind = draw(st.sampled_from(["time_dependent"] * 3 + ["reciprocal",
                                                                       "hardliner"]))
        if strategy_kind == "time_dependent":
            strategy = {"type": strategy_kind,
                        "exponent": maybe_uncertain(draw(st.floats(0.2, 5.0)), 0.2, 5.0),
                        "patience": maybe_uncertain(draw(st.integers(0, 30)), 0, 30)}
        elif strategy_kind == "reciprocal":
            strategy = {"type": strategy_kind, "rate": draw(st.floats(0.0, 2.0)),
                        "initial": draw(st.floats(0.0, 0.4))}
        else:
            strategy = {"type": "hardliner"}
        data = {"name": a, "role": "mediator" if is_mediator else "party",
                "signatory": signatory, "ideal": ideal,
                "salience": {k: draw(st.floats(0.05, 2.0)) for k in issues},
                "capability": draw(st.floats(0.2, 3.0)),
                "war_cost": maybe_uncertain(draw(st.floats(0.0, 0.03)), 0.0, 0.03),
                "red_lines": red, "strategy": strategy}
        if not signatory and not is_mediator:
            data["role"] = "stakeholder"
            data["veto"] = [k for k in issues if draw(st.booleans())]
        if draw(st.booleans()):
            data["reservation"] = maybe_uncertain(draw(st.floats(0.0, 0.7)), 0.0, 0.7)
        beliefs = {}
        for k in contested:
            if draw(st.booleans()):
                belief = {"drift": maybe_uncertain(draw(st.floats(-0.03, 0.03)), -0.03, 0.03)}
                if draw(st.booleans()):
                    belief["weight"] = maybe_uncertain(draw(st.floats(0.5, 80.0)), 0.5, 80.0)
                beliefs[k] = belief
        if beliefs:
            data["beliefs"] = beliefs
        actor_data[a] = data

    if mediated:
        protocol_data = {"type": "mediated", "mediator": "actor_m", "max_rounds": T,
                         "horizon": draw(st.floats(0.0, 30.0)),
                         "bias": maybe_uncertain(draw(unit), 0.0, 1.0)}
        if draw(st.booleans()):
            protocol_data["step"] = maybe_uncertain(draw(st.floats(0.05, 1.0)), 0.05, 1.0)
    else:
        protocol_data = {"type": "alternating", "max_rounds": T,
                         "horizon": draw(st.floats(0.0, 30.0)),
                         "proposer_order": draw(st.sampled_from(["fixed", "random"]))}

    events = {}
    for e in range(draw(st.integers(0, 3))):
        options = ["actor"] + (["front", "belief"] if contested else []) + (
            ["exit"] if mediated else [])
        what = draw(st.sampled_from(options))
        event = {"round": draw(st.integers(0, T - 1)) if draw(st.booleans()) else
                 {"dist": "uniform", "low": 0, "high": T - 1e-6},
                 "probability": draw(st.sampled_from([1.0, 0.5]) | unit)}
        if what == "exit":
            event["effects"] = [{"op": "mediator_exit"}]
            event["known"] = draw(st.booleans())
        else:
            event["duration"] = draw(st.none() | st.integers(1, 5))
            if what == "front":
                k = draw(st.sampled_from(contested))
                attr = draw(st.sampled_from(["drift", "volatility"]))
                event["effects"] = [{"op": "add", "target": f"battlefield.{k}.{attr}",
                                     "value": draw(st.floats(0.0, 0.03))}]
            elif what == "belief":
                a = draw(st.sampled_from(actors))
                k = draw(st.sampled_from(contested))
                event["effects"] = [{"op": "add", "target": f"actors.{a}.beliefs.{k}.drift",
                                     "value": draw(st.floats(-0.03, 0.03))}]
            else:
                a = draw(st.sampled_from(actors))
                attrs = ["war_cost", "reservation", "capability"]
                if actor_data[a]["strategy"]["type"] == "time_dependent":
                    attrs += ["strategy.patience", "strategy.exponent"]
                attr = draw(st.sampled_from(attrs))
                event["effects"] = [{"op": "scale", "target": f"actors.{a}.{attr}",
                                     "value": draw(st.floats(0.1, 2.0))}]
        events[f"event_{e}"] = event

    data = {"name": "generated_v2", "title": "generated", "issues": {
        k: {"label": k, "zero": "0", "one": "1",
            "status_quo": maybe_uncertain(draw(unit), 0.0, 1.0), "contested": k in contested}
        for k in issues},
        "actors": actor_data, "protocol": protocol_data,
        "battlefield": {k: {"drift": maybe_uncertain(draw(st.floats(-0.03, 0.03)), -0.03, 0.03),
                            "volatility": draw(st.sampled_from([0.0, 0.01, 0.03]))}
                        for k in contested if draw(st.booleans())},
        "events": events, "montecarlo": {"runs": 8, "seed": 1}}
    load_scenario_data(data)  # only valid scenarios
    return data


@settings(max_examples=40)
@given(v2_scenario_data(), st.integers(1, 20), st.integers(0, 2**31))
def test_2_raising_max_rounds_changes_no_run_that_ended_in_the_old_window_generated(data, extra,
                                                                                   seed):
    T = data["protocol"]["max_rounds"]
    assert_same_runs_before_the_old_window(data, T + extra, 64, seed)


# --- 3. Fearon: a bargaining range exists, and complete information finds it at once --------------


@settings(max_examples=40)
@given(st.floats(0.0, 1.0), st.floats(0.0, 1.0), fronts(), st.floats(1e-4, 0.03),
       st.floats(1e-4, 0.03), st.data())
def test_3_shared_correct_beliefs_and_costly_war_give_a_deal_in_round_zero(p_r, p_u, front,
                                                                          k_r, k_u, data):
    # two actors, one contested issue, no stated beliefs (each believes the run's true drift),
    # kappa > 0, patience 0, reservation 0; any ideals
    exponents = data.draw(st.sampled_from([0.5, 1.0, 3.0]))
    russia = party(p_r, patience=0, war_cost=k_r, exponent=exponents)
    ukraine = party(p_u, patience=0, war_cost=k_u, exponent=exponents)
    scenario = load_data(bilateral(russia, ukraine, **front))
    batch = sample(scenario, SEED, 0, 256)
    o = run_vector(batch)
    assert np.all(o.agreed) and np.all(o.round == 0)
    # inside the range the value-of-war floors leave, computed here from the run's draws:
    # f_i = max(0, 1 - |clip(q0 + H mu, 0, 1) - p_i| - kappa_i H)
    expected = np.clip(batch.status_quo[:, 0] + batch.horizon * batch.drift[:, 0], 0.0, 1.0)
    x = o.deal[:, 0]
    for a, p in enumerate((p_r, p_u)):
        floor = np.maximum(0.0, 1.0 - np.abs(expected - p) - batch.war_cost[:, a] * batch.horizon)
        assert np.all(1.0 - np.abs(x - p) >= floor - 1e-9)
        assert np.allclose(o.utility[:, a], 1.0 - np.abs(x - p), atol=1e-12)


# --- 4. mutual optimism delays --------------------------------------------------------------------


@settings(max_examples=40)
@given(sides(), fronts(), st.floats(-0.01, 0.01), st.floats(1.0, 80.0),
       st.lists(st.floats(0.0, 0.04), min_size=2, max_size=4))
def test_4_the_deal_round_does_not_fall_as_the_prior_belief_gap_grows_run_by_run(
        pair, front, centre, n, gaps):
    # each side believes the front moves its way by half the gap more: its W, floor, demand
    # and threshold rise every round (W rises with the believed drift toward its ideal)
    rounds = []
    for gap in sorted(gaps):
        russia, ukraine = copy.deepcopy(pair)
        russia["beliefs"] = {"territory": {"drift": centre + gap / 2, "weight": n}}
        ukraine["beliefs"] = {"territory": {"drift": centre - gap / 2, "weight": n}}
        rounds.append(deal_round(outcomes(bilateral(russia, ukraine, **front), 128)))
    for earlier, later in pairwise(rounds):
        assert np.all(later >= earlier)


@pytest.mark.parametrize("step", [1.0, 0.5])
def test_4_the_deal_round_does_not_fall_as_the_prior_belief_gap_grows_on_the_distribution(step):
    T, runs = 52, 4096
    gaps = (0.0, 0.01, 0.02)
    rounds = [deal_round(outcomes(baseline_like(gap=g, step=step), runs), never=T) for g in gaps]
    for earlier, later in pairwise(rounds):
        mean, low, high = mean_interval(later - earlier)
        assert high >= 0.0, f"deals come earlier by {-mean:.3f} rounds [{low:.3f}, {high:.3f}]"
    mean, low, high = mean_interval(rounds[-1] - rounds[0])
    assert low > 0.0  # and optimism on both sides does delay them


# --- 5. costs -------------------------------------------------------------------------------------


@settings(max_examples=40)
@given(sides(), fronts(), st.lists(st.floats(1.0, 5.0), min_size=2, max_size=4))
def test_5_costlier_war_for_both_sides_neither_delays_deals_nor_lowers_agreement_run_by_run(
        pair, front, scales):
    # costlier war lowers both W by kappa H, so both floors, demands and thresholds (theta also
    # by kappa itself): acceptance each round is weakly easier
    results = []
    for scale in sorted(scales):
        russia, ukraine = copy.deepcopy(pair)
        for side in (russia, ukraine):
            cost = side["war_cost"]
            side["war_cost"] = ({**cost, "low": cost["low"] * scale, "high": cost["high"] * scale}
                                if isinstance(cost, dict) else cost * scale)
        results.append(outcomes(bilateral(russia, ukraine, **front), 128))
    for cheap, dear in pairwise(results):
        assert np.all(deal_round(dear) <= deal_round(cheap))
        assert np.all(dear.agreed >= cheap.agreed)


def parties_cost(scale: float, step: float) -> dict:
    return baseline_like(cost=scale, step=step)


ZENO = (
    "model: with eta < 1 the mediator closes only a share eta of a lone hold-out's shortfall "
    "per redraft, so against a floor that stands still (r binds once war is costly) the "
    "shortfall halves forever and the deal waits for it to fall below EPS = 1e-12 (~35 rounds "
    "at eta = 0.5); raising both sides' war costs from 2x to 3x lowers agreement from 0.808 "
    "to 0.742 (paired difference -0.066, 95% CI [-0.077, -0.055]) and delays deals by 0.40 "
    "rounds [0.10, 0.70]")
COST_STEPS = [
    pytest.param(1.0, id="eta=1"),
    pytest.param(0.5, id="eta=0.5",
                 marks=pytest.mark.xfail(strict=True, raises=AssertionError, reason=ZENO)),
]


@pytest.mark.parametrize("step", COST_STEPS)
def test_5_costlier_war_neither_delays_deals_nor_lowers_agreement_on_the_distribution(step):
    T, runs = 52, 4096
    results = [outcomes(parties_cost(scale, step), runs) for scale in (1.0, 2.0, 3.0)]
    for cheap, dear in pairwise(results):
        mean, low, high = mean_interval(dear.agreed.astype(float) - cheap.agreed)
        assert high >= 0.0, f"agreement falls by {-mean:.3f} [{low:.3f}, {high:.3f}]"
        mean, low, high = mean_interval(deal_round(dear, T) - deal_round(cheap, T))
        assert low <= 0.0, f"deals come later by {mean:.3f} rounds [{low:.3f}, {high:.3f}]"


# --- 6. terms follow the front --------------------------------------------------------------------


@settings(max_examples=40)
@given(st.floats(1e-4, 0.03), st.floats(1e-4, 0.03), fronts(),
       st.lists(st.floats(-0.03, 0.03), min_size=2, max_size=4), st.data())
def test_6_the_territory_deal_does_not_fall_as_the_drift_toward_one_rises_run_by_run(
        k_r, k_u, front, drifts, data):
    # patience 0, reservation 0: a deal in round 0 (item 3) at the proposer's floor; a higher
    # true drift raises both sides' believed drift (no stated beliefs), so Russia's floor
    # rises and Ukraine's falls, and whoever proposes asks or gives more territory
    shift = data.draw(st.booleans())
    deals = []
    for d in sorted(drifts):
        front = {**front, "drift": ({"dist": "uniform", "low": d - 0.01, "high": d + 0.01}
                                    if shift else d)}
        o = outcomes(bilateral(party(1.0, war_cost=k_r), party(0.0, war_cost=k_u), **front), 128)
        assert np.all(o.agreed)
        deals.append(o.deal[:, 0])
    for lower, higher in pairwise(deals):
        assert np.all(higher >= lower - 1e-12)


@pytest.mark.parametrize("step", [1.0, 0.5])
def test_6_the_median_territory_deal_does_not_fall_as_the_drift_rises_on_the_distribution(step):
    runs = 4096
    results = [outcomes(baseline_like(drift=d, step=step), runs) for d in (0.0, 0.002, 0.004)]
    for lower, higher in pairwise(results):
        shift, low, high = median_shift_interval(lower.deal[:, 0], lower.agreed,
                                                 higher.deal[:, 0], higher.agreed)
        assert high >= 0.0, f"the median deal falls by {-shift:.4f} [{low:.4f}, {high:.4f}]"
        assert low > 0.0  # and it does follow the front


# --- 7. the single text ---------------------------------------------------------------------------


def lone_holdouts(rounds: list) -> list:
    """(j, u_j(x(t)), u_j(x(t+1))) for every round t in which j alone rejected (required
    actors, the mediator excluded) and another text followed."""
    found = []
    for now, then in pairwise(rounds):
        rejecters = [a for a, r in now["responses"].items() if not r["accept"]]
        if len(rejecters) == 1:
            j = rejecters[0]
            found.append((j, now["actors"][j]["utility"], then["actors"][j]["utility"],
                          now["responses"][j]["threshold"]))
    return found


@pytest.mark.parametrize("disinterested", [False, True], ids=["us-interests", "disinterested"])
def test_7_a_lone_holdouts_utility_rises_with_each_redraft_while_it_falls_short(disinterested):
    data = baseline_like(step=0.5)
    if disinterested:  # the mediator's floor never binds (W < 0 = r) and it has no red lines
        data["actors"]["united_states"]["war_cost"] = 1.0
    scenario = load_data(data)
    seen = 0
    for run in range(12):
        for j, before, after, theta in lone_holdouts(play(scenario, SEED, run).trace):
            assert before < theta
            seen += 1
            assert after >= before - 1e-12, (run, j)
            if disinterested:
                assert after > before, (run, j)
    assert seen > 50


def one_issue_mediated(r_a: float, r_b: float, step: float, T: int, bias: float = 0.5,
                       status_quo: float = 0.5) -> dict:
    """Two parties (ideals 1 and 0) with constant floors r (their war is worth less than 0),
    patience 0, a mediator without interests, no front, no threats."""
    def side(ideal, r):
        return {**party(ideal, patience=0, war_cost=1.0, reservation=r), "capability": 1.0}
    return {"name": "single_text", "title": "single text",
            "issues": {"territory": {"label": "T", "zero": "0", "one": "1",
                                     "status_quo": status_quo}},
            "actors": {"north": side(1.0, r_a), "south": side(0.0, r_b),
                       "broker": {**side(0.5, 0.0), "role": "mediator", "signatory": False}},
            "protocol": {"type": "mediated", "mediator": "broker", "max_rounds": T,
                         "horizon": 1.0, "bias": bias, "step": step}}


@settings(max_examples=60)
@given(st.floats(0.0, 1.0), st.floats(0.0, 1.0), st.floats(0.1, 1.0), st.floats(0.0, 1.0),
       st.floats(0.0, 1.0))
def test_7_when_the_acceptance_sets_share_a_point_and_stay_fixed_a_deal_comes_in_bounded_time(
        r_a, r_b, step, bias, status_quo):
    # One issue: north accepts x >= r_a, south accepts x <= 1 - r_b; they share a point iff
    # r_a + r_b <= 1. A text outside one set lies inside the other, so exactly one side
    # rejects, short by s_0 = its distance to the set; the redraft moves eta s_0 toward it
    # (never past the set's edge), leaving (1 - eta) s_0. The shortfall after n redrafts is
    # (1 - eta)^n s_0, and the text is accepted once it is below EPS = 1e-12:
    #   n* = ceil(log(s_0 / EPS) / log(1 / (1 - eta)))  (1 for eta = 1),
    # at most 1 + log(1e12) / log(1 / (1 - eta)) whatever the start (s_0 <= 1): one round
    # for eta = 1, 41 for eta = 0.5, 124 for eta = 0.2. The bound is finite, but for eta < 1
    # it is set by the tolerance, not by the talks: the text only approaches the edge.
    assume(r_a + r_b <= 1.0)
    T = 300
    scenario = load_data(one_issue_mediated(r_a, r_b, step, T, bias, status_quo))
    o = run_vector(sample(scenario, SEED, 0, 1))
    assert o.agreed[0]
    x0 = play(scenario, SEED, 0).trace[0]["offer"]["territory"]
    s0 = max(r_a - x0, x0 - (1.0 - r_b), 0.0)
    if s0 <= rules.EPS:
        assert o.round[0] == 0
        return
    if step == 1.0:
        n_star = bound = 1
    else:
        n_star = math.ceil(math.log(s0 / rules.EPS) / -math.log1p(-step))
        bound = 1 + math.log(1.0 / rules.EPS) / -math.log1p(-step)
    assert abs(o.round[0] - n_star) <= 1  # the round predicted, give or take rounding
    assert o.round[0] <= bound + 1
    assert r_a - 1e-9 <= o.deal[0, 0] <= 1.0 - r_b + 1e-9


@settings(max_examples=30)
@given(st.floats(0.0, 1.0), st.floats(0.0, 1.0), st.floats(0.05, 1.0), st.floats(0.0, 1.0))
def test_7_when_the_acceptance_sets_share_no_point_no_deal_comes(r_a, r_b, step, bias):
    assume(r_a + r_b > 1.0 + 1e-9)
    o = run_vector(sample(load_data(one_issue_mediated(r_a, r_b, step, 60, bias)), SEED, 0, 4))
    assert not o.agreed.any() and o.censored.all()


@pytest.mark.xfail(strict=True, raises=AssertionError, reason=(
    "model: the mediator's averaged projections land each rejecter exactly on the edge of its "
    "acceptance set, never inside it, so with two hold-outs whose edges meet at a narrow "
    "angle the text zigzags between the edges and converges to their corner only "
    "geometrically; here, with a point 0.02 inside both sets, the deal comes at round 521"))
def test_7_with_several_issues_shared_acceptance_gives_a_deal_in_bounded_time():
    # Two parties, two issues, fixed floors (r; their war is worth less than 0), patience 0,
    # a mediator without interests, eta = 1. The point z = (0.905, 0.954) is inside both
    # acceptance sets by 0.02 or more (u_a0(z) = 0.6856 >= 0.664, u_a1(z) = 0.9436 >= 0.9224).
    def side(ideal, salience, r, c):
        return {"name": "x", "role": "party", "signatory": True,
                "ideal": dict(zip(("i0", "i1"), ideal, strict=True)),
                "salience": dict(zip(("i0", "i1"), salience, strict=True)), "capability": c,
                "reservation": r, "war_cost": 1.0,
                "strategy": {"type": "time_dependent", "exponent": 1.0, "patience": 0}}
    data = {"name": "zigzag", "title": "zigzag",
            "issues": {"i0": {"label": "i0", "zero": "0", "one": "1", "status_quo": 0.896},
                       "i1": {"label": "i1", "zero": "0", "one": "1", "status_quo": 0.603}},
            "actors": {"a0": side((0.695, 0.2643), (0.7823, 0.2177), 0.664, 1.98),
                       "a1": side((0.9971, 0.9541), (0.6124, 0.3876), 0.9224, 0.465),
                       "med": {**side((0.5, 0.5), (1.0, 1.0), 0.0, 1.0), "role": "mediator",
                               "signatory": False}},
            "protocol": {"type": "mediated", "mediator": "med", "max_rounds": 200,
                         "horizon": 1.0, "bias": 0.159, "step": 1.0}}
    scenario = load_data(data)
    z = np.array([0.905, 0.954])
    batch = sample(scenario, SEED, 0, 1)
    u = rules.utility(z, batch.ideal[0], batch.salience[0])
    if not np.all(u[:2] >= batch.reservation[0, :2] + 0.02):  # a point well inside both sets
        pytest.fail("the instance does not have the shared point it should have")
    o = run_vector(batch)
    assert o.agreed[0], "no deal within 200 rounds"


# --- 8. the threat to walk away -------------------------------------------------------------------


@pytest.mark.parametrize("step", [1.0, 0.5])
def test_8_where_the_mediator_stays_deals_do_not_come_later_as_the_known_exit_risk_rises(step):
    T, runs = 52, 4096
    levels = (0.0, 0.3, 0.6, 0.9)
    batches = [sample(load_data(baseline_like(exit_probability=p, step=step)), SEED, 0, runs)
               for p in levels]
    results = [run_vector(b) for b in batches]
    # CRN: the exit fires when its uniform falls below pi, so the runs in which it does not
    # fire at the highest pi are runs where the mediator stays under every pi
    stays = ~batches[-1].event_fires[:, 0]
    assert stays.sum() > 200
    for b in batches:
        assert not np.any(b.event_fires[stays, 0])
    for calm, threatened in pairwise(results):
        assert not threatened.mediator_left[stays].any()
        diff = deal_round(threatened, T)[stays] - deal_round(calm, T)[stays]
        mean, low, high = mean_interval(diff)
        assert low <= 0.0, f"deals come later by {mean:.3f} rounds [{low:.3f}, {high:.3f}]"
    # a credible threat speeds concessions
    mean, low, high = mean_interval(deal_round(results[-1], T)[stays]
                                    - deal_round(results[0], T)[stays])
    assert high < 0.0


@pytest.mark.parametrize("base", ["baseline_like", "kitchen_sink"])
def test_8_an_unknown_threat_changes_nothing_before_it_fires(base):
    runs = 2000
    if base == "kitchen_sink":
        data = kitchen_sink()
        data["events"]["walkout"]["known"] = False
        quiet = copy.deepcopy(data)
        del quiet["events"]["walkout"]
        secret = data
    else:
        quiet = baseline_like(step=0.5)
        secret = baseline_like(step=0.5, exit_probability={"dist": "uniform", "low": 0.2,
                                                           "high": 0.8}, known=False)
    with_threat = sample(load_data(secret), SEED, 0, runs)
    assert np.all(with_threat.hazard == 0.0)  # nobody knows of it
    a = run_vector(sample(load_data(quiet), SEED, 0, runs))
    b = run_vector(with_threat)
    e = list(with_threat.layout.events).index("walkout")
    fires = with_threat.event_fires[:, e]
    at = np.where(fires, with_threat.event_start[:, e], np.iinfo(np.int64).max)
    before = a.rounds <= at  # the run ended (or the window closed) before the exit fired
    assert before.mean() > 0.4 and (~before).sum() > 50
    for name in ("agreed", "round", "rounds", "proposer", "blocker", "mediator_left",
                 "censored", "deal", "no_deal", "utility"):
        x, y = getattr(a, name)[before], getattr(b, name)[before]
        assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), name
    # the others were still talking when the mediator walked out, at the round it fired
    assert np.all(b.mediator_left[~before]) and np.all(b.rounds[~before] == at[~before])
    assert not np.any(a.agreed[~before] & (a.round[~before] < at[~before]))


def test_8_an_unknown_threat_leaves_every_round_before_it_as_it_was():
    quiet = load_data(baseline_like(step=0.5))
    secret = load_data(baseline_like(step=0.5, exit_probability=1.0, known=False))
    batch = sample(secret, SEED, 0, 16)
    for run in range(16):
        fires_at = int(batch.event_start[run, 0])
        a, b = play(quiet, SEED, run).trace, play(secret, SEED, run).trace
        assert len(b) == min(len(a), fires_at)
        for t in range(len(b)):
            assert a[t] == b[t], (run, t)


# --- 9. comparable with the automated-negotiation literature --------------------------------------


DELAY_COST = 1e-7  # kappa: one more round costs next to nothing ...
LONG_WAR = 1e7  # ... but the war as a whole (kappa H = 1) is worth less than any reservation


def literature(T: int, ru_seller: float, ru_buyer: float, e_seller: float, e_buyer: float,
               grid: int | None = None):
    """Two time-based negotiators of the literature over a price in [0, 1], written here from
    the papers, independently of negsim: the seller (utility x) opens, the buyer (utility
    1 - x) answers, and they alternate, T turns in all.

    Faratin, Sierra & Jennings (1998), polynomial family with kappa = 0: at time tau in [0, 1]
    an agent offers the value whose utility is 1 - alpha(tau) (1 - RU), alpha(tau) =
    tau^(1/beta), with RU its reservation utility; beta < 1 is Boulware, beta > 1 Conceder, so
    negsim's exponent e is 1/beta. The deadline is T + 1 turns and turn k = 1, 2, ... is at
    tau = k / (T + 1). On an outcome grid of ``grid`` + 1 prices an agent offers the grid
    price nearest its target from its own side (never below its target utility).
    Acceptance is AC_next (Baarslag, Hindriks & Jonker 2011): accept iff the utility of the
    offer received is at least that of the offer one would make next.
    Returns (turn of the accepted offer, counted from 0, and its price), or (None, None).
    """
    def utility_target(k, ru, e):
        return 1.0 - min(1.0, k / (T + 1)) ** e * (1.0 - ru)

    def seller_price(k):
        x = utility_target(k, ru_seller, e_seller)
        return x if grid is None else math.ceil(x * grid - 1e-9) / grid

    def buyer_price(k):
        x = 1.0 - utility_target(k, ru_buyer, e_buyer)
        return x if grid is None else math.floor(x * grid + 1e-9) / grid

    for turn in range(T):
        k = turn + 1
        if turn % 2 == 0:  # the seller offers; the buyer compares with its own next offer
            price = seller_price(k)
            if 1.0 - price >= 1.0 - buyer_price(k + 1):
                return turn, price
        else:
            price = buyer_price(k)
            if price >= seller_price(k + 1):
                return turn, price
    return None, None


def margin(T, ru_seller, ru_buyer, e_seller, e_buyer, turn):
    """By how much the continuous offer of ``turn`` clears the responder's AC_next bar."""
    def utility_target(k, ru, e):
        return 1.0 - min(1.0, k / (T + 1)) ** e * (1.0 - ru)
    k = turn + 1
    if turn % 2 == 0:
        return (1.0 - utility_target(k, ru_seller, e_seller)) - utility_target(k + 1, ru_buyer,
                                                                              e_buyer)
    return (1.0 - utility_target(k, ru_buyer, e_buyer)) - utility_target(k + 1, ru_seller,
                                                                         e_seller)


def price_talks(T, r_seller, r_buyer, e_seller, e_buyer, status_quo=0.5) -> dict:
    """negsim's version: patience = T, constant floors (no front; the war is worth less than
    the reservations, so f = r), a negligible cost of delay, alternating offers."""
    seller = party(1.0, exponent=e_seller, patience=T, war_cost=DELAY_COST,
                   reservation=r_seller)
    buyer = party(0.0, exponent=e_buyer, patience=T, war_cost=DELAY_COST, reservation=r_buyer)
    data = bilateral(seller, buyer, status_quo=status_quo, horizon=LONG_WAR, max_rounds=T)
    data["issues"]["territory"]["contested"] = False
    del data["battlefield"]
    return data


exponents = st.sampled_from([0.2, 0.5, 1.0, 2.0, 5.0]) | st.floats(0.1, 10.0)


@settings(max_examples=80)
@given(st.integers(2, 60), st.floats(0.0, 0.6), st.floats(0.0, 0.6), exponents, exponents,
       st.floats(0.0, 1.0))
def test_9_bilateral_time_dependent_talks_agree_when_and_where_the_literature_does(
        T, r_s, r_b, e_s, e_b, status_quo):
    o = outcomes(price_talks(T, r_s, r_b, e_s, e_b, status_quo), 1)
    turn, price = literature(T, r_s, r_b, e_s, e_b)
    # the same round and price, unless the literature's acceptance margin at a turn is within
    # the negligible cost of delay (negsim's responder accepts DELAY_COST below AC_next)
    close = [t for t in range(T) if -DELAY_COST - 1e-12 <= margin(T, r_s, r_b, e_s, e_b, t) < 0]
    if not close:
        assert o.agreed[0] == (turn is not None)
        if turn is not None:
            assert o.round[0] == turn
            assert math.isclose(o.deal[0, 0], price, abs_tol=1e-9)
    # on a grid of 1001 prices the literature's agents agree at the same turn and within a
    # grid step of the price, unless the continuous margin there is within a grid step
    g_turn, g_price = literature(T, r_s, r_b, e_s, e_b, grid=1000)
    if g_turn == turn and turn is not None:
        assert abs(g_price - price) <= 1e-3 + 1e-9
    elif g_turn != turn:
        near = [t for t in (turn, g_turn) if t is not None]
        assert any(abs(margin(T, r_s, r_b, e_s, e_b, t)) <= 2e-3 + 1e-9 for t in near) or (
            not near)


def test_9_a_worked_example_of_the_literature_comparison():
    # T = 10, linear tactics (e = 1), RU 0.3 for the seller and 0.2 for the buyer: at turn k
    # the seller asks 1 - 0.7 k / 11 and the buyer offers 0.8 k / 11.
    # turn 5 (k = 6, the buyer): offers 4.8 / 11 = 0.436 < the seller's next ask 6.1 / 11: no.
    # turn 6 (k = 7, the seller): asks 6.1 / 11 = 0.5545, worth 0.4455 to the buyer, whose
    #   next offer (k = 8) would be worth 1 - 6.4 / 11 = 0.4182 to it: AC_next accepts.
    # (AC_current would not: the buyer's own target now is 1 - 5.6 / 11 = 0.4909.)
    assert literature(10, 0.3, 0.2, 1.0, 1.0) == (6, pytest.approx(6.1 / 11))
    o = outcomes(price_talks(10, 0.3, 0.2, 1.0, 1.0), 1)
    assert o.agreed[0] and o.round[0] == 6 and math.isclose(o.deal[0, 0], 6.1 / 11)
