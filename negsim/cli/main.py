"""The ``negsim`` command line."""

from __future__ import annotations

import json
import re
import sys
import tempfile
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from .. import __version__
from ..atomic import write_text_atomic
from ..limits import MAX_CHUNK, MAX_RUNS, MAX_SEED, MAX_TRACE_EVERY, MAX_WORKERS, TooLarge
from ..results.outcome import NumericalError
from ..scenario import ScenarioError, load_scenario
from .signals import BROKEN_PIPE, Terminated

app = typer.Typer(
    name="negsim",
    help="Simulate the 2025 Russia-Ukraine peace negotiations as a multi-issue bargaining game.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_INPUT = 2  # bad input (the file, its YAML or its content, an option) or a refused job


def _version(value: bool) -> None:
    if value:
        typer.echo(f"negsim {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help="print the version and exit")]
        = False) -> None:
    """Simulate the 2025 Russia-Ukraine peace negotiations as a multi-issue bargaining game."""


def output_path(text: str) -> Path:
    """An --out value: a path, never empty (an empty one would mean the current folder)."""
    if not text.strip():
        raise typer.BadParameter("must not be empty (give a folder, e.g. results/mine)")
    return Path(text)


def _out(help: str):
    return typer.Option(parser=output_path, metavar="DIR", help=help)


def _runs(minimum: int, help: str):
    return typer.Option("-n", "--runs", min=minimum, max=MAX_RUNS, help=help)


def _seed(help: str = "seed (default: the scenario's)"):
    return typer.Option(min=0, max=MAX_SEED, help=help)


def _workers(help: str = "worker processes"):
    return typer.Option(min=1, max=MAX_WORKERS, help=help)


class Format(StrEnum):
    table = "table"
    json = "json"


def _report(exc: ScenarioError) -> None:
    for problem in exc.problems:
        typer.echo(str(problem), err=True)


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="scenario files to check")],
    strict: Annotated[bool, typer.Option(
        help="also require every numeric parameter to cite evidence or state an assumption")]
    = False,
) -> None:
    """Check scenario files; print every problem as file:line:col: path: message."""
    failed = 0
    for path in files:
        try:
            scenario = load_scenario(path, strict=strict)
        except ScenarioError as exc:
            _report(exc)
            failed += 1
            continue
        from ..scenario.paths import is_cited, iter_parameters

        for warning in scenario.warnings:
            typer.echo(str(warning), err=True)
        refs = list(iter_parameters(scenario))
        cited = sum(1 for r in refs if is_cited(r.value))
        typer.echo(f"ok: {path}: {len(scenario.actors)} actors, {len(scenario.issues)} issues, "
                   f"{scenario.protocol.type} protocol, {len(scenario.events)} events; "
                   f"{cited} of {len(refs)} parameters cited")
    if failed:
        typer.echo(f"{failed} of {len(files)} file(s) invalid", err=True)
        raise typer.Exit(EXIT_INPUT)


@app.command()
def schema(
    out: Annotated[Path | None, typer.Option(
        parser=output_path, metavar="FILE", help="write to this file instead of stdout")] = None,
) -> None:
    """Print the JSON Schema of scenario files."""
    from ..scenario.jsonschema import scenario_json_schema_text

    text = scenario_json_schema_text()
    if out is None:
        sys.stdout.write(text)
        return
    try:
        write_text_atomic(out, text)
    except (OSError, ValueError) as exc:
        typer.echo(f"{out}: cannot write: {getattr(exc, 'strerror', None) or exc}", err=True)
        raise typer.Exit(EXIT_INPUT) from None
    typer.echo(f"wrote {out}", err=True)


@app.command()
def evidence(
    scenario_file: Annotated[Path, typer.Argument(metavar="SCENARIO")],
    format: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
) -> None:
    """List each parameter's value with the quotes (or assumption) behind it."""
    from ..evidence.registry import evidence_rows

    scenario = _load(scenario_file)
    rows = evidence_rows(scenario)
    if format is Format.json:
        typer.echo(json.dumps([r.as_dict() for r in rows], indent=2, ensure_ascii=False))
        return
    from .report import evidence_table

    evidence_table(scenario, rows)


