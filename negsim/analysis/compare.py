"""Compare scenarios run with common random numbers: differences from the first scenario,
with intervals.

Every scenario is run with the same seed, so runs with the same number share the draws of
every parameter the scenarios share. Differences that are defined run by run (agreement, an
actor's final utility) are therefore paired, and their intervals are the paired Student-t
intervals of the mean difference: much narrower than comparing two independent samples.
Median deals come from different subsets of runs (those with a deal), so their difference
gets a percentile bootstrap interval. The 1-D Wasserstein distance between the deal
distributions of an issue is the mean distance the deal moves, on the issue's 0-1 scale.
Under agendas, each job's agreement of each stage is reported too (stages matched by id).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from ..results.results import Results, common_actors, common_issues
from ..results.summary import json_number

BOOTSTRAP_RESAMPLES = 999


def paired_difference(x: np.ndarray, y: np.ndarray, level: float = 0.95) -> dict:
    """Mean of x - y run by run, with its Student-t interval."""
    d = np.asarray(x, dtype=float) - np.asarray(y, dtype=float)
    n = len(d)
    mean = float(d.mean()) if n else math.nan
    if n < 2:
        return {"difference": json_number(mean), "ci95": [None, None]}
    sd = float(d.std(ddof=1))
    half = stats.t.ppf(0.5 + level / 2, n - 1) * sd / math.sqrt(n)
    return {"difference": json_number(mean),
            "ci95": [json_number(mean - half), json_number(mean + half)]}


def median_difference(x: np.ndarray, y: np.ndarray, seed: int) -> dict:
    """median(x) - median(y) of two independent samples, with a percentile bootstrap
    interval (seeded, so the same inputs give the same interval)."""
    if len(x) == 0 or len(y) == 0:
        return {"difference": None, "ci95": [None, None]}
    diff = float(np.median(x) - np.median(y))
    if len(x) < 2 or len(y) < 2:
        return {"difference": diff, "ci95": [None, None]}

    def statistic(a, b, axis):
        return np.median(a, axis=axis) - np.median(b, axis=axis)

    result = stats.bootstrap((x, y), statistic, n_resamples=BOOTSTRAP_RESAMPLES,
                             method="percentile", vectorized=True, batch=50,
                             rng=np.random.default_rng(seed))
    ci = result.confidence_interval
    return {"difference": diff, "ci95": [json_number(ci.low), json_number(ci.high)]}


def compare(results: list[Results]) -> dict:
    """Differences of every job from the first (which must have kept its runs, all with the
    same seed and number of runs), on the issues and actors they all share."""
    if len(results) < 2:
        raise ValueError("compare needs at least two scenarios")
    reference = results[0]
    for r in results:
        if r.runs is None:
            raise ValueError("compare needs the runs of every scenario (keep_runs=True)")
        if (r.seed, len(r)) != (reference.seed, len(reference)):
            raise ValueError("compare needs the same seed and number of runs for every "
                             "scenario (common random numbers)")
    issues, actors = common_issues(results), common_actors(results)
    notes = []
    for r in results:
        extra = [k for k in r.issues if k not in issues]
        if extra:
            notes.append(f"{r.label} also has issues {', '.join(extra)}, left out of the "
                         f"comparison")
        extra = [a for a in r.actors if a not in actors]
        if extra:
            notes.append(f"{r.label} also has actors {', '.join(extra)}, left out of the "
                         f"comparison")
    words = reference.labels.get("issues", {})
    for r in results[1:]:
        theirs = r.labels.get("issues", {})
        for k in issues:
            mine_k, their_k = words.get(k, {}), theirs.get(k, {})
            if (mine_k.get("zero"), mine_k.get("one")) != (their_k.get("zero"),
                                                          their_k.get("one")):
                notes.append(f"{r.label} describes 0 and 1 of issue {k} differently from "
                             f"{reference.label}; the figures use {reference.label}'s words")
    base = reference.runs
    out = {"reference": reference.label, "runs": len(reference), "seed": reference.seed,
           "issues": issues, "actors": actors, "stages": all_stages(results), "notes": notes,
           "scenarios": {}, "differences": {}}
    for r in results:
        s = r.summary()
        out["scenarios"][r.label] = {
            "scenario": r.scenario, "scenario_sha256": r.scenario_sha256,
            "agreement": s["agreement"],
            "stages": {stage: row["agreement"] for stage, row in s["stages"].items()},
            "median_deal": {k: s["issues"][k]["deal"]["p50"] for k in issues},
            "mean_utility": {a: s["actors"][a]["mean_utility"] for a in actors},
        }
    for r in results[1:]:
        runs = r.runs
        row = {"agreement": paired_difference(runs["agreed"], base["agreed"]),
               "issues": {}, "actors": {}}
        for k in issues:
            mine = runs.loc[runs["agreed"], f"deal.{k}"].to_numpy()
            theirs = base.loc[base["agreed"], f"deal.{k}"].to_numpy()
            entry = median_difference(mine, theirs, reference.seed)
            entry["wasserstein"] = (json_number(stats.wasserstein_distance(mine, theirs))
                                    if len(mine) and len(theirs) else None)
            row["issues"][k] = entry
        for a in actors:
            row["actors"][a] = paired_difference(runs[f"utility.{a}"], base[f"utility.{a}"])
        out["differences"][r.label] = row
    return out


def all_stages(results: list[Results]) -> list[str]:
    """Every stage id of any job's agenda: the first job's in order, then each new one."""
    stages: list[str] = []
    for r in results:
        stages += [stage for stage in r.stages if stage not in stages]
    return stages


def unique_labels(names: list[str], stems: list[str]) -> list[str]:
    """Legend names: scenario names, or file stems where names repeat, numbered if still
    equal."""
    labels = [n if names.count(n) == 1 else s for n, s in zip(names, stems, strict=True)]
    seen: dict[str, int] = {}
    unique = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        unique.append(label if labels.count(label) == 1 else f"{label} ({seen[label]})")
    return unique
