"""Results: the table of runs and the tally, saved together atomically and loaded back."""

import json

import numpy as np
import pandas as pd
import pytest

import negsim
from negsim import plots
from negsim.results import Results
from negsim.scenario import load_scenario_data
from tests.conftest import BASELINE, DATA, three_endings_data


def test_simulate_gives_one_row_per_run_with_the_documented_columns():
    results = negsim.simulate(DATA / "kitchen_sink.yaml", runs=30, seed=4)
    frame = results.to_pandas()
    assert len(frame) == 30 and list(frame["run"]) == list(range(30))
    expected = (["run", "agreed", "round", "rounds", "proposer", "blocker", "mediator_left",
                 "censored"]
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
    # every run ends in exactly one way: a deal, broken off, or censored by the window (20)
    ends = frame[["agreed", "mediator_left", "censored"]].astype(int).sum(axis=1)
    assert (ends == 1).all()
    assert (frame.loc[frame["censored"], "rounds"] == 20).all()
    assert (frame.loc[frame["mediator_left"], "rounds"] < 20).all()


@pytest.mark.parametrize("path", [BASELINE, DATA / "kitchen_sink.yaml"], ids=["baseline", "sink"])
def test_save_and_load_round_trip(tmp_path, path):
    results = negsim.simulate(path, runs=12, seed=2)
    folder = results.save(tmp_path / "out", figures=plots.figure_files)
    assert sorted(p.name for p in folder.iterdir()) == ["figures", "runs.parquet",
                                                        "summary.json", "tally.npz"]
    assert len(list((folder / "figures").glob("*.png"))) == 4
    loaded = Results.load(folder)
    pd.testing.assert_frame_equal(loaded.runs, results.runs)
    assert (loaded.seed, loaded.engine) == (2, "vector") and loaded.scenario == results.scenario
    assert loaded.summary() == results.summary()
    assert json.loads((folder / "summary.json").read_text()) == results.summary()


def test_summary_only_results_have_no_table():
    results = negsim.simulate(BASELINE, runs=50, seed=1, keep_runs=False)
    assert results.runs is None and len(results) == 50
    with pytest.raises(ValueError, match="summary"):
        results.to_pandas()


def test_a_failed_save_leaves_nothing(tmp_path, monkeypatch):
    results = negsim.simulate(BASELINE, runs=20, seed=1)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", broken)
    with pytest.raises(OSError):
        results.save(tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []


@pytest.mark.parametrize("source", ["baseline", "three_endings"])
def test_summary_numbers_agree_with_the_runs(source):
    # the baseline is run as it stands (whether or not its runs agree); the small scenario
    # makes sure that deal, break-off and censoring numbers are all checked
    scenario = BASELINE if source == "baseline" else load_scenario_data(three_endings_data())
    results = negsim.simulate(scenario, runs=6000, seed=9)
    s, runs = results.summary(), results.runs
    agreed = runs[runs["agreed"]]
    if source != "baseline":
        assert runs["agreed"].any() and runs["mediator_left"].any() and runs["censored"].any()
    assert s["agreement"]["probability"] == runs["agreed"].mean()
    assert s["agreement"]["count"] == runs["agreed"].sum()
    low, high = s["agreement"]["ci95"]
    assert low <= s["agreement"]["probability"] <= high
    rounds = s["rounds_to_agreement"]
    keys = ["p10", "q25", "median", "q75", "p90"]
    if len(agreed):
        assert [rounds[k] for k in keys] == list(
            np.quantile(agreed["round"], [0.1, 0.25, 0.5, 0.75, 0.9]))
    else:
        assert all(rounds[k] is None for k in keys)
    for issue, row in s["issues"].items():
        if len(agreed):
            exact = np.percentile(agreed[f"deal.{issue}"], [5, 25, 50, 75, 95])
            assert np.allclose(list(row["deal"].values()), exact, atol=1e-4, rtol=0), issue
        failed = runs.loc[~runs["agreed"], f"nodeal.{issue}"]
        if len(failed):
            assert abs(row["no_deal_median"] - failed.median()) <= 1e-4, issue
    for actor, row in s["actors"].items():
        u = runs[f"utility.{actor}"]
        assert np.isclose(row["mean_utility"], u.mean(), rtol=0, atol=1e-12)
        low, high = row["ci95"]
        assert np.isclose((high - low) / 2, 1.96 * u.std() / np.sqrt(len(u)), rtol=1e-3)
        assert row["blocked"] == (runs["blocker"] == actor).sum()
    assert s["mediator_left"]["count"] == runs["mediator_left"].sum()
    assert s["censored"]["count"] == runs["censored"].sum()
    assert s["censored"]["share"] == runs["censored"].mean()
    assert s["mean_rounds_played"] == pytest.approx(runs["rounds"].mean(), rel=1e-12)


def test_results_draw_their_figures_for_notebooks():
    from matplotlib.figure import Figure

    results = negsim.simulate(BASELINE, runs=300, seed=1)
    for kind in ("agreement", "deals", "rounds", "utilities"):
        figure = plots.figure(results, kind)
        assert isinstance(figure, Figure) and figure.axes
        assert figure.axes[0].get_title(loc="left") or figure._suptitle is not None
    with pytest.raises(ValueError, match="available"):
        plots.figure(results, "pie")
