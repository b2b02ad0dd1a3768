"""The agenda (docs/model.md, "Agenda and partial agreements"): talks in stages, each settling
its issues for good, each valued by the settlement it leaves plus the war it would leave.

The rules are checked three ways: the functions of negsim.model.agenda on hand-computed
cases; the Mesa engine's traces, round by round, against what the rules say a stage's deal is
worth and what it settles; and metamorphic comparisons (one stage with every issue is the talks
without an agenda).
"""

from __future__ import annotations

import copy
import math
from dataclasses import fields
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from negsim.abm import run_abm
from negsim.engine import run_vector
from negsim.model import agenda, rules
from negsim.model.events import activity
from negsim.results.outcome import Outcomes
from negsim.sampling import sample
from negsim.scenario.yamldoc import read_yaml
from negsim.trace import trace
from tests.conftest import BASELINE, load_data, three_endings_data
from tests.model.test_theory import baseline_like, kitchen_sink, v2_scenario_data

SEED = 20250611
TOL = 1e-12  # the acceptance tolerance (rules.EPS)

# --- scenarios ---------------------------------------------------------------------------------


def side(ideal: float, belief: float, *, war_cost=0.01, weight=20.0, strategy=None,
         red_lines=None) -> dict:
    """A signatory of the one-issue ("territory") freeze talks, with a prior belief about the
    drift of the front."""
    data = {"name": "x", "role": "party", "signatory": True, "ideal": {"territory": ideal},
            "salience": {"territory": 1.0}, "capability": 1.0, "war_cost": war_cost,
            "beliefs": {"territory": {"drift": belief, "weight": weight}},
            "strategy": strategy or {"type": "time_dependent", "exponent": 1.0,
                                     "patience": 5}}
    if red_lines:
        data["red_lines"] = red_lines
    return data


FREEZE = [{"op": "set", "target": "battlefield.territory.drift", "value": 0},
          {"op": "set", "target": "battlefield.territory.volatility", "value": 0}]


def freeze_talks(russia_belief, ukraine_belief=0.005, *, protocol="mediated", effects=None,
                 drift=0.0, volatility=0.0, max_rounds=12, horizon=10.0, russia=None,
                 ukraine=None) -> dict:
    """Russia (ideal 1) and Ukraine (ideal 0) over one contested issue at 0.5, war cost 0.01 a
    round, horizon 10. The agenda is a pure freeze (no issue; by default it sets the drift and
    volatility of the front to 0 for good) and then the settlement of the territory. Mediated
    by a broker without interests in the war (ideal 0.5, no war cost), or alternating."""
    data = {"name": "freeze", "title": "freeze",
            "issues": {"territory": {"label": "T", "zero": "0", "one": "1", "status_quo": 0.5,
                                     "contested": True}},
            "actors": {"russia": russia or side(1.0, russia_belief),
                       "ukraine": ukraine or side(0.0, ukraine_belief)},
            "protocol": {"type": "alternating", "max_rounds": max_rounds, "horizon": horizon},
            "battlefield": {"territory": {"drift": drift, "volatility": volatility}}}
    if protocol == "mediated":
        data["actors"]["broker"] = {**side(0.5, 0.0, war_cost=0.0), "role": "mediator",
                                    "signatory": False}
        data["protocol"] = {"type": "mediated", "mediator": "broker",
                            "max_rounds": max_rounds, "horizon": horizon, "bias": 0.5}
    data["protocol"]["agenda"] = [
        {"id": "freeze", "issues": [], "effects": FREEZE if effects is None else effects},
        {"id": "settlement", "issues": ["territory"]}]
    return data


def with_agenda(data: dict, groups, keys: dict | None = None) -> dict:
    """``data`` with an agenda whose stage s settles the issues ``groups[s]`` (no effects;
    ``keys[s]``: more keys of stage s)."""
    data = copy.deepcopy(data)
    data["protocol"]["agenda"] = [{"id": f"stage_{s}", "issues": list(group),
                                   **(keys or {}).get(s, {})}
                                  for s, group in enumerate(groups)]
    return data


def one_stage(data: dict) -> dict:
    """``data`` with an agenda of one stage that settles every issue."""
    return with_agenda(data, [list(data["issues"])])


def baseline_data() -> dict:
    return copy.deepcopy(read_yaml(BASELINE).data)


def reciprocal_alternating() -> dict:
    from tests.engine.test_v2_equivalence import reciprocal_alternating as build
    return build()


# --- the functions of negsim.model.agenda, by hand ---------------------------------------------