class Engine(StrEnum):
    vector = "vector"
    numpy = "numpy"
    compiled = "compiled"
    abm = "abm"


@app.command()
def run(
    scenario_file: Annotated[Path, typer.Argument(metavar="SCENARIO")],
    runs: Annotated[int | None, _runs(1, "runs (default: the scenario's)")] = None,
    seed: Annotated[int | None, _seed()] = None,
    engine: Annotated[Engine, typer.Option(
        help="vector: the fastest batch engine here (compiled where numba is installed, "
        "else numpy); numpy, compiled: either by name; abm: the Mesa reference engine (all "
        "give the same results)")]
    = Engine.vector,
    workers: Annotated[int, _workers("worker processes (vector engine)")] = 1,
    chunk_size: Annotated[int | None, typer.Option(
        min=1, max=MAX_CHUNK,
        help="runs per chunk, rounded up to whole blocks of 4096 (vector engine)")]
    = None,
    dask: Annotated[str | None, typer.Option(
        help="run on Dask: 'local' (a LocalCluster) or a scheduler address tcp://HOST:PORT")]
    = None,
    out: Annotated[Path | None, _out("output folder (default: results/<name>/)")] = None,
    summary_only: Annotated[bool, typer.Option(
        "--summary-only", help="keep only the summary (no runs.parquet): memory stays flat "
        "however many runs")] = False,
    figures: Annotated[bool, typer.Option(help="draw DIR/figures/*.png")] = True,
    solutions: Annotated[bool, typer.Option(
        help="mark the reference solutions' medians on deals.png (solved on the first "
        "1,024 runs; see negsim solve)")] = True,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="print nothing on success")]
    = False,
) -> None:
    """Run a scenario many times; write DIR/summary.json, DIR/tally.npz, DIR/runs.parquet
    (one row per run) and DIR/figures/*.png, and print the summary."""
    from ..simulation import simulate
    from .report import run_summary

    scenario = _load(scenario_file)
    directory = out or Path("results") / scenario.name
    if engine is Engine.abm and (dask or workers > 1):
        typer.echo("--workers and --dask apply to the batch engines", err=True)
        raise typer.Exit(EXIT_INPUT)
    if engine is Engine.compiled:
        from ..model.layout import Layout
        from ..simulation import check_compiled

        try:
            check_compiled(Layout.from_scenario(scenario))
        except ValueError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(EXIT_INPUT) from None
    _check_dask(dask)
    total = scenario.montecarlo.runs if runs is None else runs
    with output_folder(directory), progress_bar(total, enabled=not quiet) as advance:
        try:
            results = simulate(scenario, runs=runs, seed=seed, engine=engine.value,
                               chunk_size=chunk_size, workers=workers, dask=dask,
                               progress=advance, keep_runs=not summary_only)
        except (OSError, TimeoutError) as exc:
            if dask is None:
                raise
            typer.echo(f"cannot reach the Dask scheduler {dask}: {exc}", err=True)
            raise typer.Exit(EXIT_INPUT) from None
        from ..plots import figure_files

        if figures and solutions:
            from ..analysis.solve import reference_medians

            results.references = reference_medians(scenario, len(results), results.seed)
        _save(lambda: results.save(directory, figures=figure_files if figures else None),
              directory)
    if not quiet:
        run_summary(results.summary())
        typer.echo(f"wrote {directory}/")


def _save(write, directory: Path) -> None:
    """Call ``write()``; an OSError becomes a clear message and exit code 2."""
    try:
        write()
    except OSError as exc:
        typer.echo(f"{directory}: cannot write: {exc.strerror or exc}", err=True)
        raise typer.Exit(EXIT_INPUT) from None


def _simulate_all(scenarios, labels, runs, seed, quiet, **options):
    """Run several scenarios with the same seed (common random numbers), one progress bar."""
    from ..limits import check_kept_runs
    from ..model.layout import Layout
    from ..simulation import simulate

    totals = [s.montecarlo.runs if runs is None else runs for s in scenarios]
    seed = scenarios[0].montecarlo.seed if seed is None else seed
    if options.get("keep_runs", True):  # all are held at once
        check_kept_runs([(Layout.from_scenario(s), n) for s, n in zip(scenarios, totals,
                                                                     strict=True)],
                        advice="compare fewer scenarios at once")
    results = []
    with progress_bar(sum(totals), enabled=not quiet) as advance:
        for scenario, label, total in zip(scenarios, labels, totals, strict=True):
            r = simulate(scenario, runs=total, seed=seed, progress=advance, **options)
            r.label = label
            results.append(r)
    return results


