"""The compiled engine plays every run exactly as the numpy engine and the Mesa engine do, bit
for bit, on the scenarios it supports; it falls back cleanly where it cannot run."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from negsim import simulate
from negsim.abm import run_abm
from negsim.engine import compiled, run_vector
from negsim.engine.chunks import batch_engine, play
from negsim.sampling import sample
from negsim.scenario import load_scenario
from tests.conftest import BASELINE, load_data
from tests.engine.test_agenda_equivalence import TARGETED as STAGED
from tests.engine.test_v2_equivalence import TARGETED, assert_identical
from tests.model.test_theory import v2_scenario_data
from tests.strategies import scenario_data, staged_scenario_data

pytestmark = pytest.mark.skipif(not compiled.available(), reason="numba is not installed")

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_scenario_plays_the_same_runs_on_both_batch_engines(path):
    params = sample(load_scenario(path), 7, 4000, 4000 + 600)  # across a block boundary
    numpy = run_vector(params)
    assert_identical(compiled.run_compiled(params), numpy)  # in lanes where they fit
    assert_identical(compiled.run_compiled(params, lanes=False), numpy)  # run by run


@pytest.mark.parametrize("name", list(TARGETED))
def test_the_targeted_scenarios_play_the_same_on_all_three_engines(name):
    scenario = load_data(TARGETED[name]())
    params = sample(scenario, 31, 0, 80)
    fast = compiled.run_compiled(params)
    assert_identical(fast, run_vector(params))
    assert_identical(fast, run_abm(scenario, 31, 0, 80))


@settings(max_examples=60, deadline=None)
@given(scenario_data(), st.integers(0, 2**31), st.integers(0, 9000))
def test_generated_scenarios_play_the_same_on_all_three_engines(data, seed, start):
    scenario = load_data(copy.deepcopy(data))
    params = sample(scenario, seed, start, start + 24)
    fast = compiled.run_compiled(params)
    assert_identical(fast, run_vector(params))
    assert_identical(fast, run_abm(scenario, seed, start, start + 24))


def test_the_vector_engine_is_the_compiled_one_where_it_can_be():
    params = sample(load_scenario(BASELINE), 3, 0, 50)
    assert_identical(play(params, "vector"), compiled.run_compiled(params))
    assert_identical(play(params, "numpy"), compiled.run_compiled(params))


def test_a_scenario_the_loop_does_not_play_falls_back_to_numpy(monkeypatch):
    # (every scenario negsim validates is played today; supports() is the switch a rule
    # added to the numpy engine alone would turn off)
    scenario = load_scenario(BASELINE)
    params = sample(scenario, 3, 0, 40)
    monkeypatch.setattr(compiled, "supports", lambda layout: False)
    assert batch_engine(params.layout) == "numpy"
    assert_identical(play(params, "vector"), run_vector(params))
    with pytest.raises(ValueError, match="does not play"):
        simulate(scenario, runs=10, seed=1, engine="compiled")


@pytest.mark.parametrize("name", list(STAGED))
def test_the_staged_scenarios_play_the_same_on_all_three_engines(name):
    build, runs = STAGED[name]
    scenario = load_data(build())
    params = sample(scenario, 17, 4090, 4090 + runs)  # across a block boundary
    fast = compiled.run_compiled(params)
    assert_identical(fast, run_vector(params))
    assert_identical(fast, run_abm(scenario, 17, 4090, 4090 + runs))


@settings(max_examples=60, deadline=None)
@given(staged_scenario_data(v2_scenario_data()), st.integers(0, 2**31),
       st.integers(0, 9000))
def test_generated_agendas_and_triggers_play_the_same_on_all_three_engines(data, seed, start):
    scenario = load_data(copy.deepcopy(data))
    params = sample(scenario, seed, start, start + 16)
    fast = compiled.run_compiled(params)
    assert_identical(fast, run_vector(params))
    assert_identical(fast, run_abm(scenario, seed, start, start + 16))


def test_same_results_from_every_batch_engine_chunk_size_and_worker_count():
    scenario = load_scenario(BASELINE)
    reference = simulate(scenario, runs=9000, seed=4, engine="numpy").runs
    for options in ({"engine": "compiled"}, {"engine": "compiled", "chunk_size": 4096},
                    {"engine": "vector", "workers": 2}):
        runs = simulate(scenario, runs=9000, seed=4, **options).runs
        assert runs.equals(reference), options


def test_numba_turned_off_runs_the_numpy_engine(tmp_path):
    # a fresh process, as a user without numba would run negsim: the same summary
    code = ("import json, sys, negsim; from negsim.engine import compiled; "
            "r = negsim.simulate(sys.argv[1], runs=3000, seed=2); "
            "print(compiled.available(), 'numba' in sys.modules, "
            "json.dumps(r.summary()['agreement']))")
    env = dict(os.environ, NEGSIM_COMPILED="0")
    off = subprocess.run([sys.executable, "-c", code, str(BASELINE)], capture_output=True,
                         text=True, check=True, env=env).stdout.split(maxsplit=2)
    assert off[:2] == ["False", "False"]
    on = simulate(BASELINE, runs=3000, seed=2).summary()["agreement"]
    assert off[2].strip() == __import__("json").dumps(on)


def test_the_cache_folder_is_keyed_by_the_source_of_the_rules(monkeypatch, tmp_path):
    monkeypatch.setenv("NEGSIM_CACHE_DIR", str(tmp_path))
    folder = compiled.cache_dir()
    assert folder.parent == tmp_path and folder.name == f"numba-{compiled.source_key()}"
    assert compiled.source_key() == compiled.source_key()


def test_the_shared_power_is_close_to_the_true_one_and_exact_at_one():
    from negsim.model.element import power

    rng = np.random.default_rng(5)
    x, e = rng.uniform(1e-6, 1.0, 100_000), rng.uniform(0.01, 50.0, 100_000)
    got, want = power(x, e), x**e
    assert np.all(np.abs(got - want) <= 1e-13 * np.maximum(want, 1e-300) + 1e-300)
    with np.errstate(invalid="ignore"):  # inf * log 1 = inf * 0
        assert np.all(power(np.ones(3), np.array([0.5, 3.0, np.inf])) == 1.0)
    assert np.all(power(np.array([0.5, 0.999]), np.array([np.inf, np.inf])) == 0.0)


def test_the_command_line_runs_either_batch_engine_by_name_and_says_when_it_cannot(tmp_path):
    negsim = [sys.executable, "-m", "negsim", "run", str(BASELINE), "-n", "4096", "-q",
              "--no-figures", "--seed", "3"]
    for engine in ("numpy", "compiled"):
        done = subprocess.run(negsim + ["--engine", engine, "--out", str(tmp_path / engine)],
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    summaries = [json.loads((tmp_path / e / "summary.json").read_text()) for e in
                 ("numpy", "compiled")]
    assert summaries[0] | {"engine": "compiled"} == summaries[1]
    off = subprocess.run(negsim + ["--engine", "compiled", "--out", str(tmp_path / "off")],
                         capture_output=True, text=True,
                         env=dict(os.environ, NEGSIM_COMPILED="0"))
    assert off.returncode == 2 and "Traceback" not in off.stderr
    assert "the compiled engine cannot run here" in off.stderr
    assert not (tmp_path / "off").exists()
