"""Cross-field rules of the scenario language, each reported at its own path."""

import pytest

from negsim.scenario import ScenarioError, load_scenario, load_scenario_text
from tests.conftest import BASELINE, DATA, SCENARIOS, load_data


def paths_and_messages(data) -> list[tuple[str, str]]:
    with pytest.raises(ScenarioError) as info:
        load_data(data)
    return [(p.path, p.message) for p in info.value.problems]


def only(data) -> tuple[str, str]:
    found = paths_and_messages(data)
    assert len(found) == 1, found
    return found[0]


def test_baseline_and_fixture_are_valid():
    baseline = load_scenario(BASELINE)
    assert list(baseline.actors) == ["russia", "ukraine", "united_states", "europe"]
    assert {"territory", "nato", "sanctions_relief", "security_guarantees"} <= set(baseline.issues)
    assert baseline.issues["territory"].contested
    assert baseline.protocol.type == "mediated" and baseline.protocol.mediator == "united_states"
    assert baseline.actors["europe"].veto == ["sanctions_relief"]
    assert baseline.signatories == ["russia", "ukraine"]
    assert load_scenario(DATA / "kitchen_sink.yaml").events["walkout"].effects[0].op == \
        "mediator_exit"


def test_at_least_two_signatories(baseline_data):
    baseline_data["actors"]["ukraine"]["signatory"] = False
    assert only(baseline_data) == ("actors", "at least two actors must be signatories (found 1)")


def test_every_issue_needs_ideal_and_salience(baseline_data):
    del baseline_data["actors"]["europe"]["ideal"]["nato"]
    path, message = only(baseline_data)
    assert path == "actors.europe.ideal" and "nato" in message


def test_saliences_not_all_zero(baseline_data):
    sal = baseline_data["actors"]["russia"]["salience"]
    for k in sal:
        sal[k] = 0
    assert only(baseline_data)[0] == "actors.russia.salience"


def test_ideal_inside_own_red_lines(baseline_data):
    baseline_data["actors"]["ukraine"]["ideal"]["territory"] = 0.9
    path, message = only(baseline_data)
    assert path == "actors.ukraine.ideal.territory" and "red line max" in message


def test_red_line_min_above_max(baseline_data):
    baseline_data["actors"]["russia"]["red_lines"]["nato"] = {"min": 0.8, "max": 0.6}
    assert "min is above max" in only(baseline_data)[1]


def test_mediator_must_exist_and_have_the_role(baseline_data):
    baseline_data["protocol"]["mediator"] = "europe"
    assert only(baseline_data)[0] == "protocol.mediator"
    baseline_data["protocol"]["mediator"] = "vatican"
    assert "unknown actor 'vatican'" in only(baseline_data)[1]


def test_references_to_unknown_issues(baseline_data):
    baseline_data["actors"]["europe"]["veto"] = ["sanction_relief"]
    baseline_data["actors"]["russia"]["red_lines"]["natoo"] = {"max": 1.0}
    found = dict(paths_and_messages(baseline_data))
    assert "did you mean 'sanctions_relief'" in found["actors.europe.veto[0]"]
    assert "unknown issue 'natoo'" in found["actors.russia.red_lines.natoo"]


def test_ids_are_snake_case(baseline_data):
    baseline_data["actors"]["Russia-Fed"] = baseline_data["actors"]["russia"]
    path, message = only(baseline_data)
    assert path == "actors.Russia-Fed" and "snake_case" in message


def test_battlefield_only_on_contested_issues(baseline_data):
    baseline_data["battlefield"]["nato"] = {"drift": 0.0, "volatility": 0.0}
    assert only(baseline_data)[0] == "battlefield.nato"


def test_unknown_strategy_and_protocol_types(baseline_data):
    baseline_data["actors"]["russia"]["strategy"] = {"type": "boulware", "exponent": 3}
    baseline_data["protocol"]["type"] = "auction"
    found = dict(paths_and_messages(baseline_data))
    assert "unknown 'type' 'boulware'" in found["actors.russia.strategy"]
    assert "unknown 'type' 'auction'" in found["protocol"]


