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
    north, south = r0["actors"]["north"], r0["actors"]["south"]
    assert r0["proposer"] == "north"
    assert north["belief"]["land"] == pytest.approx(0.02)
    assert south["belief"]["land"] == pytest.approx(-0.01)
    assert north["war"] == pytest.approx(0.65) and north["floor"] == pytest.approx(0.65)
    assert north["demand"] == pytest.approx(0.986)
    assert south["war"] == pytest.approx(0.0375) and south["floor"] == pytest.approx(0.0375)
    assert south["demand"] == pytest.approx(0.8075)
    assert r0["offer"] == pytest.approx({"land": 1.0, "money": 0.056})
    assert south["next_demand"] == pytest.approx(0.615)
    assert r0["responses"]["south"]["threshold"] == pytest.approx(0.595)
    assert r0["responses"]["south"]["utility"] == pytest.approx(0.042)
    assert not r0["responses"]["south"]["accept"]
    assert r1["no_deal"]["land"] == pytest.approx(0.51)
    n1, s1 = r1["actors"]["north"], r1["actors"]["south"]
    assert n1["belief"]["land"] == pytest.approx(0.21 / 11)
    assert s1["belief"]["land"] == pytest.approx(-0.09 / 11)
    assert n1["war"] == pytest.approx(0.6541, abs=1e-4)
    assert s1["war"] == pytest.approx(0.0327, abs=1e-4)
    assert s1["demand"] == pytest.approx(0.6131, abs=1e-4)
    assert r1["proposer"] == "south"
    assert r1["offer"] == pytest.approx({"land": 1.0, "money": 0.8175}, abs=1e-4)
    assert r1["responses"]["north"]["utility"] == pytest.approx(0.7956, abs=1e-4)
    assert r1["responses"]["north"]["threshold"] == pytest.approx(0.8655, abs=1e-4)
    assert not r1["responses"]["north"]["accept"]
    assert r2["actors"]["north"]["demand"] == pytest.approx(0.8772, abs=1e-4)
    assert r2["offer"] == pytest.approx({"land": 1.0, "money": 0.4914}, abs=1e-4)
    assert r2["responses"]["south"]["utility"] == pytest.approx(0.3686, abs=1e-4)
    assert r2["responses"]["south"]["threshold"] == pytest.approx(0.2027, abs=1e-4)
    assert data["outcome"]["agreed"] and data["outcome"]["round"] == 2