@app.command()
def compare(
    scenario_files: Annotated[list[Path], typer.Argument(metavar="A.yaml B.yaml [C.yaml ...]")],
    runs: Annotated[int | None, _runs(2, "runs per scenario (default: the first "
                                      "scenario's)")] = None,
    seed: Annotated[int | None, _seed("seed shared by all (default: the first scenario's)")]
    = None,
    workers: Annotated[int, _workers()] = 1,
    out: Annotated[Path | None, _out("output folder (default: results/compare-<names>/)")]
    = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="print nothing on success")]
    = False,
) -> None:
    """Run scenarios with common random numbers and report their differences from the first,
    with 95% intervals; write OUT/compare.json, OUT/figures/*.png and each scenario's summary
    in OUT/<name>/."""
    from ..analysis.compare import compare as differences
    from ..analysis.compare import unique_labels
    from ..atomic import write_all_atomic
    from ..plots import figure_files
    from .report import compare_table

    if len(scenario_files) < 2:
        typer.echo("compare needs at least two scenario files", err=True)
        raise typer.Exit(EXIT_INPUT)
    scenarios = [_load(path) for path in scenario_files]
    labels = unique_labels([s.name for s in scenarios], [p.stem for p in scenario_files])
    common = [k for k in scenarios[0].issues if all(k in s.issues for s in scenarios[1:])]
    if not common:
        typer.echo("these scenarios share no issue, so there is nothing to compare", err=True)
        raise typer.Exit(EXIT_INPUT)
    directory = out or Path("results") / ("compare-" + "-".join(labels))
    runs = scenarios[0].montecarlo.runs if runs is None else runs  # the same for all
    with output_folder(directory):
        results = _simulate_all(scenarios, labels, runs, seed, quiet, workers=workers)
        from ..analysis.solve import reference_medians

        for r, scenario in zip(results, scenarios, strict=True):
            r.references = reference_medians(scenario, len(r), r.seed)
        table = differences(results)
        for note in table["notes"]:
            typer.echo(f"note: {note}", err=True)
        files = {directory / "compare.json":
                 _text_writer(json.dumps(table, indent=2, allow_nan=False) + "\n")}
        files.update(figure_files(results, directory / "figures"))
        for r in results:
            files.update(r.files(directory / r.label, figures=None, runs=False))
        _save(lambda: write_all_atomic(files), directory)
    if not quiet:
        compare_table(table)
        typer.echo(f"wrote {directory}/")


def _text_writer(text: str):
    return lambda tmp: Path(tmp).write_text(text, encoding="utf-8")


class Format(StrEnum):
    table = "table"
    json = "json"


@app.command()
def solve(
    scenario_file: Annotated[Path, typer.Argument(metavar="SCENARIO")],
    runs: Annotated[int | None, _runs(1, "runs (default: the scenario's)")] = None,
    seed: Annotated[int | None, _seed()] = None,
    format: Annotated[Format, typer.Option(
        "--format", help="table: for people; json: the summary on stdout")] = Format.table,
    workers: Annotated[int, _workers()] = 1,
    out: Annotated[Path | None, _out("output folder (default: results/<name>/solutions/)")]
    = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="print nothing on success")]
    = False,
) -> None:
    """Reference solutions run by run (Nash, weighted Nash, Kalai-Smorodinsky, compromise,
    weighted median, expected utility model) beside the simulated deals; write
    DIR/solutions.json, DIR/solutions.csv (one row per run) and DIR/solutions.png."""
    from ..analysis.solve import solve as solutions_of
    from ..analysis.solve import solve_files, summarize
    from ..atomic import write_all_atomic
    from ..simulation import labels as labels_of
    from ..simulation import simulate
    from .report import solutions_table

    scenario = _load(scenario_file)
    directory = out or Path("results") / scenario.name / "solutions"
    runs = scenario.montecarlo.runs if runs is None else runs
    seed = scenario.montecarlo.seed if seed is None else seed
    with output_folder(directory), progress_bar(2 * runs, enabled=not quiet) as advance:
        results = simulate(scenario, runs=runs, seed=seed, progress=advance, workers=workers)
        found = solutions_of(scenario, runs, seed, progress=advance, simulated=results.runs,
                             workers=workers)
        summary = summarize(found, results.runs, scenario.name, seed,
                            results.scenario_sha256)
        labels = labels_of(scenario)
        _save(lambda: write_all_atomic(solve_files(found, summary, labels, results.runs,
                                                   directory)), directory)
    if format is Format.json:
        typer.echo(json.dumps(summary, indent=2, allow_nan=False))
    elif not quiet:
        solutions_table(summary, labels)
        typer.echo(f"wrote {directory}/")


