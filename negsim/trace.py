"""One run, round by round: the trace of the Mesa engine in the shape analysts read."""

from __future__ import annotations

from .abm import NegotiationModel, play
from .scenario.schema import Scenario


def trace(scenario: Scenario, seed: int, run: int) -> dict:
    """The trace of run ``run`` under ``seed``.

    ``{"rounds": [{"round", "proposer", "offer", "no_deal", "hazard", "events", "actors",
    "responses"}], "outcome": {"agreed", "round", "deal", "utilities", "censored", ...}}``.
    ``no_deal`` is the front q(t); ``hazard`` the perceived chance that the talks end before
    the next round; ``events`` the events active in the round; under an agenda, ``stage`` the
    stage on the table, ``table`` its issues and ``settled`` what earlier stages agreed;
    ``actors`` every actor's belief about the drift of each contested issue, value of war,
    floor, demand, next demand, threshold and utility of the offer; ``responses`` every actor
    required to accept that round's offer, the proposer included (utility, threshold, accept,
    inside_red_lines).
    """
    return trace_of(play(scenario, seed, run), seed, run)


def trace_of(model: NegotiationModel, seed: int, run: int) -> dict:
    """The trace of a finished model."""
    layout = model.params.layout
    blocker = layout.actors[model.blocker] if model.blocker >= 0 else None
    return {
        "scenario": layout.name,
        "seed": seed,
        "run": run,
        "rounds": model.trace,
        "outcome": {
            "agreed": model.agreed,
            "round": model.deal_round,
            "rounds": model.rounds_played,
            "proposer": layout.actors[model.accepted_proposer] if model.agreed else None,
            "blocker": blocker,
            "mediator_left": model.mediator_left,
            "censored": model.censored,
            "deal": (dict(zip(layout.issues, map(float, model.deal), strict=True))
                     if model.agreed else None),
            "no_deal": dict(zip(layout.issues, map(float, model.no_deal), strict=True)),
            "utilities": dict(zip(layout.actors, map(float, model.final_utility), strict=True)),
            "events": [name for name, seen in zip(layout.events, model.seen_events, strict=True)
                       if seen],
            **({"stages": {stage: (int(r) if r >= 0 else None)
                           for stage, r in zip(layout.stages, model.stage_round, strict=True)}}
               if layout.staged else {}),
        },
    }
