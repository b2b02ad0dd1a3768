"""Round-by-round dynamics of the Mesa engine, each checked against a hand-computed value."""

import copy

import numpy as np
import pytest

from negsim.abm import play, run_abm
from negsim.model import rules
from negsim.model.layout import Layout
from negsim.sampling import sample
from negsim.scenario import load_scenario_data

HARD = {"type": "hardliner"}
LINEAR = {"type": "time_dependent", "exponent": 1.0}


def actor(ideal: dict, strategy, signatory=True, role="party", **extra) -> dict:
    return {"name": "x", "role": role, "signatory": signatory, "ideal": ideal,
            "salience": {k: 1.0 for k in ideal}, "capability": 1.0, "reservation": 0.0,
            "war_cost": 0.0, "strategy": strategy, **extra}


def scenario(actors: dict, issues=("k",), rounds=8, **extra):
    data = {"name": "hand", "title": "hand-computed", "issues": {
                k: {"label": k, "zero": "z", "one": "o", "status_quo": 0.5} for k in issues},
            "actors": actors,
            "protocol": {"type": "alternating", "max_rounds": rounds, "horizon": 0.0},
            **extra}
    return data


def test_an_event_changes_parameters_exactly_in_its_active_rounds():
    data = scenario({"a": actor({"k": 0.0}, LINEAR), "b": actor({"k": 1.0}, HARD)})
    data["events"] = {"pressure": {"round": 2, "duration": 3, "effects": [
        {"op": "set", "target": "actors.a.reservation", "value": 1.0}]}}
    model = play(load_scenario_data(data), 0, 0)
    theta = [r["responses"]["a"]["threshold"] for r in model.trace]
    # threshold = max(aspiration, BATNA): linear aspiration with r = 0 and T = 8, and a's
    # BATNA u(q = 0.5) = 0.5; the event sets r = 1 (so the aspiration to 1) in rounds 2-4
    expected = [max(1 - (t + 1) / 9, 0.5) for t in range(8)]
    for t in range(8):
        assert theta[t] == pytest.approx(1.0 if 2 <= t < 5 else expected[t]), t
    assert model.seen_events.all()


def test_the_mediator_walks_away_at_the_start_of_its_round():
    data = scenario({"a": actor({"k": 0.0}, HARD), "b": actor({"k": 1.0}, HARD),
                     "m": actor({"k": 0.5}, LINEAR, signatory=False, role="mediator")})
    data["protocol"] = {"type": "mediated", "mediator": "m", "max_rounds": 10, "horizon": 0.0,
                        "bias": 0.0, "lean": 0.0}
    data["events"] = {"move_on": {"round": 3, "effects": [{"op": "mediator_exit"}]}}
    model = play(load_scenario_data(data), 0, 0)
    assert model.mediator_left and not model.agreed
    assert model.rounds_played == 3 and [r["round"] for r in model.trace] == [0, 1, 2]
    outcomes = run_abm(load_scenario_data(data), 0, 0, 2)
    assert outcomes.mediator_left.all() and np.all(outcomes.rounds == 3)
    assert outcomes.event.all()


def test_batna_is_the_no_deal_utility_less_the_war_to_come():
    ideal = np.array([[0.2, 0.9]])
    weight = np.array([[0.25, 0.75]])
    q = np.array([0.5, 0.5])
    expected = 0.25 * (1 - 0.3) + 0.75 * (1 - 0.4) - 0.02 * 10
    assert rules.batna(q, ideal, weight, np.array([0.02]), 10.0)[0] == pytest.approx(expected)


def test_the_front_moves_by_drift_and_noise():
    q = rules.advance_front(np.array([0.5, 0.95]), np.array([0.1, 0.1]), np.array([0.02, 0.0]),
                            np.array([1.0, 0.0]))
    assert q == pytest.approx([0.62, 1.0])


def test_without_a_deal_the_no_deal_point_is_q_of_T_and_utility_the_batna():
    data = scenario({"a": actor({"k": 0.0}, HARD, war_cost=0.01),
                     "b": actor({"k": 1.0}, HARD)}, rounds=6)
    data["issues"]["k"]["contested"] = True
    data["battlefield"] = {"k": {"drift": 0.05, "volatility": 0.0}}
    data["protocol"]["horizon"] = 4.0
    outcomes = run_abm(load_scenario_data(data), 0, 0, 1)
    q_end = 0.5 + 6 * 0.05
    assert outcomes.no_deal[0, 0] == pytest.approx(q_end)
    assert outcomes.utility[0] == pytest.approx([1 - q_end - 0.01 * 4, q_end])
    assert outcomes.blocker[0] >= 0 and outcomes.rounds[0] == 6


def test_the_mediator_leans_toward_the_lone_rejecter():
    data = scenario({"a": actor({"k": 0.0}, HARD),
                     "b": actor({"k": 1.0}, {"type": "time_dependent", "exponent": 0.05}),
                     "m": actor({"k": 0.5}, LINEAR, signatory=False, role="mediator")},
                    rounds=6)
    data["actors"]["b"]["war_cost"] = 1.0  # b's BATNA is far below any text: b accepts
    data["protocol"] = {"type": "mediated", "mediator": "m", "max_rounds": 6, "horizon": 1.0,
                        "bias": 0.0, "lean": 0.5}
    model = play(load_scenario_data(data), 0, 0)
    texts = [r["offer"]["k"] for r in model.trace]
    # a rejects every round, b accepts from round 0: weights 1.5^n for a, 1 for b
    for t, x in enumerate(texts):
        assert x == pytest.approx(1 / (1.5**t + 1)), t


