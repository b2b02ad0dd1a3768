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
from negsim.scenario.yamldoc import parse_yaml, read_yaml

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


def replace_entry(text: str, path: tuple, edit) -> str:
    """``text`` with the entry that writes ``path`` (its key line and any more indented lines
    under it) replaced by ``edit(key_line)``, which keeps the key's indentation. Edits are
    located by the scenario's structure, not by the numbers it holds today (the scenarios are
    recalibrated from time to time)."""
    doc = parse_yaml(text)
    line, column = doc.key_positions[path]
    lines = text.splitlines(keepends=True)
    key_line = lines[line - 1]
    indent = column - 1
    assert not key_line[:indent].strip(), f"{path} does not start its line"
    end = line
    while end < len(lines) and (not lines[end].strip()
                                or len(lines[end]) - len(lines[end].lstrip()) > indent):
        end += 1
    new = edit(key_line.rstrip("\n"))
    return "".join(lines[:line - 1] + [new + "\n"] + lines[end:])


def rename_key(text: str, path: tuple, new_key: str) -> str:
    """``text`` with the key of ``path`` renamed where it is written (the value is kept)."""
    doc = parse_yaml(text)
    line, column = doc.key_positions[path]
    lines = text.splitlines(keepends=True)
    old = lines[line - 1]
    start = column - 1
    assert old[start:].startswith(f"{path[-1]}:"), path
    lines[line - 1] = old[:start] + new_key + old[start + len(str(path[-1])):]
    return "".join(lines)


def set_entry(text: str, path: tuple, value: str) -> str:
    """``text`` with the entry of ``path`` written as ``key: value`` on one line."""
    return replace_entry(text, path,
                         lambda line: line[:len(line) - len(line.lstrip())]
                         + f"{path[-1]}: {value}")


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


def three_endings_data() -> dict:
    """A small mediated scenario whose runs end in all three ways: deals (the demands fall to
    floors that leave a range, the war being costly), break-offs (a known walkout in 30% of
    runs) and censored runs (patience up to twice the window)."""
    def party(ideal):
        return {"name": "p", "role": "party", "signatory": True,
                "ideal": {"land": ideal, "money": 1 - ideal},
                "salience": {"land": 0.7, "money": {"dist": "uniform", "low": 0.1, "high": 0.5}},
                "capability": 1.0, "war_cost": {"dist": "uniform", "low": 0.002, "high": 0.01},
                "strategy": {"type": "time_dependent",
                             "exponent": {"dist": "uniform", "low": 0.5, "high": 3},
                             "patience": {"dist": "uniform", "low": 2, "high": 40}}}
    return {"name": "three_endings", "title": "deals, break-offs and censored runs",
            "issues": {"land": {"label": "Land", "zero": "a", "one": "b", "status_quo": 0.5,
                                "contested": True},
                       "money": {"label": "Money", "zero": "a", "one": "b", "status_quo": 0.5}},
            "actors": {"north": party(1.0), "south": party(0.0),
                       "broker": {**party(0.5), "role": "mediator", "signatory": False}},
            "protocol": {"type": "mediated", "mediator": "broker", "max_rounds": 20,
                         "horizon": 10, "bias": 0.3, "step": 0.7},
            "battlefield": {"land": {"drift": {"dist": "uniform", "low": -0.01, "high": 0.01},
                                     "volatility": 0.01}},
            "events": {"walkout": {"round": {"dist": "uniform", "low": 3, "high": 19},
                                   "probability": 0.3, "effects": [{"op": "mediator_exit"}]}}}
