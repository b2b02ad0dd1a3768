"""Parameter values: numbers, cited numbers, distributions and their domains."""

import math

import pytest
from pydantic import BaseModel, ValidationError

from negsim.scenario.diagnostics import message_for
from negsim.scenario.params import (
    NONNEG,
    POSITIVE,
    ROUND,
    UNIT,
    Choice,
    Cited,
    Normal,
    center,
    param,
    support,
)


class Holder(BaseModel):
    unit: param(UNIT) = 0.5
    nonneg: param(NONNEG) = 0.0
    positive: param(POSITIVE) = 1.0
    round: param(ROUND) = 0


def check(**kw):
    return Holder.model_validate(kw)


def error(**kw) -> str:
    with pytest.raises(ValidationError) as info:
        check(**kw)
    errors = info.value.errors()
    assert len(errors) == 1, errors  # one clear error, not one per union member
    return message_for(errors[0])


@pytest.mark.parametrize("value", [0, 0.0, 1, 0.25, {"value": 0.3, "assumption": "x"},
                                   {"dist": "uniform", "low": 0.2, "high": 0.4},
                                   {"dist": "beta", "alpha": 2, "beta": 3},
                                   {"dist": "triangular", "low": 0, "mode": 0.1, "high": 1},
                                   {"dist": "choice", "values": [0, 1], "weights": [1, 2]},
                                   {"dist": "normal", "mean": 0.5, "sd": 0.1}])
def test_valid_unit_values(value):
    assert check(unit=value)


@pytest.mark.parametrize("value,fragment", [
    (1.5, "≤ 1"), (-0.1, "≥ 0"), ({"value": 2.0, "assumption": "x"}, "[0, 1]"),
    ({"dist": "uniform", "low": 0.5, "high": 1.2}, "1.2"),
    ({"dist": "uniform", "low": 0.5, "high": 0.5}, "below"),
    ({"dist": "triangular", "low": 0, "mode": 2, "high": 1}, "mode"),
    ({"dist": "normal", "mean": 0.5, "sd": 0}, "> 0"),
    ({"dist": "normal", "mean": 9, "sd": 0.1}, "probability mass"),
    ({"dist": "choice", "values": [0.5, 3]}, "3"),
    ({"dist": "choice", "values": [0.5], "weights": [1, 2]}, "weights"),
    ({"dist": "choice", "values": [0.5, 1], "weights": [0, 0]}, "zero"),
    ({"dist": "gamma", "k": 1}, "unknown distribution 'gamma'"),
    ({"mean": 1}, "'value'"),
    ("0.5", "text '0.5'"),
    (True, "boolean"),
    (None, "null"),
    (float("nan"), "finite"),
    (float("inf"), "finite"),
    ({"value": 0.5}, "needs 'evidence' or 'assumption'"),
    ({"value": 0.5, "assumption": "  "}, "blank"),
])
def test_invalid_unit_values(value, fragment):
    assert fragment in error(unit=value)


def test_normal_is_truncated_to_the_domain_by_default():
    h = check(unit={"dist": "normal", "mean": 0.5, "sd": 1}, nonneg={"dist": "normal", "mean": 1,
                                                                    "sd": 1})
    assert (h.unit.low, h.unit.high) == (0.0, 1.0)
    assert (h.nonneg.low, h.nonneg.high) == (0.0, None)
    assert support(h.nonneg) == (0.0, math.inf)


def test_explicit_normal_bounds_must_lie_in_the_domain():
    assert "-1" in error(unit={"dist": "normal", "mean": 0.5, "sd": 1, "low": -1})


def test_positive_domain_is_open_at_zero():
    assert "> 0" in error(positive=0)
    assert check(positive={"dist": "uniform", "low": 0, "high": 1})  # a draw is never exactly 0


def test_whole_number_domain():
    assert check(round=3).round == 3
    assert "whole" in error(round=2.5)
    assert check(round={"dist": "uniform", "low": 1, "high": 4.5})  # draws are rounded down
    assert "whole" in error(round={"dist": "choice", "values": [1, 2.5]})


def test_support_and_center():
    assert support(0.3) == (0.3, 0.3) and center(0.3) == 0.3
    c = Cited(value=0.4, assumption="x")
    assert support(c) == (0.4, 0.4)
    assert center(Choice(dist="choice", values=[0, 1], weights=[1, 3])) == 0.75
    assert center(Normal(dist="normal", mean=2, sd=1, low=0, high=1)) == 1
