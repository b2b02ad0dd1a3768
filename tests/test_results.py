"""Results: the table of runs, saved atomically and loaded back."""

import json

import numpy as np
import pandas as pd
import pytest

import negsim
from negsim.results import Results
from tests.conftest import BASELINE, DATA


def test_simulate_gives_one_row_per_run_with_the_documented_columns():
    results = negsim.simulate(DATA / "kitchen_sink.yaml", runs=30, seed=4)
    frame = results.to_pandas()
    assert len(frame) == 30 and list(frame["run"]) == list(range(30))
    expected = (["run", "agreed", "round", "rounds", "proposer", "blocker", "mediator_left"]
                + [f"deal.{k}" for k in ("land", "money", "guard")]
                + [f"nodeal.{k}" for k in ("land", "money", "guard")]
                + [f"utility.{a}" for a in ("north", "south", "broker", "bloc")]
                + ["event.aid_cut", "event.walkout"])
    assert list(frame.columns) == expected
    agreed = frame[frame["agreed"]]
    assert agreed[[c for c in frame if c.startswith("deal.")]].notna().all().all()
    assert (agreed["round"] >= 0).all() and (agreed["rounds"] == agreed["round"] + 1).all()
    assert (agreed["blocker"] == "").all() and (agreed["proposer"] != "").all()
    failed = frame[~frame["agreed"]]
    assert failed[[c for c in frame if c.startswith("deal.")]].isna().all().all()
    assert (failed["round"] == -1).all() and (failed["proposer"] == "").all()
    assert (frame.loc[frame["mediator_left"], "event.walkout"]).all()


@pytest.mark.parametrize("path", [BASELINE, DATA / "kitchen_sink.yaml"], ids=["baseline", "sink"])
def test_save_and_load_round_trip(tmp_path, path):
    results = negsim.simulate(path, runs=12, seed=2)
    path = results.save(tmp_path / "out")
    assert path.name == "runs.parquet"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["meta.json", "runs.parquet"]
    loaded = Results.load(tmp_path / "out")
    pd.testing.assert_frame_equal(loaded.runs, results.runs)
    assert (loaded.seed, loaded.engine) == (2, "vector") and loaded.scenario == results.scenario
    assert json.dumps(loaded.summary()) == json.dumps(results.summary())  # NaN-aware


def test_summary_matches_the_runs():
    results = negsim.simulate(BASELINE, runs=40, seed=9)
    s = results.summary()
    assert s["agreement_rate"] == results.runs["agreed"].mean()
    assert np.isclose(s["mean_utility"]["russia"], results.runs["utility.russia"].mean())
