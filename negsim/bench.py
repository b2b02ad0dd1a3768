"""Benchmark: both engines on the baseline, in one process, on the same runs (``make bench``).

Prints a table and writes JSON (default results/bench.json): run-rounds per second of each
engine and their ratio, runs per second, and the peak memory of a 1-million-run job that
keeps every run and of a 10-million-run summary-only job (each measured in a fresh process,
so that nothing else counts), the reference solutions' time, and how fast the web page
answers a slider (negsim.web.latency, where chromium is installed). A benchmark, not a test: it
asserts nothing, and its figures depend on the machine it runs on.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

from . import __version__, load_scenario, simulate
from .atomic import write_text_atomic

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.yaml"


def measure(engine: str, runs: int, seed: int, **options) -> dict:
    """Time one engine on runs 0 .. runs-1 of the baseline."""
    scenario = load_scenario(BASELINE)
    start = time.perf_counter()
    results = simulate(scenario, runs=runs, seed=seed, engine=engine, **options)
    seconds = time.perf_counter() - start
    run_rounds = int(results.runs["rounds"].sum())
    return {"engine": engine, "runs": runs, "seconds": round(seconds, 3),
            "run_rounds": run_rounds, "run_rounds_per_s": run_rounds / seconds,
            "runs_per_s": runs / seconds, **options}


def measure_solve(runs: int, seed: int, workers: int = 1) -> dict:
    """Time the reference solutions (negsim solve's solver) on runs 0 .. runs-1."""
    from .analysis.solve import solve

    scenario = load_scenario(BASELINE)
    start = time.perf_counter()
    solve(scenario, runs, seed, workers=workers)
    seconds = time.perf_counter() - start
    return {"runs": runs, "workers": workers, "seconds": round(seconds, 3),
            "runs_per_s": runs / seconds}


def peak_memory(runs: int, seed: int, keep_runs: bool = True, workers: int = 1) -> dict:
    """Peak resident memory of a fresh process that runs ``runs`` runs (vector engine): the
    larger of the main process and of its largest worker.

    Linux carries a process's peak over from its parent at fork, so this must run while the
    benchmark process is still small (main() measures memory first); the main process reads
    its own peak from /proc (VmHWM, which starts afresh at exec) where it can.
    """
    code = ("import resource, negsim; "
            f"negsim.simulate({str(BASELINE)!r}, runs={runs}, seed={seed}, "
            f"keep_runs={keep_runs}, workers={workers}); "
            "from negsim.bench import own_peak_kib; "
            "print(own_peak_kib(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    main, child = (int(x) / 1024 for x in out.stdout.split()[-2:])
    return {"runs": runs, "keep_runs": keep_runs, "workers": workers,
            "peak_rss_mib": max(main, child), "main_rss_mib": main, "worker_rss_mib": child,
            "seconds": round(time.perf_counter() - start, 1)}


def measure_page(moves: int) -> dict:
    """The web page's answer to slider moves (negsim.web.latency), or why it was not
    measured (no Playwright or chromium here)."""
    try:
        from .web.latency import measure_page as measure
    except ImportError as exc:
        return {"error": f"{exc.name} is not installed"}
    try:
        return measure(moves)
    except Exception as exc:  # a browser that fails must not lose the other figures
        return {"error": f"{type(exc).__name__}: {exc}"}


def own_peak_kib() -> int:
    """This process's peak resident memory in KiB (VmHWM on Linux, else ru_maxrss)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--abm-runs", type=int, default=300)
    parser.add_argument("--vector-runs", type=int, default=100_000)
    parser.add_argument("--parallel-runs", type=int, default=1_000_000,
                        help="runs of the 2-process job (enough to pay for starting workers)")
    parser.add_argument("--memory-runs", type=int, default=1_000_000)
    parser.add_argument("--summary-runs", type=int, default=10_000_000,
                        help="runs of the summary-only memory job (2 workers)")
    parser.add_argument("--solve-runs", type=int, default=10_000,
                        help="runs of the reference solutions' timing (negsim solve)")
    parser.add_argument("--page-moves", type=int, default=6,
                        help="slider moves timed on the web page (needs chromium; 0: none)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("results") / "bench.json")
    args = parser.parse_args(argv)

    memory = peak_memory(args.memory_runs, args.seed) if args.memory_runs else None
    summary_memory = (peak_memory(args.summary_runs, args.seed, keep_runs=False, workers=2)
                      if args.summary_runs else None)
    abm = measure("abm", args.abm_runs, args.seed)
    vector = measure("vector", args.vector_runs, args.seed)
    vector_2 = measure("vector", args.parallel_runs, args.seed, workers=2)
    solutions = [measure_solve(args.solve_runs, args.seed, w) for w in (1, 2)] \
        if args.solve_runs else []
    page = measure_page(args.page_moves) if args.page_moves else None
    report = {
        "negsim": __version__, "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.processor() or ''}",
        "scenario": "baseline", "abm": abm, "vector": vector, "vector_2_workers": vector_2,
        "speedup": vector["run_rounds_per_s"] / abm["run_rounds_per_s"],
        "speedup_2_workers": vector_2["run_rounds_per_s"] / abm["run_rounds_per_s"],
        "memory": memory, "summary_only_memory": summary_memory, "solve": solutions,
        "page": page,
        "this_process_peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    print(f"{'engine':<22}{'runs':>10}{'seconds':>10}{'run-rounds/s':>16}{'runs/s':>12}")
    for name, row in (("abm (Mesa)", abm), ("vector, 1 process", vector),
                      ("vector, 2 processes", vector_2)):
        print(f"{name:<22}{row['runs']:>10}{row['seconds']:>10.2f}"
              f"{row['run_rounds_per_s']:>16,.0f}{row['runs_per_s']:>12,.0f}")
    print(f"vector / abm: {report['speedup']:.0f}x (1 process), "
          f"{report['speedup_2_workers']:.0f}x (2 processes)")
    for row in solutions:
        print(f"reference solutions, {row['runs']:,} runs, {row['workers']} process(es): "
              f"{row['seconds']:.1f} s ({row['runs_per_s']:,.0f} runs/s)")
    if page and "error" in page:
        print(f"web page: not measured ({page['error']})")
    elif page:
        print(f"web page, {page['runs']:,} runs: a slider move shows its agreement figure in "
              f"{page['median_agreement_s']:.2f} s (median), every figure in "
              f"{page['median_all_figures_s']:.2f} s; the last of {page['burst']} moves "
              f"{page['burst_gap_s']} s apart {page['burst_last_agreement_s']:.2f} s")
    if memory:
        print(f"peak memory, {memory['runs']:,} runs kept: {memory['peak_rss_mib']:.0f} MiB "
              f"({memory['seconds']} s)")
    if summary_memory:
        print(f"peak memory, {summary_memory['runs']:,} runs, summary only, 2 workers: "
              f"{summary_memory['peak_rss_mib']:.0f} MiB per process "
              f"({summary_memory['seconds']} s)")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(args.out, json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
