"""The vectorised engine: every run of a batch negotiates at once, round by round.

It calls the same rules as the Mesa engine (negsim.model) on arrays whose run axis comes
last. Only the orchestration differs: all runs step in lockstep, runs that
end (a deal, the mediator leaving) are recorded and drop out, and the working set is
compacted when enough of it has finished, so later rounds cost less.
"""

from __future__ import annotations

from dataclasses import fields, replace

import numpy as np

from ..model import rules, text
from ..model.assessment import assess, value_of_war
from ..model.assessment import threshold as assessment_threshold
from ..model.events import round_parameters
from ..results.outcome import Outcomes
from ..sampling import ParameterBatch

COMPACT_BELOW = 0.75  # compact the working set when fewer than this share of it is alive


def run_vector(params: ParameterBatch) -> Outcomes:
    """Outcomes of every run of a batch (same results as the Mesa engine, run by run)."""
    layout = params.layout
    out = Outcomes.empty(layout, params.run)
    # the battlefield shocks of the issues that can move, the only ones ever used
    params = replace(params, noise=params.noise[:, :, layout.moving])
    state = _State(params.runs_last())
    for t in range(layout.max_rounds):
        if state.rows.size == 0:
            break
        state.play(t, out)
        if state.alive.mean() < COMPACT_BELOW:
            state.compact()
    state.finish(out)
    return out


