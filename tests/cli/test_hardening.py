"""Regression tests of the six defects of the hardening issue, each of which failed before
its fix: a valid scenario ending in a traceback, overflow changing results silently, an
unbounded -n with memory growing with it, an unbounded sweep, SIGTERM orphaning worker
processes, and SIGTERM or SIGHUP leaving temporary files or an empty folder."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import negsim
from negsim.engine import chunks as chunks_module
from negsim.model.layout import Layout
from negsim.results.outcome import Outcomes
from negsim.results.tally import Tally
from negsim.sampling import BLOCK
from negsim.scenario import load_scenario
from tests.cli.test_cli import baseline_from_data
from tests.cli.test_cli import negsim as run_cli
from tests.conftest import BASELINE, ROOT, load_data

# --- 1. a valid scenario that ended in a traceback ------------------------------------------


@pytest.mark.parametrize("where", [("actors", "russia", "war_cost"), ("protocol", "horizon")])
def test_huge_war_cost_or_horizon_is_refused_where_it_is_written(tmp_path, where):
    def edit(data):
        node = data
        for key in where[:-1]:
            node = node[key]
        node[where[-1]] = 1e308

    path = baseline_from_data(tmp_path, edit)
    result = run_cli("run", path, "-n", "4096", "--out", tmp_path / "out")
    assert result.returncode == 2
    assert "edited.yaml:" in result.stderr and ".".join(where) in result.stderr
    assert "must be ≤ " in result.stderr and "(got 1e+308)" in result.stderr
    assert not (tmp_path / "out").exists()


def test_an_impossible_outcome_stops_the_command_with_nothing_written(tmp_path, monkeypatch):
    """The check after each chunk: a NaN utility becomes exit 2, not a summary or a crash."""
    from typer.testing import CliRunner

    from negsim.cli.main import app

    real = chunks_module.play  # whichever batch engine plays the chunk

    def poisoned(params, engine="vector"):
        outcomes = real(params, engine)
        outcomes.utility[3, 1] = np.nan
        return outcomes

    monkeypatch.setattr(chunks_module, "play", poisoned)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(BASELINE), "-n", "4096", "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "run 3: the utility of ukraine is nan" in result.output
    assert "nothing was written" in result.output
    assert not out.exists()


def test_outcome_check_accepts_real_runs_and_names_the_first_bad_value():
    from negsim.results.outcome import NumericalError

    scenario = load_scenario(BASELINE)
    layout = Layout.from_scenario(scenario)
    outcomes, _ = chunks_module.run_chunked(scenario, 1, 4096)
    outcomes.check(layout)  # real runs pass
    bad = Outcomes(**{name: np.copy(getattr(outcomes, name))
                      for name in Outcomes.__dataclass_fields__})
    row = int(np.flatnonzero(bad.agreed)[0])
    bad.deal[row, 2] = 1.5
    with pytest.raises(NumericalError, match=f"run {row}: the deal of {layout.issues[2]}"):
        bad.check(layout)


# --- 2. overflow that changed results silently ----------------------------------------------


def _scaled(data, key, factor):
    for actor in data["actors"].values():
        value = actor[key]
        if isinstance(value, dict):
            for field in ("value", "low", "high", "mean", "mode"):
                if field in value:
                    value[field] = value[field] * factor
        else:
            actor[key] = value * factor
    return data


def test_capabilities_of_1e308_are_refused(baseline_data):
    with pytest.raises(negsim.ScenarioError,
                       match=r"capability: must be in \[1e-06, 1e\+06\] \(got 1e\+308\)"):
        load_data(_scaled(baseline_data, "capability", 1e308))


def test_saliences_of_1e308_are_refused(baseline_data):
    baseline_data["actors"]["russia"]["salience"] = {
        k: 1e308 for k in baseline_data["actors"]["russia"]["salience"]}
    with pytest.raises(negsim.ScenarioError, match=r"salience\.\w+: must be ≤ 1e\+06"):
        load_data(baseline_data)


def test_scaling_every_capability_changes_nothing(baseline_data):
    """Only capability ratios matter: scaled by a power of two (exact in floating point),
    every run's outcome is identical."""
    base = negsim.simulate(load_data(baseline_data), runs=4096, seed=3)
    big = negsim.simulate(load_data(_scaled(baseline_data, "capability", 2.0**19)), runs=4096,
                          seed=3)
    assert big.runs.equals(base.runs)