def test_alternating_protocol_and_order(baseline_data):
    baseline_data["protocol"] = {"type": "alternating", "max_rounds": 10, "horizon": 5,
                                 "proposer_order": "fixed", "order": ["ukraine", "russia"]}
    assert load_data(baseline_data).protocol.order == ["ukraine", "russia"]
    baseline_data["protocol"]["order"] = ["ukraine"]
    assert only(baseline_data)[0] == "protocol.order"
    baseline_data["protocol"]["order"] = None
    baseline_data["protocol"]["bias"] = 0.3  # a mediated-only key
    assert only(baseline_data)[0] == "protocol.bias"


def test_event_rules(sink_data):
    assert load_data(sink_data).events["aid_cut"].duration == 4
    events = sink_data["events"]
    events["aid_cut"]["round"] = 25
    events["aid_cut"]["effects"][0]["target"] = "battlefield.money.drift"
    events["aid_cut"]["effects"][1]["target"] = "actors.south.exponent"
    events["aid_cut"]["effects"][2]["target"] = "actors.south.strategy.exponent"
    events["walkout"]["effects"].append({"op": "set", "target": "actors.north.reservation",
                                         "value": 1.5})
    found = dict(paths_and_messages(sink_data))
    assert "after the last round" in found["events.aid_cut.round"]
    assert "not a contested issue" in found["events.aid_cut.effects[0].target"]
    assert "not a target" in found["events.aid_cut.effects[1].target"]
    assert "no exponent" in found["events.aid_cut.effects[2].target"]
    assert "[0, 1]" in found["events.walkout.effects[1].target"]


def test_mediator_exit_needs_a_mediator(sink_data):
    sink_data["protocol"] = {"type": "alternating", "max_rounds": 20, "horizon": 10}
    assert only(sink_data) == ("events.walkout.effects[0].op",
                               "mediator_exit needs a mediated protocol")


def test_unknown_evidence_ids_and_missing_registry(baseline_data):
    baseline_data["actors"]["russia"]["ideal"]["nato"]["evidence"] = ["putin_renounce_nat0"]
    path, message = only(baseline_data)
    assert path == "actors.russia.ideal.nato.evidence"
    assert "did you mean 'putin_renounce_nato'" in message
    del baseline_data["evidence_registry"]
    found = paths_and_messages(baseline_data)
    assert len(found) > 50 and all("no evidence_registry" in m for _, m in found)


@pytest.mark.parametrize("path,value", [
    (("protocol", "max_rounds"), True), (("protocol", "max_rounds"), "52"),
    (("protocol", "max_rounds"), 52.5), (("montecarlo", "runs"), "10000"),
    (("montecarlo", "runs"), 10**11), (("montecarlo", "seed"), -1),
    (("issues", "territory", "contested"), 1), (("actors", "ukraine", "signatory"), "off"),
    (("issues", "nato", "levels", 0, "value"), "0.25"),
])
def test_no_silent_coercion(baseline_data, path, value):
    target = baseline_data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    assert only(baseline_data)[0] == ".".join(str(p) for p in path).replace(".0.", "[0].")


def test_set_respects_the_targets_ranges(sink_data):
    effects = sink_data["events"]["aid_cut"]["effects"]
    effects[1] = {"op": "set", "target": "actors.north.capability", "value": 0}
    effects[2] = {"op": "set", "target": "actors.north.strategy.exponent", "value": 0}
    found = dict(paths_and_messages(sink_data))
    assert "in [1e-06, 1e+06] (got 0)" in found["events.aid_cut.effects[1].target"]
    assert "in [0.001, 1000] (got 0)" in found["events.aid_cut.effects[2].target"]


def test_random_order_with_an_explicit_order(baseline_data):
    baseline_data["protocol"] = {"type": "alternating", "max_rounds": 10, "horizon": 5,
                                 "proposer_order": "random", "order": ["ukraine", "russia"]}
    assert "fixed, not random" in only(baseline_data)[1]


def test_event_rounds_are_rounded_down(sink_data):
    sink_data["events"]["aid_cut"]["round"] = {"dist": "uniform", "low": 0, "high": 19.9}
    assert load_data(sink_data)  # draws fall in rounds 0..19 of 20
    sink_data["events"]["aid_cut"]["round"] = {"dist": "uniform", "low": 0, "high": 20}
    assert only(sink_data)[0] == "events.aid_cut.round"


