"""Golden baselines: a seeded summary of every scenario file, committed, and compared in the
tests (tests/test_golden.py) within stated tolerances.

Refresh them deliberately, after a change that is meant to move results, with
``python -m tests.golden`` (or ``make golden``) and say why in the commit message.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import negsim

HERE = Path(__file__).resolve().parent / "golden"
SCENARIOS = HERE.parent.parent / "scenarios"
RUNS, SEED = 4096, 11  # one RNG block, a fixed seed

# How far a fresh run may stray from the golden summary: same code and seed give identical
# numbers; the tolerances only absorb floating-point differences between platforms and
# library versions (a run that flips changes a probability by 1/4096 = 0.00024).
TOLERANCE = {"probability": 0.003, "deal": 0.005, "utility": 0.002, "share": 0.003}


def golden_summary(path: Path) -> dict:
    """The numbers kept for one scenario file."""
    s = negsim.simulate(path, runs=RUNS, seed=SEED).summary()
    return {
        "scenario": s["scenario"], "runs": RUNS, "seed": SEED,
        "agreement_probability": s["agreement"]["probability"],
        "rounds_to_agreement_median": s["rounds_to_agreement"]["median"],
        "mediator_left_share": s["mediator_left"]["share"],
        "median_deal": {k: v["deal"]["p50"] for k, v in s["issues"].items()},
        "mean_utility": {a: v["mean_utility"] for a, v in s["actors"].items()},
        "blocked_share": {a: v["blocked_share"] for a, v in s["actors"].items()},
        "event_share": {e: v["share"] for e, v in s["events"].items()},
    }


def path_for(scenario_file: Path) -> Path:
    """Where the golden summary of a scenario file lives."""
    return HERE / f"{scenario_file.stem}.json"


def refresh() -> None:
    """Rewrite every golden summary from the current code."""
    for scenario_file in sorted(SCENARIOS.glob("*.yaml")):
        path_for(scenario_file).write_text(
            json.dumps(golden_summary(scenario_file), indent=2, sort_keys=True) + "\n")
        print(f"wrote {path_for(scenario_file).relative_to(HERE.parent.parent)}")


if __name__ == "__main__":
    refresh()
    sys.exit(0)
