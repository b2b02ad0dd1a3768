"""Events started and ended by the state of the talks (docs/model.md, "Events"): an actor has
rejected n offers (or in each of the last n rounds), has accepted an offer someone else made
(of a stage), a stage is agreed, a stage is still not agreed at a round.

Conditions are judged at the start of round t from the rounds before it; an event starts at
the first round its condition holds (in runs where its probability draw says it fires), lasts
its duration (or to the end), and ends at the first round, once started, whose start finds
its end condition. Checked on the functions of negsim.model.events, on hand-computed Mesa
traces, and against an oracle that reads the conditions off any trace.
"""

from __future__ import annotations

import copy
from types import SimpleNamespace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from negsim.engine import run_vector
from negsim.model import rules
from negsim.model.events import Talks, holds, schedule
from negsim.model.layout import NEVER, ConditionSpec
from negsim.sampling import sample
from negsim.trace import trace
from tests.conftest import load_data
from tests.model.test_agenda import freeze_talks
from tests.model.test_theory import v2_scenario_data
from tests.strategies import staged_scenario_data

SEED = 7


# --- the functions, by hand ------------------------------------------------------------------


def talks(**kw):
    base = {"rejections": np.array([[0, 2, 3]]), "streak": np.array([[0, 2, 1]]),
            "accepted": np.array([[[False, True, True], [False, False, True]]]),
            "stage_round": np.array([[-1, 4, 2], [-1, -1, 5]])}
    base.update(kw)
    return Talks(**{k: np.asarray(v) for k, v in base.items()})


def test_each_condition_reads_the_talks_before_the_round():
    """rejected counts all rejections, or the current run of them (in_a_row); accepted any
    stage or the named one; agreed once the stage's round is set; not_agreed from its round
    while the stage is not agreed. Three runs (run axis last), one actor, two stages."""
    t = talks()
    assert holds(ConditionSpec("rejected", 0, 2), 5, t).tolist() == [False, True, True]
    assert holds(ConditionSpec("rejected", 0, 2, True), 5, t).tolist() == [False, True, False]
    assert holds(ConditionSpec("accepted", 0), 5, t).tolist() == [False, True, True]
    assert holds(ConditionSpec("accepted", 0, stage=1), 5, t).tolist() == [False, False, True]
    assert holds(ConditionSpec("agreed", stage=0), 5, t).tolist() == [False, True, True]
    spec = ConditionSpec("not_agreed", stage=0, round=3)
    assert holds(spec, 2, t).tolist() == [False, False, False]
    assert holds(spec, 3, t).tolist() == [True, False, False]


def test_an_event_starts_once_at_the_first_round_its_condition_holds_where_it_fires():
    """schedule: start = the round, end = start + length (at most the window) in firing runs;
    nothing in runs where it does not fire; a later round does not restart it."""
    layout = SimpleNamespace(max_rounds=10, starts=(ConditionSpec("agreed", stage=0),),
                             ends=(None,))
    fires = np.array([[True, False, True, True]])
    start = np.full((1, 4), NEVER)
    end = np.full((1, 4), 10)
    length = np.array([[3, 3, 3, 10]])
    agreed = talks(stage_round=np.array([[-1, 2, 2, 2]]))
    s, e = schedule(layout, 3, fires, start, end, length, agreed)
    assert s.tolist() == [[NEVER, NEVER, 3, 3]] and e.tolist() == [[10, 10, 6, 10]]
    assert start.tolist() == [[NEVER] * 4]  # not changed in place
    s2, e2 = schedule(layout, 4, fires, s, e, length, agreed)
    assert s2.tolist() == s.tolist() and e2.tolist() == e.tolist()


def test_an_event_ends_at_the_first_round_once_started_whose_start_finds_its_end():
    """An end condition cuts an event short, at the round it holds (possibly the start round
    itself); before the event starts it does nothing."""
    layout = SimpleNamespace(max_rounds=10, starts=(None,),
                             ends=(ConditionSpec("accepted", 0),))
    fires = np.array([[True, True, True]])
    start, end = np.array([[2, 6, 5]]), np.array([[8, 9, 10]])
    yes = talks(accepted=np.ones((1, 1, 3), dtype=bool))
    s, e = schedule(layout, 5, fires, start, end, np.full((1, 3), 10), yes)
    assert s.tolist() == start.tolist() and e.tolist() == [[5, 9, 5]]