def test_veto_holders_weigh_in_the_target_and_are_required_only_off_the_status_quo():
    conceder = {"type": "time_dependent", "exponent": 0.01}
    actors = {"a": actor({"k": 0.0, "j": 0.5}, conceder),
              "b": actor({"k": 1.0, "j": 0.5}, LINEAR),
              "v": actor({"k": 0.5, "j": 0.5}, HARD, signatory=False, role="stakeholder",
                         veto=["k"])}
    data = scenario(actors, issues=("k", "j"), rounds=3)
    data["issues"]["k"]["status_quo"] = 1.0
    first = play(load_scenario_data(data), 0, 0).trace[0]
    # a proposes with theta = max(a(0) ~ 0.01, BATNA u(q) = 0.5): a budget of 0.5, enough to
    # move k all the way to the target of b and v, (1 + 0.5) / 2 = 0.75 (b alone: 1.0).
    # 0.75 is off k's status quo 1, so v must answer.
    assert first["offer"] == pytest.approx({"k": 0.75, "j": 0.5})
    assert set(first["responses"]) == {"a", "b", "v"}
    moved = copy.deepcopy(data)
    moved["actors"]["v"]["veto"] = ["j"]  # everyone wants j = 0.5, its status quo
    assert set(play(load_scenario_data(moved), 0, 0).trace[0]["responses"]) == {"a", "b"}


def test_a_reciprocal_actor_does_not_concede_when_nobody_does():
    reciprocal = {"type": "reciprocal", "rate": 1.0, "initial": 0.0}
    data = scenario({"a": actor({"k": 0.0}, reciprocal), "b": actor({"k": 1.0}, HARD),
                     "c": actor({"k": 0.8}, HARD)}, rounds=9)  # c's offers suit a better
    data["protocol"]["order"] = ["a", "b", "c"]
    model = play(load_scenario_data(data), 0, 0)
    assert {r["responses"]["a"]["threshold"] for r in model.trace} == {1.0}


def test_a_reciprocal_actor_returns_the_concession_it_receives():
    received, memory = rules.reciprocity(np.full((2, 2), np.nan), np.array([0.2, 1.0]),
                                         np.array([False, True]))
    assert list(received) == [0.0, 0.0]  # nothing to compare with yet
    received, memory = rules.reciprocity(memory, np.array([0.5, 0.9]), np.array([False, True]))
    assert received == pytest.approx([0.3, 0.0])  # b improved its own offer by 0.3 for a
    received, _ = rules.reciprocity(memory, np.array([0.1, 1.0]), np.array([False, True]))
    assert received == pytest.approx([0.0, 0.0])  # a worse offer is not a concession
    assert rules.received_concession(0.3, 0.5) == 0.0
    assert rules.reciprocal_aspiration(0.9, 0.2, 2.0, 0.3) == pytest.approx(0.3)


def test_random_proposer_order_is_a_permutation_of_the_signatories_per_run():
    data = scenario({n: actor({"k": 0.5}, LINEAR) for n in ("a", "b", "c", "d")}, rounds=12)
    data["protocol"]["proposer_order"] = "random"
    batch = sample(load_scenario_data(data), 3, 0, 200)
    firsts = {tuple(row[:4]) for row in batch.proposer}
    assert all(sorted(f) == [0, 1, 2, 3] for f in firsts) and len(firsts) > 10
    assert np.array_equal(batch.proposer[:, 4:8], batch.proposer[:, :4])  # cycles
    flipped = copy.deepcopy(data)
    flipped["actors"] = dict(reversed(list(data["actors"].items())))
    other = sample(load_scenario_data(flipped), 3, 0, 200)
    names = Layout.from_scenario(load_scenario_data(data)).actors
    names_flipped = Layout.from_scenario(load_scenario_data(flipped)).actors
    same = [[names[i] for i in row] for row in batch.proposer]
    assert same == [[names_flipped[i] for i in row] for row in other.proposer]


def test_blocker_ranks_breaches_then_shortfall_then_id():
    required = np.array([True, True, True, True])
    accepted = np.zeros(4, bool)
    proposer = np.array([True, False, False, False])
    rank = np.array([3, 2, 1, 0])
    u = np.array([0.0, 0.0, 0.9, 0.5])
    theta = np.array([1.0, 1.0, 1.0, 1.0])
    inside = np.array([True, True, False, True])
    assert rules.blocker(required, accepted, proposer, u, theta, inside, rank) == 2  # breach
    inside[2] = True
    assert rules.blocker(required, accepted, proposer, u, theta, inside, rank) == 1  # largest gap
    u[3] = 0.0
    assert rules.blocker(required, accepted, proposer, u, theta, inside, rank) == 3  # id first


def test_a_veto_binds_against_the_status_quo_even_after_the_front_moves():
    actors = {"a": actor({"k": 1.0}, LINEAR), "b": actor({"k": 1.0}, LINEAR),
              "v": actor({"k": 0.0}, HARD, signatory=False, role="stakeholder", veto=["k"])}
    data = scenario(actors, rounds=6)
    data["issues"]["k"]["contested"] = True
    data["battlefield"] = {"k": {"drift": 0.25, "volatility": 0.0}}  # the front reaches 1
    model = play(load_scenario_data(data), 0, 0)
    assert model.trace[-1]["no_deal"]["k"] == 1.0 and model.trace[-1]["offer"]["k"] == 1.0
    assert all("v" in entry["responses"] for entry in model.trace)  # 1.0 is off q0 = 0.5
    assert not model.agreed