def test_unknown_key_hints_come_from_the_right_model(baseline_data):
    baseline_data["protocol"]["type"] = "alternating"
    baseline_data["issues"]["nato"]["lable"] = "x"
    baseline_data["actors"]["russia"]["strategy"] = {"type": "hardliner", "exponent": 3}
    found = dict(paths_and_messages(baseline_data))
    assert found["issues.nato.lable"] == "unknown key 'lable' (did you mean 'label'?)"
    assert found["protocol.bias"].startswith("unknown key 'bias'; allowed here: max_rounds")
    assert "did you mean 'bias'" not in found["protocol.bias"]
    assert found["actors.russia.strategy.exponent"].startswith(
        "unknown key 'exponent'; allowed here: type")


def test_conflicting_red_lines_of_signatories_warn(baseline_data):
    assert load_data(baseline_data).warnings == []
    baseline_data["actors"]["ukraine"].setdefault("red_lines", {})["territory"] = {"max": 0.6}
    baseline_data["actors"]["russia"].setdefault("red_lines", {})["territory"] = {"min": 0.9}
    (warning,) = load_data(baseline_data).warnings
    assert warning.path == "actors.ukraine.red_lines.territory.max"
    assert "no deal is possible" in warning.message
    baseline_data["actors"]["russia"]["red_lines"]["territory"] = {"min": 0.5}
    assert load_data(baseline_data).warnings == []


# --- model version 2 ---------------------------------------------------------------------


def test_a_version_1_lean_is_refused_where_it_is_written_naming_step():
    text = (DATA / "kitchen_sink.yaml").read_text(encoding="utf-8")
    text = text.replace("  step: {dist: uniform, low: 0.3, high: 1.0}", "  lean: 0.5")
    text = text.replace("../../seeds/evidence.yaml", "../seeds/evidence.yaml")
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(text, name="v1.yaml", base_dir=SCENARIOS)
    (problem,) = info.value.problems
    line = next(i for i, s in enumerate(text.splitlines(), 1) if s.startswith("  lean:"))
    assert (problem.path, problem.line, problem.column) == ("protocol.lean", line, 3)
    assert "'lean' was removed in model version 2" in problem.message
    assert "write 'step'" in problem.message and "(0, 1]" in problem.message


def test_the_mediators_step_is_in_zero_one_and_defaults_to_one(sink_data):
    del sink_data["protocol"]["step"]
    assert load_data(sink_data).protocol.step == 1.0
    for bad, fragment in ((0, "> 0"), (-0.2, "> 0"), (1.5, "≤ 1"),
                          ({"dist": "uniform", "low": 0.5, "high": 1.2}, "(0, 1]")):
        sink_data["protocol"]["step"] = bad
        path, message = only(sink_data)
        assert path == "protocol.step" and fragment in message, (bad, message)
    sink_data["protocol"] = {"type": "alternating", "max_rounds": 20, "horizon": 10,
                             "step": 0.5}
    del sink_data["events"]["walkout"]
    assert only(sink_data)[0] == "protocol.step"  # a mediated-only key


def test_a_time_dependent_strategy_needs_its_patience(sink_data):
    del sink_data["actors"]["north"]["strategy"]["patience"]
    path, message = only(sink_data)
    assert path == "actors.north.strategy.patience"
    assert "required key missing: patience" in message and "max_rounds" in message
    sink_data["actors"]["north"]["strategy"]["patience"] = -1
    assert "≥ 0" in only(sink_data)[1]
    sink_data["actors"]["north"]["strategy"]["patience"] = 0  # at the floor at once
    assert load_data(sink_data).actors["north"].strategy.patience == 0
    sink_data["actors"]["bloc"]["strategy"]["patience"] = 5  # a hardliner has none
    path, message = only(sink_data)
    assert path == "actors.bloc.strategy.patience" and "unknown key" in message


def test_the_reservation_is_optional_and_defaults_to_zero(sink_data):
    del sink_data["actors"]["south"]["reservation"]
    assert load_data(sink_data).actors["south"].reservation == 0.0
    sink_data["actors"]["south"]["reservation"] = 1.2
    assert only(sink_data)[0] == "actors.south.reservation"


