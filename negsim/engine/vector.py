"""The vectorised engine: every run of a batch negotiates at once, round by round.

It calls the same rules as the Mesa engine (negsim.rules, negsim.events) on arrays shaped
(runs, actors, issues). Only the orchestration differs: all runs step in lockstep, runs that
end (a deal, the mediator leaving) are recorded and drop out, and the working set is
compacted when enough of it has finished, so later rounds cost less.
"""

from __future__ import annotations

import numpy as np

from .. import rules
from ..events import round_parameters
from ..outcome import Outcomes
from ..sampling import ParameterBatch

COMPACT_BELOW = 0.75  # compact the working set when fewer than this share of it is alive


def run_vector(params: ParameterBatch) -> Outcomes:
    """Outcomes of every run of a batch (same results as the Mesa engine, run by run)."""
    layout = params.layout
    out = Outcomes.empty(layout, params.run)
    state = _State(params, np.arange(len(params)))
    for t in range(layout.max_rounds):
        if state.rows.size == 0:
            break
        state.play(t, out)
        if state.alive.mean() < COMPACT_BELOW:
            state.compact()
    state.finish(out)
    return out


class _State:
    """The runs still negotiating: their parameters and the memory of the talks so far."""

    def __init__(self, params: ParameterBatch, rows: np.ndarray):
        n, a = len(rows), len(params.layout.actors)
        self.params = params  # the rows still in play (compacted from time to time)
        self.rows = rows  # their row numbers in the outcomes
        self.alive = np.ones(n, dtype=bool)
        self.no_deal = params.status_quo.copy()
        self.rejections = np.zeros((n, a))
        self.last_from = np.full((n, a, a), np.nan)
        self.previous = np.full((n, a), np.nan)
        self.received = np.zeros((n, a))
        self.blocker = np.full(n, -1, dtype=np.int64)
        self.seen = np.zeros((n, len(params.layout.events)), dtype=bool)
        self.reciprocal = bool(np.any(params.layout.strategy == rules.RECIPROCAL))

    def play(self, t: int, out: Outcomes) -> None:
        """One round for every live run; record the runs that end in it."""
        p, layout = self.params, self.params.layout
        now = round_parameters(p, t)
        self.seen |= now.active & self.alive[:, None]
        leaving = now.mediator_exit & self.alive
        if leaving.any():
            out.mediator_left[self.rows[leaving]] = True
            out.rounds[self.rows[leaving]] = t
            self._record_no_deal(leaving, now, out)
            self.alive &= ~leaving
        batna = rules.batna(self.no_deal, p.ideal, p.salience, now.war_cost, p.horizon)
        aspiration = rules.aspiration(t, layout.max_rounds, layout.strategy, now.reservation,
                                      now.exponent, p.rate, p.initial, self.previous,
                                      self.received)
        threshold = rules.threshold(aspiration, batna)
        proposer = p.proposer[:, t]
        offer = rules.offer(layout.mediated, proposer, layout.members, p.ideal, p.salience,
                            threshold, now.capability, self.rejections, p.lean, p.bias,
                            p.red_low, p.red_high, layout.issue_rank)
        utility = rules.utility(offer, p.ideal, p.salience)
        inside = rules.inside_red_lines(offer, p.red_low, p.red_high)
        is_proposer = np.arange(len(layout.actors)) == proposer[:, None]
        required, accepted, deal, blocker = rules.answer(
            utility, threshold, inside, layout.signatory, layout.veto, offer, p.status_quo,
            is_proposer, layout.actor_rank)
        agreed = deal & self.alive
        if agreed.any():
            rows = self.rows[agreed]
            out.agreed[rows] = True
            out.round[rows] = t
            out.rounds[rows] = t + 1
            out.proposer[rows] = proposer[agreed]
            out.deal[rows] = offer[agreed]
            out.no_deal[rows] = self.no_deal[agreed]
            out.utility[rows] = utility[agreed]
            out.event[rows] = self.seen[agreed]
            self.alive &= ~agreed
        self.blocker = np.where(self.alive, blocker, self.blocker)
        self.rejections = rules.count_rejections(self.rejections, required, accepted,
                                                 is_proposer)
        if self.reciprocal:  # only reciprocal actors use what they received
            self.received, self.last_from = rules.reciprocity(self.last_from, utility,
                                                              is_proposer)
        self.previous = aspiration
        self.no_deal = rules.advance_front(self.no_deal, now.drift, now.volatility,
                                           p.noise[:, t])

    def _record_no_deal(self, mask: np.ndarray, now, out: Outcomes) -> None:
        p = self.params
        rows = self.rows[mask]
        out.blocker[rows] = self.blocker[mask]
        out.no_deal[rows] = self.no_deal[mask]
        out.utility[rows] = rules.batna(self.no_deal[mask], p.ideal[mask], p.salience[mask],
                                        now.war_cost[mask], p.horizon[mask])
        out.event[rows] = self.seen[mask]

    def finish(self, out: Outcomes) -> None:
        """Record the runs that were still negotiating when the rounds ran out."""
        if self.alive.any():
            last = self.params.layout.max_rounds - 1
            out.rounds[self.rows[self.alive]] = last + 1
            self._record_no_deal(self.alive, round_parameters(self.params, last), out)

    def compact(self) -> None:
        """Drop the runs that have ended from every array."""
        keep = self.alive
        self.params = self.params.take(keep)
        self.rows = self.rows[keep]
        for name in ("no_deal", "rejections", "last_from", "previous", "received", "blocker",
                     "seen"):
            setattr(self, name, getattr(self, name)[keep])
        self.alive = np.ones(len(self.rows), dtype=bool)