def _round_parameters(war_cost, known=()):
    """The parts of events.RoundParameters that agenda.view reads."""
    return SimpleNamespace(belief_drift=np.array([[0.01, 0.0, 0.0], [-0.02, 0.0, 0.0]]),
                           belief_weight=np.full((2, 3), 10.0),
                           war_cost=np.asarray(war_cost), known_drift=known)


def _hand_view(duration, final=False):
    # actor 0 (ideals 1) expects the front of issue 0 to rise by 0.01 a round, actor 1 (ideals
    # 0) to fall by 0.02; the stage's agreement would set the drift of issue 0 to 0 (known to
    # both) and cut actor 0's war cost from 0.01 to 0.005. Issue 1 is on the table, issue 2
    # was settled at 0.7.
    now = _round_parameters([0.01, 0.02])
    after = _round_parameters([0.005, 0.02], known=((0, "set", 0.0, True),))
    front = np.array([0.5, 0.2, 0.9])
    return agenda.view(0, now, after, front, front, np.array([[1.0] * 3, [0.0] * 3]),
                       np.array([[0.5, 0.3, 0.2], [0.2, 0.4, 0.4]]), 10.0,
                       np.array([False, True, False]), np.array([np.nan, np.nan, 0.7]),
                       np.bool_(final), duration, np.bool_(True))


def test_a_partial_deal_is_worth_its_settlement_plus_the_war_it_leaves_by_hand():
    """V_j(y) = u_j(z_j) - pen_j with z_j = y on the table, the settled value on settled
    issues and clip(q + D mu' + (H - D) mu) elsewhere; pen_j = kappa'_j D + kappa_j (H - D),
    D = min(duration, H); b_j is V_j with the table at j's ideal."""
    stage = _hand_view(4.0)  # D = 4 of H = 10
    # issue 0: actor 0 expects 0.5 + 4 * 0 + 6 * 0.01 = 0.56, actor 1 0.5 - 6 * 0.02 = 0.38
    assert stage.rest[:, 0] == pytest.approx([0.56, 0.38], abs=1e-15)
    assert np.all(stage.rest[:, 2] == 0.7)  # settled
    assert stage.penalty == pytest.approx([0.005 * 4 + 0.01 * 6, 0.02 * 10], abs=1e-15)
    assert stage.best == pytest.approx([1 - (0.5 * 0.44 + 0.2 * 0.3) - 0.08,
                                        1 - (0.2 * 0.38 + 0.4 * 0.7) - 0.2], abs=1e-15)
    offer = np.array([0.123, 0.4, 0.987])  # values off the table do not count
    v = agenda.value(stage, offer, np.array([[1.0] * 3, [0.0] * 3]),
                     np.array([[0.5, 0.3, 0.2], [0.2, 0.4, 0.4]]))
    assert v == pytest.approx([0.5 * 0.56 + 0.3 * 0.4 + 0.2 * 0.7 - 0.08,
                               0.2 * 0.62 + 0.4 * 0.6 + 0.4 * 0.3 - 0.2], abs=1e-15)
    # the offset is V minus the utility of the table's issues
    assert stage.offset == pytest.approx(v - np.array([0.3 * 0.4, 0.4 * 0.6]), abs=1e-15)


def test_lasting_effects_cover_the_whole_horizon_and_the_last_stage_costs_nothing():
    """D = min(duration, H): effects for good cover all H rounds (mu' and kappa' only); the
    last stage's deal ends the war, so pen_j = 0 there."""
    stage = _hand_view(np.inf)
    assert stage.rest[:, 0] == pytest.approx([0.5, 0.5], abs=1e-15)  # frozen for H rounds
    assert stage.penalty == pytest.approx([0.005 * 10, 0.02 * 10], abs=1e-15)
    longer = _hand_view(25.0)  # a duration beyond the horizon is the horizon
    assert np.array_equal(longer.rest, stage.rest) and np.array_equal(longer.penalty,
                                                                      stage.penalty)
    final = _hand_view(4.0, final=True)
    assert np.all(final.penalty == 0.0)
    assert final.best == pytest.approx([1 - (0.5 * 0.44 + 0.2 * 0.3),
                                        1 - (0.2 * 0.38 + 0.4 * 0.7)], abs=1e-15)