def test_beliefs_are_about_contested_issues_only(sink_data):
    scenario = load_data(sink_data)
    assert scenario.actors["north"].beliefs["land"].weight == 8
    assert scenario.actors["south"].beliefs["land"].weight == 52  # the default
    sink_data["actors"]["south"]["beliefs"]["money"] = {"drift": 0.01}
    path, message = only(sink_data)
    assert path == "actors.south.beliefs.money" and "not contested" in message
    del sink_data["actors"]["south"]["beliefs"]["money"]
    sink_data["actors"]["south"]["beliefs"]["lnad"] = {"drift": 0.01}
    path, message = only(sink_data)
    assert path == "actors.south.beliefs.lnad" and "did you mean 'land'" in message


def test_a_beliefs_drift_is_required_and_its_weight_positive(sink_data):
    beliefs = sink_data["actors"]["south"]["beliefs"]
    beliefs["land"] = {"weight": 10}
    path, message = only(sink_data)
    assert path == "actors.south.beliefs.land.drift" and "required key missing" in message
    beliefs["land"] = {"drift": 1.5}
    assert only(sink_data)[0] == "actors.south.beliefs.land.drift"
    beliefs["land"] = {"drift": 0.0, "weight": 0}
    path, message = only(sink_data)
    assert path == "actors.south.beliefs.land.weight" and "1e-06 (got 0)" in message


def test_known_applies_only_to_an_event_with_a_mediator_exit(sink_data):
    sink_data["events"]["walkout"]["known"] = False
    assert load_data(sink_data).events["walkout"].known is False
    del sink_data["events"]["walkout"]["known"]
    assert load_data(sink_data).events["walkout"].known is True  # the default
    sink_data["events"]["aid_cut"]["known"] = True
    path, message = only(sink_data)
    assert path == "events.aid_cut.known" and "mediator_exit" in message
    sink_data["events"]["aid_cut"]["known"] = "yes"
    assert only(sink_data)[0] == "events.aid_cut.known"  # a boolean, not a text


@pytest.mark.parametrize("target,value", [
    ("actors.north.strategy.patience", 3), ("actors.broker.strategy.patience", 0),
    ("actors.north.beliefs.land.drift", -0.02), ("actors.bloc.beliefs.land.weight", 4),
])
def test_events_may_change_patience_and_beliefs(sink_data, target, value):
    sink_data["events"]["aid_cut"]["effects"].append({"op": "set", "target": target,
                                                      "value": value})
    assert load_data(sink_data).events["aid_cut"].effects[-1].target == target


@pytest.mark.parametrize("target,value,fragment", [
    ("actors.bloc.strategy.patience", 3, "no patience (its strategy is not time_dependent)"),
    ("actors.south.strategy.patience", 3, "no patience"),
    ("actors.north.strategy.patience", -1, "'set' value must be in [0, 1e+06]"),
    ("actors.north.beliefs.money.drift", 0.0, "'money' is not a contested issue"),
    ("actors.north.beliefs.lands.drift", 0.0, "'lands' is not a contested issue"),
    ("actors.north.beliefs.land.mean", 0.0, "not a target events may change"),
    ("actors.north.beliefs.land", 0.0, "not a target events may change"),
    ("actors.north.beliefs.land.drift", 1.5, "'set' value must be in [-1, 1]"),
    ("actors.north.beliefs.land.weight", 0, "'set' value must be in [1e-06, 1e+06]"),
    ("actors.nobody.beliefs.land.weight", 3, "unknown actor 'nobody'"),
    ("actors.north.patience", 3, "not a target events may change"),
])
def test_effects_on_patience_and_beliefs_are_refused_where_they_cannot_apply(sink_data, target,
                                                                            value, fragment):
    effects = sink_data["events"]["aid_cut"]["effects"]
    effects.append({"op": "set", "target": target, "value": value})
    path, message = only(sink_data)
    assert path == f"events.aid_cut.effects[{len(effects) - 1}].target"
    assert fragment in message, message


# --- the agenda and state-triggered events --------------------------------------------------


