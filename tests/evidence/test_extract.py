"""Evidence extraction: sentences, vocabularies and the acceptance sentences of the seeds."""

import json

from hypothesis import given
from hypothesis import strategies as st

from negsim.evidence.extract import Extractor, extract, sentences
from negsim.scenario import load_scenario
from tests.cli.test_cli import negsim
from tests.conftest import BASELINE, SEEDS

DOCUMENTS = sorted(SEEDS.glob("*.txt"))


def found(candidates, actor, issue, words):
    return [c for c in candidates if c.actor == actor and c.issue == issue
            and all(w in c.sentence for w in words)]


def test_the_seed_documents_surface_the_key_sentences():
    candidates = extract(DOCUMENTS)
    renounce = found(candidates, "russia", "nato", ["renounce its ambitions to join NATO"])
    assert renounce and "renounce" in renounce[0].cues
    assert found(candidates, "ukraine", "nato", ["renounce its ambitions to join NATO"])
    peacekeepers = found(candidates, "russia", "security_guarantees",
                         ["categorically rejected", "European peacekeepers"])
    assert peacekeepers and {"rejected", "categorically"} <= set(peacekeepers[0].cues)
    swift = found(candidates, "russia", "sanctions_relief", ["SWIFT", "demand"])
    assert swift and "demand" in swift[0].cues


def test_positions_point_at_the_sentence():
    for c in extract(DOCUMENTS[:2]):
        line = (SEEDS / c.document).read_text(encoding="utf-8").splitlines()[c.line - 1]
        assert " ".join(line[c.column - 1:].split()).startswith(c.sentence[:30])


def test_abbreviations_do_not_end_sentences_and_lowercase_us_is_not_the_us():
    text = "The U.S. delegation met Mr. Witkoff in Riyadh. Let us talk about sanctions."
    assert [s for _, s in sentences(text)] == [
        "The U.S. delegation met Mr. Witkoff in Riyadh.", "Let us talk about sanctions."]
    extractor = Extractor()
    assert extractor.actors["united_states"].search("The U.S. delegation")
    assert not extractor.actors["united_states"].search("Let us talk")
    assert extractor.actors["russia"].search("the Kremlin said")
    assert extractor.actors["ukraine"].search("Zelenskyy replied")


@given(st.lists(st.sampled_from(["Russia demands land.", "Kyiv refuses!", "U.S. aid",
                                 "e.g. troops", "\n\n", " ", "NATO?", "“Never.”", "x", "\n",
                                 "\n- ", "• ", "A" * 150, "b" * 1300]),
                max_size=30))
def test_splitting_loses_no_text(parts):
    text = " ".join(parts)
    kept = "".join("".join(s.split()) for _, s in sentences(text))
    assert kept == "".join(text.split())


def test_bullets_paragraph_lines_and_long_text_make_separate_sentences():
    text = ("Officials met in Riyadh to discuss the terms of a ceasefire and the sequence of "
            "the talks that would follow it\n"
            "While the relationship improved, it still pales.\n"
            "- The White House halted aid.\n"
            "- Sanctions task forces were disbanded.\n")
    assert [s[:18] for _, s in sentences(text)] == [
        "Officials met in R", "While the relation", "- The White House ", "- Sanctions task f"]
    long = "word " * 1000
    pieces = [s for _, s in sentences(long)]
    assert len(pieces) > 1 and all(len(p) <= 1200 for p in pieces)


def test_a_scenario_limits_and_extends_the_vocabularies(tmp_path):
    scenario = load_scenario(BASELINE)
    doc = tmp_path / "note.txt"
    doc.write_text("The Interim government question and the Ceasefire sequencing were raised "
                   "by Moscow. Brazil rejects NATO.\n", encoding="utf-8")
    candidates = extract([doc], scenario)
    assert {(c.actor, c.issue) for c in candidates} == {("russia", "interim_government"),
                                                        ("russia", "ceasefire")}


def test_the_command_lists_json_and_refuses_missing_documents(tmp_path):
    result = negsim("extract", *DOCUMENTS, "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert rows and set(rows[0]) == {"actor", "issue", "document", "line", "column",
                                     "sentence", "cues"}
    table = negsim("extract", DOCUMENTS[3], "--scenario", BASELINE)
    assert table.returncode == 0 and "candidate sentences" in table.stdout
    missing = negsim("extract", tmp_path / "absent.txt")
    assert missing.returncode == 2 and "not a readable document" in missing.stderr