def test_the_table_holds_the_open_issues_of_the_current_stage_and_of_skipped_ones():
    """On the table: issues not settled whose stage is the current one or an earlier one
    (skipped, since an earlier stage's agreed issues are settled)."""
    stage_of = np.array([0, 1, 1, 2])
    settled = np.array([np.nan, 0.3, np.nan, np.nan])
    assert agenda.on_table(stage_of, settled, np.int64(1)).tolist() == [True, False, True,
                                                                         False]
    assert agenda.on_table(stage_of, settled, np.int64(2)).tolist() == [True, False, True,
                                                                        True]
    # a batch: run axis last
    many = agenda.on_table(stage_of, np.repeat(settled[:, None], 2, axis=1), np.array([0, 2]))
    assert many.tolist() == [[True, True], [False, False], [False, True], [False, True]]


def test_an_offer_shows_its_table_the_settled_values_and_the_front_elsewhere():
    """What the trace shows of an offer: y on the table, the settled values on settled issues,
    the front q(t) elsewhere; a deal settles exactly the table's issues."""
    stage = _hand_view(4.0)
    shown = agenda.shown(stage, np.array([0.9, 0.4, 0.1]), np.array([0.5, 0.2, 0.9]))
    assert shown.tolist() == [0.5, 0.4, 0.7]
    settled = agenda.settle(stage.settled, stage.table, shown, True)
    assert np.array_equal(settled, [np.nan, 0.4, 0.7], equal_nan=True)
    assert np.array_equal(agenda.settle(stage.settled, stage.table, shown, False),
                          stage.settled, equal_nan=True)


def test_red_lines_count_on_the_tables_issues_only():
    """A stage answers for its own issues: a red line on an issue off the table is not
    breached by the offer, one on the table is."""
    stage = _hand_view(4.0)
    low = np.array([[0.0, 0.0, 0.9], [0.0, 0.0, 0.0]])  # actor 0: issue 2 (settled) >= 0.9
    high = np.array([[1.0, 1.0, 1.0], [1.0, 0.3, 1.0]])  # actor 1: issue 1 (table) <= 0.3
    offer = np.array([0.5, 0.4, 0.7])
    assert agenda.inside(stage, offer, low, high).tolist() == [True, False]
    lo, hi = agenda.lines(stage, low, high)
    assert lo[0].tolist() == [0.0, 0.0, 0.0] and hi[1].tolist() == [1.0, 0.3, 1.0]
    assert agenda.weights(stage, np.ones((2, 3)))[0].tolist() == [0.0, 1.0, 0.0]


def test_a_stage_acts_from_the_round_after_its_agreement_until_its_duration_ends():
    """An agreed stage's parameters are in force in rounds r + 1 .. r + d - 1 (r its
    agreement; the front's move at the end of round r is the d-th round under it), or to the
    end without a duration; a stage not agreed never acts."""
    layout = SimpleNamespace(staged=True, stage_duration=np.array([3.0, np.inf, 2.0]))
    none = np.zeros(0, dtype=bool)
    acting = [activity(layout, t, none, none, none, np.array([2, 4, -1])).tolist()
              for t in range(10)]
    assert [row[0] for row in acting] == [t in (3, 4) for t in range(10)]
    assert [row[1] for row in acting] == [t >= 5 for t in range(10)]
    assert not any(row[2] for row in acting)


def test_the_prospective_war_switches_the_current_stage_on():
    """What the war would be if the stage on the table were agreed now: the events as they
    are, the stages agreed so far, and the current stage."""
    active = np.array([[True, False], [False, False], [False, True], [False, False]])
    out = agenda.prospective(active, np.array([1, 0]), 2)
    assert out.tolist() == [[True, False], [False, False], [False, True], [True, False]]
    assert active[3].tolist() == [False, False]  # not changed in place


# --- one stage with every issue is the talks without an agenda ---------------------------------


UNSTAGED = {
    "baseline": baseline_data,
    "baseline-like-known-exit": lambda: baseline_like(gap=0.01, exit_probability=0.5),
    "three-endings": three_endings_data,
    "kitchen-sink": kitchen_sink,
    "reciprocal-alternating": reciprocal_alternating,
}


def assert_same_outcomes(a: Outcomes, b: Outcomes, skip=("stage_round",)) -> None:
    for f in fields(Outcomes):
        if f.name in skip:
            continue
        x, y = getattr(a, f.name), getattr(b, f.name)
        assert x.shape == y.shape, f.name
        assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), f.name


