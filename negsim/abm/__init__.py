"""The Mesa reference engine: one negotiation at a time, readable round by round."""

from __future__ import annotations

import numpy as np

from ..model.layout import Layout
from ..results.outcome import Outcomes
from ..sampling import BLOCK, sample
from ..scenario.schema import Scenario
from .agent import ActorAgent
from .model import NegotiationModel

__all__ = ["ActorAgent", "NegotiationModel", "run_abm", "play"]


def play(scenario: Scenario, seed: int, run: int, layout: Layout | None = None
         ) -> NegotiationModel:
    """Play run ``run`` of a scenario under ``seed`` and return the finished model."""
    batch = sample(scenario, seed, run, run + 1, layout)
    return NegotiationModel(batch.take(0), rng=_model_seed(seed, run)).run()


def run_abm(scenario: Scenario, seed: int, start: int, stop: int, progress=None) -> Outcomes:
    """Outcomes of runs ``start`` .. ``stop - 1``, one Mesa model per run."""
    layout = Layout.from_scenario(scenario)
    outcomes = Outcomes.empty(layout, np.arange(start, stop))
    for block_start in range(start - start % BLOCK, stop, BLOCK):
        lo, hi = max(start, block_start), min(stop, block_start + BLOCK)
        batch = sample(scenario, seed, lo, hi, layout)
        for i in range(hi - lo):
            model = NegotiationModel(batch.take(i), rng=_model_seed(seed, lo + i)).run()
            record(outcomes, lo + i - start, model)
            if progress is not None:
                progress(1)
    return outcomes


def record(outcomes: Outcomes, row: int, model: NegotiationModel) -> None:
    """Write a finished model's outcome into row ``row``."""
    outcomes.agreed[row] = model.agreed
    outcomes.round[row] = model.deal_round
    outcomes.rounds[row] = model.rounds_played
    outcomes.proposer[row] = model.accepted_proposer
    outcomes.blocker[row] = model.blocker
    outcomes.mediator_left[row] = model.mediator_left
    outcomes.censored[row] = model.censored
    if model.deal is not None:
        outcomes.deal[row] = model.deal
    outcomes.no_deal[row] = model.no_deal
    outcomes.utility[row] = model.final_utility
    outcomes.war[row] = model.final_war
    outcomes.event[row] = model.seen_events
    outcomes.stage_round[row] = model.stage_round


def _model_seed(seed: int, run: int) -> int:
    """A seed for Mesa's own generator (the model draws nothing: all draws are made up front)."""
    return int(np.random.SeedSequence(seed, spawn_key=(run,)).generate_state(1)[0])