# --- hand-computed traces ---------------------------------------------------------------------


def hardliner(ideal: float, war_cost: float = 0.01) -> dict:
    return {"name": "x", "role": "party", "signatory": True, "ideal": {"land": ideal},
            "salience": {"land": 1.0}, "capability": 1.0, "war_cost": war_cost,
            "strategy": {"type": "hardliner"}}


def deadlock(events: dict, *, protocol: str = "mediated", max_rounds: int = 10) -> dict:
    """Two hardliners (ideals 1 and 0) over one issue at 0.5: each demands 1 and values the
    broker's text (which stays at 0.5: the broker's floor is its ideal) at 0.5, so both reject
    in every round. An event 'soften' may make north accept in chosen rounds (a war cost of 1
    sets its threshold to 0)."""
    data = {"name": "deadlock", "title": "deadlock",
            "issues": {"land": {"label": "L", "zero": "0", "one": "1", "status_quo": 0.5}},
            "actors": {"north": hardliner(1.0), "south": hardliner(0.0)},
            "protocol": {"type": "alternating", "max_rounds": max_rounds, "horizon": 5},
            "events": events}
    if protocol == "mediated":
        data["actors"]["broker"] = {**hardliner(0.5, 0.0), "role": "mediator",
                                    "signatory": False}
        data["protocol"] = {"type": "mediated", "mediator": "broker",
                            "max_rounds": max_rounds, "horizon": 5, "bias": 0.5}
    return data


def soften(round_: int, duration: int = 1) -> dict:
    return {"round": round_, "duration": duration, "effects": [
        {"op": "set", "target": "actors.north.war_cost", "value": 1.0}]}


def watch(when=None, ends=None, actor="south", **kw) -> dict:
    """An event without effect on the talks (it adds 0 to ``actor``'s war cost), to read off
    when it is active."""
    event = {"effects": [{"op": "add", "target": f"actors.{actor}.war_cost", "value": 0.0}],
             **kw}
    if when is not None:
        event["when"] = when
    if ends is not None:
        event["ends"] = ends
    return event


def active(tr: dict, name: str) -> list[int]:
    return [r["round"] for r in tr["rounds"] if name in r["events"]]


def play(data: dict, run: int = 0) -> dict:
    return trace(load_data(data), SEED, run)


def test_rejections_count_from_the_round_after_the_nth():
    """An actor that rejects every round (rounds 0, 1, 2) has rejected 3 offers at the start
    of round 3: 'rejected times 3' is active from round 3 on, 'in_a_row' too; and the event's
    effect acts in that round (north's war cost set to 1: it accepts from round 3)."""
    tr = play(deadlock({
        "total": watch({"rejected": {"actor": "north", "times": 3}}),
        "row": watch({"rejected": {"actor": "north", "times": 3, "in_a_row": True}}),
        "relent": {"when": {"rejected": {"actor": "north", "times": 3}}, "effects": [
            {"op": "set", "target": "actors.north.war_cost", "value": 1.0}]}}))
    assert len(tr["rounds"]) == 10
    for name in ("total", "row", "relent"):
        assert active(tr, name) == list(range(3, 10)), name
    assert [r["responses"]["north"]["accept"] for r in tr["rounds"]] == [False] * 3 + [True] * 7
    assert set(tr["outcome"]["events"]) == {"total", "row", "relent"}