@pytest.mark.parametrize("name", list(UNSTAGED))
def test_one_stage_with_every_issue_is_the_talks_without_an_agenda(name):
    """An agenda of one stage holding every issue (no effects) gives every outcome bit for
    bit as no agenda (the rules under an agenda reduce to V = u, b = 1); its stage round is
    the deal's round."""
    data = UNSTAGED[name]()
    plain = run_vector(sample(load_data(data), SEED, 0, 1500))
    staged = run_vector(sample(load_data(one_stage(data)), SEED, 0, 1500))
    assert_same_outcomes(plain, staged)
    assert plain.stage_round.shape == (1500, 0) and staged.stage_round.shape == (1500, 1)
    assert np.array_equal(staged.stage_round[:, 0], np.where(plain.agreed, plain.round, -1))
    if name != "kitchen-sink":  # its hardliner veto holder blocks every deal
        assert plain.agreed.any()


@pytest.mark.parametrize("name", ["baseline-like-known-exit", "three-endings",
                                  "reciprocal-alternating"])
def test_one_stage_with_every_issue_plays_the_same_rounds_in_the_mesa_engine(name):
    """The Mesa engine too: the same outcomes, and every round of the trace the same but for
    what the agenda adds (the stage, its table, nothing settled)."""
    data = UNSTAGED[name]()
    plain, staged = load_data(data), load_data(one_stage(data))
    assert_same_outcomes(run_abm(plain, SEED, 0, 6), run_abm(staged, SEED, 0, 6))
    for run in range(3):
        a, b = trace(plain, SEED, run), trace(staged, SEED, run)
        assert len(a["rounds"]) == len(b["rounds"])
        for x, y in zip(a["rounds"], b["rounds"], strict=True):
            assert y.pop("stage") == "stage_0" and y.pop("settled") == {}
            assert y.pop("table") == list(staged.issues)
            assert x == y
        b["outcome"].pop("stages")
        assert a["outcome"] == b["outcome"]


@settings(max_examples=30)
@given(v2_scenario_data(), st.integers(0, 2**31))
def test_one_stage_with_every_issue_is_the_talks_without_an_agenda_generated(data, seed):
    """As above, on generated scenarios (vector engine)."""
    plain = run_vector(sample(load_data(data), seed, 0, 64))
    staged = run_vector(sample(load_data(one_stage(data)), seed, 0, 64))
    assert_same_outcomes(plain, staged)


# --- stages in the Mesa traces ------------------------------------------------------------------


def stage_of_issue(data: dict) -> dict:
    return {k: s for s, stage in enumerate(data["protocol"]["agenda"]) for k in stage["issues"]}


def expected_stages(data: dict, rounds: list, stage_rounds: list) -> list[int]:
    """The stage on the table in each round by the agenda's rules alone: the first stage opens
    at round 0; after the agreement of stage s at round r, stage s + 1 opens at r + 1; a stage
    with skip_after n still not agreed n rounds after it opened is left at that round."""
    skip = [st_.get("skip_after") for st_ in data["protocol"]["agenda"]]
    current, opened, out = 0, 0, []
    for t in range(len(rounds)):
        if skip[current] is not None and t - opened >= skip[current]:
            current, opened = current + 1, t
        out.append(current)
        if stage_rounds[current] == t:
            current, opened = current + 1, t + 1
    return out


def check_stages_in_trace(data: dict, scenario, seed: int, run: int, value_check: bool):
    """The agenda's rules, round by round in a Mesa trace (see the tests below)."""
    tr = trace(scenario, seed, run)
    rounds, outcome = tr["rounds"], tr["outcome"]
    ids = [st_["id"] for st_ in data["protocol"]["agenda"]]
    stage_rounds = [-1 if outcome["stages"][s] is None else outcome["stages"][s] for s in ids]
    issues = list(scenario.issues)
    home = stage_of_issue(data)
    batch = sample(scenario, seed, run, run + 1).take(0)
    actors = list(scenario.actors)
    settled_at = {}  # issue -> its value at the agreement
    stages = expected_stages(data, rounds, stage_rounds)
    for t, r in enumerate(rounds):
        current = stages[t]
        assert r["stage"] == ids[current], t
        assert r["settled"] == settled_at, t  # settled values never move
        table = [k for k in issues if k not in settled_at and home[k] <= current]
        assert r["table"] == table, t
        for k, v in settled_at.items():
            assert r["offer"][k] == v, (t, k)
        if stage_rounds[current] == t:  # the stage passes: every required answer was yes
            for a, resp in r["responses"].items():
                if a == r["proposer"]:
                    continue
                assert resp["accept"] and resp["inside_red_lines"], (t, a)
                assert resp["utility"] >= resp["threshold"] - TOL, (t, a)
        if value_check:  # V_j as the rules define it, from the trace and the run's draws
            final = current == len(ids) - 1
            H = float(batch.horizon)
            for a, resp in r["responses"].items():
                j = actors.index(a)
                z = np.empty(len(issues))
                for i, k in enumerate(issues):
                    if k in table or k in settled_at:
                        z[i] = r["offer"][k]
                    else:
                        belief = r["actors"][a]["belief"].get(k, 0.0)
                        z[i] = min(max(r["no_deal"][k] + H * belief, 0.0), 1.0)
                u = float(np.sum(batch.salience[j] * (1.0 - np.abs(z - batch.ideal[j]))))
                v = u if final else u - float(batch.war_cost[j]) * H
                assert math.isclose(resp["utility"], v, rel_tol=0, abs_tol=1e-9), (t, a)
            for a, view in r["actors"].items():  # W_j: settled issues at their values
                j = actors.index(a)
                z = np.array([settled_at[k] if k in settled_at else
                              min(max(r["no_deal"][k] + H * view["belief"].get(k, 0.0), 0.0),
                                  1.0) for k in issues])
                w = float(np.sum(batch.salience[j] * (1.0 - np.abs(z - batch.ideal[j]))))
                war = w - float(batch.war_cost[j]) * H
                assert math.isclose(view["war"], war, rel_tol=0, abs_tol=1e-9), (t, a)
        if stage_rounds[current] == t and current < len(ids) - 1:
            for k in table:
                settled_at[k] = r["offer"][k]
    if outcome["agreed"]:
        assert all(s >= 0 for s in stage_rounds[-1:])
        for k, v in settled_at.items():
            assert outcome["deal"][k] == v, k
    return stage_rounds


