"""The sizes negsim accepts, and the memory a job needs: checked before a job starts.

The same bounds hold in a scenario file (``montecarlo.runs``), on the command line (``-n``)
and in the Python API, so a job that one refuses the others refuse too.
"""

from __future__ import annotations

import os
from dataclasses import fields

from .model.layout import Layout
from .scenario.params import MAX_RUNS, MAX_SEED  # runs of one job (per scenario, per value)

MAX_CHUNK = 2**20  # runs per chunk (a chunk's arrays must fit in memory many times over)
MAX_WORKERS = 256
MAX_SWEEP_VALUES = 1_000  # values of one sweep
MAX_TRACE_EVERY = 10_000

__all__ = ["MAX_RUNS", "MAX_SEED", "MAX_CHUNK", "MAX_WORKERS", "MAX_SWEEP_VALUES",
           "TooLarge", "check_kept_runs", "kept_runs_bytes", "available_bytes"]

# Peak memory of a job that keeps its runs, measured with make bench (1 M baseline runs
# kept: 580 MiB with the compiled engine, 493 MiB with numpy): the interpreter and its
# libraries (numba's included), a window of chunks in flight, and the outcomes about twice
# (the job's arrays, the Parquet file written from them), kept at four for a margin.
BASE_BYTES = 300 * 2**20
COPIES = 4


def outcome_bytes(layout: Layout) -> int:
    """Bytes one run's outcome takes in memory (Outcomes: run numbers, flags, rounds,
    deal and no-deal point per issue, utility and value of war per actor, events)."""
    from .results.outcome import Outcomes

    a, k, e = len(layout.actors), len(layout.issues), len(layout.events)
    sizes = {"agreed": 1, "mediator_left": 1, "censored": 1, "deal": 8 * k,
             "no_deal": 8 * k, "utility": 8 * a, "war": 8 * a, "event": e}
    return sum(sizes.get(f.name, 8) for f in fields(Outcomes))


def kept_runs_bytes(jobs: list[tuple[Layout, int]]) -> int:
    """Estimated peak memory of jobs (layout, runs) held together that keep every run."""
    return BASE_BYTES + sum(COPIES * runs * outcome_bytes(layout) for layout, runs in jobs)


def available_bytes() -> int | None:
    """Memory available to a new job: MemAvailable on Linux, less if a cgroup (a container)
    allows less; physical memory elsewhere; None when it cannot be told."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    free = int(line.split()[1]) * 1024
                    limit = _cgroup_room()
                    return free if limit is None else min(free, limit)
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (OSError, ValueError, AttributeError):
        return None


def _cgroup_room() -> int | None:
    """What a cgroup v2 memory limit leaves (memory.max - memory.current), if there is one."""
    try:
        with open("/sys/fs/cgroup/memory.max", encoding="ascii") as f:
            limit = f.read().strip()
        with open("/sys/fs/cgroup/memory.current", encoding="ascii") as f:
            used = int(f.read().strip())
    except (OSError, ValueError):
        return None
    return None if limit == "max" else max(int(limit) - used, 0)


class TooLarge(ValueError):
    """A job refused before it starts because it would not fit in memory."""


SUMMARY_ONLY = "keep only the summary (negsim run --summary-only; keep_runs=False in Python)"


def check_kept_runs(jobs: list[tuple[Layout, int]], advice: str = SUMMARY_ONLY,
                    available: int | None = None) -> None:
    """Raise TooLarge when keeping every run of the jobs (layout, runs) would not fit in
    memory (``available``: the bytes free, by default what the system reports); the message
    ends with ``advice``."""
    need = kept_runs_bytes(jobs)
    have = available_bytes() if available is None else available
    runs = sum(n for _, n in jobs)
    if have is not None and need > have:
        raise TooLarge(f"keeping all {runs:,} runs needs about {gib(need)} of memory and "
                       f"{gib(have)} is available; run fewer, or {advice}")




def gib(n: int) -> str:
    """Bytes as text in GiB (or MiB below one GiB)."""
    return f"{n / 2**30:.1f} GiB" if n >= 2**30 else f"{n / 2**20:.0f} MiB"
