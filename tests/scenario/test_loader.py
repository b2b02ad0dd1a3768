"""Loading: every problem of a file at once, each with its line, column and path."""

import pytest

from negsim.scenario import ScenarioError, load_scenario, load_scenario_text
from tests.conftest import BASELINE, SCENARIO_FILES, SCENARIOS, rename_key, set_entry


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
    text = rename_key(text, ("actors", "europe", "war_cost"), "war_cots")  # misspelt key
    text = set_entry(text, ("actors", "ukraine", "salience", "nato"), "-0.2")
    text = set_entry(text, ("actors", "europe", "veto"), "[sanction_relief]")
    with pytest.raises(ScenarioError) as info:
        load_edited(text)
    found = {p.path: p for p in info.value.problems}
    assert found["actors.europe.war_cots"].line == line_of(text, "war_cots:")
    assert "unknown key 'war_cots' (did you mean 'war_cost'?)" in found[
        "actors.europe.war_cots"].message
    assert found["actors.europe.war_cost"].message == "required key missing"
    assert found["actors.ukraine.salience.nato"].line == line_of(text, "nato: -0.2")
    assert "≥ 0" in found["actors.ukraine.salience.nato"].message
    veto = found["actors.europe.veto[0]"]
    veto_line = line_of(text, "veto: [sanction_relief]")
    column = text.splitlines()[veto_line - 1].index("sanction_relief") + 1
    assert (veto.line, veto.column) == (veto_line, column)
    assert all(str(p).startswith(f"edited.yaml:{p.line}:{p.column}: {p.path}: ")
               for p in info.value.problems)
    assert [p.line for p in info.value.problems] == sorted(p.line for p in info.value.problems)


def test_strict_mode_requires_provenance(tmp_path):
    text = set_entry(baseline_text(), ("actors", "ukraine", "capability"), "0.6")  # uncited
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
