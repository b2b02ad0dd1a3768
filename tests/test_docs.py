"""The worked example of docs/model.md, executed: every number it quotes is what negsim does."""

import re

import pytest

from negsim.scenario import load_scenario_text
from negsim.trace import trace
from tests.conftest import ROOT

MODEL_DOC = ROOT / "docs" / "model.md"


def example_trace() -> dict:
    text = MODEL_DOC.read_text(encoding="utf-8")
    block = re.search(r"<!-- worked-example:start -->\s*```yaml\n(.*?)```", text, re.S).group(1)
    return trace(load_scenario_text(block, name="model.md"), seed=0, run=0)


def test_the_worked_example_runs_as_documented():
    data = example_trace()
    r0, r1, r2 = data["rounds"]
    assert r0["proposer"] == "north"
    assert r0["offer"] == pytest.approx({"land": 1.0, "money": 0.112})
    assert r0["responses"]["north"]["threshold"] == pytest.approx(0.972)
    assert r0["responses"]["north"]["utility"] == pytest.approx(0.972)
    assert r0["responses"]["south"]["threshold"] == pytest.approx(0.86)
    assert r0["responses"]["south"]["utility"] == pytest.approx(0.084)
    assert not r0["responses"]["south"]["accept"]
    assert r1["proposer"] == "south" and r1["offer"] == pytest.approx({"land": 1.0, "money": 0.96})
    assert r1["responses"]["north"]["utility"] == pytest.approx(0.76)
    assert r1["responses"]["north"]["threshold"] == pytest.approx(0.888)
    assert r2["offer"] == pytest.approx({"land": 1 - 0.002 / 0.75, "money": 1.0})
    assert r2["responses"]["north"]["threshold"] == pytest.approx(0.748)
    assert r2["responses"]["south"]["utility"] == pytest.approx(0.7507, abs=1e-4)
    assert r2["responses"]["south"]["threshold"] == pytest.approx(0.58)
    assert data["outcome"]["agreed"] and data["outcome"]["round"] == 2