@app.command()
def sweep(
    scenario_file: Annotated[Path, typer.Argument(metavar="SCENARIO")],
    param: Annotated[str, typer.Option(
        help="parameter path, e.g. actors.ukraine.war_cost or protocol.max_rounds")],
    values: Annotated[str | None, typer.Option(help="values a,b,c")] = None,
    range_: Annotated[str | None, typer.Option(
        "--range", help="lo:hi:n, n evenly spaced values from lo to hi")] = None,
    runs: Annotated[int | None, _runs(2, "runs per value (default: the scenario's)")] = None,
    seed: Annotated[int | None, _seed()] = None,
    workers: Annotated[int, _workers()] = 1,
    out: Annotated[Path | None, _out("output folder (default: results/sweep-<name>-<param>/)")]
    = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="print nothing on success")]
    = False,
) -> None:
    """Run a scenario at each value of one parameter, with common random numbers; write
    OUT/sweep.csv and OUT/figures/sweep.png."""
    from ..analysis.sweep import SweepError, parse_values, sweep_frame, variants
    from ..atomic import write_all_atomic
    from ..plots import png_writer, sweep_figure
    from .report import sweep_table

    scenario = _load(scenario_file)
    try:
        points = parse_values(values, range_)
        scenarios = variants(scenario_file, param, points)
    except SweepError as exc:
        typer.echo(f"{scenario_file}: {exc}", err=True)
        raise typer.Exit(EXIT_INPUT) from None
    directory = out or Path("results") / f"sweep-{scenario.name}-{param}"
    with output_folder(directory):
        labels = [f"{param} = {v:g}" for v in points]
        results = _simulate_all(scenarios, labels, runs, seed, quiet, workers=workers,
                                keep_runs=False)
        frame = sweep_frame(param, points, results)
        files = {directory / "sweep.csv": lambda tmp: frame.to_csv(tmp, index=False),
                 directory / "figures" / "sweep.png":
                 png_writer(sweep_figure(param, frame, results))}
        _save(lambda: write_all_atomic(files), directory)
    if not quiet:
        sweep_table(param, frame)
        typer.echo(f"wrote {directory}/")


@app.command()
def plot(
    folders: Annotated[list[Path], typer.Argument(metavar="DIR...", help="folders written by "
                                                  "negsim run (or a scenario folder of compare)")],
    out: Annotated[Path | None, _out(
        "where the figures go (default: DIR/figures for one folder, results/plot/ for "
        "several)")] = None,
) -> None:
    """Redraw the figures of saved results (overlaid when several), without running again."""
    from ..analysis.compare import unique_labels
    from ..atomic import write_all_atomic
    from ..plots import figure_files
    from ..results.results import Results

    results = []
    for folder in folders:
        try:
            results.append(Results.load(folder))
        except ValueError as exc:
            typer.echo(f"{folder}: not a results folder of negsim run ({exc})", err=True)
            raise typer.Exit(EXIT_INPUT) from None
    from ..results.results import common_issues

    if not common_issues(results):
        typer.echo("these results share no issue, so there is nothing to overlay", err=True)
        raise typer.Exit(EXIT_INPUT)
    for r, label in zip(results, unique_labels([r.label for r in results],
                                               [f.name for f in folders]), strict=True):
        r.label = label
    directory = out or (folders[0] / "figures" if len(folders) == 1 else Path("results") / "plot")
    with output_folder(directory):
        files = figure_files(results, directory)
        _save(lambda: write_all_atomic(files), directory)
    typer.echo(f"wrote {len(files)} figures to {directory}/")


