"""Warnings about valid scenarios that cannot end in a deal, or not the way they seem to."""

from __future__ import annotations

from .params import support
from .schema import Scenario


def lint(scenario: Scenario) -> list[tuple[tuple, str]]:
    """(path, message) pairs for what is valid but surely unintended.

    Today: signatories whose red lines on an issue leave no settlement that all of them
    accept, whatever the draws, so no deal is ever possible.
    """
    found = []
    for iid in scenario.issues:
        floors, ceilings = [], []
        for aid in scenario.signatories:
            line = scenario.actors[aid].red_lines.get(iid)
            if line is not None and line.min is not None:
                floors.append((support(line.min)[0], aid))
            if line is not None and line.max is not None:
                ceilings.append((support(line.max)[1], aid))
        if floors and ceilings:
            (low, floor_actor), (high, ceiling_actor) = max(floors), min(ceilings)
            if low > high:
                found.append((("actors", ceiling_actor, "red_lines", iid, "max"),
                              f"no settlement on {iid} satisfies every signatory: "
                              f"{floor_actor} needs at least {low:g}, {ceiling_actor} at most "
                              f"{high:g}; no deal is possible"))
    return found
