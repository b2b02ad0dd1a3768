"""JSON Schema of the scenario language, for editors (yaml-language-server) and other tools."""

from __future__ import annotations

import json

from .schema import Scenario

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def scenario_json_schema() -> dict:
    """The JSON Schema of a scenario file, generated from the pydantic models."""
    schema = Scenario.model_json_schema(mode="validation")
    return {"$schema": SCHEMA_DIALECT, "title": "negsim scenario",
            **{k: v for k, v in schema.items() if k != "title"}}


def scenario_json_schema_text() -> str:
    """The schema as stable, pretty-printed JSON text (ends with a newline)."""
    return json.dumps(scenario_json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
