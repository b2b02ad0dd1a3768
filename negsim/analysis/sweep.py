"""Sweep one parameter of a scenario over a list of values, with common random numbers.

A parameter is named by its path in the scenario file (``actors.ukraine.war_cost``,
``battlefield.territory.drift``, ``protocol.max_rounds``): every numeric parameter listed by
``negsim evidence`` can be swept, plus ``protocol.max_rounds``. At each value the parameter is
set to that number (a distribution becomes that number) and the scenario is validated again,
so a value outside the parameter's range is refused with the usual message. Every value runs
with the same seed, so the runs differ only through the swept parameter.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from ..limits import MAX_SWEEP_VALUES
from ..scenario import ScenarioError
from ..scenario.overrides import OverrideError, check_path, settable, with_values
from ..scenario.schema import Scenario
from ..scenario.yamldoc import read_yaml


class SweepError(ValueError):
    """A sweep that cannot be run as asked (unknown path, bad values); the message says why."""


def sweepable(scenario: Scenario) -> list[str]:
    """Every path that can be swept in this scenario, in file order."""
    return settable(scenario)


def parse_values(values: str | None, range_: str | None) -> list[float]:
    """The values of ``--values a,b,c`` or ``--range lo:hi:n`` (n evenly spaced values, at
    most MAX_SWEEP_VALUES, checked before any is made)."""
    if (values is None) == (range_ is None):
        raise SweepError("give either --values a,b,c or --range lo:hi:n")
    try:
        if values is not None:
            items = [v for v in values.split(",") if v.strip()]
            _check_count(len(items), "--values")
            out = [float(v) for v in items]
        else:
            lo, hi, n = range_.split(":")
            count = int(n)
            if count < 2:
                raise SweepError("--range lo:hi:n needs n >= 2")
            _check_count(count, "--range")
            raw = [float(v) for v in np.linspace(float(lo), float(hi), count)]
            out = [raw[0], *map(clean, raw[1:-1]), raw[-1]]
            if len(set(out)) < len(set(raw)):  # too fine a grid to write shorter
                out = raw
    except SweepError:
        raise
    except ValueError:
        raise SweepError("--values takes numbers separated by commas (0.1,0.2); --range "
                         "takes lo:hi:n (0:0.1:5)") from None
    if not out or not all(math.isfinite(v) for v in out):
        raise SweepError("the sweep needs at least one finite value")
    return out


def _check_count(count: int, option: str) -> None:
    if count > MAX_SWEEP_VALUES:
        raise SweepError(f"{option}: a sweep takes at most {MAX_SWEEP_VALUES:,} values "
                         f"(got {count:,}); sweep a coarser grid, or split it")


def clean(x: float) -> float:
    """An evenly spaced value as one would write it: 0.34, not 0.3399999999999882 (the
    nearest number of 12 significant digits, far below any parameter's meaning)."""
    return float(f"{x:.12g}")


def variants(path: str | Path, param: str, values: list[float]) -> list[Scenario]:
    """The scenario file with ``param`` set to each value, each validated."""
    path = Path(path)
    from ..scenario import load_scenario

    scenario = load_scenario(path)
    try:
        check_path(param, sweepable(scenario))
    except OverrideError as exc:
        raise SweepError(str(exc)) from None
    data = read_yaml(path).data
    out = []
    for value in values:
        try:
            out.append(with_values(data, {param: value}, str(path), path.parent))
        except OverrideError as exc:
            raise SweepError(str(exc)) from None
        except ScenarioError as exc:
            reasons = "; ".join(p.message for p in exc.problems)
            raise SweepError(f"{param} = {value:g} is not a valid value: {reasons}") from None
    return out


def sweep_frame(param: str, values: list[float], results) -> pd.DataFrame:
    """One row per value: agreement with its interval, rounds, deals and utilities, and under
    an agenda each stage's agreement (with its interval) and median round."""
    rows = []
    for value, r in zip(values, results, strict=True):
        s = r.summary()
        low, high = s["agreement"]["ci95"]
        row = {param: value, "runs": s["runs"],
               "agreement_probability": s["agreement"]["probability"],
               "agreement_ci_low": low, "agreement_ci_high": high,
               "rounds_to_agreement_median": s["rounds_to_agreement"]["median"]}
        for k, entry in s["issues"].items():
            for p in ("p25", "p50", "p75"):
                row[f"deal_{p}.{k}"] = entry["deal"][p]
        for a, entry in s["actors"].items():
            row[f"mean_utility.{a}"] = entry["mean_utility"]
        for stage, entry in s.get("stages", {}).items():  # under an agenda
            agreed = entry["agreement"]
            row[f"stage_agreed.{stage}"] = agreed["probability"]
            row[f"stage_agreed_ci_low.{stage}"], row[f"stage_agreed_ci_high.{stage}"] = (
                agreed["ci95"])
            row[f"stage_round_median.{stage}"] = entry["rounds_to_agreement"]["median"]
        rows.append(row)
    frame = pd.DataFrame(rows)
    return frame.astype({c: (int if c == "runs" else float) for c in frame.columns})