@app.command("trace")
def trace_command(
    scenario_file: Annotated[Path, typer.Argument(metavar="SCENARIO")],
    run_number: Annotated[int, typer.Option("--run", min=0, max=MAX_RUNS - 1,
                                            help="which run")] = 0,
    seed: Annotated[int | None, _seed()] = None,
    format: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
    every: Annotated[int | None, typer.Option(
        min=1, max=MAX_TRACE_EVERY, help="show every N-th round of a long run, with each "
        "turn and the last three (default: about 20 rows; 1 shows all)")] = None,
) -> None:
    """Show one run round by round: offers, how each side sees the war (belief, value of
    war, floor, demand), who accepts and why."""
    from ..trace import trace
    from .report import trace_table

    scenario = _load(scenario_file)
    seed = scenario.montecarlo.seed if seed is None else seed
    data = trace(scenario, seed, run_number)
    if format is Format.json:
        typer.echo(json.dumps(data, indent=2))
    else:
        trace_table(scenario, data, every=every)


@app.command()
def extract(
    documents: Annotated[list[Path], typer.Argument(metavar="DOC...", help="plain-text documents")],
    scenario_file: Annotated[Path | None, typer.Option(
        "--scenario", help="use this scenario's actors and issues (ids, names and labels)")]
    = None,
    format: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
) -> None:
    """List candidate evidence: sentences naming an actor and an issue, with stance cues."""
    from ..evidence.extract import extract as find

    scenario = _load(scenario_file) if scenario_file is not None else None
    for path in documents:
        if not path.is_file():
            typer.echo(f"{path}: not a readable document (missing, or a folder)", err=True)
            raise typer.Exit(EXIT_INPUT)
    try:
        found = find(documents, scenario)
    except OSError as exc:
        typer.echo(f"cannot read: {exc}", err=True)
        raise typer.Exit(EXIT_INPUT) from None
    if format is Format.json:
        typer.echo(json.dumps([c.as_dict() for c in found], indent=2, ensure_ascii=False))
        return
    from .report import extract_table

    extract_table(found)


@contextmanager
def progress_bar(total: int, enabled: bool):
    """A rich progress bar for runs, shown on a terminal only (not with --quiet, not in pipes).

    Yields the function the simulation calls with the number of runs just finished.
    """
    from .report import console

    con = console()
    if not enabled or not con.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress("[progress.description]{task.description}", BarColumn(),
                  MofNCompleteColumn(), TimeRemainingColumn(), console=con,
                  transient=True) as bar:
        task = bar.add_task("runs", total=total)
        yield lambda n: bar.advance(task, n)


@contextmanager
def output_folder(directory: Path):
    """The output folder of a command: refused (exit 2) if it cannot be created or written;
    Ctrl-C becomes a clear message and exit code 130. Files are written all at once at the
    end, so an interrupted or failed command leaves nothing, and folders it created are
    removed again."""
    created = [p for p in (directory, *directory.parents) if not p.exists()]
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".negsim-probe-"):
            pass
    except OSError as exc:
        _remove_empty(created)
        typer.echo(f"{directory}: cannot write: {exc.strerror or exc}", err=True)
        raise typer.Exit(EXIT_INPUT) from None
    from ..atomic import commits

    before = commits()
    try:
        yield
    except (KeyboardInterrupt, Terminated) as exc:
        word, code = ((exc.word, exc.exit_code) if isinstance(exc, Terminated)
                      else ("interrupted", 130))
        if commits() > before:  # the signal came just after the files were in place
            typer.echo(f"{word} after writing {directory}/", err=True)
        else:
            _remove_empty(created)
            typer.echo(f"{word}: nothing was written to {directory}", err=True)
        raise typer.Exit(code) from None
    except (NumericalError, TooLarge) as exc:
        _remove_empty(created)
        typer.echo(f"{exc}; nothing was written to {directory}", err=True)
        raise typer.Exit(EXIT_INPUT) from None
    except BaseException:
        _remove_empty(created)
        raise