def test_an_accepting_round_resets_the_run_of_rejections_but_not_the_count():
    """North rejects in rounds 0 and 1, accepts in round 2 (its war cost is 1 then), rejects
    from round 3: it has rejected 3 offers at the start of round 4, 3 in a row only at the start
    of round 6; it has accepted one from the start of round 3; an event from round 0 that ends
    when north accepts is active in rounds 0-2."""
    tr = play(deadlock({
        "soften": soften(2),
        "total": watch({"rejected": {"actor": "north", "times": 3}}),
        "row": watch({"rejected": {"actor": "north", "times": 3, "in_a_row": True}}),
        "after_yes": watch({"accepted": {"actor": "north"}}),
        "until_yes": watch(round=0, ends={"accepted": {"actor": "north"}})}))
    north = [r["responses"]["north"]["accept"] for r in tr["rounds"]]
    assert north == [False, False, True] + [False] * 7
    assert active(tr, "total") == list(range(4, 10))
    assert active(tr, "row") == list(range(6, 10))
    assert active(tr, "after_yes") == list(range(3, 10))
    assert active(tr, "until_yes") == [0, 1, 2]


def test_a_duration_counts_from_the_start_and_probability_zero_never_fires():
    """'rejected times 1' holds from round 1: with duration 2 the event is active in rounds 1
    and 2 only; with probability 0 it is never active, in any run (and is not reported as
    fired)."""
    data = deadlock({
        "short": watch({"rejected": {"actor": "south", "times": 1}}, duration=2),
        "never": watch({"rejected": {"actor": "south", "times": 1}}, probability=0.0)})
    tr = play(data)
    assert active(tr, "short") == [1, 2] and active(tr, "never") == []
    assert tr["outcome"]["events"] == ["short"]
    o = run_vector(sample(load_data(data), SEED, 0, 300))
    assert o.event[:, list(load_data(data).events).index("never")].sum() == 0


def test_an_event_fires_from_its_condition_only_in_runs_whose_draw_says_so():
    """With probability 1/2 the event is active from round 3 in the runs where it fires and in
    none of the others."""
    data = deadlock({"coin": watch({"rejected": {"actor": "north", "times": 3}},
                                   probability=0.5)}, max_rounds=6)
    scenario = load_data(data)
    batch = sample(scenario, SEED, 0, 12)
    assert 0 < batch.event_fires[:, 0].sum() < 12
    for run in range(12):
        tr = trace(scenario, SEED, run)
        assert active(tr, "coin") == ([3, 4, 5] if batch.event_fires[run, 0] else []), run


def test_only_rejections_as_a_responder_count_and_a_proposing_round_breaks_the_run():
    """Alternating offers: south answers only in north's rounds (0, 2, 4, ...), so it has
    rejected 2 offers at the start of round 3, but never in 2 consecutive rounds (its own
    proposing rounds break the run)."""
    tr = play(deadlock({
        "two": watch({"rejected": {"actor": "south", "times": 2}}),
        "two_in_a_row": watch({"rejected": {"actor": "south", "times": 2, "in_a_row": True}})},
        protocol="alternating"))
    assert [r["proposer"] for r in tr["rounds"][:2]] == ["north", "south"]
    assert active(tr, "two") == list(range(3, 10))
    assert active(tr, "two_in_a_row") == []


def test_an_exit_a_condition_starts_ends_the_talks_then_and_is_never_foreseen():
    """A mediator exit started by 'rejected times 2' breaks the talks off at the start of
    round 2, and enters no actor's hazard (a surprise), unlike the same exit at round 2."""
    walkout = {"when": {"rejected": {"actor": "north", "times": 2}},
               "effects": [{"op": "mediator_exit"}]}
    data = deadlock({"walkout": walkout})
    tr = play(data)
    assert tr["outcome"]["mediator_left"] and len(tr["rounds"]) == 2
    assert np.all(sample(load_data(data), SEED, 0, 8).hazard == 0.0)
    at_round = deadlock({"walkout": {"round": 2, "effects": [{"op": "mediator_exit"}]}})
    assert np.any(sample(load_data(at_round), SEED, 0, 8).hazard > 0.0)


# --- conditions on the agenda -------------------------------------------------------------------


def turning(events: dict) -> dict:
    """The freeze talks (tests.model.test_agenda) in which Russia rejects the freeze until an
    event at round 3 turns its prior drift against it: the freeze is agreed in round 3 (Ukraine
    accepts it from round 0), and the settlement opens in round 4 (and is never agreed: Russia's
    red line keeps the territory above 0.8, Ukraine will not give that much)."""
    data = freeze_talks(0.01, max_rounds=12)
    data["actors"]["russia"]["red_lines"] = {"territory": {"min": 0.8}}
    for event in events.values():
        for effect in event["effects"]:
            effect["target"] = effect["target"].replace("actors.south.", "actors.ukraine.")
    data["events"] = {"turn": {"round": 3, "effects": [
        {"op": "set", "target": "actors.russia.beliefs.territory.drift", "value": -0.01}]},
        **events}
    return data


