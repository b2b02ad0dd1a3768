"""Outcomes of a batch of runs, and their table form (one row per run)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..model.layout import Layout


class NumericalError(ArithmeticError):
    """A run produced a value the model cannot produce (NaN, infinite, out of range)."""


@dataclass
class Outcomes:
    """What happened in each run of a batch (docs/design.md section 3, 'Outcome of one run')."""

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
    war: np.ndarray  # (N, A): the value of war W in the last round played (the deal's round
    #                  for a deal; at the end, as in utility, without one)
    event: np.ndarray  # (N, E) bool: the event was active during the talks
    stage_round: np.ndarray  # (N, S) round each stage of the agenda was agreed, -1 if not
    #                          (S = 0 without an agenda)

    @classmethod
    def empty(cls, layout: Layout, run: np.ndarray) -> Outcomes:
        """Outcomes to be filled in, for the given run numbers."""
        n, a, k, e = len(run), len(layout.actors), len(layout.issues), len(layout.events)
        s = len(layout.stages)
        return cls(run=np.asarray(run), agreed=np.zeros(n, bool),
                   round=np.full(n, -1, np.int64), rounds=np.zeros(n, np.int64),
                   proposer=np.full(n, -1, np.int64), blocker=np.full(n, -1, np.int64),
                   mediator_left=np.zeros(n, bool), censored=np.zeros(n, bool),
                   deal=np.full((n, k), np.nan), no_deal=np.full((n, k), np.nan),
                   utility=np.full((n, a), np.nan), war=np.full((n, a), np.nan),
                   event=np.zeros((n, e), bool),
                   stage_round=np.full((n, s), -1, np.int64))

    def check(self, layout: Layout) -> None:
        """Raise NumericalError when a run's outcome is impossible: a utility that is NaN or
        infinite, a deal or a no-deal point outside [0, 1] (or NaN where there must be one).

        Called after every chunk, so that numbers the model cannot compute become a clear
        error instead of a silent answer.
        """
        checks = (("utility", self.utility, layout.actors, np.isfinite(self.utility)),
                  ("deal", self.deal, layout.issues,
                   ~self.agreed[:, None] | ((self.deal >= 0.0) & (self.deal <= 1.0))),
                  ("no-deal point", self.no_deal, layout.issues,
                   (self.no_deal >= 0.0) & (self.no_deal <= 1.0)))
        for what, values, names, ok in checks:
            bad = np.argwhere(~ok)
            if len(bad):
                row, col = bad[0]
                raise NumericalError(
                    f"run {int(self.run[row])}: the {what} of {names[col]} is "
                    f"{float(values[row, col])!r}, which the model cannot produce; a number in "
                    f"the scenario is beyond what the model can compute ({len(bad)} such values "
                    f"in this chunk)")

    def to_frame(self, layout: Layout) -> pd.DataFrame:
        """One row per run with the columns of runs.parquet."""
        ids = np.array(list(layout.actors) + [""], dtype=object)
        columns = {
            "run": self.run.astype(np.int64, copy=False),
            "agreed": self.agreed.astype(bool, copy=False),
            "round": self.round.astype(np.int64, copy=False),
            "rounds": self.rounds.astype(np.int64, copy=False),
            "proposer": ids[self.proposer],  # index -1 picks the trailing ""
            "blocker": ids[self.blocker],
            "mediator_left": self.mediator_left.astype(bool, copy=False),
            "censored": self.censored.astype(bool, copy=False),
        }
        for k, issue in enumerate(layout.issues):
            columns[f"deal.{issue}"] = self.deal[:, k]
        for k, issue in enumerate(layout.issues):
            columns[f"nodeal.{issue}"] = self.no_deal[:, k]
        for a, actor in enumerate(layout.actors):
            columns[f"utility.{actor}"] = self.utility[:, a]
        for a, actor in enumerate(layout.actors):
            columns[f"war.{actor}"] = self.war[:, a]
        for e, name in enumerate(layout.events):
            columns[f"event.{name}"] = self.event[:, e]
        for s, stage in enumerate(layout.stages):
            columns[f"stage.{stage}.agreed"] = self.stage_round[:, s] >= 0
            columns[f"stage.{stage}.round"] = self.stage_round[:, s].astype(np.int64)
        frame = pd.DataFrame(columns, copy=False)  # views of these arrays: no second copy
        for name in ("proposer", "blocker"):
            frame[name] = frame[name].astype(str)
        return frame
