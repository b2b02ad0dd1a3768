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
                + [f"war.{a}" for a in ("north", "south", "broker", "bloc")]
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


# -- stages of an agenda --------------------------------------------------------------------

def test_the_summary_has_a_stages_section_computed_from_the_runs():
    from negsim.results.summary import wilson
    from tests.staged import staged_results

    results = staged_results(("ceasefire", "prisoners", "settlement"), runs=3000, seed=4,
                             agree=[0.9, 0.6, 0.5], skip=0.2)
    s, runs = results.summary(), results.runs
    assert s["stage_ids"] == ["ceasefire", "prisoners", "settlement"]
    assert list(s["stages"]) == s["stage_ids"]  # in agenda order
    for stage, row in s["stages"].items():
        agreed = runs[f"stage.{stage}.agreed"]
        count = int(agreed.sum())
        assert 0 < count < len(runs)
        assert row["agreement"]["count"] == count
        assert row["agreement"]["probability"] == agreed.mean()
        assert row["agreement"]["ci95"] == list(wilson(count, len(runs)))
        rounds = row["rounds_to_agreement"]
        exact = np.quantile(runs.loc[agreed, f"stage.{stage}.round"], [0.1, 0.25, 0.5, 0.75, 0.9])
        assert [rounds[k] for k in ("p10", "q25", "median", "q75", "p90")] == list(exact)
        assert rounds["note"] == ("round the stage was agreed (0 = first round), runs that "
                                  "agreed it only")
    # the final stage's agreement is the deal
    assert s["stages"]["settlement"]["agreement"] == s["agreement"]
    assert s["stages"]["settlement"]["rounds_to_agreement"]["median"] == \
        s["rounds_to_agreement"]["median"]


def test_a_stage_never_agreed_has_no_rounds():
    from tests.staged import staged_results

    s = staged_results(runs=200, agree=[0.8, 0.0]).summary()["stages"]["settlement"]
    assert s["agreement"]["count"] == 0 and s["agreement"]["probability"] == 0.0
    assert s["agreement"]["ci95"][0] == 0.0 < s["agreement"]["ci95"][1]
    assert all(s["rounds_to_agreement"][k] is None
               for k in ("p10", "q25", "median", "q75", "p90"))


def test_without_an_agenda_the_summary_has_no_stages():
    from tests.staged import staged_results

    s = staged_results((), runs=100).summary()
    assert s["stages"] == {} and s["stage_ids"] == []


def test_save_and_load_keep_the_stages(tmp_path):
    from tests.staged import staged_results

    results = staged_results(runs=500, seed=3)
    folder = results.save(tmp_path / "out", figures=plots.figure_files)
    assert sorted(p.name for p in (folder / "figures").glob("*.png")) == [
        "agreement.png", "deals.png", "rounds.png", "stages.png", "utilities.png"]
    meta = json.loads((folder / "summary.json").read_text())
    assert meta["stage_ids"] == ["ceasefire", "settlement"]
    assert set(meta["stages"]) == {"ceasefire", "settlement"}
    loaded = Results.load(folder)
    assert loaded.stages == ("ceasefire", "settlement")
    assert loaded.summary() == results.summary() == meta
    pd.testing.assert_frame_equal(loaded.runs, results.runs)
    for name in ("stage_agreed", "stage_round"):
        assert np.array_equal(getattr(loaded.tally, name), getattr(results.tally, name))
    # rewriting the folder with a job without an agenda leaves no stage figure behind
    plain = staged_results((), runs=100)
    plain.save(folder, figures=plots.figure_files)
    assert not (folder / "figures" / "stages.png").exists()
    assert Results.load(folder).stages == ()


def test_a_folder_written_before_agendas_loads_without_stages(tmp_path):
    import io

    from tests.staged import staged_results

    folder = staged_results((), runs=100).save(tmp_path / "old")
    meta = json.loads((folder / "summary.json").read_text())
    del meta["stage_ids"], meta["stages"]
    (folder / "summary.json").write_text(json.dumps(meta))
    with np.load(io.BytesIO((folder / "tally.npz").read_bytes())) as npz:
        old = {k: npz[k] for k in npz.files if not k.startswith("stage_")}
    np.savez_compressed(folder / "tally.npz", **old)
    loaded = Results.load(folder)
    assert loaded.stages == () and loaded.summary()["stages"] == {}
    assert loaded.tally.stage_round.shape == (0, len(loaded.tally.deal_round))


def test_stage_ids_that_do_not_match_the_tally_are_refused(tmp_path):
    from tests.staged import staged_results

    folder = staged_results(runs=100).save(tmp_path / "out")
    meta = json.loads((folder / "summary.json").read_text())
    meta["stage_ids"] = ["ceasefire"]
    (folder / "summary.json").write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="does not match"):
        Results.load(folder)
