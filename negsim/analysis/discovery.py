"""Scenario discovery: the boxes of parameter space where an outcome of interest (no deal,
or a deal beyond a threshold on an issue) is concentrated, found by PRIM (the EMA
Workbench's implementation), with each box's restrictions in the parameters' own words.

PRIM peels the parameter space one slice at a time, keeping the box where the cases of
interest are densest. Along the way it trades *coverage* (the share of all cases of interest
inside the box) for *density* (the share of the box's points that are cases of interest).
The box chosen is the densest one that still covers at least MIN_COVERAGE of the cases.
Then the restrictions that hardly matter are dropped, one at a time, the least useful
first, while the box's density stays within PRUNE (relatively) of PRIM's own box, so that
the box reads as the few conditions that make the outcome likely. Both boxes are reported.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

MIN_COVERAGE = 0.5  # the box chosen covers at least half the cases of interest
PRUNE = 0.05  # a restriction whose removal lowers the box's density by less (relatively) goes
PEEL_ALPHA = 0.05  # the share of points each peel removes (the EMA Workbench's default)


@dataclass
class Discovery:
    """PRIM's trajectory for one outcome of interest and the box chosen on it."""

    target: str  # what the cases of interest are: "no deal", "territory deal above 0.7"
    cases: int  # how many of the points are cases of interest
    points: int
    trajectory: pd.DataFrame  # per box: coverage, density, mass, restricted dimensions (the
    #                           last row is the chosen box after pruning)
    chosen: int  # index into the trajectory: the last row, the box reported
    peeled: int  # index into the trajectory: PRIM's own box, before pruning
    limits: dict[str, tuple[float, float]]  # the chosen box's restrictions: path -> (lo, hi)
    ranges: dict[str, tuple[float, float]]  # each parameter's full range in the sample

    def summary(self) -> dict:
        """JSON-ready: the target, the chosen box with its coverage and density."""
        row = self.trajectory.iloc[self.chosen]
        peeled = self.trajectory.iloc[self.peeled]  # PRIM's own box, before pruning
        return {"target": self.target, "cases": self.cases, "points": self.points,
                "base_rate": self.cases / self.points if self.points else None,
                "trajectory": [{k: float(r[k]) for k in ("coverage", "density", "mass",
                                                          "res_dim")}
                               for _, r in self.trajectory.iloc[:-1].iterrows()],
                "peeled": {"coverage": float(peeled["coverage"]),
                           "density": float(peeled["density"]),
                           "restricted": int(peeled["res_dim"])},
                "box": {"coverage": float(row["coverage"]), "density": float(row["density"]),
                        "mass": float(row["mass"]),
                        "restrictions": {p: {"low": lo, "high": hi}
                                         for p, (lo, hi) in self.limits.items()}}}


def discover(x: pd.DataFrame, cases: np.ndarray, target: str) -> Discovery | None:
    """PRIM on the points ``x`` (one column per parameter) with ``cases`` marking the cases
    of interest; None when there are none (or every point is one)."""
    cases = np.asarray(cases, dtype=bool)
    if not cases.any() or cases.all():
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim

        box = prim.Prim(x, cases, peel_alpha=PEEL_ALPHA).find_box()
    trajectory = box.peeling_trajectory.reset_index(drop=True)
    eligible = trajectory.index[trajectory["coverage"] >= MIN_COVERAGE]
    best = trajectory.loc[eligible, "density"]
    chosen = int(best.index[best.to_numpy().argmax()])  # the first of equally dense boxes
    lims = box.box_lims[chosen]
    full = box.box_lims[0]
    limits = {}
    for column in x.columns:
        lo, hi = float(lims.loc[0, column]), float(lims.loc[1, column])
        if (lo, hi) != (float(full.loc[0, column]), float(full.loc[1, column])):
            limits[column] = (lo, hi)
    limits = _pruned(x, cases, limits)
    inside = _inside(x, limits)
    row = {"coverage": float(cases[inside].sum() / cases.sum()),
           "density": float(cases[inside].mean()), "mass": float(inside.mean()),
           "res_dim": len(limits)}
    trajectory = pd.concat([trajectory, pd.DataFrame([row])], ignore_index=True)
    ranges = {c: (float(x[c].min()), float(x[c].max())) for c in x.columns}
    return Discovery(target, int(cases.sum()), len(cases), trajectory, len(trajectory) - 1,
                     chosen, limits, ranges)


def _inside(x: pd.DataFrame, limits: dict) -> np.ndarray:
    inside = np.ones(len(x), dtype=bool)
    for column, (lo, hi) in limits.items():
        inside &= (x[column].to_numpy() >= lo) & (x[column].to_numpy() <= hi)
    return inside


def _pruned(x: pd.DataFrame, cases: np.ndarray, limits: dict) -> dict:
    """``limits`` without the restrictions that hardly raise the box's density: dropped one
    at a time, the least useful first, while the density stays within PRUNE (relatively) of
    PRIM's own box."""
    limits = dict(limits)
    peeled = cases[_inside(x, limits)].mean()
    while limits:
        densities = {}
        for column in limits:
            rest = {c: v for c, v in limits.items() if c != column}
            densities[column] = cases[_inside(x, rest)].mean()
        weakest = max(densities, key=densities.get)
        if densities[weakest] < (1 - PRUNE) * peeled:
            return limits
        del limits[weakest]
    return limits


def describe(discovery: Discovery, labels: dict[str, str]) -> str:
    """The chosen box in words: "Europe's reservation above 0.47 and Russia's patience below
    70 (covers 81% of the runs with no deal; 64% of the runs in it have no deal)"."""
    parts = []
    for path, (lo, hi) in discovery.limits.items():
        name = labels.get(path, path)
        full_lo, full_hi = discovery.ranges[path]
        if lo > full_lo and hi < full_hi:
            parts.append(f"{name} between {lo:.3g} and {hi:.3g}")
        elif lo > full_lo:
            parts.append(f"{name} above {lo:.3g}")
        else:
            parts.append(f"{name} below {hi:.3g}")
    row = discovery.trajectory.iloc[discovery.chosen]
    where = " and ".join(parts) if parts else "anywhere (no restriction)"
    return (f"{where} (covers {row['coverage']:.0%} of the runs with {discovery.target}; "
            f"{row['density']:.0%} of the runs in it have {discovery.target})")