@st.composite
def split_agendas(draw, effects: bool = False):
    """A generated scenario (model version 2, without events) whose issues are split at random
    into an agenda of 1-3 stages (some may hold no issue), with skip_after on some stages but
    the last; no stage has effects on the war."""
    data = draw(v2_scenario_data())
    data["events"] = {}
    issues = list(data["issues"])
    S = draw(st.integers(1, 3))
    home = [draw(st.integers(0, S - 1)) for _ in issues]
    keys = {s: {"skip_after": draw(st.integers(1, 6))} for s in range(S - 1)
            if draw(st.booleans())}
    return with_agenda(data, [[k for k, h in zip(issues, home, strict=True) if h == s]
                              for s in range(S)], keys)


@settings(max_examples=35)
@given(split_agendas(), st.integers(0, 2**31))
def test_stages_pass_only_with_every_required_yes_and_their_issues_never_move_again(data, seed):
    """With no effect on the war (and separable utilities): in the round a stage is agreed
    every required actor but the proposer values it at or above its threshold (less 1e-12)
    and inside its red lines; the issues it settles keep their agreed values in every later
    offer and in the final deal; the stage on the table follows the agenda (in order, the
    next one the round after an agreement, a skip after skip_after rounds); the table is the
    open issues of the current and skipped stages; every answer is V_j, the settlement plus
    the war the deal leaves (u_j - kappa_j H before the last stage); and the value of war W_j
    counts settled issues at their settled values."""
    scenario = load_data(data)
    for run in range(3):
        check_stages_in_trace(data, scenario, seed, run, value_check=True)


def logroll(protocol: str = "alternating", skip_after: int = 6) -> dict:
    """Two sides (ideals 1 and 0 everywhere) over two issues they weigh oppositely (a: north
    0.6, south 0.1; b: the reverse), so that a first stage on both leaves gains from trade
    without any effect on the war, then an empty stage, then the contested issue c. The
    first stage is skipped after ``skip_after`` rounds; patience and exponents are drawn,
    so it is agreed in some runs and skipped in others."""
    def uniform(low, high):
        return {"dist": "uniform", "low": low, "high": high}

    def party(ideal, salience, belief):
        return {"name": "x", "role": "party", "signatory": True,
                "ideal": dict.fromkeys("abc", ideal),
                "salience": dict(zip("abc", salience, strict=True)),
                "capability": 1.0, "war_cost": uniform(0.002, 0.01),
                "beliefs": {"c": {"drift": belief, "weight": 20}},
                "strategy": {"type": "time_dependent", "exponent": uniform(0.5, 3.0),
                             "patience": uniform(2, 30)}}

    data = {"name": "logroll", "title": "logroll",
            "issues": {k: {"label": k, "zero": "0", "one": "1", "status_quo": 0.5,
                           "contested": k == "c"} for k in "abc"},
            "actors": {"north": party(1.0, (0.6, 0.1, 0.3), 0.003),
                       "south": party(0.0, (0.1, 0.6, 0.3), -0.003)},
            "protocol": {"type": "alternating", "max_rounds": 40, "horizon": 10},
            "battlefield": {"c": {"drift": uniform(-0.005, 0.005), "volatility": 0.01}}}
    if protocol == "mediated":
        data["actors"]["broker"] = {**party(0.5, (1, 1, 1), 0.0), "role": "mediator",
                                    "signatory": False, "war_cost": 0.0}
        data["protocol"] = {"type": "mediated", "mediator": "broker", "max_rounds": 40,
                            "horizon": 10, "bias": 0.5}
    return with_agenda(data, [["a", "b"], [], ["c"]], {0: {"skip_after": skip_after}})


