"""Cross-field rules of the scenario language, each reported at its own path."""

import pytest

from negsim.scenario import ScenarioError, load_scenario
from tests.conftest import BASELINE, DATA, load_data


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


def test_set_respects_open_domains(sink_data):
    effects = sink_data["events"]["aid_cut"]["effects"]
    effects[1] = {"op": "set", "target": "actors.north.capability", "value": 0}
    effects[2] = {"op": "set", "target": "actors.north.strategy.exponent", "value": 0}
    found = dict(paths_and_messages(sink_data))
    assert "> 0" in found["events.aid_cut.effects[1].target"]
    assert "> 0" in found["events.aid_cut.effects[2].target"]


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
    baseline_data["actors"]["russia"]["red_lines"]["territory"] = {"min": 0.9}
    (warning,) = load_data(baseline_data).warnings
    assert warning.path == "actors.ukraine.red_lines.territory.max"
    assert "no deal is possible" in warning.message
    baseline_data["actors"]["russia"]["red_lines"]["territory"] = {"min": 0.7}
    assert load_data(baseline_data).warnings == []
