"""Round-by-round dynamics of the Mesa engine, each checked against a hand-computed value.

The scenarios are small on purpose: one or two issues, status quo 0.5, saliences 1, no cost of
war and no horizon unless a test says otherwise, so that every value of war, floor, demand and
threshold below can be worked out by hand from docs/model.md:

    W = u(y_hat) - kappa H,  f = max(r, W),  a(t) = f + (1 - f)(1 - tau^e),
    tau = min(1, (t + 1) / (P + 1)),  theta = max(f, (1 - h) a(t+1) + h W - kappa).
"""

import copy

import numpy as np
import pytest

from negsim.abm import play, run_abm
from negsim.model import rules, tactics
from negsim.model.layout import Layout
from negsim.sampling import sample
from negsim.scenario import load_scenario_data

HARD = {"type": "hardliner"}


def linear(patience) -> dict:
    """The linear time-dependent tactic conceding to its floor over ``patience`` rounds."""
    return {"type": "time_dependent", "exponent": 1.0, "patience": patience}


def actor(ideal: dict, strategy, signatory=True, role="party", **extra) -> dict:
    return {"name": "x", "role": role, "signatory": signatory, "ideal": ideal,
            "salience": {k: 1.0 for k in ideal}, "capability": 1.0, "war_cost": 0.0,
            "strategy": strategy, **extra}  # reservation: the default, 0


def scenario(actors: dict, issues=("k",), rounds=8, **extra):
    data = {"name": "hand", "title": "hand-computed", "issues": {
                k: {"label": k, "zero": "z", "one": "o", "status_quo": 0.5} for k in issues},
            "actors": actors,
            "protocol": {"type": "alternating", "max_rounds": rounds, "horizon": 0.0},
            **extra}
    return data


def mediated(data: dict, rounds: int, horizon=0.0, **extra) -> dict:
    data["protocol"] = {"type": "mediated", "mediator": "m", "max_rounds": rounds,
                        "horizon": horizon, "bias": 0.0, **extra}
    return data


def seen(model, name, field):
    """One actor's ``field`` of the trace, round by round."""
    return [entry["actors"][name][field] for entry in model.trace]


def test_an_event_changes_parameters_exactly_in_its_active_rounds():
    data = scenario({"a": actor({"k": 0.0}, linear(8)), "b": actor({"k": 1.0}, HARD)})
    data["events"] = {"pressure": {"round": 2, "duration": 3, "effects": [
        {"op": "set", "target": "actors.a.reservation", "value": 1.0}]}}
    model = play(load_scenario_data(data), 0, 0)
    # a's value of war is u(q = 0.5) = 0.5 (no horizon, no cost), so its floor is 0.5, its
    # demand a(t) = 0.5 + 0.5 (1 - (t+1)/9) and its threshold max(f, a(t+1)), no hazard.
    # The event sets r = 1 in rounds 2-4: floor, demand and threshold are 1 there.
    for t in range(8):
        active = 2 <= t < 5
        assert seen(model, "a", "war")[t] == pytest.approx(0.5), t
        assert seen(model, "a", "floor")[t] == pytest.approx(1.0 if active else 0.5), t
        assert seen(model, "a", "demand")[t] == pytest.approx(
            1.0 if active else 0.5 + 0.5 * (1 - (t + 1) / 9)), t
        assert model.trace[t]["responses"]["a"]["threshold"] == pytest.approx(
            1.0 if active else 0.5 + 0.5 * (1 - (t + 2) / 9)), t
    assert model.seen_events.all()