def staged(sink_data) -> dict:
    """The kitchen sink with an agenda (a truce on no issue that freezes the land front,
    skipped after 4 rounds; the terms; the guarantees) and an event a condition starts."""
    sink_data["protocol"]["agenda"] = [
        {"id": "truce", "issues": [], "skip_after": 4, "duration": 6, "effects": [
            {"op": "set", "target": "battlefield.land.drift", "value": 0}]},
        {"id": "terms", "issues": ["land", "money"]},
        {"id": "guarantees", "issues": ["guard"]}]
    sink_data["events"]["pressure"] = {
        "when": {"rejected": {"actor": "north", "times": 3, "in_a_row": True}},
        "ends": {"accepted": {"actor": "north", "stage": "truce"}},
        "effects": [{"op": "scale", "target": "actors.north.war_cost", "value": 2}]}
    return sink_data


def test_an_agenda_and_state_triggered_events_are_valid(sink_data):
    scenario = load_data(staged(sink_data))
    assert scenario.stages == ["truce", "terms", "guarantees"]
    assert scenario.protocol.agenda[0].issues == [] and scenario.protocol.agenda[0].duration == 6
    pressure = scenario.events["pressure"]
    assert pressure.round is None and pressure.when.kind == "rejected"
    assert pressure.ends.kind == "accepted" and pressure.ends.stage == "truce"
    for condition in ({"agreed": "terms"}, {"not_agreed": {"stage": "truce", "round": 19}},
                      {"accepted": {"actor": "bloc"}}):
        sink_data["events"]["pressure"]["when"] = condition
        assert load_data(sink_data).events["pressure"].when.kind == next(iter(condition))


def test_an_issue_belongs_to_one_stage_only(sink_data):
    """An issue in two stages is refused where it is written the second time."""
    data = staged(sink_data)
    data["protocol"]["agenda"][2]["issues"].append("land")
    path, message = only(data)
    assert path == "protocol.agenda[2].issues[1]"
    assert "'land' is already settled by stage 'terms'" in message


def test_every_issue_needs_a_stage(sink_data):
    """An issue no stage settles is refused, naming it (no silent 'the rest' stage)."""
    data = staged(sink_data)
    data["protocol"]["agenda"][1]["issues"] = ["land"]
    path, message = only(data)
    assert path == "protocol.agenda" and message.endswith("missing: money")


def test_a_misspelt_issue_or_a_repeated_stage_id_in_the_agenda(sink_data):
    data = staged(sink_data)
    data["protocol"]["agenda"][2]["id"] = "terms"
    assert only(data) == ("protocol.agenda[2].id", "stage 'terms' is listed twice")
    data["protocol"]["agenda"][1]["issues"] = ["lnad", "money"]
    path, message = paths_and_messages(data)[0]
    assert path == "protocol.agenda[1].issues[0]"
    assert "unknown issue 'lnad' (did you mean 'land'?)" in message


def test_the_last_stage_cannot_be_skipped(sink_data):
    data = staged(sink_data)
    data["protocol"]["agenda"][2]["skip_after"] = 5
    path, message = only(data)
    assert path == "protocol.agenda[2].skip_after" and "last stage cannot be skipped" in message


@pytest.mark.parametrize("where,condition,path", [
    ("when", {"agreed": "trcue"}, "events.pressure.when.agreed"),
    ("ends", {"accepted": {"actor": "north", "stage": "term"}},
     "events.pressure.ends.accepted.stage"),
    ("when", {"not_agreed": {"stage": "guarantee", "round": 3}},
     "events.pressure.when.not_agreed.stage"),
])
def test_an_unknown_stage_in_a_condition_is_refused_with_a_suggestion(sink_data, where,
                                                                     condition, path):
    data = staged(sink_data)
    data["events"]["pressure"][where] = condition
    found_path, message = only(data)
    assert found_path == path
    assert message.startswith("unknown stage") and "(did you mean '" in message


def test_a_stage_in_a_condition_needs_an_agenda(sink_data):
    sink_data["events"]["aid_cut"]["ends"] = {"agreed": "truce"}
    assert only(sink_data) == ("events.aid_cut.ends.agreed",
                               "unknown stage 'truce' (the protocol has no agenda)")


def test_an_event_has_either_a_round_or_a_condition(sink_data):
    """Both 'round' and 'when', or neither, is refused at the event."""
    data = staged(sink_data)
    data["events"]["pressure"]["round"] = 3
    path, message = only(data)
    assert path == "events.pressure" and "exactly one of 'round'" in message
    del data["events"]["pressure"]["round"]
    del data["events"]["pressure"]["when"]
    assert only(data)[0] == "events.pressure"


