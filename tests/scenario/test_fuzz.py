"""Hypothesis: whatever is done to a valid scenario, loading gives a scenario or a clean error.

Mutations act on the data (drop keys, wrong types, out-of-range and non-finite numbers,
unknown ids, misspelt keys) and on the text (deleted, repeated or cut characters and lines).
Any exception other than ScenarioError fails the test.
"""

import copy
import io
import json

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from rich.console import Console

from negsim.cli.report import evidence_table
from negsim.evidence.registry import evidence_rows
from negsim.scenario import (
    Scenario,
    ScenarioError,
    load_scenario_data,
    load_scenario_text,
)
from negsim.scenario.yamldoc import read_yaml
from tests.conftest import BASELINE, DATA, SCENARIOS, dump_yaml

SOURCES = {"baseline": read_yaml(BASELINE).data, "sink": read_yaml(DATA / "kitchen_sink.yaml").data}
SOURCES["sink"]["evidence_registry"] = "../seeds/evidence.yaml"


def all_paths(data, prefix=()):
    """Every path in a data tree, containers first."""
    yield prefix
    if isinstance(data, dict):
        for k, v in data.items():
            yield from all_paths(v, prefix + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from all_paths(v, prefix + (i,))


BAD_VALUES = st.one_of(
    st.none(), st.booleans(), st.text(max_size=8), st.integers(-10**12, 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["[/]", "[bold]x", "[/x] y", "\ud800", "x" * 6000, 10**400,
                     float("nan"), float("inf"), -float("inf"), -1, 2, 1e300, 0, -0.0, 1e-320,
                     "unknown_id", "russia", "territory", [], {}, [1, 2], {"dist": "normal"},
                     {"value": 0.5}, {"dist": "choice", "values": []}, ["nonexistent"]]),
    st.lists(st.text(max_size=4), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def structural(draw, data) -> None:
    """A mutation aimed at the model's structure: per-issue maps, ids, whole entries."""
    def table(value) -> dict:
        return value if isinstance(value, dict) else {}

    actors = table(data.get("actors"))
    issues = table(data.get("issues"))
    events = table(data.get("events"))
    kind = draw(st.sampled_from(["issue_entry", "drop_issue", "drop_actor", "rename_id",
                                 "flip_flag", "flip_contested", "flip_known"]))
    usable = sorted(k for k, v in actors.items() if isinstance(v, dict))
    if kind == "issue_entry" and usable:
        actor = actors[draw(st.sampled_from(usable))]
        field = draw(st.sampled_from(["ideal", "salience", "red_lines", "veto", "beliefs"]))
        entries = actor.get(field)
        if isinstance(entries, dict) and entries:
            key = draw(st.sampled_from(sorted(entries)))
            if draw(st.booleans()):
                del entries[key]
            else:
                other = draw(st.sampled_from(sorted(issues) + ["unknown_issue"]))
                entries[other] = entries.pop(key)
        elif isinstance(entries, list):
            entries.append(draw(st.sampled_from(sorted(issues) + ["unknown_issue"])))
    elif kind == "drop_issue" and len(issues) > 1:
        del issues[draw(st.sampled_from(sorted(issues)))]
    elif kind == "drop_actor" and actors:
        del actors[draw(st.sampled_from(sorted(actors)))]
    elif kind == "rename_id":
        ids = draw(st.sampled_from([actors, issues]))
        if ids:
            old = draw(st.sampled_from(sorted(ids)))
            ids[old + "_x"] = ids.pop(old)
    elif kind == "flip_flag" and usable:
        actor = actors[draw(st.sampled_from(usable))]
        actor["signatory"] = not actor.get("signatory", False)
        actor["role"] = draw(st.sampled_from(["party", "mediator", "stakeholder"]))
    elif kind == "flip_contested" and issues:  # beliefs and fronts may lose their issue
        issue = issues[draw(st.sampled_from(sorted(issues)))]
        if isinstance(issue, dict):
            issue["contested"] = not issue.get("contested", False)
    elif kind == "flip_known" and events:  # 'known' on any event, exit or not
        event = events[draw(st.sampled_from(sorted(events)))]
        if isinstance(event, dict):
            event["known"] = draw(st.booleans())


@st.composite
def mutated(draw):
    source = draw(st.sampled_from(sorted(SOURCES)))
    data = copy.deepcopy(SOURCES[source])
    for _ in range(draw(st.integers(1, 3))):
        if draw(st.booleans()):
            structural(draw, data)
            continue
        paths = [p for p in all_paths(data) if p]
        path = draw(st.sampled_from(paths))
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        key = path[-1]
        action = draw(st.sampled_from(["drop", "replace", "rename", "add"]))
        if action == "drop":
            del parent[key]
        elif action == "replace":
            parent[key] = draw(BAD_VALUES)
        elif action == "rename" and isinstance(parent, dict):
            parent[str(key) + draw(st.sampled_from(["s", "_", "x", "1"]))] = parent.pop(key)
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from(["extra", "unknown_key", "ideals", "veto"]))] = \
                draw(BAD_VALUES)
        else:
            parent.append(draw(BAD_VALUES))
    return data


def render(scenario: Scenario, table: bool = True) -> str:
    """What the evidence command prints (JSON, and the table unless ``table`` is false)."""
    rows = evidence_rows(scenario)
    json.dumps([r.as_dict() for r in rows], ensure_ascii=False).encode("utf-8")
    if not table:
        return ""
    out = io.StringIO()
    evidence_table(scenario, rows, Console(file=out, width=120))
    return out.getvalue()


def assert_clean(text_or_data, table: bool = True) -> None:
    """Loading gives a Scenario or a ScenarioError with well-formed problems, nothing else;
    a scenario that loads can be listed as a table and as JSON."""
    try:
        if isinstance(text_or_data, str):
            scenario = load_scenario_text(text_or_data, name="fuzz.yaml", base_dir=SCENARIOS)
        else:
            scenario = load_scenario_data(text_or_data, name="fuzz.yaml", base_dir=SCENARIOS)
    except ScenarioError as exc:
        assert exc.problems
        for p in exc.problems:
            assert p.line >= 1 and p.column >= 1 and p.message and p.path
            assert "\n" not in p.message and "Traceback" not in p.message
        return
    assert isinstance(scenario, Scenario)
    render(scenario, table)


DELETE = object()


def changed(data, path: tuple, value=DELETE):
    """``data`` with the item at ``path`` deleted or replaced; only the containers along the
    path are copied, so the source stays intact."""
    head, rest = path[0], path[1:]
    out = list(data) if isinstance(data, list) else dict(data)
    if rest:
        out[head] = changed(data[head], rest, value)
    elif value is DELETE:
        del out[head]
    else:
        out[head] = value
    return out


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_deleting_any_single_key_or_item(source):
    for path in all_paths(SOURCES[source]):
        if path:
            assert_clean(changed(SOURCES[source], path), table=False)


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_replacing_any_single_value(source):
    for path in all_paths(SOURCES[source]):
        if path:
            for bad in (None, -1, "unknown_id", {}, "[/x]"):
                assert_clean(changed(SOURCES[source], path, bad), table=False)


FREE_TEXT = {"title", "description", "name", "label", "zero", "one", "assumption", "note"}


def test_markup_in_every_free_text_field_is_printed_as_text():
    def poison(data, key=None):
        if isinstance(data, dict):
            return {k: poison(v, k) for k, v in data.items()}
        if isinstance(data, list):
            return [poison(v) for v in data]
        if isinstance(data, str) and key in FREE_TEXT:
            return "[/x] [bold]z"
        return data

    data = poison(SOURCES["baseline"])
    data["name"] = "baseline"  # the scenario's name is an id, not free text
    for actor in data["actors"].values():
        actor["name"] = "[red]n[/red]"
    text = render(load_scenario_data(data, base_dir=SCENARIOS))
    assert "[/x] [bold]z" in text and "[red]n[/red]" in text


@settings(max_examples=300)
@given(mutated())
def test_mutated_data_gives_a_scenario_or_a_clean_error(data):
    assert_clean(data)


@given(mutated())
def test_mutated_data_through_yaml_text(data):
    assert_clean(dump_yaml(data))


BASE_TEXT = BASELINE.read_text(encoding="utf-8")


@given(st.integers(0, len(BASE_TEXT) - 1), st.integers(1, 40),
       st.sampled_from(["delete", "duplicate", "insert"]),
       st.sampled_from(list(":-[]{}'\"&*!#| \t\n")))
@example(BASE_TEXT.index("actors:"), 1, "insert", " ")  # a broken indent
@example(0, 10_000, "delete", "")  # the file cut to its end
def test_mutated_text_gives_a_scenario_or_a_clean_error(start, length, action, char):
    if action == "delete":
        text = BASE_TEXT[:start] + BASE_TEXT[start + length:]
    elif action == "duplicate":
        text = BASE_TEXT[:start] + BASE_TEXT[start:start + length] * 2 + BASE_TEXT[start + length:]
    else:
        text = BASE_TEXT[:start] + char * (length % 4 + 1) + BASE_TEXT[start:]
    assert_clean(text)