def test_conditions_on_stages_hold_from_the_round_after_the_agreement():
    """'agreed: freeze' holds from round 4 (agreed in round 3); 'not_agreed' from its round
    while the freeze is not agreed (from 2, and for good unless an end condition says; from
    5: never); 'accepted' from the round after the actor's first yes to someone else's offer
    of the stage (Ukraine: 1; Russia: 4; Ukraine to a settlement offer: after its first), or of
    any stage."""
    tr = play(turning({
        "after": watch({"agreed": "freeze"}),
        "stalled": watch({"not_agreed": {"stage": "freeze", "round": 2}}),
        "stalled_until": watch({"not_agreed": {"stage": "freeze", "round": 2}},
                               ends={"agreed": "freeze"}),
        "late": watch({"not_agreed": {"stage": "freeze", "round": 5}}),
        "ukraine_yes": watch({"accepted": {"actor": "ukraine", "stage": "freeze"}}),
        "russia_yes": watch({"accepted": {"actor": "russia", "stage": "freeze"}}),
        "russia_any": watch({"accepted": {"actor": "russia"}}),
        "till_freeze": watch(round=0, ends={"agreed": "freeze"}),
        "ukraine_settles": watch({"accepted": {"actor": "ukraine", "stage": "settlement"}})}))
    assert tr["outcome"]["stages"]["freeze"] == 3
    assert [r["stage"] for r in tr["rounds"][:5]] == ["freeze"] * 4 + ["settlement"]
    n = len(tr["rounds"])
    assert n == 12
    assert active(tr, "after") == list(range(4, n))
    assert active(tr, "stalled") == list(range(2, n))
    assert active(tr, "stalled_until") == [2, 3]
    assert active(tr, "late") == []
    assert active(tr, "ukraine_yes") == list(range(1, n))
    assert active(tr, "russia_yes") == list(range(4, n))
    assert active(tr, "russia_any") == list(range(4, n))
    assert active(tr, "till_freeze") == [0, 1, 2, 3]
    # Ukraine's first yes to a settlement offer, not its yes to the freeze, starts this one
    first = next(r["round"] for r in tr["rounds"]
                 if r["stage"] == "settlement" and r["responses"]["ukraine"]["accept"])
    assert active(tr, "ukraine_settles") == list(range(first + 1, n)) and first + 1 < n


def test_not_agreed_holds_for_a_stage_never_agreed():
    """Without the turn, Russia never agrees the freeze: 'not_agreed {freeze, 5}' is active
    from round 5 to the end, 'agreed: freeze' never, and 'not_agreed' on the settlement (never
    opened) from its round."""
    data = turning({"late": watch({"not_agreed": {"stage": "freeze", "round": 5}}),
                    "after": watch({"agreed": "freeze"}),
                    "no_settlement": watch({"not_agreed": {"stage": "settlement",
                                                           "round": 0}})})
    del data["events"]["turn"]
    tr = play(data)
    assert tr["outcome"]["stages"]["freeze"] is None and len(tr["rounds"]) == 12
    assert active(tr, "late") == list(range(5, 12))
    assert active(tr, "after") == []
    assert active(tr, "no_settlement") == list(range(12))


# --- an oracle on any trace ---------------------------------------------------------------------


