"""The ``negsim`` command line."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from .scenario import ScenarioError, load_scenario

app = typer.Typer(
    name="negsim",
    help="Simulate the 2025 Russia-Ukraine peace negotiations as a multi-issue bargaining game.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_INPUT = 2  # bad input: the file, its YAML or its content


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
        from .scenario.paths import is_cited, iter_parameters

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
    out: Annotated[Path | None, typer.Option(help="write to this file instead of stdout")] = None,
) -> None:
    """Print the JSON Schema of scenario files."""
    from .scenario.jsonschema import scenario_json_schema_text

    text = scenario_json_schema_text()
    if out is None:
        sys.stdout.write(text)
        return
    write_atomic(out, text)
    typer.echo(f"wrote {out}", err=True)


@app.command()
def evidence(
    scenario_file: Annotated[Path, typer.Argument(metavar="SCENARIO")],
    format: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
) -> None:
    """List each parameter's value with the quotes (or assumption) behind it."""
    from .evidence import evidence_rows

    try:
        scenario = load_scenario(scenario_file)
    except ScenarioError as exc:
        _report(exc)
        raise typer.Exit(EXIT_INPUT) from None
    rows = evidence_rows(scenario)
    if format is Format.json:
        typer.echo(json.dumps([r.as_dict() for r in rows], indent=2, ensure_ascii=False))
        return
    from .report import evidence_table

    evidence_table(scenario, rows)


def write_atomic(path: Path, text: str) -> None:
    """Write text to ``path`` through a temporary file and a rename: never half-written.

    The file gets the usual permissions (0666 less the umask). A path that cannot be
    written exits with code 2 and a message.
    """
    path = Path(path)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except (OSError, ValueError) as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        typer.echo(f"{path}: cannot write: {getattr(exc, 'strerror', None) or exc}", err=True)
        raise typer.Exit(EXIT_INPUT) from None
    except BaseException:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise


def main() -> None:
    """Console entry point: run the app; Ctrl-C exits 130 with a message, not a traceback."""
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
