"""Every scenario file still gives its committed golden summary (tests/golden/), within the
tolerances stated there. A failure means results moved: if that was meant, refresh the
baselines with ``make golden`` and say why in the commit."""

import json

import pytest

from tests.conftest import SCENARIO_FILES
from tests.golden import TOLERANCE, golden_summary, path_for


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.stem)
def test_scenario_matches_its_golden_summary(path):
    golden_file = path_for(path)
    assert golden_file.exists(), f"no golden summary for {path.name}: run make golden"
    golden = json.loads(golden_file.read_text())
    fresh = golden_summary(path)
    assert fresh["scenario"] == golden["scenario"]

    def close(a, b, tol, what):
        if a is None or b is None:
            assert a is b, what
        else:
            assert abs(a - b) <= tol, f"{what}: {a} now, {b} golden (tolerance {tol})"

    close(fresh["agreement_probability"], golden["agreement_probability"],
          TOLERANCE["probability"], "agreement probability")
    close(fresh["mediator_left_share"], golden["mediator_left_share"], TOLERANCE["share"],
          "mediator left")
    close(fresh["rounds_to_agreement_median"], golden["rounds_to_agreement_median"], 1.0,
          "median round")
    for group, tol in (("median_deal", "deal"), ("mean_utility", "utility"),
                       ("blocked_share", "share"), ("event_share", "share")):
        assert set(fresh[group]) == set(golden[group]), group
        for key, value in golden[group].items():
            close(fresh[group][key], value, TOLERANCE[tol], f"{group}.{key}")