def judge(condition, t: int, rounds: list, stages: dict, standing: bool = False) -> bool:
    """Whether a condition (schema.Condition) holds at the start of round t, read off the
    trace: the answers of the rounds before t and the rounds the stages were agreed.

    A proposer's own round counts as neither a yes nor a no, unless ``standing`` (an agenda
    under alternating offers, agenda.standing) and its offer was worth less than its floor
    to it: then it answered like any required actor."""
    def stands(r, actor) -> bool:
        view = r["actors"][actor]
        return not standing or view["utility"] >= view["floor"] - rules.EPS

    def answers(actor):
        for r in rounds[:t]:
            mine = r["responses"].get(actor)
            if mine is None or (r["proposer"] == actor and stands(r, actor)):
                yield r, None  # not asked, or a proposer standing by its own offer
            else:
                yield r, mine["accept"]

    if condition.rejected is not None:
        c = condition.rejected
        said = [a for _, a in answers(c.actor)]
        if not c.in_a_row:
            return sum(a is False for a in said) >= c.times
        run = 0
        for a in reversed(said):
            if a is not False:
                break
            run += 1
        return run >= c.times
    if condition.accepted is not None:
        c = condition.accepted
        return any(a is True and (c.stage is None or r.get("stage") == c.stage)
                   for r, a in answers(c.actor))
    if condition.agreed is not None:
        return stages.get(condition.agreed) is not None and stages[condition.agreed] < t
    c = condition.not_agreed
    return t >= c.round and not (stages.get(c.stage) is not None and stages[c.stage] < t)


def check_events_in_trace(scenario, seed: int, run: int) -> None:
    """Every event is active in exactly the trace rounds the rules say, given its drawn
    firing, round and duration and the answers and agreements of the trace."""
    tr = trace(scenario, seed, run)
    rounds, stages = tr["rounds"], tr["outcome"].get("stages", {})
    batch = sample(scenario, seed, run, run + 1).take(0)
    T = scenario.protocol.max_rounds
    n = len(rounds)
    standing = bool(scenario.protocol.agenda) and scenario.protocol.type == "alternating"
    exits = []  # whether an exit is active at round n, the one after the last played
    for e, (name, event) in enumerate(scenario.events.items()):
        fires, length = bool(batch.event_fires[e]), int(batch.event_length[e])
        if event.when is None:
            start, end = int(batch.event_start[e]), int(batch.event_end[e])
        else:
            start, end = NEVER, T
            for t in range(n + 1):
                if fires and judge(event.when, t, rounds, stages, standing):
                    start, end = t, min(t + length, T)
                    break
        if event.ends is not None:
            for t in range(start, min(end, n + 1)):
                if judge(event.ends, t, rounds, stages, standing):
                    end = t
                    break
        expected = [t for t in range(n) if fires and start <= t < end]
        assert active(tr, name) == expected, (name, run)
        if event.exits:
            assert not expected, (name, run)  # the talks would have broken off then
            exits.append(fires and start <= n < end)
    outcome = tr["outcome"]
    if n < T and not outcome["agreed"]:  # broken off: by an exit active at round n
        assert outcome["mediator_left"] and any(exits), run
    assert not outcome["mediator_left"] or any(exits), run


@settings(max_examples=30)
@given(staged_scenario_data(v2_scenario_data()), st.integers(0, 2**31))
def test_events_are_active_exactly_when_their_conditions_say(data, seed):
    """On generated scenarios with agendas and state-triggered events, every event's active
    rounds in the Mesa trace are those the conditions give, read off the trace (see judge)."""
    scenario = load_data(copy.deepcopy(data))
    for run in range(3):
        check_events_in_trace(scenario, seed, run)


def test_the_oracle_sees_every_kind_of_condition_start_and_end_an_event():
    """The oracle check on the hand-made scenarios above, and on a run where every kind of
    condition starts or ends something."""
    data = turning({"after": watch({"agreed": "freeze"}, ends={"rejected": {
        "actor": "russia", "times": 2, "in_a_row": True}}),
        "ukraine_yes": watch({"accepted": {"actor": "ukraine", "stage": "freeze"}},
                             duration=3),
        "stalled": watch({"not_agreed": {"stage": "freeze", "round": 1}},
                         ends={"accepted": {"actor": "russia"}})})
    scenario = load_data(data)
    tr = trace(scenario, SEED, 0)
    assert active(tr, "after") and active(tr, "ukraine_yes") == [1, 2, 3]
    assert active(tr, "stalled") == [1, 2, 3]
    check_events_in_trace(scenario, SEED, 0)
