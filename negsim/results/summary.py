"""The numbers of a Monte Carlo job, with their uncertainty, computed from its Tally.

Everything an analyst reads in the terminal and in summary.json comes from here:
agreement probability with a 95% Wilson interval; rounds to agreement (median, quartiles);
per issue the deal's median and 5/25/75/95 percentiles and the median no-deal point of the
runs without a deal; per actor the mean utility with a 95% t interval and how often it
blocked the last offer; how often each event was active and how often the mediator left.
Under an agenda, per stage: how often it was agreed (Wilson interval) and in which round.
"""

from __future__ import annotations

import math

import numpy as np

from .tally import Tally, histogram_quantiles, integer_quantiles

DEAL_PERCENTILES = (5, 25, 50, 75, 95)


def wilson(successes: int, trials: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion (NaN, NaN without trials)."""
    if trials == 0:
        return math.nan, math.nan
    from scipy import stats  # here: worker processes and `negsim validate` never need it

    ci = stats.binomtest(successes, trials).proportion_ci(level, method="wilson")
    return float(ci.low), float(ci.high)


def mean_interval(mean: float, variance: float, n: int, level: float = 0.95):
    """Student-t interval of a mean from its sample variance."""
    if n < 2 or not math.isfinite(variance):
        return math.nan, math.nan
    from scipy import stats

    half = stats.t.ppf(0.5 + level / 2, n - 1) * math.sqrt(variance / n)
    return float(mean - half), float(mean + half)


def _share(count: int, runs: int) -> float:
    return count / runs if runs else math.nan


def json_number(x) -> float | None:
    """A float for JSON: None for NaN."""
    x = float(x)
    return None if math.isnan(x) else x


def agreement(count: int, runs: int) -> dict:
    """How often something was agreed: probability, count and 95% Wilson interval."""
    low, high = wilson(count, runs)
    return {"probability": json_number(_share(count, runs)), "count": count,
            "ci95": [json_number(low), json_number(high)]}


def round_quantiles(counts: np.ndarray, note: str) -> dict:
    """Median, quartiles and 10th/90th percentiles of a round, from runs per round (exact)."""
    p10, q25, median, q75, p90 = integer_quantiles(counts, [0.1, 0.25, 0.5, 0.75, 0.9])
    return {"median": json_number(median), "q25": json_number(q25), "q75": json_number(q75),
            "p10": json_number(p10), "p90": json_number(p90), "note": note}


def summarize(tally: Tally, actors, issues, events, stages=()) -> dict:
    """The summary of a tally, as plain JSON-ready data (NaN written as null); ``stages``: the
    agenda's stage ids in order (none without an agenda)."""
    n = tally.runs
    mean, var = tally.utility_mean_var()
    result = {
        "runs": n,
        "agreement": agreement(tally.agreed, n),
        "rounds_to_agreement": round_quantiles(
            tally.deal_round, "round of the deal (0 = first round), deals only"),
        "stages": {
            stage: {"agreement": agreement(int(count), n),
                    "rounds_to_agreement": round_quantiles(
                        counts, "round the stage was agreed (0 = first round), runs that "
                        "agreed it only")}
            for stage, count, counts in zip(stages, tally.stage_agreed, tally.stage_round,
                                            strict=True)},
        "issues": {},
        "actors": {},
        "events": {name: {"count": int(c), "share": json_number(_share(int(c), n))}
                   for name, c in zip(events, tally.event, strict=True)},
        "mediator_left": {"count": tally.mediator_left,
                          "share": json_number(_share(tally.mediator_left, n))},
        "censored": {"count": tally.censored, "share": json_number(_share(tally.censored, n)),
                     "note": "no deal yet when the window (max_rounds) closed"},
        "mean_rounds_played": json_number(
            np.dot(np.arange(len(tally.rounds)), tally.rounds) / n if n else math.nan),
    }
    for k, issue in enumerate(issues):
        q = histogram_quantiles(tally.deal[k], tally.deal_span[:, k],
                                np.array(DEAL_PERCENTILES) / 100)
        (nd,) = histogram_quantiles(tally.no_deal[k], tally.no_deal_span[:, k], [0.5])
        result["issues"][issue] = {
            "deal": {f"p{p}": json_number(v) for p, v in zip(DEAL_PERCENTILES, q, strict=True)},
            "no_deal_median": json_number(nd),
        }
    for a, actor in enumerate(actors):
        lo, hi = mean_interval(mean[a], var[a], n)
        blocked = int(tally.blocker[a])
        result["actors"][actor] = {
            "mean_utility": json_number(mean[a]), "ci95": [json_number(lo), json_number(hi)],
            "blocked": blocked, "blocked_share": json_number(_share(blocked, n)),
            "deals_proposed": int(tally.proposer[a]),
        }
    return result