def test_staged_traces_cover_agreements_skips_and_settlement():
    """The trace checks above where stages are agreed, skipped (the next stage then
    negotiates their issues) and the agenda completed."""
    data = logroll()
    scenario = load_data(data)
    seen = {"first agreed": 0, "first skipped": 0, "completed": 0}
    for run in range(8):
        stage_rounds = check_stages_in_trace(data, scenario, SEED, run, value_check=True)
        seen["first agreed"] += stage_rounds[0] >= 0
        seen["first skipped"] += stage_rounds[0] < 0 and stage_rounds[1] >= 0
        seen["completed"] += stage_rounds[-1] >= 0
    assert all(n > 0 for n in seen.values()), seen


# --- a pure freeze ------------------------------------------------------------------------------


def freeze_rounds(data: dict, run: int = 0) -> list:
    tr = trace(load_data(data), SEED, run)
    return [r for r in tr["rounds"] if r["stage"] == "freeze"], tr


def test_a_side_that_expects_the_front_to_move_its_way_rejects_a_pure_freeze():
    """With no issue on the table and kappa' = kappa, V_j = u_j(q) - kappa_j H falls below
    W_j = u_j(q + H mu_j) - kappa_j H <= theta_j exactly when j expects the front to move its
    way: Russia (ideal 1, prior drift +0.01, weight 20; the front does not move) rejects the
    freeze in every round, valuing it at 0.5 - 0.1 = 0.4 against a threshold of at least
    W(t) = 0.5 + 10 (20 * 0.01 / (20 + t)) - 0.1."""
    rounds, tr = freeze_rounds(freeze_talks(0.01))
    assert len(rounds) == 12 and tr["outcome"]["stages"] == {"freeze": None,
                                                             "settlement": None}
    for t, r in enumerate(rounds):
        russia = r["responses"]["russia"]
        assert not russia["accept"], t
        assert russia["utility"] == pytest.approx(0.4, abs=1e-12)
        war = 0.5 + 10 * (20 * 0.01 / (20 + t)) - 0.1
        assert russia["threshold"] >= war - 1e-12 and russia["utility"] < war
        assert r["responses"]["ukraine"]["accept"], t  # it expects to lose ground
    assert tr["outcome"]["censored"] and not tr["outcome"]["agreed"]


def test_the_same_side_expecting_the_front_to_move_against_it_accepts_the_freeze():
    """The same talks with Russia's prior drift -0.01: W = 0.4 - 0.1 < V = 0.4, and the
    freeze is agreed in round 0, by both sides."""
    rounds, tr = freeze_rounds(freeze_talks(-0.01))
    assert len(rounds) == 1 and tr["outcome"]["stages"]["freeze"] == 0
    for side_ in ("russia", "ukraine"):
        response = rounds[0]["responses"][side_]
        assert response["accept"] and response["utility"] == pytest.approx(0.4, abs=1e-12)
    assert tr["rounds"][1]["stage"] == "settlement"


def test_a_cheaper_war_buys_the_assent_of_the_side_that_expects_to_gain():
    """kappa' < kappa can buy a freeze: Russia expecting +0.005 a round (W = 0.55 - 0.1)
    rejects a plain freeze (V = 0.5 - 0.1) but accepts one that also cuts its war cost to a
    fifth (V = 0.5 - 0.002 * 10 = 0.48)."""
    rounds, _ = freeze_rounds(freeze_talks(0.005))
    assert not any(r["responses"]["russia"]["accept"] for r in rounds)
    cheaper = freeze_talks(0.005, effects=FREEZE + [
        {"op": "scale", "target": "actors.russia.war_cost", "value": 0.2}])
    rounds, tr = freeze_rounds(cheaper)
    assert tr["outcome"]["stages"]["freeze"] == 0
    assert rounds[0]["responses"]["russia"]["utility"] == pytest.approx(0.48, abs=1e-12)


