"""Results of a Monte Carlo job: its tally (and so its summary), the table of runs if kept,
and how they were made; saved to and loaded from a folder."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import __version__
from ..atomic import write_all_atomic
from .summary import summarize
from .tally import Tally

RUNS_FILE = "runs.parquet"
SUMMARY_FILE = "summary.json"
TALLY_FILE = "tally.npz"
FIGURES_DIR = "figures"

# Draws figures: (jobs, folder) -> {path: writer}, such as negsim.plots.figure_files. Results
# take it as an argument so that this stage never imports the plotting one.
FigureWriter = Callable[[list, Path], dict]


@dataclass
class Results:
    """A job's tally, its runs (one row per run, see Outcomes.to_frame; None when only the
    summary was kept), and what made them."""

    scenario: str
    tally: Tally
    seed: int
    engine: str
    issues: tuple[str, ...]
    actors: tuple[str, ...]
    events: tuple[str, ...]
    runs: pd.DataFrame | None = None
    scenario_sha256: str = ""
    version: str = __version__
    labels: dict = field(default_factory=dict)  # {"issues": {id: {label, zero, one}},
    #                                              "actors": {id: name}} for tables and plots
    label: str = ""  # the name in legends (default: the scenario's name)
    stages: tuple[str, ...] = ()  # the agenda's stage ids in order (none without an agenda)
    references: dict = field(default_factory=dict)  # {concept: {issue: median}} of the
    #                                                 reference solutions (analysis.solve)

    def __post_init__(self):
        self.label = self.label or self.scenario

    def __len__(self) -> int:
        return self.tally.runs

    def to_pandas(self) -> pd.DataFrame:
        """The runs as a DataFrame (a copy). Raises ValueError when they were not kept."""
        if self.runs is None:
            raise ValueError("this job kept only its summary (keep_runs=False)")
        return self.runs.copy()

    def summary(self) -> dict:
        """Every number of the summary (see negsim.summary), with the job's description."""
        return {"scenario": self.scenario, "scenario_sha256": self.scenario_sha256,
                "seed": self.seed, "engine": self.engine, "negsim": self.version,
                "issue_ids": list(self.issues), "actor_ids": list(self.actors),
                "event_ids": list(self.events), "stage_ids": list(self.stages),
                "labels": self.labels,
                **summarize(self.tally, self.actors, self.issues, self.events, self.stages),
                **({"references": self.references} if self.references else {})}

    def files(self, directory: Path, figures: FigureWriter | None = None,
              runs: bool = True) -> dict:
        """What ``save`` writes: {path: writer} for negsim.atomic.write_all_atomic."""
        text = json.dumps(self.summary(), indent=2, allow_nan=False) + "\n"
        files = {directory / SUMMARY_FILE:
                 lambda tmp: Path(tmp).write_text(text, encoding="utf-8"),
                 directory / TALLY_FILE: lambda tmp: Path(tmp).write_bytes(self.tally.to_bytes())}
        if runs and self.runs is not None:
            files[directory / RUNS_FILE] = lambda tmp: self.runs.to_parquet(tmp, index=False)
        if figures is not None:
            files.update(figures([self], directory / FIGURES_DIR))
        return files

    def save(self, directory: str | Path, figures: FigureWriter | None = None) -> Path:
        """Write summary.json, tally.npz, (if kept) runs.parquet and, given a figure writer
        (``negsim.plots.figure_files``), figures/*.png into ``directory``: all of them or, on
        an error or Ctrl-C, none. Returns the folder."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        files = self.files(directory, figures)
        write_all_atomic(files, remove=stale(directory, files))
        if figures is None and (directory / FIGURES_DIR).is_dir():
            try:
                (directory / FIGURES_DIR).rmdir()  # emptied of an earlier job's figures
            except OSError:
                pass
        return directory

    @classmethod
    def load(cls, directory: str | Path) -> Results:
        """Read results written by ``save`` (runs.parquet is read when present; a folder
        written before agendas existed has no stages). Raises ValueError, saying what is
        wrong, for a folder that does not hold them."""
        directory = Path(directory)
        try:
            meta = json.loads((directory / SUMMARY_FILE).read_text(encoding="utf-8"))
            tally = Tally.from_bytes((directory / TALLY_FILE).read_bytes())
            runs_path = directory / RUNS_FILE
            results = cls(scenario=str(meta["scenario"]), tally=tally, seed=int(meta["seed"]),
                          engine=str(meta["engine"]), issues=tuple(meta["issue_ids"]),
                          actors=tuple(meta["actor_ids"]), events=tuple(meta["event_ids"]),
                          runs=pd.read_parquet(runs_path) if runs_path.exists() else None,
                          scenario_sha256=str(meta["scenario_sha256"]),
                          version=str(meta["negsim"]), labels=dict(meta.get("labels", {})),
                          stages=tuple(meta.get("stage_ids", [])),
                          references=dict(meta.get("references", {})))
        except FileNotFoundError as exc:
            raise ValueError(f"{Path(exc.filename).name} is missing") from None
        except Exception as exc:  # any unreadable or malformed file
            raise ValueError(f"unreadable results ({type(exc).__name__}: {exc})") from None
        t = results.tally
        shapes = {"deal": (len(results.issues),), "utility": (len(results.actors),),
                  "event": (len(results.events),), "stage_agreed": (len(results.stages),),
                  "stage_round": (len(results.stages),)}
        for name, shape in shapes.items():
            if getattr(t, name).shape[:1] != shape:
                raise ValueError(f"{TALLY_FILE} does not match {SUMMARY_FILE} ({name})")
        if results.runs is not None and len(results.runs) != t.runs:
            raise ValueError(f"{RUNS_FILE} does not match {SUMMARY_FILE}")
        return results


def common_issues(results: list[Results]) -> list[str]:
    """Issues every job has, in the order of the first."""
    return [k for k in results[0].issues if all(k in r.issues for r in results[1:])]


def common_actors(results: list[Results]) -> list[str]:
    """Actors every job has, in the order of the first."""
    return [a for a in results[0].actors if all(a in r.actors for r in results[1:])]


def stale(directory: Path, files: dict) -> list[Path]:
    """What an earlier job left in ``directory`` that this one does not rewrite: a
    runs.parquet or figures that would otherwise pass for this job's."""
    old = [directory / RUNS_FILE, *sorted((directory / FIGURES_DIR).glob("*.png"))]
    return [path for path in old if path.exists() and path not in files]