def test_a_condition_has_exactly_one_kind_and_valid_values(sink_data):
    data = staged(sink_data)
    data["events"]["pressure"]["when"] = {"agreed": "truce", "accepted": {"actor": "north"}}
    path, message = only(data)
    assert path == "events.pressure.when" and "found 2: accepted, agreed" in message
    data["events"]["pressure"]["when"] = {"rejected": {"actor": "nroth", "times": 0}}
    found = dict(paths_and_messages(data))
    assert "did you mean 'north'" in found["events.pressure.when.rejected.actor"]
    assert "≥ 1" in found["events.pressure.when.rejected.times"]
    data["events"]["pressure"]["when"] = {"not_agreed": {"stage": "truce", "round": 20}}
    assert only(data) == ("events.pressure.when.not_agreed.round",
                          "falls after the last round (19)")


def test_a_state_triggered_exit_cannot_be_known(sink_data):
    """An exit a condition starts cannot be foreseen by round: known: true is refused there
    (false, or the default, is accepted, and it never enters the hazard)."""
    data = staged(sink_data)
    walkout = data["events"]["walkout"]
    del walkout["round"]
    walkout["when"] = {"not_agreed": {"stage": "truce", "round": 5}}
    path, message = only(data)
    assert path == "events.walkout.known" and "cannot be foreseen" in message
    walkout["known"] = False
    assert not load_data(data).events["walkout"].foreseen
    del walkout["known"]
    assert not load_data(data).events["walkout"].foreseen


def test_a_stages_effects_follow_the_rules_of_an_events(sink_data):
    data = staged(sink_data)
    data["protocol"]["agenda"][1]["effects"] = [
        {"op": "set", "target": "battlefield.money.drift", "value": 0},
        {"op": "scale", "target": "actors.south.war_cost", "value": -1}]
    found = dict(paths_and_messages(data))
    assert "not a contested issue" in found["protocol.agenda[1].effects[0].target"]
    assert "must be ≥ 0" in found["protocol.agenda[1].effects[1].value"]
    data["protocol"]["agenda"][1]["effects"] = [{"op": "mediator_exit"}]
    assert any(p.startswith("protocol.agenda[1].effects[0]") for p, _ in
               paths_and_messages(data))


def test_agenda_errors_are_reported_on_their_lines():
    """The problems of an agenda and of a condition are located where they are written."""
    text = (DATA / "kitchen_sink.yaml").read_text(encoding="utf-8")
    text = text.replace("../../seeds/evidence.yaml", "../seeds/evidence.yaml")
    text = text.replace("  step: {dist: uniform, low: 0.3, high: 1.0}\n", (
        "  step: {dist: uniform, low: 0.3, high: 1.0}\n"
        "  agenda:\n"
        "    - id: truce\n"
        "      issues: [land]\n"
        "      skip_after: 3\n"
        "    - id: terms\n"
        "      issues: [money, land]\n"
        "      skip_after: 3\n"))
    text = text.replace("    round: {dist: choice, values: [10, 15]}\n",
                        "    when: {agreed: truse}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(text, name="staged.yaml", base_dir=SCENARIOS)
    found = {p.path: p for p in info.value.problems}
    lines = text.splitlines()
    terms = next(i for i, s in enumerate(lines, 1) if "id: terms" in s)
    assert set(found) == {"protocol.agenda[1].issues[1]", "protocol.agenda",
                          "protocol.agenda[1].skip_after", "events.walkout.when.agreed",
                          "events.walkout.known"}
    issues_line = terms + 1
    assert (found["protocol.agenda[1].issues[1]"].line,
            found["protocol.agenda[1].issues[1]"].column) == (
        issues_line, lines[issues_line - 1].index("land") + 1)
    assert found["protocol.agenda[1].skip_after"].line == terms + 2
    assert "missing: guard" in found["protocol.agenda"].message
    assert found["events.walkout.when.agreed"].line == next(
        i for i, s in enumerate(lines, 1) if "agreed: truse" in s)
    assert "did you mean 'truce'" in found["events.walkout.when.agreed"].message
