"""Results of a Monte Carlo run: the table of runs, saved and loaded as Parquet."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .atomic import write_atomic, write_text_atomic

RUNS_FILE = "runs.parquet"
META_FILE = "meta.json"


@dataclass
class Results:
    """One row per run (see Outcomes.to_frame for the columns) and how they were made."""

    scenario: str
    runs: pd.DataFrame
    seed: int
    engine: str
    issues: tuple[str, ...] = field(default=())
    actors: tuple[str, ...] = field(default=())
    events: tuple[str, ...] = field(default=())

    def __len__(self) -> int:
        return len(self.runs)

    def to_pandas(self) -> pd.DataFrame:
        """The runs as a DataFrame (a copy)."""
        return self.runs.copy()

    def summary(self) -> dict:
        """A few headline numbers: agreement rate, rounds, mean utilities, mediator exits."""
        runs = self.runs
        agreed = runs[runs["agreed"]]
        return {
            "scenario": self.scenario, "runs": len(runs), "seed": self.seed,
            "engine": self.engine,
            "agreement_rate": float(runs["agreed"].mean()) if len(runs) else float("nan"),
            "median_round": float(agreed["round"].median()) if len(agreed) else float("nan"),
            "mediator_left_rate": float(runs["mediator_left"].mean()) if len(runs) else 0.0,
            "mean_utility": {a: float(runs[f"utility.{a}"].mean()) for a in self.actors},
            "median_deal": {k: float(agreed[f"deal.{k}"].median()) if len(agreed)
                            else float("nan") for k in self.issues},
        }

    def save(self, directory: str | Path) -> Path:
        """Write runs.parquet (and meta.json) into ``directory``, each file atomically."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        write_atomic(directory / RUNS_FILE, lambda tmp: self.runs.to_parquet(tmp, index=False))
        meta = {"scenario": self.scenario, "seed": self.seed, "engine": self.engine,
                "issues": list(self.issues), "actors": list(self.actors),
                "events": list(self.events)}
        write_text_atomic(directory / META_FILE, json.dumps(meta, indent=2) + "\n")
        return directory / RUNS_FILE

    @classmethod
    def load(cls, directory: str | Path) -> Results:
        """Read results saved by ``save``."""
        directory = Path(directory)
        meta = json.loads((directory / META_FILE).read_text())
        return cls(scenario=meta["scenario"], runs=pd.read_parquet(directory / RUNS_FILE),
                   seed=meta["seed"], engine=meta["engine"], issues=tuple(meta["issues"]),
                   actors=tuple(meta["actors"]), events=tuple(meta["events"]))
