"""The Python entry point: simulate a scenario and get its Results."""

from __future__ import annotations

import hashlib
from pathlib import Path

from . import limits
from .model.layout import Layout
from .results.results import Results
from .results.tally import Tally
from .scenario import Scenario, load_scenario

ENGINES = ("vector", "numpy", "compiled", "abm")


def simulate(scenario: Scenario | str | Path, runs: int | None = None, seed: int | None = None,
             engine: str = "vector", progress=None, chunk_size: int | None = None,
             workers: int = 1, dask: str | None = None, keep_runs: bool = True) -> Results:
    """Run a scenario (a Scenario or a path to one) ``runs`` times under ``seed``.

    ``runs`` and ``seed`` default to the scenario's ``montecarlo`` section. ``engine``:
    "vector" (the fast path, default: the compiled engine where numba is installed and the
    scenario uses only what it plays, else the numpy engine), "numpy" or "compiled" (either
    batch engine by name; "compiled" raises ValueError where it cannot run), or "abm" (the
    Mesa reference engine, one run at a time). All give the same results. The batch engines
    work in chunks of ``chunk_size`` runs (rounded up to whole RNG blocks; by default sized
    for the engine and the scenario, see engine.chunks.chunk_size) on ``workers`` processes;
    results do not depend on either; ``dask`` ("local" or a scheduler address) runs the
    chunks on Dask instead.
    ``progress``, if given, is called with the number of runs finished since its
    last call. ``keep_runs=False`` keeps only the tally (the summary and the figures), so
    memory does not grow with the number of runs. Raises ValueError for sizes outside
    negsim's bounds (limits.py), limits.TooLarge before starting a job whose kept runs would
    not fit in memory, and NumericalError when a run's outcome is impossible.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    runs = scenario.montecarlo.runs if runs is None else runs
    seed = scenario.montecarlo.seed if seed is None else seed
    check_job(runs, seed, chunk_size, workers)
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; available: {', '.join(ENGINES)}")
    layout = Layout.from_scenario(scenario)
    if engine == "compiled":
        check_compiled(layout)
    if keep_runs or engine == "abm":  # the Mesa engine keeps every run
        limits.check_kept_runs([(layout, runs)], limits.SUMMARY_ONLY if engine == "vector"
                               else "use the vector engine, which can keep only the summary")
    if engine == "abm":
        from .abm import run_abm

        outcomes = run_abm(scenario, seed, 0, runs, progress)
        outcomes.check(layout)
        tally = Tally.of(outcomes, layout)
    else:
        from .engine import run_chunked

        outcomes, tally = run_chunked(scenario, seed, runs, chunk_size, workers, progress, dask,
                                      keep_runs, engine)
    return Results(scenario=scenario.name, tally=tally, seed=seed, engine=engine,
                   issues=layout.issues, actors=layout.actors, events=layout.events,
                   runs=outcomes.to_frame(layout) if keep_runs else None,
                   scenario_sha256=scenario_hash(scenario), labels=labels(scenario),
                   stages=layout.stages)


def check_job(runs: int, seed: int, chunk_size: int | None = None, workers: int = 1) -> None:
    """Raise ValueError when a job's size is outside the bounds negsim accepts (limits.py)."""
    bounds = (("runs", runs, 1, limits.MAX_RUNS), ("seed", seed, 0, limits.MAX_SEED),
              ("chunk_size", chunk_size, 1, limits.MAX_CHUNK),
              ("workers", workers, 1, limits.MAX_WORKERS))
    for name, value, low, high in bounds:
        if value is not None and not low <= value <= high:
            raise ValueError(f"{name} must be in [{low:,}, {high:,}] (got {value:,})")


def check_compiled(layout: Layout) -> None:
    """Raise ValueError when the compiled engine cannot play this scenario here."""
    from .engine import compiled

    if not compiled.available():
        raise ValueError("the compiled engine cannot run here: it needs numba (pip install "
                         "'negsim[fast]') and NEGSIM_COMPILED not set to 0; --engine numpy "
                         "needs nothing more")
    if not compiled.supports(layout):
        raise ValueError(f"{layout.name}: the compiled engine does not play agendas or "
                         "state-triggered events yet; use the numpy engine")


def labels(scenario: Scenario) -> dict:
    """What people read for each id: issue labels and the meaning of 0 and 1, actor names."""
    return {"issues": {k: {"label": i.label, "zero": i.zero, "one": i.one}
                       for k, i in scenario.issues.items()},
            "actors": {a: actor.name for a, actor in scenario.actors.items()}}


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the scenario's validated content (not of its file's comments or layout)."""
    return hashlib.sha256(scenario.model_dump_json().encode("utf-8")).hexdigest()
