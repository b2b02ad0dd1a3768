"""Shared fixtures: repository paths and helpers to load scenarios from edited data."""

from __future__ import annotations

import copy
import io
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from ruamel.yaml import YAML

from negsim.scenario import load_scenario_text
from negsim.scenario.yamldoc import read_yaml

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
SEEDS = ROOT / "seeds"
DATA = Path(__file__).resolve().parent / "data"
BASELINE = SCENARIOS / "baseline.yaml"
SCENARIO_FILES = sorted(SCENARIOS.glob("*.yaml"))

# Local runs explore new random examples each time; CI (CI=true) replays a fixed set, so that
# a submission's result is reproducible.
settings.register_profile("default", deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", parent=settings.get_profile("default"), derandomize=True,
                          database=None)
settings.load_profile("ci" if os.environ.get("CI") else "default")


def dump_yaml(data) -> str:
    """Plain data as YAML text (NaN and infinities written the YAML way)."""
    out = io.StringIO()
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.dump(data, out)
    return out.getvalue()


def load_data(data, name: str = "edited.yaml"):
    """Validate plain scenario data as if it were a file in scenarios/."""
    return load_scenario_text(dump_yaml(data), name=name, base_dir=SCENARIOS)


@pytest.fixture
def baseline_data() -> dict:
    """The baseline scenario as plain, editable data."""
    return copy.deepcopy(read_yaml(BASELINE).data)


@pytest.fixture
def sink_data() -> dict:
    """The kitchen-sink fixture (every construct) as plain data, citing ../seeds from scenarios/."""
    data = copy.deepcopy(read_yaml(DATA / "kitchen_sink.yaml").data)
    data["evidence_registry"] = "../seeds/evidence.yaml"
    return data
