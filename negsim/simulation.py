"""The Python entry point: simulate a scenario and get its Results."""

from __future__ import annotations

from pathlib import Path

from .layout import Layout
from .results import Results
from .scenario import Scenario, load_scenario

ENGINES = ("abm",)


def simulate(scenario: Scenario | str | Path, runs: int | None = None, seed: int | None = None,
             engine: str = "abm", progress=None) -> Results:
    """Run a scenario (a Scenario or a path to one) ``runs`` times under ``seed``.

    ``runs`` and ``seed`` default to the scenario's ``montecarlo`` section. ``engine``:
    "abm", the Mesa reference engine. ``progress``, if given, is called with the number of
    runs finished since its last call.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    runs = scenario.montecarlo.runs if runs is None else runs
    seed = scenario.montecarlo.seed if seed is None else seed
    if runs < 1 or seed < 0:
        raise ValueError("runs must be at least 1 and seed at least 0")
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; available: {', '.join(ENGINES)}")
    from .abm import run_abm

    layout = Layout.from_scenario(scenario)
    outcomes = run_abm(scenario, seed, 0, runs, progress)
    return Results(scenario=scenario.name, runs=outcomes.to_frame(layout), seed=seed,
                   engine=engine, issues=layout.issues, actors=layout.actors,
                   events=layout.events)
