"""negsim explore on a scenario whose answer is known by construction
(tests/data/explore_known.yaml): South's red line decides agreement, North's capability is
inert, and North's and South's lines studied together act together, with first-order indices
of 1/3 and total indices of 2/3 each (agreement = 1{S >= N}, both uniform on [0, 1])."""

from __future__ import annotations

import json

import numpy as np
import pytest

from negsim.analysis.explore import explore
from tests.cli.test_cli import negsim
from tests.conftest import DATA

KNOWN = DATA / "explore_known.yaml"
SOUTH = "actors.south.red_lines.land.max"
NORTH = "actors.north.red_lines.land.min"
INERT = "actors.north.capability"


def agreement(found, path):
    rows = found.indices[(found.indices.output == "agreement")
                         & (found.indices.parameter == path)]
    return rows.iloc[0]


@pytest.fixture(scope="module")
def decided():
    return explore(KNOWN, params=[INERT, SOUTH], base=512, seed=3)


@pytest.fixture(scope="module")
def together():
    return explore(KNOWN, params=[INERT, SOUTH], ranges={NORTH: (0.0, 1.0)}, base=512, seed=3)


def test_the_deciding_parameter_takes_all_the_variance_and_the_inert_one_none(decided):
    south, inert = agreement(decided, SOUTH), agreement(decided, INERT)
    assert south.S1 - south.S1_conf > 0.8 and south.ST - south.ST_conf > 0.8
    assert inert.ST == 0 and inert.S1 == 0  # common random numbers: exactly no influence
    assert inert.ST - inert.ST_conf <= 0 <= inert.ST + inert.ST_conf


def test_two_parameters_that_act_together_show_their_interaction(together):
    for path in (SOUTH, NORTH):
        row = agreement(together, path)
        assert abs(row.S1 - 1 / 3) <= row.S1_conf + 0.05, row
        assert abs(row.ST - 2 / 3) <= row.ST_conf + 0.05, row
        assert row.ST - row.S1 > 0.2  # the interaction
    assert agreement(together, INERT).ST == 0


def test_prim_recovers_the_deciding_box(decided):
    found = decided.discoveries[0]
    assert found.target == "no deal" and list(found.limits) == [SOUTH]
    low, high = found.limits[SOUTH]
    assert 0.4 < high <= 0.5 and low == pytest.approx(found.ranges[SOUTH][0])
    box = found.summary()["box"]
    assert box["coverage"] > 0.9 and box["density"] > 0.95


@pytest.mark.parametrize("options", [{"workers": 2}, {"chunk_size": 4096},
                                     {"dask": "local", "workers": 2}],
                         ids=["workers", "chunks", "dask"])
def test_same_seed_same_indices_whatever_the_executor(options):
    reference = explore(KNOWN, params=[INERT, SOUTH], base=8192, seed=3)
    again = explore(KNOWN, params=[INERT, SOUTH], base=8192, seed=3, **options)
    assert again.outputs.equals(reference.outputs)
    assert again.indices.equals(reference.indices)


def test_another_seed_gives_another_design(decided):
    other = explore(KNOWN, params=[INERT, SOUTH], base=512, seed=4)
    assert not other.outputs.equals(decided.outputs)


def test_the_command_writes_its_report_and_figures(tmp_path):
    out = tmp_path / "explore"
    result = negsim("explore", KNOWN, "--params", INERT, "--params", SOUTH, "-n", "128",
                    "--target", "nodeal", "--target", "land>0.4", "--out", out)
    assert result.returncode == 0, result.stderr
    assert "South: red line (at most) (Land)" in result.stdout
    for name in ("explore.json", "indices.csv", "design.csv", "figures/indices.png",
                 "figures/discovery-1.png"):
        assert (out / name).stat().st_size > 0, name
    report = json.loads((out / "explore.json").read_text())
    assert report["runs"] == 128 * 4 and report["parameters"] == [INERT, SOUTH]
    assert [d["target"] for d in report["discovery"]] == ["no deal", "a deal with land above 0.4"]
    design = np.genfromtxt(out / "design.csv", delimiter=",", names=True)
    assert len(design) == 128 * 4


@pytest.mark.parametrize("args, words", [
    (["--params", "actors.south.red_lines.land.maxx"], "unknown parameter path"),
    (["--params", "actors.south.war_cost", "--params", SOUTH], "has a fixed value"),
    (["--params", SOUTH], "at least 2 uncertain parameters"),
    (["-n", "32"], "a power of 2 of at least 64"),
    (["-n", "100"], "a power of 2"),
    (["--range", "actors.south.war_cost=0.2"], "PATH=LOW:HIGH"),
    (["--range", "actors.south.war_cost=0.2:0.1"], "LOW < HIGH"),
    (["--range", "actors.south.war_cost=0:2"], "does not fit"),
    (["--target", "water>0.5"], "--target takes nodeal or ISSUE>VALUE"),
    (["--dask", "nonsense"], "--dask takes 'local' or a scheduler address"),
])
def test_bad_input_gets_a_clear_message_and_exit_2(tmp_path, args, words):
    result = negsim("explore", KNOWN, *args, "--out", tmp_path / "x")
    assert result.returncode == 2, result.stdout
    assert words in result.stderr
    assert not (tmp_path / "x").exists()


def test_a_range_alone_adds_its_parameter_to_every_uncertain_one():
    found = explore(KNOWN, ranges={NORTH: (0.0, 1.0)}, base=64, seed=1)
    assert [f.path for f in found.factors] == [NORTH, INERT, SOUTH]  # file order


def test_seed_0_is_a_seed_like_any_other():
    first = explore(KNOWN, params=[INERT, SOUTH], base=64, seed=0)
    again = explore(KNOWN, params=[INERT, SOUTH], base=64, seed=0)
    assert again.indices.equals(first.indices) and again.values.equals(first.values)
