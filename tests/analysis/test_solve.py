"""Reference solutions of a scenario: chunk and batch independence, what the summary says,
and the bargaining range in the round of each deal."""

from __future__ import annotations

import numpy as np
import pytest

import negsim
from negsim.analysis import solve as S
from negsim.sampling import sample
from negsim.scenario import load_scenario
from tests.cli.test_cli import copy_of_baseline
from tests.conftest import BASELINE, DATA


@pytest.fixture(scope="module")
def baseline():
    return load_scenario(BASELINE)


def test_chunk_size_changes_nothing(baseline):
    big = S.solve(baseline, 300, 5, chunk_size=300)
    small = S.solve(baseline, 300, 5, chunk_size=70)
    for concept in S.CONCEPTS:
        np.testing.assert_array_equal(big.points[concept], small.points[concept])
    np.testing.assert_array_equal(big.margin, small.margin)
    np.testing.assert_array_equal(big.range_floor, small.range_floor)


def test_one_run_alone_is_solved_as_in_its_batch(baseline):
    batch = S.solve_batch(sample(baseline, 9, 0, 40))
    for run in (0, 13, 39):
        alone = S.solve_batch(sample(baseline, 9, run, run + 1))
        for concept in S.CONCEPTS:
            np.testing.assert_array_equal(batch.points[concept][run], alone.points[concept][0])


def test_summary_and_range_at_the_deal(baseline):
    results = negsim.simulate(baseline, runs=200, seed=3)
    found = S.solve(baseline, 200, 3, simulated=results.runs)
    summary = S.summarize(found, results.runs, "baseline", 3)
    agreed = results.runs["agreed"].to_numpy()
    assert summary["range"]["agreed_runs"] == agreed.sum()
    assert np.isnan(found.range_deal[~agreed]).all()
    # a deal is worth at least the floor, so at least the value of war, to every actor
    assert summary["range"]["at_agreement"] == pytest.approx(1.0)
    assert summary["required"] == ["russia", "ukraine", "united_states", "europe"]
    row = summary["issues"]["territory"]
    assert set(row) == {*S.CONCEPTS, "simulated"}
    assert row["simulated"]["runs"] == agreed.sum()
    deal = results.runs["deal.territory"].dropna()
    assert row["simulated"]["median"] == pytest.approx(float(np.median(deal)))


def test_red_lines_that_leave_no_deal_give_no_solution(tmp_path):
    """Ukraine will not give up NATO beyond 0.3, Russia not below 0.5: nothing is inside."""
    path = copy_of_baseline(tmp_path, lambda text: text.replace(
        "        max: {value: 0.8, evidence: [trump_criticised_crimea]",
        "        max: {value: 0.8, evidence: [trump_criticised_crimea]").replace(
        "    red_lines:\n      territory:\n        max:",
        "    red_lines:\n      nato:\n        max: {value: 0.3, assumption: \"a test\"}\n"
        "      territory:\n        max:"))
    found = S.solve(load_scenario(path), 20, 1)
    assert not found.range_war.any() and np.isnan(found.margin).all()
    for points in found.points.values():
        assert np.isnan(points).all()


def test_kitchen_sink_scenario_solves(tmp_path):
    found = S.solve(load_scenario(DATA / "kitchen_sink.yaml"), 50, 1)
    frame = found.to_frame()
    assert len(frame) == 50 and "nash.land" in frame