def test_choice_weights_of_1e308_draw_like_weights_of_1(baseline_data):
    def with_weights(w):
        data = json.loads(json.dumps(baseline_data))
        data["issues"]["territory"]["status_quo"] = {
            "dist": "choice", "values": [0.7, 0.8, 0.9], "weights": [w, w, w / 2],
            "assumption": "test"}
        return negsim.simulate(load_data(data), runs=4096, seed=5).runs

    ones = with_weights(1.0)
    assert with_weights(1e308).equals(ones)
    assert with_weights(1e-300).equals(ones)


# --- 3. -n without a bound, memory growing with it ------------------------------------------


def test_runs_past_the_bound_are_refused_at_once():
    started = time.monotonic()
    result = run_cli("run", BASELINE, "-n", "1000000000000", "--summary-only")
    assert result.returncode == 2 and "--runs" in result.stderr
    assert time.monotonic() - started < 30


def test_chunk_ranges_are_produced_one_at_a_time(monkeypatch):
    """A job of a billion runs stopped after three chunks has made only a window's worth of
    chunk ranges, not all 61,036 of them up front."""
    made = []

    def counted(runs, size):
        for start in range(0, runs, size):
            made.append(start)
            yield start, min(runs, start + size)

    class Stop(Exception):
        pass

    played = []

    def fake_chunk(scenario, seed, start, stop, keep_runs=True, engine="vector"):
        played.append(start)
        if len(played) == 3:
            raise Stop
        return None, Tally.empty(Layout.from_scenario(scenario))

    monkeypatch.setattr(chunks_module, "chunks", counted)
    monkeypatch.setattr(chunks_module, "run_chunk", fake_chunk)
    with pytest.raises(Stop):
        chunks_module.run_chunked(load_scenario(BASELINE), 1, 10**9, keep_runs=False)
    assert len(made) <= 3


def test_a_tally_does_not_grow_with_the_number_of_runs():
    scenario = load_scenario(BASELINE)
    layout = Layout.from_scenario(scenario)
    outcomes, _ = chunks_module.run_chunked(scenario, 1, BLOCK)
    one = Tally.of(outcomes, layout)
    merged = one
    for block in range(1, 300):  # the same runs again as 299 further blocks
        shifted = Outcomes(**{n: getattr(outcomes, n) for n in Outcomes.__dataclass_fields__})
        shifted.run = outcomes.run + block * BLOCK
        merged = merged.merge(Tally.of(shifted, layout))
    size = sum(np.asarray(getattr(merged, f)).nbytes for f in merged.__dataclass_fields__)
    size_one = sum(np.asarray(getattr(one, f)).nbytes for f in one.__dataclass_fields__)
    assert size <= size_one + 3 * len(layout.actors) * 8 * 8  # a few more partials at most
    mean, var = merged.utility_mean_var()
    mean_one, var_one = one.utility_mean_var()
    np.testing.assert_allclose(mean, mean_one, rtol=1e-15)  # both correctly rounded
    np.testing.assert_allclose(var, var_one * (BLOCK - 1) * 300 / (BLOCK * 300 - 1), rtol=1e-15)


def test_kept_runs_that_would_not_fit_are_refused_with_the_figure(tmp_path):
    out = tmp_path / "out"
    result = run_cli("run", BASELINE, "-n", "2000000000", "--out", out)
    assert result.returncode == 2
    assert "needs about" in result.stderr and "GiB" in result.stderr
    assert "--summary-only" in result.stderr
    assert not out.exists()


# --- 4. a sweep without a bound -------------------------------------------------------------


@pytest.mark.parametrize("values", [["--range", "0:0.02:1000000"],
                                    ["--values", ",".join(["0.01"] * 1001)]])