def test_under_alternating_offers_the_side_that_expects_to_gain_never_agrees_a_pure_freeze():
    """The freeze rule holds whoever proposes: a side whose floor exceeds what the stage can
    give it (b_j < f_j) never agrees to it, in its own turn either."""
    for order in (["russia", "ukraine"], ["ukraine", "russia"]):
        data = freeze_talks(0.01, protocol="alternating")
        data["protocol"]["order"] = order
        tr = trace(load_data(data), SEED, 0)
        assert tr["outcome"]["stages"]["freeze"] is None, order
        for r in tr["rounds"]:
            assert r["responses"]["russia"]["utility"] < r["responses"]["russia"]["threshold"]


# --- a ceasefire freezes the front --------------------------------------------------------------


def ceasefire_data(max_rounds: int = 20) -> dict:
    """The freeze talks with a moving front (drift and volatility drawn), Russia's prior
    uncertain around 0 (so the freeze is agreed in some runs, at various rounds, and not in
    others), and red lines that leave no settlement (Russia >= 0.8, Ukraine <= 0.2): the
    talks never get past the freeze."""
    uniform = {"dist": "uniform", "low": -0.015, "high": 0.015}
    data = freeze_talks(0.0, drift=uniform, volatility=0.02, max_rounds=max_rounds,
                        russia=side(1.0, 0.0, red_lines={"territory": {"min": 0.8}},
                                    strategy={"type": "time_dependent", "exponent": 1.0,
                                              "patience": 5}),
                        ukraine=side(0.0, 0.0, red_lines={"territory": {"max": 0.2}}))
    data["actors"]["russia"]["beliefs"]["territory"]["drift"] = uniform
    data["actors"]["ukraine"]["beliefs"]["territory"]["drift"] = {"dist": "uniform",
                                                                 "low": -0.005, "high": 0.015}
    return data


def front_path(batch, run: int, T: int) -> np.ndarray:
    """q(0), ..., q(T) of one run without a freeze: q(t+1) = clip(q(t) + mu + sigma eps_t)."""
    q = [batch.status_quo[run].copy()]
    noise = np.zeros((T, len(batch.layout.issues)))
    noise[:, batch.layout.moving] = batch.noise[:T, :, run]
    for t in range(T):
        q.append(rules.advance_front(q[-1], batch.drift[run], batch.volatility[run],
                                     noise[t]))
    return np.array(q)


def frozen_runs(T: int):
    scenario = load_data(ceasefire_data(T))
    batch = sample(scenario, SEED, 0, 400)
    o = run_vector(batch)
    froze = (o.stage_round[:, 0] >= 0) & ~o.agreed
    assert froze.sum() > 50 and (~froze).sum() > 50
    assert len(set(o.stage_round[froze, 0])) > 3  # agreed at several rounds
    return scenario, batch, o, froze


def test_after_a_full_freeze_the_front_stays_where_it_stopped():
    """Once a ceasefire that sets drift and volatility to 0 acts, the front moves no more: in
    the trace, q is the same in every round after the agreement's first round under it and at
    the end; in the vector engine, the end front of a run that agreed the freeze (and never
    settled) is the same whatever the window, while without the freeze it keeps moving."""
    scenario, _, short, froze = frozen_runs(20)
    _, batch, long, froze_long = frozen_runs(40)
    both = froze & froze_long
    assert np.array_equal(short.stage_round[both, 0], long.stage_round[both, 0])
    assert np.array_equal(short.no_deal[both], long.no_deal[both])
    moving = ~froze_long & (batch.drift[:, 0] != 0)
    assert np.any(short.no_deal[moving] != long.no_deal[moving])
    checked = 0
    for run in np.flatnonzero(froze & (short.stage_round[:, 0] < 17))[:6]:
        tr = trace(scenario, SEED, int(run))
        s = tr["outcome"]["stages"]["freeze"]
        fronts = [r["no_deal"]["territory"] for r in tr["rounds"][s + 1:]]
        assert len(fronts) > 1 and len(set(fronts)) == 1, run
        assert tr["outcome"]["no_deal"]["territory"] == fronts[0]
        for r in tr["rounds"][s + 1:]:  # and every actor knows it: the drift it expects is 0
            assert all(a["belief"]["territory"] == 0.0 for a in r["actors"].values())
        checked += 1
    assert checked == 6