class _State:
    """The runs still negotiating: their parameters and the memory of the talks so far.

    Every array has the run axis last (the layout the rules take): (A, K, n), (A, n), (n,).
    The shocks ``params.noise`` (T, M, n) cover only the M issues that can move.
    """

    COMPACTED = ("front", "rejections", "last_from", "previous", "received", "blocker",
                 "seen", "low", "high", "text", "redraft")

    def __init__(self, params: ParameterBatch):
        layout = params.layout
        n, a, k = len(params), len(layout.actors), len(layout.issues)
        self.params = params  # the runs still in play (compacted from time to time)
        self.rows = np.arange(n)  # their row numbers in the outcomes
        self.alive = np.ones(n, dtype=bool)
        self.front = params.status_quo.copy()  # q(t)
        self.rejections = np.zeros((a, n))
        self.last_from = np.full((a, a, n), np.nan)
        self.previous = np.full((a, n), np.nan)
        self.received = np.zeros((a, n))
        self.blocker = np.full(n, -1, dtype=np.int64)
        self.seen = np.zeros((len(layout.events), n), dtype=bool)
        self.text = np.full((k, n), np.nan)  # the mediator's text, once drafted
        self.redraft = np.zeros((k, n))  # the mediator's next move, before its floor check
        self.reciprocal = bool(np.any(layout.strategy == rules.RECIPROCAL))
        self.work = np.empty(params.ideal.shape)  # scratch for the utilities
        # Offers lie in [0, 1], so only issues where some actor draws a red line narrower
        # than [0, 1] can breach one; only issues with a front, or a front event, ever move.
        lined = np.any((params.red_low > 0.0) | (params.red_high < 1.0), axis=(0, 2))
        self.low, self.high = params.red_low[:, lined], params.red_high[:, lined]
        self.lined = np.flatnonzero(lined)
        self.moving = np.flatnonzero(layout.moving)

    def play(self, t: int, out: Outcomes) -> None:
        """One round for every live run; record the runs that end in it."""
        p, layout = self.params, self.params.layout
        now = round_parameters(p, t)
        self.seen |= now.active & self.alive
        leaving = now.mediator_exit & self.alive
        if leaving.any():
            out.mediator_left[self.rows[leaving]] = True
            out.rounds[self.rows[leaving]] = t
            self._record_no_deal(leaving, t, now, out)
            self.alive &= ~leaving
        work = self.work[..., :len(self.rows)]
        assessed = assess(t, now, self.front, p.status_quo, p.ideal, p.salience, p.horizon,
                          layout.strategy, p.rate, p.initial, self.previous, self.received, work)
        proposer = p.proposer[t]
        if layout.mediated:
            offer = self._text(t, p, now, assessed)
        else:
            offer = rules.offer(proposer, layout.members, p.ideal, p.salience, assessed.demand,
                                now.capability, p.red_low, p.red_high, layout.issue_rank)
        utility = rules.utility(offer, p.ideal, p.salience, work)
        inside = rules.inside_red_lines(offer[self.lined], self.low, self.high)
        is_proposer = np.arange(len(layout.actors))[:, None] == proposer
        received = self.received
        if self.reciprocal:  # only reciprocal actors use what they received
            received, self.last_from = rules.reciprocity(self.last_from, utility, is_proposer)
        _, threshold = assessment_threshold(t, assessed, now, layout.strategy, p.rate, received,
                                            p.hazard[t])
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
            out.deal[rows] = offer[:, agreed].T
            out.no_deal[rows] = self.front[:, agreed].T
            out.utility[rows] = utility[:, agreed].T
            out.event[rows] = self.seen[:, agreed].T
            self.alive &= ~agreed
        self.blocker = np.where(self.alive, blocker, self.blocker)
        rejected = required & ~accepted & ~is_proposer
        self.rejections = rules.count_rejections(self.rejections, required, accepted,
                                                 is_proposer)
        self.received = received
        self.previous = assessed.demand
        if layout.mediated:
            self.redraft = text.redraft_direction(
                offer, p.ideal, p.salience, threshold, p.red_low, p.red_high, rejected,
                now.capability, p.step)
        moving = self.moving
        self.front[moving] = rules.advance_front(self.front[moving], now.drift[moving],
                                                 now.volatility[moving], p.noise[t])

    def _text(self, t: int, p: ParameterBatch, now, assessed) -> np.ndarray:
        """The mediator's text this round: its first draft, or last round's redraft."""
        m = p.layout.mediator
        ideal, weight, floor = p.ideal[m], p.salience[m], assessed.floor[m]
        low, high = p.red_low[m], p.red_high[m]
        if t == 0:
            members = p.layout.members.copy()
            members[m] = False
            goal, _ = rules.target(p.ideal, p.salience, now.capability,
                                   rules.lead(members, now.capability))
            self.text = text.first_text(ideal, weight, floor, p.bias, goal, low, high)
        else:
            self.text = text.constrain(self.text, self.redraft, ideal, weight, floor, low, high)
        return self.text

    def _record_no_deal(self, mask: np.ndarray, t: int, now, out: Outcomes) -> None:
        """Record runs that end without a deal at the start of round t (front q(t))."""
        p = self.params.take(mask)
        rows = self.rows[mask]
        out.blocker[rows] = self.blocker[mask]
        front = self.front[:, mask]
        out.no_deal[rows] = front.T
        _, value = value_of_war(t, _take(now, mask), front, p.status_quo, p.ideal, p.salience,
                                p.horizon)
        out.utility[rows] = value.T
        out.event[rows] = self.seen[:, mask].T

    def finish(self, out: Outcomes) -> None:
        """Record the runs that were still negotiating when the window closed (censored)."""
        if self.alive.any():
            last = self.params.layout.max_rounds - 1
            out.rounds[self.rows[self.alive]] = last + 1
            out.censored[self.rows[self.alive]] = True
            self._record_no_deal(self.alive, last + 1, round_parameters(self.params, last), out)

    def compact(self) -> None:
        """Drop the runs that have ended from every array."""
        keep = self.alive
        self.params = self.params.take(keep)
        self.rows = self.rows[keep]
        for name in self.COMPACTED:
            setattr(self, name, getattr(self, name)[..., keep])
        self.alive = np.ones(len(self.rows), dtype=bool)


def _take(now, mask):
    """The round's parameters of the runs ``mask`` (run axis last)."""
    return replace(now, **{f.name: getattr(now, f.name)[..., mask] for f in fields(now)})