def test_events_on_patience_and_beliefs_change_them_exactly_in_their_active_rounds():
    data = scenario({"a": actor({"k": 0.0}, linear(8), beliefs={"k": {"drift": -0.05}}),
                     "b": actor({"k": 1.0}, HARD, beliefs={"k": {"drift": 0.0, "weight": 10}})})
    data["issues"]["k"]["contested"] = True
    data["battlefield"] = {"k": {"drift": 0.0, "volatility": 0.0}}  # the front stands still
    data["protocol"]["horizon"] = 5.0
    data["events"] = {
        "hurry": {"round": 1, "duration": 2, "effects": [
            {"op": "set", "target": "actors.a.strategy.patience", "value": 0}]},
        "hope": {"round": 3, "duration": 2, "effects": [
            {"op": "add", "target": "actors.b.beliefs.k.drift", "value": 0.02}]},
        "doubt": {"round": 5, "duration": 2, "effects": [
            {"op": "set", "target": "actors.a.beliefs.k.weight", "value": 1}]}}
    model = play(load_scenario_data(data), 0, 0)
    assert not model.agreed and model.rounds_played == 8
    for t in range(8):
        # a's belief: prior -0.05 with the default weight 52, or weight 1 in rounds 5-6; the
        # front has not moved, so mu_hat = n m / (n + t)
        n = 1.0 if 5 <= t < 7 else 52.0
        belief_a = n * -0.05 / (n + t)
        assert seen(model, "a", "belief")[t]["k"] == pytest.approx(belief_a), t
        # a expects the front at 0.5 + 5 mu_hat, and values it at 1 - y_hat (its ideal is 0)
        floor_a = 1 - (0.5 + 5 * belief_a)
        assert seen(model, "a", "floor")[t] == pytest.approx(floor_a), t
        # patience 0 in rounds 1-2: the demand is the floor; else it falls over 8 rounds
        tau = 1.0 if 1 <= t < 3 else (t + 1) / 9
        assert seen(model, "a", "demand")[t] == pytest.approx(
            floor_a + (1 - floor_a) * (1 - tau)), t
        # b: prior 0 with weight 10, raised by 0.02 in rounds 3-4
        belief_b = 10 * 0.02 / (10 + t) if 3 <= t < 5 else 0.0
        assert seen(model, "b", "belief")[t]["k"] == pytest.approx(belief_b, abs=1e-15), t
        assert seen(model, "b", "war")[t] == pytest.approx(0.5 + 5 * belief_b), t
    assert model.seen_events.all()


def test_the_mediator_walks_away_at_the_start_of_its_round():
    data = scenario({"a": actor({"k": 0.0}, HARD), "b": actor({"k": 1.0}, HARD),
                     "m": actor({"k": 0.5}, linear(10), signatory=False, role="mediator")})
    mediated(data, 10)
    # a surprise: unknown to the actors, the exit changes nothing before it fires
    data["events"] = {"move_on": {"round": 3, "known": False,
                                  "effects": [{"op": "mediator_exit"}]}}
    model = play(load_scenario_data(data), 0, 0)
    assert model.mediator_left and not model.agreed and not model.censored
    assert model.rounds_played == 3 and [r["round"] for r in model.trace] == [0, 1, 2]
    assert [r["hazard"] for r in model.trace] == [0.0, 0.0, 0.0]
    assert all(r["responses"][x]["threshold"] == 1.0 for r in model.trace for x in "ab")
    outcomes = run_abm(load_scenario_data(data), 0, 0, 2)
    assert outcomes.mediator_left.all() and np.all(outcomes.rounds == 3)
    assert outcomes.event.all() and not outcomes.censored.any()


@pytest.mark.parametrize("probability", [1.0, 0.5])
def test_a_known_threat_to_walk_away_lowers_thresholds_in_the_round_before_it(probability):
    data = scenario({"a": actor({"k": 0.0}, HARD), "b": actor({"k": 1.0}, HARD),
                     "m": actor({"k": 0.5}, linear(10), signatory=False, role="mediator")})
    mediated(data, 10)
    data["events"] = {"move_on": {"round": 3, "probability": probability,
                                  "effects": [{"op": "mediator_exit"}]}}
    model = play(load_scenario_data(data), 0, 0)
    # h(t) = pi p(t+1) / (1 - pi F(t)) with the exit sure to come at round 3 if it comes:
    # pi in round 2, 0 before (and after: a threat that did not fire is gone).
    hazard = [r["hazard"] for r in model.trace]
    assert hazard[:3] == [0.0, 0.0, probability]
    # Each hardliner demands 1 and its value of war is u(q) = 0.5; the text stays at 0.5 (the
    # two pulls cancel). theta = max(0.5, (1 - h) 1 + h 0.5): 1, then 1 - h / 2 in round 2.
    for t, entry in enumerate(model.trace[:3]):
        for x in "ab":
            assert entry["offer"]["k"] == 0.5
            assert entry["responses"][x]["threshold"] == pytest.approx(1 - hazard[t] / 2)
    if probability == 1.0:  # a sure exit: everyone takes its floor in the last round left
        assert model.agreed and model.deal_round == 2 and model.deal[0] == 0.5
    else:  # 0.75 > 0.5: no deal; the talks break off at round 3 or run to the window
        assert not model.agreed and all(h == 0.0 for h in hazard[3:])
        assert model.mediator_left != model.censored