def test_after_a_full_freeze_the_front_stays_at_the_front_of_the_agreement():
    """The front a ceasefire agreed at round r freezes is q(r), the one the actors valued the
    freeze at: every later round's no-deal point, and the end front in the vector engine,
    equal it."""
    scenario, batch, o, froze = frozen_runs(20)
    for run in np.flatnonzero(froze)[:3]:
        tr = trace(scenario, SEED, int(run))
        s = tr["outcome"]["stages"]["freeze"]
        at = tr["rounds"][s]["no_deal"]
        assert all(r["no_deal"] == at for r in tr["rounds"][s:]), run
    for run in np.flatnonzero(froze):
        q = front_path(batch, run, 20)
        assert np.array_equal(o.no_deal[run], q[o.stage_round[run, 0]]), run


def test_an_agreed_stages_effect_on_the_drift_is_known_to_every_actor_and_an_events_is_not():
    """After a stage that scales the drift by 1/2 (for good), every actor's estimate is half
    what it learns from the front, (n m + q(t) - q(0)) / (n + t); an event that adds to the
    drift changes no estimate directly."""
    data = freeze_talks(-0.01, drift=0.004, volatility=0.01, effects=[
        {"op": "scale", "target": "battlefield.territory.drift", "value": 0.5}], max_rounds=10)
    data["events"] = {"push": {"round": 2, "effects": [
        {"op": "add", "target": "battlefield.territory.drift", "value": 0.01}]}}
    data["actors"]["russia"]["red_lines"] = {"territory": {"min": 0.9}}  # no settlement
    tr = trace(load_data(data), SEED, 0)
    assert tr["outcome"]["stages"]["freeze"] == 0 and len(tr["rounds"]) == 10
    q0 = tr["rounds"][0]["no_deal"]["territory"]
    priors = {"russia": -0.01, "ukraine": 0.005, "broker": 0.0}
    for t, r in enumerate(tr["rounds"]):
        moved = r["no_deal"]["territory"] - q0
        for a, prior in priors.items():
            learnt = (20 * prior + moved) / (20 + t)
            expected = learnt * 0.5 if t >= 1 else learnt
            assert r["actors"][a]["belief"]["territory"] == pytest.approx(expected, abs=1e-15)


def test_a_veto_counts_only_on_the_tables_issues():
    """A veto holder must accept only offers that move its veto issues on the table: Europe's
    veto on the territory does not make it answer the freeze (no issue on the table) although
    the front, shown off the table, has moved from the status quo; it answers settlement
    offers that move the territory."""
    data = freeze_talks(0.01, drift=0.01)
    data["actors"]["europe"] = {**side(0.3, 0.0, strategy={"type": "hardliner"}),
                                "role": "stakeholder", "signatory": False,
                                "veto": ["territory"]}
    data["events"] = {"turn": {"round": 3, "effects": [
        {"op": "set", "target": "actors.russia.beliefs.territory.drift", "value": -0.01}]}}
    tr = trace(load_data(data), SEED, 0)
    assert tr["outcome"]["stages"]["freeze"] == 3
    for r in tr["rounds"]:
        moved = r["offer"]["territory"] != 0.5
        if r["stage"] == "freeze":
            assert "europe" not in r["responses"], r["round"]
            assert moved or r["round"] == 0
        else:
            assert ("europe" in r["responses"]) == moved, r["round"]
    assert any("europe" in r["responses"] for r in tr["rounds"])


def test_a_stages_effects_last_their_duration_counting_the_round_of_the_agreement():
    """A freeze of 3 rounds agreed in round 0: the front (drift 0.01 a round, no noise) stands
    still for the moves at the end of rounds 0-2 and moves again from round 3 on; the actors
    know the drift is 0 exactly in rounds 1-2 (the freeze's parameters are in force there)
    and learn from the front otherwise."""
    data = freeze_talks(-0.01, drift=0.01, max_rounds=8)
    data["protocol"]["agenda"][0]["duration"] = 3
    data["actors"]["russia"]["red_lines"] = {"territory": {"min": 0.8}}  # no settlement
    tr = trace(load_data(data), SEED, 0)
    assert tr["outcome"]["stages"]["freeze"] == 0 and len(tr["rounds"]) == 8
    fronts = [r["no_deal"]["territory"] for r in tr["rounds"]]
    assert fronts == pytest.approx([0.5, 0.5, 0.5, 0.5, 0.51, 0.52, 0.53, 0.54],
                                   abs=1e-12)
    priors = {"russia": -0.01, "ukraine": 0.005, "broker": 0.0}
    for t, r in enumerate(tr["rounds"]):
        for a, prior in priors.items():
            learnt = (20 * prior + fronts[t] - 0.5) / (20 + t)
            expected = 0.0 if 1 <= t <= 2 else learnt
            assert r["actors"][a]["belief"]["territory"] == pytest.approx(expected, abs=1e-15)
