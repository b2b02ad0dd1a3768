"""Run every experiment (or those named): ``python -m experiments [name ...]``."""

from __future__ import annotations

import importlib
import sys
import time

from .common import OUT, RUNS

EXPERIMENTS = ("forces", "us_leverage", "eu_veto", "guarantees", "walk_away", "agenda",
               "sensitivity")


def main(names: list[str]) -> int:
    unknown = [n for n in names if n not in EXPERIMENTS]
    if unknown:
        print(f"unknown experiment(s) {', '.join(unknown)}; available: "
              f"{', '.join(EXPERIMENTS)}", file=sys.stderr)
        return 2
    for name in names or EXPERIMENTS:
        start = time.perf_counter()
        importlib.import_module(f"experiments.{name}").run()
        print(f"{name}: {time.perf_counter() - start:.0f} s, {RUNS:,} runs per scenario -> "
              f"{OUT / name / 'report.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
