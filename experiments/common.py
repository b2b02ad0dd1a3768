"""What every experiment shares: where it writes, how many runs, and how it reports."""

from __future__ import annotations

import copy
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

import negsim  # noqa: E402
from negsim.scenario.loader import load_scenario_data  # noqa: E402
from negsim.scenario.yamldoc import read_yaml  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
OUT = ROOT / "experiments" / "out"
RUNS = int(os.environ.get("NEGSIM_EXPERIMENT_RUNS", "50000"))  # runs per scenario or value
SEED = 20250318  # the baseline's seed: every experiment uses common random numbers
DPI = 100


def out_dir(name: str) -> Path:
    """experiments/out/<name>/, created."""
    folder = OUT / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save(fig, folder: Path, name: str) -> Path:
    """Save a figure as PNG at 100 dpi and close it."""
    path = folder / f"{name}.png"
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def edited(name: str, edit, new_name: str):
    """A scenario file's data, edited by ``edit(data)`` and validated under ``new_name``."""
    path = SCENARIOS / f"{name}.yaml"
    data = copy.deepcopy(read_yaml(path).data)
    edit(data)
    data["name"] = new_name
    return load_scenario_data(data, name=str(path), base_dir=path.parent)


def simulate_each(scenarios: dict, keep_runs: bool = False) -> list:
    """Each {label: scenario} run with RUNS runs and SEED, labelled for legends."""
    results = []
    for label, scenario in scenarios.items():
        r = negsim.simulate(scenario, runs=RUNS, seed=SEED, keep_runs=keep_runs)
        r.label = label
        results.append(r)
    return results


def num(x) -> str:
    """0.40213 -> '0.402'; None -> '–'."""
    return "–" if x is None else f"{x:.3f}"


def pct(p) -> str:
    """0.4731 -> '47.3%'."""
    return "–" if p is None else f"{p:.1%}"


def interval(entry: dict, percent: bool = True) -> str:
    """A {'difference'|'probability', 'ci95'} entry as 'x [lo, hi]'."""
    value = entry.get("difference", entry.get("probability"))
    low, high = entry["ci95"]
    fmt = pct if percent else (lambda v: "–" if v is None else f"{v:+.3f}")
    return f"{fmt(value)} [{fmt(low)}, {fmt(high)}]"


def write_report(folder: Path, title: str, question: str, lines: list[str],
                 runs: str | None = None) -> Path:
    """A short markdown report: the question, then the findings with their numbers
    (``runs``: how many runs, where it is not RUNS per scenario or value)."""
    runs = runs or f"{RUNS:,} per scenario or value"
    text = [f"# {title}", "", f"**Question.** {question}", "",
            f"Runs: {runs}, seed {SEED}, common random numbers. "
            "Results of the model under its assumptions, not forecasts.", "", *lines, ""]
    path = folder / "report.md"
    path.write_text("\n".join(text), encoding="utf-8")
    return path
