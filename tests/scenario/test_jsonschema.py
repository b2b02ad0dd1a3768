"""The committed JSON Schema: up to date, valid, and matching every scenario file."""

import json

import jsonschema
import pytest

from negsim.scenario.jsonschema import scenario_json_schema_text
from negsim.scenario.yamldoc import read_yaml
from tests.conftest import DATA, SCENARIO_FILES, SCENARIOS

SCHEMA_FILE = SCENARIOS / "scenario.schema.json"
ALL_FILES = SCENARIO_FILES + [DATA / "kitchen_sink.yaml"]


def test_committed_schema_is_what_the_models_generate():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == scenario_json_schema_text(), (
        "scenarios/scenario.schema.json is stale: run `make schema`")


def test_schema_is_valid_draft_2020_12_with_a_title():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"]
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_scenario_files_match_the_schema_and_name_it(path):
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(read_yaml(path).data))
    assert not errors, [e.message for e in errors]
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    target = (path.parent / first.split("$schema=", 1)[1].strip()).resolve()
    assert target == SCHEMA_FILE.resolve()


def test_schema_rejects_what_the_loader_rejects():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    data = read_yaml(SCENARIO_FILES[0]).data
    data["actors"]["russia"]["salinece"] = data["actors"]["russia"].pop("salience")
    data["actors"]["ukraine"]["ideal"]["nato"] = 1.5
    assert len(list(jsonschema.Draft202012Validator(schema).iter_errors(data))) >= 2
