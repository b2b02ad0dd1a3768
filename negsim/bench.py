"""Benchmark: the three engines on the baseline, on the same runs (``make bench``).

Prints tables and writes JSON (default results/bench.json):

- run-rounds per second of the Mesa engine, the numpy engine and the compiled engine, each on
  1 and 2 processes, and their ratios;
- the compiled engine's first-call compile time (an empty cache) and its load time (a warm
  one), each in a fresh process;
- the peak memory of a 1-million-run job that keeps every run and of a 10-million-run
  summary-only job (each in a fresh process, so that nothing else counts);
- a scaling table: both batch engines on synthetic scenarios of 4 to 32 actors, 8 to 128
  issues and 50 to 500 rounds;
- the reference solutions' time, and how fast the web page answers a slider
  (negsim.web.latency, where chromium is installed).

A benchmark, not a test: it asserts nothing, and its figures depend on the machine it runs on.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from . import __version__, load_scenario, simulate
from .atomic import write_text_atomic
from .sampling import BLOCK

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.yaml"
SCALING = ([(a, 8, 156) for a in (4, 8, 16, 32)] + [(4, k, 156) for k in (32, 128)]
           + [(4, 8, r) for r in (50, 500)])  # (actors, issues, rounds) of the scaling table


def measure(engine: str, runs: int, seed: int, scenario=None, **options) -> dict:
    """Time one engine on runs 0 .. runs-1 of a scenario (the baseline by default), end to
    end: sampling, playing, tallying, and the table of runs unless ``keep_runs=False``
    (worker processes, where asked for, are started inside the timing)."""
    scenario = load_scenario(BASELINE) if scenario is None else scenario
    simulate(scenario, runs=64, seed=seed, engine=engine)  # compiled, or loaded, beforehand
    start = time.perf_counter()
    results = simulate(scenario, runs=runs, seed=seed, engine=engine, **options)
    seconds = time.perf_counter() - start
    played = results.tally.rounds  # runs by the number of rounds they played
    run_rounds = int(np.dot(np.arange(played.size), played))
    return {"engine": engine, "runs": runs, "seconds": round(seconds, 3),
            "run_rounds": run_rounds, "run_rounds_per_s": run_rounds / seconds,
            "runs_per_s": runs / seconds, **options}


def _abm_part(seed: int, start: int, stop: int) -> int:
    from .abm import run_abm

    return int(run_abm(load_scenario(BASELINE), seed, start, stop).rounds.sum())


def measure_abm_parallel(runs: int, seed: int, workers: int = 2) -> dict:
    """Time the Mesa engine on ``workers`` processes, each playing its share of the runs (the
    Mesa engine has no executor of its own: it is the reference, meant for thousands of
    runs)."""
    import multiprocessing

    bounds = [runs * w // workers for w in range(workers + 1)]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        list(pool.map(_abm_part, [seed] * workers, [0] * workers, [1] * workers))  # warm up
        start = time.perf_counter()
        run_rounds = sum(pool.map(_abm_part, [seed] * workers, bounds[:-1], bounds[1:]))
        seconds = time.perf_counter() - start
    return {"engine": "abm", "runs": runs, "seconds": round(seconds, 3),
            "run_rounds": run_rounds, "run_rounds_per_s": run_rounds / seconds,
            "runs_per_s": runs / seconds, "workers": workers}


def compile_time() -> dict:
    """The compiled engine's first call in a fresh process: with an empty cache (it compiles)
    and again with that cache (it loads), in seconds; or why it was not measured."""
    from .engine import compiled

    if not compiled.available():
        return {"error": "numba is not installed"}
    code = ("import time; from negsim.engine import compiled; "
            "print(compiled.compile_seconds())")
    with tempfile.TemporaryDirectory() as folder:
        env = dict(os.environ, NEGSIM_CACHE_DIR=folder)
        seconds = [float(subprocess.run([sys.executable, "-c", code], env=env, check=True,
                                        capture_output=True, text=True).stdout.split()[-1])
                   for _ in range(2)]
    return {"cold_s": round(seconds[0], 2), "warm_s": round(seconds[1], 2)}


def synthetic(actors: int, issues: int, rounds: int):
    """A scenario of the baseline's kind and any size: a mediator and actors - 1 signatory
    parties, the first issue contested (a drifting front), every ideal, salience, war cost,
    exponent and patience drawn from a distribution. For the scaling table only: its numbers
    are shapes, not evidence."""
    from .scenario import load_scenario_data

    ids = [f"i{k}" for k in range(issues)]

    def actor(j: int, role: str) -> dict:
        side = (j % 2) * 0.6
        return {"name": f"actor {j}", "role": role, "signatory": role == "party",
                "ideal": {k: {"dist": "uniform", "low": side, "high": side + 0.4}
                          for k in ids},
                "salience": {k: {"dist": "uniform", "low": 0.5, "high": 1.5} for k in ids},
                "capability": 1.0, "reservation": 0.0,
                "war_cost": {"dist": "uniform", "low": 0.001, "high": 0.006},
                "strategy": {"type": "time_dependent",
                             "exponent": {"dist": "uniform", "low": 0.5, "high": 3.0},
                             "patience": {"dist": "uniform", "low": rounds / 4,
                                          "high": rounds}}}

    data = {
        "name": f"synthetic_{actors}x{issues}x{rounds}", "title": "scaling benchmark",
        "issues": {k: {"label": k, "zero": "a", "one": "b", "status_quo": 0.5,
                       "contested": k == ids[0]} for k in ids},
        "actors": {"mediator": actor(0, "mediator"),
                   **{f"a{j}": actor(j, "party") for j in range(1, actors)}},
        "protocol": {"type": "mediated", "mediator": "mediator", "max_rounds": rounds,
                     "horizon": 26, "bias": 0.35, "step": 1.0},
        "battlefield": {ids[0]: {"drift": {"dist": "normal", "mean": 0.002, "sd": 0.002,
                                           "low": -0.01, "high": 0.01},
                                 "volatility": 0.01}},
    }
    return load_scenario_data(data)


def measure_scaling(seconds: float = 2.0) -> list[dict]:
    """Both batch engines, 1 process, on the synthetic scenarios of SCALING: run-rounds/s and
    actor-issue-run-rounds/s (the work of a round grows with actors x issues)."""
    from .engine import compiled

    engines = ["numpy"] + (["compiled"] if compiled.available() else [])
    rows = []
    for actors, issues, rounds in SCALING:
        scenario = synthetic(actors, issues, rounds)
        row = {"actors": actors, "issues": issues, "rounds": rounds}
        for engine in engines:
            probe = measure(engine, 4096, 1, scenario, keep_runs=True)
            runs = int(min(max(4096, probe["runs_per_s"] * seconds), 262_144)) // 4096 * 4096
            result = probe if runs == 4096 else measure(engine, runs, 1, scenario)
            row[engine] = result["run_rounds_per_s"]
            row[f"{engine}_work"] = result["run_rounds_per_s"] * actors * issues
            row["mean_rounds"] = result["run_rounds"] / result["runs"]
        if "compiled" in row:
            row["ratio"] = row["compiled"] / row["numpy"]
        rows.append(row)
    return rows


def measure_solve(runs: int, seed: int, workers: int = 1) -> dict:
    """Time the reference solutions (negsim solve's solver) on runs 0 .. runs-1."""
    from .analysis.solve import solve

    scenario = load_scenario(BASELINE)
    start = time.perf_counter()
    solve(scenario, runs, seed, workers=workers)
    seconds = time.perf_counter() - start
    return {"runs": runs, "workers": workers, "seconds": round(seconds, 3),
            "runs_per_s": runs / seconds}


def peak_memory(runs: int, seed: int, keep_runs: bool = True, workers: int = 1,
                engine: str = "vector") -> dict:
    """Peak resident memory of a fresh process that runs ``runs`` runs (vector engine): the
    larger of the main process and of its largest worker.

    Linux carries a process's peak over from its parent at fork, so this must run while the
    benchmark process is still small (main() measures memory first); the main process reads
    its own peak from /proc (VmHWM, which starts afresh at exec) where it can.
    """
    code = ("import resource, negsim; "
            f"negsim.simulate({str(BASELINE)!r}, runs={runs}, seed={seed}, "
            f"keep_runs={keep_runs}, workers={workers}, engine={engine!r}); "
            "from negsim.bench import own_peak_kib; "
            "print(own_peak_kib(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    main, child = (int(x) / 1024 for x in out.stdout.split()[-2:])
    return {"runs": runs, "keep_runs": keep_runs, "workers": workers, "engine": engine,
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
    from .engine import compiled

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--abm-runs", type=int, default=300)
    parser.add_argument("--vector-runs", type=int, default=100_000,
                        help="runs of each batch engine on 1 process (summary only)")
    parser.add_argument("--parallel-runs", type=int, default=1_000_000,
                        help="least runs of each 2-process job (summary only)")
    parser.add_argument("--parallel-seconds", type=float, default=30.0,
                        help="more runs, where needed, for each 2-process job to last about "
                        "this long (so that starting the workers, about 1.5 s, is paid for)")
    parser.add_argument("--memory-runs", type=int, default=1_000_000)
    parser.add_argument("--summary-runs", type=int, default=10_000_000,
                        help="runs of the summary-only memory job (2 workers)")
    parser.add_argument("--scaling-seconds", type=float, default=2.0,
                        help="seconds each engine plays each scaling scenario (0: no table)")
    parser.add_argument("--solve-runs", type=int, default=10_000,
                        help="runs of the reference solutions' timing (negsim solve)")
    parser.add_argument("--page-moves", type=int, default=6,
                        help="slider moves timed on the web page (needs chromium; 0: none)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("results") / "bench.json")
    args = parser.parse_args(argv)

    fast = compiled.available()
    batch = ["numpy"] + (["compiled"] if fast else [])
    memory = peak_memory(args.memory_runs, args.seed) if args.memory_runs else None
    summary_memory = (peak_memory(args.summary_runs, args.seed, keep_runs=False, workers=2)
                      if args.summary_runs else None)
    compiling = compile_time()
    rows = {"abm": measure("abm", args.abm_runs, args.seed),
            "abm_2": measure_abm_parallel(args.abm_runs, args.seed)}
    for engine in batch:
        rows[engine] = measure(engine, args.vector_runs, args.seed, keep_runs=False)
        runs = max(args.parallel_runs,
                   int(rows[engine]["runs_per_s"] * 2 * args.parallel_seconds) // BLOCK * BLOCK)
        rows[f"{engine}_2"] = measure(engine, runs, args.seed, workers=2, keep_runs=False)
    scaling = measure_scaling(args.scaling_seconds) if args.scaling_seconds else []
    solutions = [measure_solve(args.solve_runs, args.seed, w) for w in (1, 2)] \
        if args.solve_runs else []
    page = measure_page(args.page_moves) if args.page_moves else None
    mesa = rows["abm"]["run_rounds_per_s"]
    report = {
        "negsim": __version__, "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.processor() or ''}",
        "scenario": "baseline", "engines": rows,
        "vs_mesa": {name: row["run_rounds_per_s"] / mesa for name, row in rows.items()},
        "two_process_efficiency": {
            name: rows[f"{name}_2"]["run_rounds_per_s"] / (2 * rows[name]["run_rounds_per_s"])
            for name in ["abm"] + batch},
        "compile": compiling, "memory": memory, "summary_only_memory": summary_memory,
        "scaling": scaling, "solve": solutions, "page": page,
        "this_process_peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    if fast:
        report["compiled_vs_numpy"] = {
            "1_process": rows["compiled"]["run_rounds_per_s"] / rows["numpy"]["run_rounds_per_s"],
            "2_processes": (rows["compiled_2"]["run_rounds_per_s"]
                            / rows["numpy_2"]["run_rounds_per_s"])}
    _print(report, rows, batch)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(args.out, json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


NAMES = {"abm": "Mesa", "numpy": "numpy", "compiled": "compiled"}


def _print(report: dict, rows: dict, batch: list) -> None:
    """The report as tables on stdout."""
    print(f"{'engine':<24}{'runs':>10}{'seconds':>10}{'run-rounds/s':>16}{'vs Mesa':>10}")
    for name, row in rows.items():
        base, _, two = name.partition("_")
        label = f"{NAMES[base]}, {'2 processes' if two else '1 process'}"
        print(f"{label:<24}{row['runs']:>10,}{row['seconds']:>10.2f}"
              f"{row['run_rounds_per_s']:>16,.0f}{report['vs_mesa'][name]:>9,.0f}x")
    efficiency = ", ".join(f"{NAMES[k]} {v:.0%}"
                           for k, v in report["two_process_efficiency"].items())
    print(f"2-process efficiency (rate on 2 / twice the rate on 1): {efficiency}")
    if "compiled_vs_numpy" in report:
        ratio = report["compiled_vs_numpy"]
        print(f"compiled / numpy: {ratio['1_process']:.2f}x (1 process), "
              f"{ratio['2_processes']:.2f}x (2 processes)")
    compiling = report["compile"]
    if "error" in compiling:
        print(f"compiled engine: not measured ({compiling['error']})")
    else:
        print(f"compiled engine, first call in a fresh process: {compiling['cold_s']:.1f} s "
              f"with an empty cache (compiles), {compiling['warm_s']:.1f} s with it (loads)")
    if report["scaling"]:
        print("scaling, 1 process, run-rounds/s (and actor x issue x run-rounds/s):")
        print(f"{'actors':>7}{'issues':>7}{'rounds':>7}{'mean rounds':>12}"
              + "".join(f"{NAMES[e]:>24}" for e in batch) + ("  ratio" if len(batch) > 1 else ""))
        for row in report["scaling"]:
            cells = "".join(f"{row[e]:>12,.0f} ({row[f'{e}_work'] / 1e6:>6,.0f} M)"
                            for e in batch)
            ratio = f"{row['ratio']:>7.2f}" if "ratio" in row else ""
            print(f"{row['actors']:>7}{row['issues']:>7}{row['rounds']:>7}"
                  f"{row['mean_rounds']:>12.1f}{cells}{ratio}")
    for row in report["solve"]:
        print(f"reference solutions, {row['runs']:,} runs, {row['workers']} process(es): "
              f"{row['seconds']:.1f} s ({row['runs_per_s']:,.0f} runs/s)")
    page = report["page"]
    if page and "error" in page:
        print(f"web page: not measured ({page['error']})")
    elif page:
        print(f"web page, {page['runs']:,} runs: a slider move shows its agreement figure in "
              f"{page['median_agreement_s']:.2f} s (median), every figure in "
              f"{page['median_all_figures_s']:.2f} s; the last of {page['burst']} moves "
              f"{page['burst_gap_s']} s apart {page['burst_last_agreement_s']:.2f} s")
    memory, summary_memory = report["memory"], report["summary_only_memory"]
    if memory:
        print(f"peak memory, {memory['runs']:,} runs kept: {memory['peak_rss_mib']:.0f} MiB "
              f"({memory['seconds']} s)")
    if summary_memory:
        print(f"peak memory, {summary_memory['runs']:,} runs, summary only, 2 workers: "
              f"{summary_memory['peak_rss_mib']:.0f} MiB per process "
              f"({summary_memory['seconds']} s)")


if __name__ == "__main__":
    raise SystemExit(main())
