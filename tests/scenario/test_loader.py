"""Loading: every problem of a file at once, each with its line, column and path."""

import pytest

from negsim.scenario import ScenarioError, load_scenario, load_scenario_text
from tests.conftest import BASELINE, SCENARIO_FILES, SCENARIOS


def baseline_text() -> str:
    return BASELINE.read_text(encoding="utf-8")


def load_edited(text: str):
    return load_scenario_text(text, name="edited.yaml", base_dir=SCENARIOS)


def line_of(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.name)
def test_every_committed_scenario_loads(path):
    scenario = load_scenario(path)
    assert scenario.source == path
    assert scenario.registry is not None


def test_three_errors_reported_at_once_with_their_lines():
    text = baseline_text()
    text = text.replace("    war_cost: {value: 0.002, assumption: \"Europe",
                        "    war_cots: {value: 0.002, assumption: \"Europe")  # misspelt key
    text = text.replace("      nato: {value: 0.2, evidence: [zelensky_key_demands]}",
                        "      nato: {value: -0.2, evidence: [zelensky_key_demands]}")
    text = text.replace("    veto: [sanctions_relief]", "    veto: [sanction_relief]")
    with pytest.raises(ScenarioError) as info:
        load_edited(text)
    found = {p.path: p for p in info.value.problems}
    assert found["actors.europe.war_cots"].line == line_of(text, "war_cots:")
    assert "unknown key 'war_cots' (did you mean 'war_cost'?)" in found[
        "actors.europe.war_cots"].message
    assert found["actors.europe.war_cost"].message == "required key missing"
    assert found["actors.ukraine.salience.nato"].line == line_of(text, "nato: {value: -0.2")
    assert "≥ 0" in found["actors.ukraine.salience.nato"].message
    veto = found["actors.europe.veto[0]"]
    assert (veto.line, veto.column) == (line_of(text, "veto: [sanction_relief]"), 12)
    assert all(str(p).startswith(f"edited.yaml:{p.line}:{p.column}: {p.path}: ")
               for p in info.value.problems)
    assert [p.line for p in info.value.problems] == sorted(p.line for p in info.value.problems)


def test_strict_mode_requires_provenance(tmp_path):
    text = baseline_text().replace(
        "    capability: {value: 0.6, assumption: \"smaller economy and forces than Russia, "
        "sustained by Western aid\"}", "    capability: 0.6")
    assert load_edited(text).actors["ukraine"].capability == 0.6
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(text, name="edited.yaml", base_dir=SCENARIOS, strict=True)
    (problem,) = info.value.problems
    assert problem.path == "actors.ukraine.capability"
    assert problem.line == line_of(text, "    capability: 0.6")


def test_registry_problems_are_reported_in_the_registry_file(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "doc.txt").write_text("Russia demands that Ukraine renounce NATO.\n")
    (seeds / "evidence.yaml").write_text(
        "documents:\n  doc.txt: {title: A document}\n"
        "evidence:\n  q1:\n    document: doc.txt\n"
        "    quote: \"Russia demands that Ukraine join NATO\"\n"
        "    informs: [{actor: russia, parameter: ideal}]\n")
    text = baseline_text().replace("../seeds/evidence.yaml", str(seeds / "evidence.yaml"))
    with pytest.raises(ScenarioError) as info:
        load_edited(text)
    registry_problems = [p for p in info.value.problems if p.file.endswith("evidence.yaml")]
    assert registry_problems[0].path == "evidence.q1.quote"
    assert registry_problems[0].line == 6
    assert "not found verbatim in doc.txt" in registry_problems[0].message