def _remove_empty(folders: list[Path]) -> None:
    for folder in folders:  # deepest first
        try:
            folder.rmdir()
        except OSError:
            pass


def _check_dask(dask: str | None) -> None:
    """Exit 2 unless ``--dask`` is 'local' or a scheduler address."""
    if dask is not None and dask != "local" and not re.fullmatch(
            r"(tcp|tls|ucx|inproc)://[^\s/:]+(:\d+)?/?", dask):
        typer.echo(f"--dask takes 'local' or a scheduler address such as "
                   f"tcp://HOST:PORT (got {dask!r})", err=True)
        raise typer.Exit(EXIT_INPUT)


def _range_option(text: str) -> tuple[str, float, float]:
    path, sep, bounds = text.partition("=")
    low, sep2, high = bounds.partition(":")
    try:
        if not (sep and sep2):
            raise ValueError
        return path.strip(), float(low), float(high)
    except ValueError:
        raise typer.BadParameter(f"takes PATH=LOW:HIGH, e.g. actors.russia.war_cost=0:0.02 "
                                 f"(got {text!r})") from None


@app.command()
def explore(
    scenario_file: Annotated[Path, typer.Argument(metavar="SCENARIO")],
    params: Annotated[list[str] | None, typer.Option(
        "--params", metavar="PATH", help="study these uncertain parameters (repeat; default: "
        "every uncertain one)")] = None,
    ranges: Annotated[list[str] | None, typer.Option(
        "--range", metavar="PATH=LOW:HIGH", help="study a parameter uniformly over this range "
        "(a fixed one too; repeat)")] = None,
    base: Annotated[int, typer.Option("-n", "--base", min=1, max=2**20, help="base sample "
                                      "(a power of 2, at least 64): runs = base x (D + 2)")]
    = 4096,
    seed: Annotated[int | None, _seed()] = None,
    workers: Annotated[int, _workers()] = 1,
    chunk_size: Annotated[int | None, typer.Option(
        min=1, max=MAX_CHUNK, help="runs per chunk (results do not depend on it)")] = None,
    dask: Annotated[str | None, typer.Option(
        metavar="local|tcp://HOST:PORT", help="run the design's chunks on Dask")] = None,
    targets: Annotated[list[str] | None, typer.Option(
        "--target", metavar="nodeal|ISSUE>X|ISSUE<X", help="what PRIM looks for (repeat; "
        "default: nodeal)")] = None,
    format: Annotated[Format, typer.Option(
        "--format", help="table: for people; json: the report on stdout")] = Format.table,
    out: Annotated[Path | None, _out("output folder (default: results/<name>/explore/)")]
    = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="print nothing on success")]
    = False,
) -> None:
    """Which assumptions matter: Sobol indices (SALib) of agreement, each issue's outcome and
    each actor's utility over the uncertain parameters, and PRIM's boxes where the talks
    fail; write DIR/explore.json, indices.csv, design.csv and figures/."""
    import importlib.util

    missing = [name for name in ("SALib", "ema_workbench")
               if importlib.util.find_spec(name) is None]
    if missing:
        typer.echo(f"negsim explore needs the explore extra ({', '.join(missing)} missing): "
                   "pip install 'negsim[explore]'", err=True)
        raise typer.Exit(1)
    from ..analysis.explore import ExploreError, explore_files, parameter_labels
    from ..analysis.explore import explore as explore_of
    from ..atomic import write_all_atomic
    from .report import explore_table

    scenario = _load(scenario_file)
    _check_dask(dask)
    parsed = {}
    for text in ranges or []:
        path, low, high = _range_option(text)
        parsed[path] = (low, high)
    directory = out or Path("results") / scenario.name / "explore"
    try:
        with output_folder(directory):
            found = explore_of(scenario_file, params, parsed, base, seed, workers,
                               tuple(targets or ("nodeal",)), chunk_size, dask)
            summary = found.summary()
            _save(lambda: write_all_atomic(explore_files(found, summary, directory)),
                  directory)
    except ExploreError as exc:
        typer.echo(f"{scenario_file}: {exc}", err=True)
        raise typer.Exit(EXIT_INPUT) from None
    except (OSError, TimeoutError) as exc:
        if dask is None:
            raise
        typer.echo(f"cannot reach the Dask scheduler {dask}: {exc}", err=True)
        raise typer.Exit(EXIT_INPUT) from None
    if format is Format.json:
        typer.echo(json.dumps(summary, indent=2, allow_nan=False))
    elif not quiet:
        explore_table(summary, parameter_labels(found.scenario))
        typer.echo(f"wrote {directory}/")


