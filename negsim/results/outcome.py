"""Outcomes of a batch of runs, and their table form (one row per run)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..model.layout import Layout


@dataclass
class Outcomes:
    """What happened in each run of a batch (DESIGN.md section 3, 'Outcome of one run')."""

    run: np.ndarray  # (N,) run numbers
    agreed: np.ndarray  # (N,) bool
    round: np.ndarray  # (N,) round of the deal, -1 without one
    rounds: np.ndarray  # (N,) rounds played
    proposer: np.ndarray  # (N,) actor index of the accepted offer's proposer, -1 without one
    blocker: np.ndarray  # (N,) actor index most opposed to the last offer, -1 when none
    mediator_left: np.ndarray  # (N,) bool: the talks broke off (the mediator walked away)
    censored: np.ndarray  # (N,) bool: no deal yet when the window (max_rounds) closed
    deal: np.ndarray  # (N, K), NaN without a deal
    no_deal: np.ndarray  # (N, K) the no-deal point when the talks ended
    utility: np.ndarray  # (N, A): u(deal), or the value of war W at the end without one
    event: np.ndarray  # (N, E) bool: the event was active during the talks

    @classmethod
    def empty(cls, layout: Layout, run: np.ndarray) -> Outcomes:
        """Outcomes to be filled in, for the given run numbers."""
        n, a, k, e = len(run), len(layout.actors), len(layout.issues), len(layout.events)
        return cls(run=np.asarray(run), agreed=np.zeros(n, bool),
                   round=np.full(n, -1, np.int64), rounds=np.zeros(n, np.int64),
                   proposer=np.full(n, -1, np.int64), blocker=np.full(n, -1, np.int64),
                   mediator_left=np.zeros(n, bool), censored=np.zeros(n, bool),
                   deal=np.full((n, k), np.nan), no_deal=np.full((n, k), np.nan),
                   utility=np.full((n, a), np.nan), event=np.zeros((n, e), bool))

    def to_frame(self, layout: Layout) -> pd.DataFrame:
        """One row per run with the columns of runs.parquet."""
        ids = np.array(list(layout.actors) + [""], dtype=object)
        columns = {
            "run": self.run.astype(np.int64),
            "agreed": self.agreed.astype(bool),
            "round": self.round.astype(np.int64),
            "rounds": self.rounds.astype(np.int64),
            "proposer": ids[self.proposer],  # index -1 picks the trailing ""
            "blocker": ids[self.blocker],
            "mediator_left": self.mediator_left.astype(bool),
            "censored": self.censored.astype(bool),
        }
        for k, issue in enumerate(layout.issues):
            columns[f"deal.{issue}"] = self.deal[:, k]
        for k, issue in enumerate(layout.issues):
            columns[f"nodeal.{issue}"] = self.no_deal[:, k]
        for a, actor in enumerate(layout.actors):
            columns[f"utility.{actor}"] = self.utility[:, a]
        for e, name in enumerate(layout.events):
            columns[f"event.{name}"] = self.event[:, e]
        frame = pd.DataFrame(columns)
        for name in ("proposer", "blocker"):
            frame[name] = frame[name].astype(str)
        return frame
