"""Synthetic jobs with an agenda, built from Outcomes filled by hand (no engine is run), for the
tests of the results pipeline: tally, summary, figures, reports and comparisons."""

from __future__ import annotations

import dataclasses

import numpy as np

from negsim.model.layout import Layout
from negsim.results import Results
from negsim.results.outcome import Outcomes
from negsim.results.tally import Tally
from negsim.scenario import load_scenario
from tests.conftest import BASELINE

STAGES = ("ceasefire", "settlement")
PLAIN = Layout.from_scenario(load_scenario(BASELINE))  # no agenda


def staged_layout(stages: tuple[str, ...] = STAGES) -> Layout:
    """The baseline's layout with an agenda of ``stages`` (none: the baseline as it is)."""
    return dataclasses.replace(PLAIN, stages=tuple(stages))


def staged_outcomes(layout: Layout, run, seed: int = 0, agree=0.7, pace: float = 8.0,
                    skip: float = 0.0) -> Outcomes:
    """Outcomes of runs ``run`` under ``layout``'s agenda: each stage is agreed with
    probability ``agree`` (one per stage, or one for all) a geometric number of rounds (mean
    ``pace``) after the one before; with probability ``skip`` a stage that was not agreed is
    skipped and the talks go on. Stage rounds beyond the window are not agreed. The final
    stage's agreement is the deal (the run is censored otherwise)."""
    rng = np.random.default_rng(seed)
    run = np.asarray(run)
    n, s, t = len(run), len(layout.stages), layout.max_rounds
    out = Outcomes.empty(layout, run)
    agree = np.broadcast_to(np.asarray(agree, dtype=float), (s,))
    start = np.zeros(n, np.int64)  # the round each stage opens in
    going = np.ones(n, bool)  # talks still on at the stage
    for i in range(s):
        r = start + rng.geometric(1.0 / pace, n) - 1
        agreed = going & (rng.random(n) < agree[i]) & (r < t)
        out.stage_round[:, i] = np.where(agreed, r, -1)
        going &= agreed | (rng.random(n) < skip)
        start = np.where(agreed, r + 1, start + 1)
    if s:
        out.agreed[:] = out.stage_round[:, -1] >= 0
        out.round[:] = out.stage_round[:, -1]
    out.rounds[:] = np.where(out.agreed, out.round + 1, t)
    out.censored[:] = ~out.agreed
    out.proposer[out.agreed] = rng.integers(0, len(layout.actors), int(out.agreed.sum()))
    out.blocker[~out.agreed] = 0
    out.deal[out.agreed] = rng.random((int(out.agreed.sum()), len(layout.issues)))
    out.no_deal[:] = rng.random(out.no_deal.shape)
    out.utility[:] = rng.uniform(-0.2, 1.0, out.utility.shape)
    return out


def staged_results(stages: tuple[str, ...] = STAGES, runs: int = 2000, seed: int = 0,
                   label: str = "", keep_runs: bool = True, **options) -> Results:
    """Results of a synthetic job with an agenda of ``stages`` (``options``: see
    staged_outcomes), named ``label`` (default: staged, or plain without stages)."""
    layout = staged_layout(stages)
    outcomes = staged_outcomes(layout, np.arange(runs), seed, **options)
    name = label or ("staged" if stages else "plain")
    return Results(scenario=name, tally=Tally.of(outcomes, layout), seed=1, engine="vector",
                   issues=layout.issues, actors=layout.actors, events=layout.events,
                   stages=layout.stages,
                   runs=outcomes.to_frame(layout) if keep_runs else None)
