"""The analyst's commands end to end (run with figures, compare, sweep, plot), as real
processes: what they write, what they refuse, and that they are interruptible."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib import image

from tests.cli.test_cli import baseline_from_data, negsim
from tests.conftest import BASELINE, DATA, ROOT

FIGURES = ["agreement.png", "deals.png", "rounds.png", "utilities.png"]


def assert_figure(path: Path, min_width: int = 600, min_height: int = 150) -> None:
    """A PNG of a readable size that is not blank (many distinct pixel values)."""
    pixels = image.imread(path)
    height, width = pixels.shape[:2]
    assert width >= min_width and height >= min_height, (path.name, width, height)
    grey = pixels[..., :3].mean(axis=-1)
    assert grey.std() > 0.02, f"{path.name} looks blank"
    assert len(np.unique(np.round(grey, 2))) > 10, f"{path.name} has almost no content"


@pytest.fixture(scope="module")
def baseline_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "out"
    result = negsim("run", BASELINE, "-n", "5000", "--seed", "4", "--out", out)
    assert result.returncode == 0, result.stderr
    return out, result


def test_run_writes_parquet_summary_and_figures(baseline_run):
    out, result = baseline_run
    assert sorted(p.name for p in out.iterdir()) == ["figures", "runs.parquet", "summary.json",
                                                     "tally.npz"]
    assert sorted(p.name for p in (out / "figures").iterdir()) == FIGURES
    for name in FIGURES:
        assert_figure(out / "figures" / name)
    runs = pd.read_parquet(out / "runs.parquet")
    summary = json.loads((out / "summary.json").read_text())
    assert summary["agreement"]["probability"] == runs["agreed"].mean()  # exactly
    assert summary["runs"] == 5000 and summary["seed"] == 4 and summary["engine"] == "vector"
    assert len(summary["scenario_sha256"]) == 64 and summary["negsim"]
    assert summary["censored"]["count"] == runs["censored"].sum()
    assert summary["mediator_left"]["count"] == runs["mediator_left"].sum()
    for text in ("Wilson", "broke off", "censored", "Deals, by issue", "blocked the last offer",
                 "95% interval"):
        assert text in result.stdout


def test_plot_redraws_the_same_figures_from_saved_results(baseline_run, tmp_path):
    out, _ = baseline_run
    result = negsim("plot", out, "--out", tmp_path / "again")
    assert result.returncode == 0, result.stderr
    for name in FIGURES:
        again = image.imread(tmp_path / "again" / name)
        assert np.array_equal(again, image.imread(out / "figures" / name)), name


def test_plot_refuses_a_folder_without_results(tmp_path):
    result = negsim("plot", tmp_path)
    assert result.returncode == 2 and "not a results folder" in result.stderr


def scaled(value, factor: float):
    """A parameter as written in a scenario (a number, a cited number or a distribution),
    multiplied by ``factor``."""
    if isinstance(value, (int, float)):
        return value * factor
    value = dict(value)
    for key in ("value", "low", "mode", "high", "mean", "sd"):
        if key in value:
            value[key] *= factor
    if "values" in value:
        value["values"] = [v * factor for v in value["values"]]
    return value


def test_compare_writes_differences_and_overlaid_figures(tmp_path):
    def dearer(data):  # Ukraine's war twice as costly, whatever the baseline says it costs
        data["name"] = "dearer_war"
        data["actors"]["ukraine"]["war_cost"] = scaled(data["actors"]["ukraine"]["war_cost"], 2)

    dearer = baseline_from_data(tmp_path, dearer)
    out = tmp_path / "cmp"
    result = negsim("compare", BASELINE, dearer, "-n", "3000", "--seed", "1", "--out", out)
    assert result.returncode == 0, result.stderr
    table = json.loads((out / "compare.json").read_text())
    assert table["reference"] == "baseline" and set(table["scenarios"]) == {"baseline",
                                                                            "dearer_war"}
    diff = table["differences"]["dearer_war"]
    assert set(diff["issues"]) == set(table["issues"]) and len(table["issues"]) == 8
    ukraine = diff["actors"]["ukraine"]
    assert ukraine["ci95"][1] < 0  # a dearer war lowers Ukraine's final utility
    for name in FIGURES:
        assert_figure(out / "figures" / name)
    assert (out / "baseline" / "summary.json").exists()
    assert "minus baseline" in result.stdout


def test_compare_with_itself_shows_no_difference(tmp_path):
    out = tmp_path / "same"
    result = negsim("compare", BASELINE, BASELINE, "-n", "500", "--seed", "2", "--out", out,
                    "-q")
    assert result.returncode == 0, result.stderr
    table = json.loads((out / "compare.json").read_text())
    (name,) = table["differences"]
    row = table["differences"][name]
    assert row["agreement"] == {"difference": 0.0, "ci95": [0.0, 0.0]}
    assert all(e["wasserstein"] == 0.0 for e in row["issues"].values())


def test_compare_refuses_scenarios_without_a_common_issue(tmp_path):
    out = tmp_path / "mixed"
    result = negsim("compare", BASELINE, DATA / "kitchen_sink.yaml", "-n", "100",
                    "--out", out)
    assert result.returncode == 2 and "share no issue" in result.stderr
    assert not out.exists()


def test_compare_notes_issues_left_out(tmp_path):
    def fewer(data):
        data["name"] = "fewer"
        del data["issues"]["interim_government"]
        for actor in data["actors"].values():
            for key in ("ideal", "salience", "red_lines", "beliefs"):
                actor.get(key, {}).pop("interim_government", None)

    fewer = baseline_from_data(tmp_path, fewer)
    out = tmp_path / "notes"
    result = negsim("compare", BASELINE, fewer, "-n", "200", "--out", out, "-q")
    assert result.returncode == 0, result.stderr
    assert "baseline also has issues interim_government" in result.stderr
    assert "interim_government" not in json.loads((out / "compare.json").read_text())["issues"]


def test_sweep_writes_a_table_and_a_figure(tmp_path):
    from negsim.scenario import load_scenario

    window = load_scenario(BASELINE).protocol.max_rounds
    out = tmp_path / "sweep"
    result = negsim("sweep", BASELINE, "--param", "protocol.max_rounds", "--values",
                    f"{window},{2 * window}", "-n", "2000", "--seed", "3", "--out", out)
    assert result.returncode == 0, result.stderr
    frame = pd.read_csv(out / "sweep.csv")
    assert list(frame["protocol.max_rounds"]) == [window, 2 * window]
    assert (frame["agreement_ci_low"] <= frame["agreement_probability"]).all()
    assert (frame["agreement_probability"] <= frame["agreement_ci_high"]).all()
    # no actor knows the window: a longer one changes no run that ended inside the shorter
    # one (same seed, same draws), so agreement can only rise
    assert frame["agreement_probability"].iloc[0] <= frame["agreement_probability"].iloc[1]
    assert_figure(out / "figures" / "sweep.png")


def test_sweep_of_a_stage_effect_reports_each_stages_agreement(tmp_path):
    """A stage's effect is a sweepable path, and under an agenda sweep.csv gains each stage's
    agreement with its interval and median round (a baseline sweep has no such column)."""
    scenario = ROOT / "scenarios" / "ceasefire_first.yaml"
    out = tmp_path / "sweep"
    result = negsim("sweep", scenario, "--param", "protocol.agenda.0.effects.2.value",
                    "--values", "0.25,1", "-n", "1000", "--seed", "3", "--out", out)
    assert result.returncode == 0, result.stderr
    frame = pd.read_csv(out / "sweep.csv")
    for stage in ("ceasefire", "settlement"):
        low, p, high = (frame[f"stage_agreed{part}.{stage}"]
                        for part in ("_ci_low", "", "_ci_high"))
        assert ((low <= p) & (p <= high)).all()
        assert f"stage_round_median.{stage}" in frame
    # the whole agenda is agreed only where its last stage is
    assert (frame["stage_agreed.settlement"] == frame["agreement_probability"]).all()
    assert (frame["stage_agreed.settlement"] <= frame["stage_agreed.ceasefire"]).all()


def test_sweep_range_runs_each_value(tmp_path):
    out = tmp_path / "range"
    result = negsim("sweep", BASELINE, "--param", "actors.ukraine.war_cost", "--range",
                    "0:0.02:3", "-n", "300", "--out", out, "-q")
    assert result.returncode == 0, result.stderr
    assert np.allclose(pd.read_csv(out / "sweep.csv")["actors.ukraine.war_cost"],
                       [0.0, 0.01, 0.02])


@pytest.mark.parametrize("args,message", [
    (["--param", "actors.rusia.war_cost", "--values", "1"],
     "did you mean 'actors.russia.war_cost'"),
    (["--param", "actors.russia.ideal.nato", "--values", "1.5"], "must be ≤ 1"),
    (["--param", "protocol.max_rounds", "--values", "2.5"], "whole numbers"),
    (["--param", "protocol.bias", "--values", "a,b"], "numbers separated by commas"),
    (["--param", "protocol.bias"], "give either --values"),
])
def test_sweep_refuses_bad_paths_and_values(tmp_path, args, message):
    result = negsim("sweep", BASELINE, *args, "--out", tmp_path / "x")
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert not (tmp_path / "x").exists()


def test_an_unknown_path_lists_the_valid_ones():
    result = negsim("sweep", BASELINE, "--param", "nonsense", "--values", "1")
    assert result.returncode == 2
    assert "actors.ukraine.war_cost" in result.stderr and "protocol.max_rounds" in result.stderr


@pytest.mark.parametrize("command", [
    ["run", str(BASELINE), "-n", "10"],
    ["compare", str(BASELINE), str(BASELINE), "-n", "10"],
    ["sweep", str(BASELINE), "--param", "protocol.bias", "--values", "0.1", "-n", "10"],
])
def test_unwritable_output_exits_2(tmp_path, command):
    blocked = tmp_path / "file"
    blocked.write_text("")
    result = negsim(*command, "--out", blocked / "sub")
    assert result.returncode == 2 and "cannot write" in result.stderr


def test_missing_files_exit_2(tmp_path):
    assert negsim("compare", BASELINE, tmp_path / "absent.yaml").returncode == 2
    assert negsim("sweep", tmp_path / "absent.yaml", "--param", "x", "--values",
                  "1").returncode == 2
    assert negsim("plot", tmp_path / "absent").returncode == 2


def test_the_readme_commands_exist():
    readme = (ROOT / "README.md").read_text()
    for command in ("negsim compare", "negsim sweep", "negsim plot", "--summary-only"):
        assert command in readme


def test_a_new_job_in_the_same_folder_leaves_nothing_of_the_old_one(tmp_path):
    out = tmp_path / "again"
    assert negsim("run", BASELINE, "-n", "200", "--out", out, "-q").returncode == 0
    result = negsim("run", DATA / "kitchen_sink.yaml", "-n", "100", "--out", out, "-q",
                    "--summary-only", "--no-figures")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["summary.json", "tally.npz"]


def test_compare_uses_the_first_scenarios_runs_for_all(tmp_path):
    from negsim.scenario import load_scenario

    def other(data):
        data["name"] = "other"
        data["montecarlo"]["runs"] = 60

    other = baseline_from_data(tmp_path, other)
    result = negsim("compare", BASELINE, other, "--out", tmp_path / "c", "-q",
                    "--workers", "2")
    assert result.returncode == 0, result.stderr
    runs = load_scenario(BASELINE).montecarlo.runs
    assert json.loads((tmp_path / "c" / "compare.json").read_text())["runs"] == runs != 60


def test_plot_refuses_malformed_or_unrelated_results(baseline_run, tmp_path):
    out, _ = baseline_run
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "summary.json").write_text("[1, 2]")
    (broken / "tally.npz").write_bytes(b"")
    result = negsim("plot", broken)
    assert result.returncode == 2 and "not a results folder" in result.stderr
    other = tmp_path / "sink"
    assert negsim("run", DATA / "kitchen_sink.yaml", "-n", "50", "--out", other, "-q",
                  "--no-figures").returncode == 0
    result = negsim("plot", out, other, "--out", tmp_path / "p")
    assert result.returncode == 2 and "share no issue" in result.stderr


def test_a_bad_dask_address_is_bad_input():
    result = negsim("run", BASELINE, "-n", "10", "--dask", "bogus")
    assert result.returncode == 2 and "--dask takes" in result.stderr


def test_compare_notes_issues_whose_scale_is_described_differently(tmp_path):
    def other(data):
        data["name"] = "other"
        data["issues"]["nato"]["zero"] = data["issues"]["nato"]["zero"] + " (reworded)"

    other = baseline_from_data(tmp_path, other)
    result = negsim("compare", BASELINE, other, "-n", "100", "--out", tmp_path / "c", "-q")
    assert result.returncode == 0, result.stderr
    assert "describes 0 and 1 of issue nato differently" in result.stderr


def test_solve_prints_the_table_and_writes_its_files(tmp_path):
    out = tmp_path / "solutions"
    result = negsim("solve", BASELINE, "-n", "300", "--seed", "1", "--out", out)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["solutions.csv", "solutions.json",
                                                     "solutions.png"]
    for text in ("bargaining range at round 0", "Nash bargaining solution", "Kalai-Smorodinsky",
                 "expected utility model", "simulated deal", "territory: 0 = Russia withdraws"):
        assert text in result.stdout
    summary = json.loads((out / "solutions.json").read_text())
    assert summary["runs"] == 300 and summary["seed"] == 1
    frame = pd.read_csv(out / "solutions.csv")
    assert len(frame) == 300 and {"run", "range", "nash.territory"} <= set(frame)
    assert_figure(out / "solutions.png", min_height=600)
    again = negsim("solve", BASELINE, "-n", "300", "--seed", "1", "--format", "json", "--out",
                   tmp_path / "again")
    assert json.loads(again.stdout) == summary  # same seed, same numbers


def test_solve_refuses_a_bad_scenario(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ntitle: [unclosed\n")
    result = negsim("solve", bad, "--out", tmp_path / "out")
    assert result.returncode == 2 and "bad.yaml:3:1" in result.stderr
    assert not (tmp_path / "out").exists()


def test_run_keeps_the_reference_solutions_for_its_deal_figure(baseline_run, tmp_path):
    out, _ = baseline_run
    summary = json.loads((out / "summary.json").read_text())
    references = summary["references"]
    assert set(references) == {"nash", "nash_weighted", "kalai_smorodinsky", "compromise",
                               "median", "expected_utility"}
    assert 0.0 <= references["compromise"]["territory"] <= 0.8  # Ukraine's red line
    plain = negsim("run", BASELINE, "-n", "200", "--no-solutions", "--out", tmp_path / "plain")
    assert plain.returncode == 0, plain.stderr
    assert "references" not in json.loads((tmp_path / "plain" / "summary.json").read_text())