def test_the_value_of_war_is_the_utility_of_the_expected_front_less_the_war_to_come():
    a = actor({"k": 0.2, "j": 0.9}, HARD, war_cost=0.02, reservation=0.36,
              beliefs={"k": {"drift": 0.03, "weight": 4}})
    a["salience"] = {"k": 0.25, "j": 0.75}
    data = scenario({"a": a, "b": actor({"k": 1.0, "j": 0.0}, HARD)}, issues=("k", "j"),
                    rounds=3)
    data["issues"]["k"]["contested"] = True
    data["battlefield"] = {"k": {"drift": 0.01, "volatility": 0.0}}
    data["protocol"]["horizon"] = 10.0
    model = play(load_scenario_data(data), 0, 0)
    # q_k(t) = 0.5 + 0.01 t; mu_hat(t) = (4 * 0.03 + 0.01 t) / (4 + t); y_hat = q + 10 mu_hat
    # W = 0.25 (1 - |y_hat - 0.2|) + 0.75 (1 - |0.5 - 0.9|) - 0.02 * 10
    #   t = 0: y_hat = 0.8,     W = 0.25 * 0.4 + 0.45 - 0.2 = 0.35
    #   t = 1: y_hat = 0.77,    W = 0.25 * 0.43 + 0.25 = 0.3575
    #   t = 2: y_hat = 0.75333, W = 0.25 * 0.44667 + 0.25 = 0.361667
    assert [b["k"] for b in seen(model, "a", "belief")] == pytest.approx([0.03, 0.026, 0.14 / 6])
    assert seen(model, "a", "war") == pytest.approx([0.35, 0.3575, 0.361667], abs=1e-6)
    assert seen(model, "a", "floor") == pytest.approx([0.36, 0.36, 0.361667], abs=1e-6)
    # the hardliner's threshold: max(f, 1 - kappa) = 0.98
    assert [r["responses"]["a"]["threshold"] for r in model.trace] == pytest.approx([0.98] * 3)


def test_the_front_moves_by_drift_and_noise():
    q = rules.advance_front(np.array([0.5, 0.95]), np.array([0.1, 0.1]), np.array([0.02, 0.0]),
                            np.array([1.0, 0.0]))
    assert q == pytest.approx([0.62, 1.0])


def test_without_a_deal_the_no_deal_point_is_q_of_T_and_utility_the_value_of_war():
    data = scenario({"a": actor({"k": 0.0}, HARD, war_cost=0.01),
                     "b": actor({"k": 1.0}, HARD, beliefs={"k": {"drift": 0.0, "weight": 2}})},
                    rounds=6)
    data["issues"]["k"]["contested"] = True
    data["battlefield"] = {"k": {"drift": 0.05, "volatility": 0.0}}
    data["protocol"]["horizon"] = 4.0
    outcomes = run_abm(load_scenario_data(data), 0, 0, 1)
    q_end = 0.5 + 6 * 0.05
    assert outcomes.no_deal[0, 0] == pytest.approx(q_end)
    # at T = 6: a believes the true drift (the default), (52 * 0.05 + 0.3) / 58 = 0.05, and
    # expects the front at 0.8 + 4 * 0.05 = 1: W_a = 0 - 0.01 * 4. b, from a prior of 0 worth
    # 2 rounds, estimates 0.3 / 8 = 0.0375 and expects 0.95: W_b = 0.95.
    assert outcomes.utility[0] == pytest.approx([-0.04, 0.95])
    assert outcomes.censored[0] and not outcomes.mediator_left[0] and not outcomes.agreed[0]
    assert outcomes.blocker[0] >= 0 and outcomes.rounds[0] == 6