def test_a_sweep_past_its_bound_is_refused_before_any_work(tmp_path, values):
    started = time.monotonic()
    result = run_cli("sweep", BASELINE, "--param", "actors.ukraine.war_cost", *values,
                     "--out", tmp_path / "out")
    assert result.returncode == 2 and "at most 1,000 values" in result.stderr
    assert time.monotonic() - started < 30
    assert not (tmp_path / "out").exists()


def test_sweep_values_are_written_as_one_would(tmp_path):
    result = run_cli("sweep", BASELINE, "--param", "actors.ukraine.war_cost", "--range",
                     "0.1:0.5:21", "-n", "2", "--out", tmp_path / "out", "-q")
    assert result.returncode == 0, result.stderr
    column = (tmp_path / "out" / "sweep.csv").read_text().splitlines()
    values = [line.split(",")[0] for line in column[1:]]
    assert values == [f"{0.1 + 0.02 * i:.2f}".rstrip("0") for i in range(21)]  # 0.12, not
    #                                                                          0.12000000000000001


# --- 5 and 6. termination signals ----------------------------------------------------------


def _group_processes(group: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _start(*args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "negsim", *map(str, args)], cwd=ROOT,
                            text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigterm_with_workers_stops_them_and_exits_143(tmp_path):
    out = tmp_path / "out"
    process = _start("run", BASELINE, "-n", "5000000", "--workers", "2", "--out", out)
    deadline = time.monotonic() + 60
    while len(_children(process.pid)) < 3 and time.monotonic() < deadline:  # tracker + 2
        time.sleep(0.2)
    time.sleep(2)  # the workers are playing chunks
    process.send_signal(signal.SIGTERM)  # to the command only, as a service manager would
    _, err = process.communicate(timeout=60)
    assert process.returncode == 143, err
    assert "terminated" in err and "Traceback" not in err and "leaked" not in err
    deadline = time.monotonic() + 10
    while _group_processes(process.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _group_processes(process.pid) == []
    assert not out.exists()


@pytest.mark.parametrize("signum,code", [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_a_signal_while_writing_leaves_no_temporary_file(tmp_path, signum, code):
    out = tmp_path / "out"
    process = _start("run", BASELINE, "-n", "600000", "--out", out)
    deadline = time.monotonic() + 120
    caught = False
    while process.poll() is None and time.monotonic() < deadline:
        if out.exists() and any(p.name.endswith(".tmp") for p in out.rglob(".*")):
            process.send_signal(signum)
            caught = True
            break
        time.sleep(0.002)
    if not caught:  # the run ended first, or (a slow machine) had not reached its writes yet
        process.kill()
        process.communicate(timeout=60)
        pytest.skip("no temporary file was seen while the run was writing (within 120 s)")
    _, err = process.communicate(timeout=60)
    assert process.returncode == code, err
    assert "Traceback" not in err and "nothing was written" in err
    assert not out.exists()  # temporary files, figures/ and the folder itself are gone


@pytest.mark.parametrize("signum,code", [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_a_signal_before_writing_removes_the_created_folder(tmp_path, signum, code):
    out = tmp_path / "deep" / "out"
    process = _start("run", BASELINE, "-n", "5000000", "--out", out)
    deadline = time.monotonic() + 60
    while not out.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1)
    process.send_signal(signum)
    _, err = process.communicate(timeout=60)
    assert process.returncode == code, err
    assert "Traceback" not in err
    assert not (tmp_path / "deep").exists()


def test_version_prints_the_version():
    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"negsim {negsim.__version__}"


def test_an_empty_out_is_refused(tmp_path):
    result = subprocess.run([sys.executable, "-m", "negsim", "run", str(BASELINE), "-n", "4096",
                             "--out", ""], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 2 and "must not be empty" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_broken_pipe_ends_quietly_with_141():
    process = subprocess.Popen([sys.executable, "-m", "negsim", "evidence", str(BASELINE)],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.readline()
    process.stdout.close()
    err = process.stderr.read().decode()
    process.wait(timeout=60)
    assert process.returncode == 141 and err == ""


def test_the_library_leaves_its_callers_signal_handlers_alone():
    before = signal.getsignal(signal.SIGTERM)
    negsim.simulate(BASELINE, runs=64, seed=1)
    assert signal.getsignal(signal.SIGTERM) is before
    assert os.getpid() > 0
