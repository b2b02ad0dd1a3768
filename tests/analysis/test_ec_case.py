"""The EC car-emissions case (tests/data/ec_car_emissions.yaml): the scenario holds the
published data, and the forecasting models give on it what the data give by hand."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from negsim.analysis import solve as S
from negsim.scenario import load_scenario
from tests.conftest import DATA

ROWS = list(csv.DictReader((DATA / "ec_car_emissions.csv").open(encoding="utf-8")))


@pytest.fixture(scope="module")
def case():
    return load_scenario(DATA / "ec_car_emissions.yaml")


def test_the_scenario_holds_the_published_data(case):
    assert [a.name for a in case.actors.values()] == [r["actor"] for r in ROWS]
    for actor, row in zip(case.actors.values(), ROWS, strict=True):
        assert actor.capability.value == pytest.approx(float(row["capability"]))
        assert actor.ideal["emission_standard"].value == pytest.approx(
            (float(row["position"]) - 4) / 6, abs=1e-6)
        s = float(row["salience"])
        assert actor.salience["emission_standard"].value == pytest.approx(s)
        assert actor.salience["other_business"].value == pytest.approx(1 - s, abs=1e-6)


def test_compromise_and_median_match_the_data_by_hand(case):
    c = np.array([float(r["capability"]) for r in ROWS])
    s = np.array([float(r["salience"]) for r in ROWS])
    x = np.array([float(r["position"]) for r in ROWS])
    mean = (c * s * x).sum() / (c * s).sum()  # 7.39 on the published scale
    found = S.solve(case, 4, 1)
    scale = lambda v: 4 + 6 * v  # noqa: E731
    assert scale(found.points["compromise"][:, 0]) == pytest.approx(mean, abs=1e-6)
    assert scale(found.points["median"][:, 0]) == pytest.approx(7.0)  # the Condorcet winner
    assert scale(found.points["expected_utility"][:, 0]) == pytest.approx(7.0)
    assert found.range_war.all()