@app.command()
def serve(
    scenario_files: Annotated[list[Path] | None, typer.Argument(
        metavar="[SCENARIO...]", help="scenario files (default: scenarios/*.yaml here)")] = None,
    port: Annotated[int, typer.Option(min=0, max=65535, help="port (0: any free one)")] = 8765,
    host: Annotated[str, typer.Option(help="address to listen on (the default serves this "
                                           "machine only)")] = "127.0.0.1",
) -> None:
    """Serve a local web page: step through one negotiation and watch the outcome
    distribution move as you change parameters (needs the 'web' extra)."""
    try:
        from ..web.app import create_app, host_names
        from ..web.server import serve as run_server
    except ImportError as exc:
        typer.echo(f"negsim serve needs the web extra ({exc.name} is missing): "
                   "pip install 'negsim[web]'", err=True)
        raise typer.Exit(1) from None
    files = scenario_files or sorted(Path("scenarios").glob("*.yaml"))
    if not files:
        typer.echo("no scenario files given, and no scenarios/*.yaml in this folder", err=True)
        raise typer.Exit(EXIT_INPUT)
    try:
        web_app = create_app(files, hosts=host_names(host))
    except ScenarioError as exc:
        _report(exc)
        raise typer.Exit(EXIT_INPUT) from None
    except OSError as exc:
        typer.echo(f"{exc.filename}: {exc.strerror}", err=True)
        raise typer.Exit(EXIT_INPUT) from None
    sock = _listen(host, port)
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"negsim serve: open http://{shown}:{bound}/ ({len(files)} scenario"
               f"{'s' if len(files) != 1 else ''}; Ctrl-C stops)")
    if host not in ("127.0.0.1", "localhost", "::1"):
        typer.echo(f"warning: listening on {host}: other machines can reach this page, and it "
                   "has no login", err=True)
    sys.stdout.flush()
    _warm_compiled()
    stopped_by = run_server(web_app, sock)
    if stopped_by is not None:  # exit as every command does on a signal (130, 143, 129)
        stop = Terminated(stopped_by)
        typer.echo(stop.word, err=True)
        raise typer.Exit(stop.exit_code)


def _warm_compiled() -> None:
    """Make the compiled engine ready in the background (load it, or compile it the first
    time on this machine), so that the page's first distribution does not wait for it."""
    import threading

    from ..engine import compiled

    if compiled.available():
        threading.Thread(target=compiled.compile_seconds, name="negsim-compile",
                         daemon=True).start()


def _listen(host: str, port: int):
    """A listening socket on host:port, or a clear message (exit 2) when it cannot be had."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        family, kind, proto, _, address = infos[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(64)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        typer.echo(f"cannot listen on {host}:{port}: {reason}"
                   + (" (pick another with --port)" if exc.errno == 98 else ""), err=True)
        raise typer.Exit(EXIT_INPUT) from None
    sock.set_inheritable(True)
    return sock


def _load(path: Path):
    try:
        return load_scenario(path)
    except ScenarioError as exc:
        _report(exc)
        raise typer.Exit(EXIT_INPUT) from None


def main() -> None:
    """Console entry point: run the app. Ctrl-C, SIGTERM and SIGHUP exit 130, 143 and 129
    with a message, not a traceback; a broken pipe (the reader went away) exits 141 quietly."""
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except Terminated as exc:
        typer.echo(exc.word, err=True)
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        _quiet_broken_pipe()
    except SystemExit as exc:
        # click and typer end a broken pipe with exit 1 after wrapping stdout this way
        if exc.code == 1 and type(sys.stdout).__name__.endswith("PacifyFlushWrapper"):
            _quiet_broken_pipe()
        raise


def _quiet_broken_pipe() -> None:
    """Exit 141 without a word: point stdout at /dev/null so that Python's final flush does
    not complain about the closed pipe."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    sys.exit(BROKEN_PIPE)