@pytest.mark.parametrize("step", [0.5, 1.0])
def test_the_mediators_text_moves_toward_the_lone_rejecter(step):
    data = scenario({"a": actor({"k": 0.0}, HARD),
                     "b": actor({"k": 1.0}, HARD, war_cost=1.0),
                     "m": actor({"k": 0.5}, HARD, signatory=False, role="mediator",
                                war_cost=1.0)}, rounds=6)
    mediated(data, 6, horizon=1.0, step=step)
    model = play(load_scenario_data(data), 0, 0)
    texts = [r["offer"]["k"] for r in model.trace]
    # b's cost of one more round is 1: theta_b = max(f_b, 1 - 1) = 0, b accepts any text. a's
    # is 0: theta_a = 1 and a rejects every text short of its ideal, falling short by
    # s = x(t); its steepest direction is -1, so the redraft moves x by -eta x(t):
    # x(t) = 0.5 (1 - eta)^t. The mediator's floor, max(0, 1 - 1 * 1), never binds.
    assert all(r["responses"]["b"]["accept"] for r in model.trace)
    assert all(r["responses"]["b"]["threshold"] == 0.0 for r in model.trace)
    if step == 1.0:  # one full step closes the shortfall: a deal at a's ideal in round 1
        assert texts == [0.5, 0.0] and model.agreed and model.deal_round == 1
    else:  # a's utility 1 - x(t) rises with every redraft, never quite reaching 1
        assert texts == [0.5 * 0.5**t for t in range(6)] and not model.agreed
        assert not any(r["responses"]["a"]["accept"] for r in model.trace)


def test_veto_holders_weigh_in_the_target_and_are_required_only_off_the_status_quo():
    actors = {"a": actor({"k": 0.0, "j": 0.5}, linear(0)),
              "b": actor({"k": 1.0, "j": 0.5}, linear(3)),
              "v": actor({"k": 0.5, "j": 0.5}, HARD, signatory=False, role="stakeholder",
                         veto=["k"])}
    data = scenario(actors, issues=("k", "j"), rounds=3)
    data["issues"]["k"]["status_quo"] = 1.0
    first = play(load_scenario_data(data), 0, 0).trace[0]
    # a has patience 0: it demands its floor at once, its value of war u(q) = 0.5 (k at 1 is
    # the worst for it, j at 0.5 the best). A budget of 0.5 is enough to move k all the way
    # to the target of b and v, (1 + 0.5) / 2 = 0.75 (b alone: 1.0), at a cost of 0.5 * 0.75.
    # 0.75 is off k's status quo 1, so v must answer.
    assert first["actors"]["a"]["demand"] == pytest.approx(0.5)
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
    # a(0) = max(f, 1 - 0) = 1; each hardliner repeats its offer, so a receives no concession
    # and keeps demanding 1; with no cost of delay its threshold is a(t+1) = 1
    assert set(seen(model, "a", "demand")) == {1.0}
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
    # a(t) = clip(a(t-1) - rho c, f, 1): 0.9 - 2 * 0.3, above the floor 0.2; never below it
    assert tactics.reciprocal_demand(0.9, 0.2, 2.0, 0.3) == pytest.approx(0.3)
    assert tactics.reciprocal_demand(0.9, 0.5, 2.0, 0.3) == 0.5


def test_random_proposer_order_is_a_permutation_of_the_signatories_per_run():
    data = scenario({n: actor({"k": 0.5}, linear(12)) for n in ("a", "b", "c", "d")},
                    rounds=12)
    data["protocol"]["proposer_order"] = "random"
    batch = sample(load_scenario_data(data), 3, 0, 200)
    firsts = {tuple(row[:4]) for row in batch.proposer}
    assert all(sorted(f) == [0, 1, 2, 3] for f in firsts) and len(firsts) > 10
    assert np.array_equal(batch.proposer[:, 4:8], batch.proposer[:, :4])  # cycles
    flipped = copy.deepcopy(data)
    flipped["actors"] = dict(reversed(list(data["actors"].items())))
    other = sample(load_scenario_data(flipped), 3, 0, 200)
    names = np.array(Layout.from_scenario(load_scenario_data(data)).actors)
    names_flipped = np.array(Layout.from_scenario(load_scenario_data(flipped)).actors)
    assert np.array_equal(names[batch.proposer], names_flipped[other.proposer])


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
    actors = {"a": actor({"k": 1.0}, linear(6)), "b": actor({"k": 1.0}, linear(6)),
              "v": actor({"k": 0.0}, HARD, signatory=False, role="stakeholder", veto=["k"])}
    data = scenario(actors, rounds=6)
    data["issues"]["k"]["contested"] = True
    data["battlefield"] = {"k": {"drift": 0.25, "volatility": 0.0}}  # the front reaches 1
    model = play(load_scenario_data(data), 0, 0)
    # once the front is at 1, a's and b's value of war is 1: they demand and offer 1
    assert model.trace[-1]["no_deal"]["k"] == 1.0 and model.trace[-1]["offer"]["k"] == 1.0
    assert all("v" in entry["responses"] for entry in model.trace)  # 1.0 is off q0 = 0.5
    assert not model.agreed and model.censored
