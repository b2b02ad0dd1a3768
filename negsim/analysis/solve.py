"""Reference solutions of a scenario, run by run: where the standard theories say a deal
should land, beside where the simulated talks land it (docs/solutions.md).

Every sampled run is a bargaining problem among the actors a deal that moves every issue
needs (the signatories and every veto holder), over the settlements inside all their red
lines, with the values of war at round 0 as the disagreement point. For each run this
module computes whether a bargaining range exists (over the values of war, and over the
floors that add the reservations), the Nash bargaining solution (symmetric, and weighted by
capability), the Kalai-Smorodinsky solution, the compromise model, the weighted median and
the expected utility model. Runs are taken in chunks; a run's answer does not depend on the
chunk it is in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..model import assessment
from ..model.events import round_parameters
from ..model.layout import Layout
from ..results.summary import json_number
from ..sampling import BLOCK, ParameterBatch, sample
from ..scenario import Scenario
from ..solutions import axiomatic, expected_utility, voting
from ..solutions.problem import bargaining

CONCEPTS = {  # id: what tables and legends call it
    "nash": "Nash bargaining solution",
    "nash_weighted": "Nash, weighted by capability",
    "kalai_smorodinsky": "Kalai-Smorodinsky",
    "compromise": "compromise (weighted mean)",
    "median": "weighted median",
    "expected_utility": "expected utility model",
}
CHUNK = BLOCK  # runs solved at once, at most
WORKING_SET = 2**26  # bytes: a chunk's largest array (utopia or expected utility) stays below


def chunk_runs(layout: Layout, limit: int = CHUNK) -> int:
    """Runs per chunk: at most ``limit``, fewer when many required actors or issues would
    make the solvers' largest arrays exceed WORKING_SET (the utopia problems are (N m, m, n)
    with n = K (m + 1); the expected utility model's votes (N K, m, m, m))."""
    m, k = int(layout.members.sum()), len(layout.issues)
    per_run = 8 * max(m * m * k * (m + 1), k * m**3)
    return max(1, min(limit, WORKING_SET // per_run))


@dataclass
class Solutions:
    """Each concept's settlement of every run (N, K) (NaN where it has none), and the
    bargaining range at round 0."""

    run: np.ndarray  # (N,)
    points: dict[str, np.ndarray]  # concept -> (N, K)
    margin: np.ndarray  # (N,) max_x min_i (u_i(x) - W_i(0)); NaN: no deal inside the red lines
    range_war: np.ndarray  # (N,) bool: a deal every required actor prefers to fighting on
    range_floor: np.ndarray  # (N,) bool: ... and that meets every reservation too
    range_deal: np.ndarray  # (N,) 1.0 / 0.0: a range over the values of war in the round of
    #                         the run's deal; NaN for runs without a deal (or not simulated)
    required: tuple[str, ...]
    issues: tuple[str, ...]

    def to_frame(self) -> pd.DataFrame:
        """One row per run: the ranges, the margin and every concept's settlement."""
        columns = {"run": self.run, "range": self.range_war,
                   "range_with_reservations": self.range_floor,
                   "range_at_deal": self.range_deal, "margin": self.margin}
        for concept, points in self.points.items():
            for k, issue in enumerate(self.issues):
                columns[f"{concept}.{issue}"] = points[:, k]
        return pd.DataFrame(columns)


def solve_batch(params: ParameterBatch, war_at_deal: np.ndarray | None = None) -> Solutions:
    """Every reference solution of the runs of one batch (its arrays run-first).
    ``war_at_deal`` (N, A), NaN for runs without a deal, gives the values of war in the
    round of each simulated deal, for the range at that round."""
    layout = params.layout
    required = np.flatnonzero(layout.members)
    war, floor, capability = _round_zero(params)
    take = lambda a: a[:, required]  # noqa: E731
    ideal, weight = take(params.ideal), take(params.salience)
    low, high = take(params.red_low), take(params.red_high)
    problem = bargaining(ideal, weight, low, high, take(war))
    found = axiomatic.bargaining_range(problem)
    with_floor = axiomatic.bargaining_range(bargaining(ideal, weight, low, high, take(floor)))
    points = {
        "nash": axiomatic.nash(problem, found),
        "nash_weighted": axiomatic.nash(problem, found, take(capability)),
        "kalai_smorodinsky": axiomatic.kalai_smorodinsky(problem, found),
    }
    c = take(capability)
    box = lambda x: np.where(problem.feasible[:, None],  # noqa: E731  inside every red line
                             np.clip(x, problem.low, np.maximum(problem.low, problem.high)),
                             np.nan)
    points["compromise"] = box(voting.compromise(ideal, c, weight))
    points["median"] = box(voting.weighted_median(ideal, c, weight))
    n, m, k = ideal.shape
    per_issue = lambda a: a.transpose(0, 2, 1).reshape(n * k, m)  # noqa: E731
    forecast = expected_utility.forecast(per_issue(ideal), np.repeat(c, k, axis=0),
                                         per_issue(weight))
    points["expected_utility"] = box(forecast.median.reshape(n, k))
    range_deal = np.full(n, np.nan)
    if war_at_deal is not None:
        agreed = ~np.isnan(war_at_deal).any(axis=1)
        at_deal = np.where(agreed[:, None], war_at_deal, 0.0)[:, required]
        found_then = axiomatic.bargaining_range(bargaining(ideal, weight, low, high, at_deal))
        range_deal = np.where(agreed, found_then.exists.astype(float), np.nan)
    return Solutions(run=params.run, points=points, margin=found.margin,
                     range_war=found.exists, range_floor=with_floor.exists,
                     range_deal=range_deal,
                     required=tuple(layout.actors[a] for a in required), issues=layout.issues)


def _round_zero(params: ParameterBatch):
    """The values of war W_i(0), the floors max(r_i, W_i(0)) and the capabilities in force
    at round 0 (events scheduled for round 0 included), (N, A) each."""
    p = params.runs_last()
    now = round_parameters(p, 0)
    _, war = assessment.value_of_war(0, now, p.status_quo, p.status_quo, p.ideal, p.salience,
                                     p.horizon)
    floor = np.maximum(now.reservation, war)
    capability = np.broadcast_to(now.capability, war.shape)
    return war.T, floor.T, np.ascontiguousarray(capability.T)


def solve_chunk(scenario: Scenario, seed: int, start: int, stop: int,
                war_at_deal: np.ndarray | None = None) -> Solutions:
    """The reference solutions of runs ``start`` .. ``stop - 1`` (the unit of work)."""
    return solve_batch(sample(scenario, seed, start, stop), war_at_deal)


def solve(scenario: Scenario, runs: int, seed: int, chunk_size: int = CHUNK,
          progress=None, simulated: pd.DataFrame | None = None, workers: int = 1) -> Solutions:
    """The reference solutions of runs 0 .. runs - 1 of ``scenario`` under ``seed``, in
    chunks of ``chunk_size`` runs on ``workers`` processes (neither changes the answer).
    ``simulated``, the runs of the same job (Results.runs), adds the bargaining range in the
    round of each deal."""
    from ..engine.chunks import run_pooled

    layout = Layout.from_scenario(scenario)
    war = None
    if simulated is not None:
        war = simulated[[f"war.{a}" for a in layout.actors]].to_numpy(float, copy=True)
        war[~simulated["agreed"].to_numpy(bool)] = np.nan
    chunk_size = chunk_runs(layout, chunk_size)
    ranges = [(start, min(runs, start + chunk_size)) for start in range(0, runs, chunk_size)]
    arguments = lambda start, stop: (scenario, seed, start, stop,  # noqa: E731
                                     None if war is None else war[start:stop])
    parts = _Parts(progress)
    if workers > 1 and len(ranges) > 1:
        run_pooled(solve_chunk, arguments, ranges, min(workers, len(ranges)), parts)
    else:
        for start, stop in ranges:
            parts.add(solve_chunk(*arguments(start, stop)), stop - start)
    found = parts.items
    first = found[0]
    return Solutions(
        run=np.concatenate([s.run for s in found]),
        points={c: np.concatenate([s.points[c] for s in found]) for c in first.points},
        margin=np.concatenate([s.margin for s in found]),
        range_war=np.concatenate([s.range_war for s in found]),
        range_floor=np.concatenate([s.range_floor for s in found]),
        range_deal=np.concatenate([s.range_deal for s in found]),
        required=first.required, issues=layout.issues)


class _Parts:
    """Chunks' solutions in run order, with progress."""

    def __init__(self, progress):
        self.items: list[Solutions] = []
        self.progress = progress

    def add(self, part: Solutions, runs: int) -> None:
        self.items.append(part)
        if self.progress is not None:
            self.progress(runs)


def _quartiles(values: np.ndarray) -> dict:
    values = values[~np.isnan(values)]
    if not len(values):
        return {"median": None, "q1": None, "q3": None, "runs": 0}
    q1, median, q3 = np.quantile(values, [0.25, 0.5, 0.75])
    return {"median": json_number(median), "q1": json_number(q1), "q3": json_number(q3),
            "runs": int(len(values))}


def summarize(solutions: Solutions, simulated: pd.DataFrame | None = None,
              scenario: str = "", seed: int | None = None, scenario_sha256: str = "") -> dict:
    """Median and quartiles over runs of each concept on each issue, the simulated deal
    beside them (from ``simulated``, the job's runs), and the shares of runs with a
    bargaining range: at round 0 over the values of war and over the floors, and in the
    round of the deal among the runs that agreed."""
    n = len(solutions.run)
    share = lambda mask: json_number(float(np.mean(mask)) if len(mask) else math.nan)  # noqa: E731
    agreed = solutions.range_deal[~np.isnan(solutions.range_deal)]
    from .. import __version__

    summary = {
        "scenario": scenario,
        "scenario_sha256": scenario_sha256,
        "negsim": __version__,
        "seed": seed,
        "runs": n,
        "required": list(solutions.required),
        "range": {"round_0": share(solutions.range_war),
                  "round_0_with_reservations": share(solutions.range_floor),
                  "at_agreement": share(agreed), "agreed_runs": int(len(agreed))},
        "issues": {},
    }
    for k, issue in enumerate(solutions.issues):
        row = {c: _quartiles(points[:, k]) for c, points in solutions.points.items()}
        if simulated is not None:
            row["simulated"] = _quartiles(simulated[f"deal.{issue}"].to_numpy(float))
        summary["issues"][issue] = row
    return summary


def medians(summary: dict) -> dict[str, dict[str, float | None]]:
    """{concept: {issue: median over runs}}: the markers drawn on deal figures."""
    out: dict[str, dict] = {c: {} for c in CONCEPTS}
    for issue, row in summary["issues"].items():
        for concept in CONCEPTS:
            out[concept][issue] = row[concept]["median"]
    return out


REFERENCE_RUNS = 1024  # runs whose solutions give the markers of run and compare figures


def reference_medians(scenario: Scenario, runs: int, seed: int) -> dict:
    """{concept: {issue: median}} over the first min(runs, REFERENCE_RUNS) runs of a job:
    the markers ``negsim run`` and ``compare`` draw on their deal figures."""
    found = solve(scenario, min(runs, REFERENCE_RUNS), seed)
    return medians(summarize(found))


def solve_files(solutions: Solutions, summary: dict, labels: dict,
                simulated: pd.DataFrame | None, directory) -> dict:
    """{path: writer} of solutions.json, solutions.csv and solutions.png in ``directory``."""
    import json
    from pathlib import Path

    from ..plots import png_writer, solutions_figure

    directory = Path(directory)
    text = json.dumps(summary, indent=2, allow_nan=False) + "\n"
    deals = None if simulated is None else simulated[
        [f"deal.{k}" for k in solutions.issues]].to_numpy(float)
    frame = solutions.to_frame()
    return {
        directory / "solutions.json": lambda tmp: Path(tmp).write_text(text, encoding="utf-8"),
        directory / "solutions.csv": lambda tmp: frame.to_csv(tmp, index=False),
        directory / "solutions.png": png_writer(solutions_figure(solutions, deals, labels,
                                                                 summary["scenario"])),
    }
