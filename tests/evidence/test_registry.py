"""The evidence registry and the evidence behind each scenario parameter."""

import hashlib
from pathlib import Path

import pytest

from negsim.evidence.registry import evidence_rows, load_registry, normalise
from negsim.scenario import ScenarioError, load_scenario
from negsim.scenario.yamldoc import read_yaml
from tests.conftest import BASELINE, ROOT, SCENARIO_FILES, SEEDS

REGISTRY = SEEDS / "evidence.yaml"
CORE = ("territory", "nato", "sanctions_relief", "security_guarantees")
ACTORS = ("russia", "ukraine", "united_states", "europe")


def plain(text: str) -> str:
    """An independent normaliser for the test: straight quotes, single spaces."""
    for curly, straight in (("“", '"'), ("”", '"'), ("‘", "'"), ("’", "'")):
        text = text.replace(curly, straight)
    return " ".join(text.split())


def test_seed_documents_are_the_five_originals_unchanged():
    sums = dict(line.split()[::-1] for line in (SEEDS / "SHA256SUMS").read_text().splitlines())
    assert len(sums) == 5
    for name, digest in sums.items():
        path = ROOT / name
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, name
    shared = ROOT.parent / "shared" / "seeds"
    if shared.is_dir():  # beside a checkout on the team's machines and in CI
        for original in shared.glob("*.txt"):
            assert (SEEDS / original.name).read_bytes() == original.read_bytes()


def test_every_quote_occurs_verbatim_in_its_document():
    raw = read_yaml(REGISTRY).data
    assert len(raw["evidence"]) >= 40
    for eid, item in raw["evidence"].items():
        text = plain((SEEDS / item["document"]).read_text(encoding="utf-8"))
        assert plain(item["quote"]) in text, eid
    load_registry(REGISTRY)  # the loader's own check agrees


def test_normalise_folds_quotes_and_whitespace_only():
    assert normalise("“move on”\n  within   ‘days’") == '"move on" within \'days\''
    assert normalise("Crimea—2014") == "Crimea—2014"


def test_a_changed_quote_is_located(tmp_path: Path):
    text = REGISTRY.read_text(encoding="utf-8").replace(
        'quote: "Ukraine must renounce its ambitions to join NATO"',
        'quote: "Ukraine must join NATO"')
    (tmp_path / "evidence.yaml").write_text(text, encoding="utf-8")
    for doc in SEEDS.glob("*.txt"):
        (tmp_path / doc.name).write_bytes(doc.read_bytes())
    with pytest.raises(ScenarioError) as info:
        load_registry(tmp_path / "evidence.yaml")
    (problem,) = info.value.problems
    assert problem.path == "evidence.putin_renounce_nato.quote"
    line = next(i for i, s in enumerate(text.splitlines(), 1) if "Ukraine must join NATO" in s)
    assert problem.line == line


def test_registry_reloads_when_a_document_changes(tmp_path: Path):
    for doc in SEEDS.glob("*.txt"):
        (tmp_path / doc.name).write_bytes(doc.read_bytes())
    (tmp_path / "evidence.yaml").write_bytes(REGISTRY.read_bytes())
    assert load_registry(tmp_path / "evidence.yaml") is load_registry(tmp_path / "evidence.yaml")
    doc = tmp_path / "003_720a6b9c76bcb648.txt"
    doc.write_text(doc.read_text(encoding="utf-8").replace("renounce its ambitions", "drop"))
    with pytest.raises(ScenarioError, match="putin_renounce_nato.quote"):
        load_registry(tmp_path / "evidence.yaml")


def registry_parameter(row_parameter: str) -> set[str]:
    """The registry's parameter names that a listing row's parameter may cite."""
    head = row_parameter.split(".")[0]
    return {"role": {"role", "signatory", "veto"}, "red_line": {"red_line"},
            "strategy": {"strategy"}, "protocol": {"protocol"},
            "event": {"event"}, "stage": {"protocol"}}.get(head, {head})


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.name)
def test_citations_match_what_the_registry_says_they_inform(path):
    scenario = load_scenario(path)
    registry = scenario.registry
    wrong = []
    for row in evidence_rows(scenario):
        if row.evidence_id is None:
            continue
        informs = registry.evidence[row.evidence_id].informs
        if not any((row.actor is None or i.actor in (None, row.actor))
                   and (row.issue is None or i.issue in (None, row.issue))
                   and i.parameter in registry_parameter(row.parameter)
                   for i in informs):
            wrong.append((row.actor, row.issue, row.parameter, row.evidence_id))
    assert not wrong, wrong


def test_baseline_core_preferences_cite_quotes():
    rows = evidence_rows(load_scenario(BASELINE))
    for actor in ACTORS:
        for issue in CORE:
            for parameter in ("ideal", "salience"):
                quoted = [r for r in rows if (r.actor, r.issue, r.parameter) ==
                          (actor, issue, parameter) and r.quote]
                assert quoted, (actor, issue, parameter)


def test_rows_for_evidence_assumption_and_uncited():
    scenario = load_scenario(ROOT / "tests" / "data" / "kitchen_sink.yaml")
    rows = evidence_rows(scenario)
    by = {(r.actor, r.issue, r.parameter): r for r in rows}
    cited = by[(None, "land", "status_quo")]
    assert cited.evidence_id == "putin_territorial_realities" and cited.document.startswith("003")
    assert cited.value == {"dist": "beta", "alpha": 6.0, "beta": 2.0, "low": 0.0, "high": 1.0}
    assumed = by[(None, "guard", "status_quo")]
    assert assumed.assumption == "fixture" and assumed.quote is None
    uncited = by[("north", "land", "ideal")]
    assert uncited.value == 1.0 and uncited.evidence_id is None and uncited.assumption is None
    assert by[("bloc", None, "strategy")].value == "hardliner"
    walkout = by[(None, None, "event.walkout")]
    assert (walkout.evidence_id, walkout.value) == ("rubio_move_on", "walkout")


def test_the_scenario_library_asks_its_questions_with_every_core_ideal_backed():
    assert len(SCENARIO_FILES) >= 6
    for path in SCENARIO_FILES:
        header = path.read_text(encoding="utf-8").split("\nname:")[0]
        assert "?" in header, f"{path.name} opens without stating its question"
        rows = evidence_rows(load_scenario(path))
        for actor in ACTORS:
            for issue in CORE:
                backed = [r for r in rows if (r.actor, r.issue, r.parameter) ==
                          (actor, issue, "ideal") and (r.quote or r.assumption)]
                assert backed, (path.name, actor, issue)
