"""The two engines agree, run by run and bit for bit, on agendas (stages, their effects on the
war, durations, skips) and on events started and ended by the state of the talks; the
outcomes keep the agenda's order; and the results do not depend on chunks or workers."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from negsim.engine import run_chunked, run_vector
from negsim.results.outcome import Outcomes
from negsim.sampling import BLOCK, sample
from negsim.scenario.yamldoc import read_yaml
from negsim.simulation import simulate
from tests.conftest import BASELINE, load_data
from tests.engine.test_v2_equivalence import assert_identical, both, reciprocal_alternating
from tests.model.test_agenda import (
    ceasefire_data,
    check_stages_in_trace,
    freeze_talks,
    logroll,
    with_agenda,
)
from tests.model.test_events import check_events_in_trace, deadlock, soften, watch
from tests.model.test_theory import kitchen_sink, v2_scenario_data
from tests.strategies import staged_scenario_data

SEED = 29
RUNS = 48


# --- scenarios ---------------------------------------------------------------------------------


def baseline_truce() -> dict:
    """The baseline with a truce first (the ceasefire issue; it freezes the front and cuts both
    sides' war costs, for 20 rounds) and the rest after; aid to Ukraine is cut (its war cost
    doubled) once it has rejected 3 offers in a row, until it accepts a truce offer."""
    data = copy.deepcopy(read_yaml(BASELINE).data)
    issues = list(data["issues"])
    data["protocol"]["agenda"] = [
        {"id": "truce", "issues": ["ceasefire"], "duration": 20, "effects": [
            {"op": "set", "target": "battlefield.territory.drift", "value": 0},
            {"op": "set", "target": "battlefield.territory.volatility", "value": 0},
            {"op": "scale", "target": "actors.ukraine.war_cost", "value": 0.3},
            {"op": "scale", "target": "actors.russia.war_cost", "value": 0.3}]},
        {"id": "settlement", "issues": [k for k in issues if k != "ceasefire"]}]
    data["events"] = {"aid_cut": {
        "when": {"rejected": {"actor": "ukraine", "times": 3, "in_a_row": True}},
        "ends": {"accepted": {"actor": "ukraine", "stage": "truce"}}, "probability": 0.8,
        "effects": [{"op": "scale", "target": "actors.ukraine.war_cost", "value": 2}]}}
    return data


def freeze_with_triggers() -> dict:
    """The freeze talks with uncertain beliefs, a moving front, a freeze of 6 rounds that also
    cuts Russia's war cost, an exit when the freeze is still not agreed at round 8, and
    pressure on Russia (a higher war cost) after 2 rejections in a row, until it accepts."""
    uniform = {"dist": "uniform", "low": -0.015, "high": 0.015}
    data = freeze_talks(uniform, uniform, drift=uniform, volatility=0.01, max_rounds=30,
                        effects=[{"op": "set", "target": "battlefield.territory.drift",
                                  "value": 0},
                                 {"op": "scale", "target": "actors.russia.war_cost",
                                  "value": {"dist": "uniform", "low": 0.2, "high": 1.0}}])
    data["protocol"]["agenda"][0]["duration"] = 6
    data["events"] = {
        "walkout": {"when": {"not_agreed": {"stage": "freeze", "round": 8}},
                    "probability": 0.5, "effects": [{"op": "mediator_exit"}]},
        "pressure": {"when": {"rejected": {"actor": "russia", "times": 2, "in_a_row": True}},
                     "ends": {"accepted": {"actor": "russia"}}, "duration": 5,
                     "effects": [{"op": "scale", "target": "actors.russia.war_cost",
                                  "value": 3.0}]}}
    return data


def staged_reciprocal() -> dict:
    """Reciprocal and time-dependent sides under random alternating offers, the issue split
    from a second one by a first stage skipped after 5 rounds."""
    data = reciprocal_alternating()
    data["issues"]["aid"] = {"label": "Aid", "zero": "0", "one": "1", "status_quo": 0.3}
    for actor, ideal, weight in (("russia", 0.0, 0.4), ("ukraine", 1.0, 0.7)):
        data["actors"][actor]["ideal"]["aid"] = ideal
        data["actors"][actor]["salience"]["aid"] = weight
    return with_agenda(data, [["aid"], ["territory"]], {0: {"skip_after": 5}})


def staged_kitchen_sink() -> dict:
    """The kitchen sink in two stages (land first, skipped after 4 rounds, its agreement halving
    the front's drift for 3 rounds), its aid cut started by north's second rejection and ended
    by the first stage's agreement."""
    data = kitchen_sink()
    data["protocol"]["agenda"] = [
        {"id": "front", "issues": ["land"], "duration": 3, "skip_after": 4, "effects": [
            {"op": "scale", "target": "battlefield.land.drift", "value": 0.5}]},
        {"id": "rest", "issues": ["money", "guard"]}]
    aid = data["events"]["aid_cut"]
    del aid["round"]
    aid["when"] = {"rejected": {"actor": "north", "times": 2}}
    aid["ends"] = {"agreed": "front"}
    return data


TARGETED = {
    "baseline-truce": (baseline_truce, 16),
    "freeze-with-triggers": (freeze_with_triggers, RUNS),
    "ceasefire": (ceasefire_data, RUNS),
    "logroll-alternating": (logroll, RUNS),
    "logroll-mediated": (lambda: logroll("mediated"), RUNS),
    "staged-reciprocal": (staged_reciprocal, RUNS),
    "staged-kitchen-sink": (staged_kitchen_sink, 24),
    "deadlock-events": (lambda: deadlock({
        "soften": soften(2), "row": watch({"rejected": {"actor": "north", "times": 2,
                                                        "in_a_row": True}}, probability=0.5),
        "yes": watch({"accepted": {"actor": "north"}}, duration=2)}), RUNS),
}


@pytest.mark.parametrize("name", list(TARGETED))
def test_engines_agree_bit_for_bit_on_staged_and_triggered_scenarios(name):
    """Every outcome field, stage rounds included, the same in both engines."""
    build, runs = TARGETED[name]
    vector, abm = both(build(), 0, runs, SEED)
    assert_identical(vector, abm)


def test_the_targeted_scenarios_exercise_stages_skips_and_triggers():
    """Across the targeted scenarios, stages are agreed and skipped, agendas completed, talks
    broken off by a triggered exit, and triggered events fire."""
    seen = dict.fromkeys(("stage agreed", "stage skipped", "agenda agreed", "broken off",
                          "triggered event"), 0)
    for name in ("freeze-with-triggers", "logroll-alternating", "staged-reciprocal",
                 "baseline-truce"):
        build, runs = TARGETED[name]
        o = run_vector(sample(load_data(build()), SEED, 0, runs))
        seen["stage agreed"] += int((o.stage_round[:, :-1] >= 0).sum())
        seen["stage skipped"] += int(((o.stage_round[:, :-1] < 0)
                                      & (o.stage_round[:, -1:] >= 0)).sum())
        seen["agenda agreed"] += int(o.agreed.sum())
        seen["broken off"] += int(o.mediator_left.sum())
        seen["triggered event"] += int(o.event.sum())
    assert all(n > 0 for n in seen.values()), seen


# --- the order of the agenda in the outcomes ----------------------------------------------------


def check_agenda_order(o: Outcomes, data: dict) -> None:
    """What the outcomes say about the agenda, by its rules:

    - ``agreed`` iff the last stage was agreed, in the deal's round;
    - agreed stages in increasing rounds, all before the end of the talks;
    - a stage opens at 0 (the first), the round after the previous one's agreement, or when
      the previous one is skipped (skip_after rounds after it opened); a stage is agreed only
      once open, and before it would be skipped; a stage without skip_after blocks every later
      stage until agreed;
    - a deal lies in [0, 1] (NaN without one).
    """
    agenda = data["protocol"].get("agenda") or []
    S = len(agenda)
    assert o.stage_round.shape == (len(o.run), S)
    sr = o.stage_round
    if S == 0:
        return
    assert np.array_equal(o.agreed, sr[:, -1] >= 0)
    assert np.array_equal(sr[o.agreed, -1], o.round[o.agreed])
    assert np.all(sr < o.rounds[:, None])
    skip = [stage.get("skip_after") for stage in agenda]
    for n in range(len(o.run)):
        opened, agreed_rounds = 0, [r for r in sr[n] if r >= 0]
        assert agreed_rounds == sorted(set(agreed_rounds)), sr[n]
        for s in range(S):
            r = sr[n, s]
            if opened is None:  # never opened
                assert r < 0, (n, s, sr[n])
                continue
            if r >= 0:
                assert r >= opened, (n, s, sr[n])
                if skip[s] is not None:
                    assert r < opened + skip[s], (n, s, sr[n])
                opened = r + 1
            elif skip[s] is not None and opened + skip[s] < o.rounds[n]:
                opened = opened + skip[s]
            else:
                opened = None
    deal = o.deal[o.agreed]
    assert np.all((deal >= 0.0) & (deal <= 1.0))
    assert np.all(np.isnan(o.deal[~o.agreed]))


@settings(max_examples=35)
@given(staged_scenario_data(v2_scenario_data()), st.integers(0, 2**31),
       st.integers(0, 9000))
def test_engines_agree_bit_for_bit_on_generated_agendas_and_triggers(data, seed, start):
    """On generated scenarios with random agendas (1-3 stages, effects on the war, durations,
    skip_after) and events started and ended by random conditions: both engines identical;
    the outcomes keep the agenda's order (check_agenda_order); and in Mesa traces, stages
    pass only when every required answer is yes, settled issues never move, the stage on
    the table follows the agenda, and every event is active exactly when its conditions
    say."""
    vector, abm = both(copy.deepcopy(data), start, start + 12, seed)
    assert_identical(vector, abm)
    check_agenda_order(vector, data)
    check_agenda_order(run_vector(sample(load_data(copy.deepcopy(data)), seed, 0, 200)), data)
    scenario = load_data(copy.deepcopy(data))
    for run in (start, start + 1):
        if data["protocol"].get("agenda"):
            check_stages_in_trace(data, scenario, seed, run, value_check=False)
        check_events_in_trace(scenario, seed, run)


def test_the_order_check_refuses_what_the_agenda_forbids():
    """check_agenda_order fails on outcomes that break the agenda: a later stage agreed before
    an earlier one, or while an earlier stage without skip_after is open, or agreed past its
    skip, or 'agreed' without the last stage."""
    data = {"protocol": {"agenda": [{"id": "a", "issues": [], "skip_after": 3},
                                    {"id": "b", "issues": []}, {"id": "c", "issues": []}]}}

    def outcomes(stage_round, agreed_round=-1, rounds=20):
        o = Outcomes.empty(type("L", (), {"actors": ("x",), "issues": ("k",), "events": (),
                                          "stages": ("a", "b", "c")})(), np.arange(1))
        o.stage_round[0] = stage_round
        o.rounds[0] = rounds
        if agreed_round >= 0:
            o.agreed[0], o.round[0], o.deal[0] = True, agreed_round, 0.5
        return o

    check_agenda_order(outcomes([2, 5, 9], 9), data)  # in order
    check_agenda_order(outcomes([-1, 5, 9], 9), data)  # a skipped after 3 rounds
    for bad in (outcomes([5, 2, 9], 9), outcomes([-1, 2, 9], 9), outcomes([3, 5, 9], 9),
                outcomes([2, -1, 9], 9), outcomes([2, 5, 9]), outcomes([2, 5, -1], 9)):
        with pytest.raises(AssertionError):
            check_agenda_order(bad, data)


# --- executors ----------------------------------------------------------------------------------


def assert_same_job(one, other) -> None:
    (outcomes, tally), (outcomes_2, tally_2) = one, other
    for name in outcomes.__dataclass_fields__:
        assert np.array_equal(getattr(outcomes, name), getattr(outcomes_2, name),
                              equal_nan=True), name
    for name in tally.__dataclass_fields__:
        assert np.array_equal(getattr(tally, name), getattr(tally_2, name)), name


@pytest.fixture(scope="module")
def staged_job():
    scenario = load_data(freeze_with_triggers())
    return scenario, run_chunked(scenario, 3, BLOCK + 700, size=BLOCK)


@pytest.mark.parametrize("blocks,workers", [(2, 1), (1, 2)])
def test_staged_results_do_not_depend_on_chunks_or_workers(staged_job, blocks, workers):
    """A staged scenario with triggered events gives the same outcomes (stage rounds
    included) and tally in chunks of one or two blocks, on one or two workers."""
    scenario, reference = staged_job
    outcomes = reference[0]
    assert (outcomes.stage_round[:, 0] >= 0).any() and outcomes.mediator_left.any()
    assert_same_job(reference, run_chunked(scenario, 3, BLOCK + 700, size=blocks * BLOCK,
                                           workers=workers))


def test_simulate_gives_the_same_staged_results_in_any_chunk_and_on_two_workers(staged_job):
    """Through the public entry point: the same runs table (stage columns included) and
    summary, whatever the chunking and workers."""
    scenario, _ = staged_job
    a = simulate(scenario, runs=BLOCK + 700, seed=3, chunk_size=BLOCK)
    b = simulate(scenario, runs=BLOCK + 700, seed=3, chunk_size=2 * BLOCK, workers=2)
    assert {"stage.freeze.round", "stage.settlement.agreed"} <= set(a.runs.columns)
    assert a.runs.equals(b.runs)
    for name in a.tally.__dataclass_fields__:
        assert np.array_equal(getattr(a.tally, name), getattr(b.tally, name)), name
