"""The vectorised engine: every run of a batch negotiates at once, round by round.

It calls the same rules as the Mesa engine (negsim.model) on arrays whose run axis comes
last. Only the orchestration differs: all runs step in lockstep, runs that
end (a deal, the mediator leaving) are recorded and drop out, and the working set is
compacted when enough of it has finished, so later rounds cost less. Under an agenda each run
is at its own stage: the stage on the table is a per-run array like any other state.
"""

from __future__ import annotations

from dataclasses import fields, replace

import numpy as np

from ..model import agenda, rules, text
from ..model.assessment import assess, value_of_war
from ..model.assessment import threshold as assessment_threshold
from ..model.events import Talks, activity, parameters, schedule
from ..results.outcome import Outcomes
from ..sampling import ParameterBatch

COMPACT_BELOW = 0.75  # compact the working set when fewer than this share of it is alive


def run_vector(params: ParameterBatch) -> Outcomes:
    """Outcomes of every run of a batch (same results as the Mesa engine, run by run)."""
    layout = params.layout
    out = Outcomes.empty(layout, params.run)
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

    COMPACTED = ("front", "rejections", "streak", "accepted", "last_from", "previous",
                 "received", "blocker", "seen", "low", "high", "text", "redraft", "start",
                 "end", "stage", "opened", "settled", "stage_round")

    def __init__(self, params: ParameterBatch):
        layout = params.layout
        n, a, k = len(params), len(layout.actors), len(layout.issues)
        self.params = params  # the runs still in play (compacted from time to time)
        self.rows = np.arange(n)  # their row numbers in the outcomes
        self.alive = np.ones(n, dtype=bool)
        self.front = params.status_quo.copy()  # q(t)
        self.rejections = np.zeros((a, n))
        self.streak = np.zeros((a, n))
        self.accepted = np.zeros((a, layout.stage_count, n), dtype=bool)
        self.last_from = np.full((a, a, n), np.nan)
        self.previous = np.full((a, n), np.nan)
        self.received = np.zeros((a, n))
        self.blocker = np.full(n, -1, dtype=np.int64)
        self.seen = np.zeros((len(layout.events), n), dtype=bool)
        self.start, self.end = params.event_start, params.event_end  # the events' schedule
        self.stateful = any(c is not None for c in layout.starts + layout.ends)
        self.text = np.full((k, n), np.nan)  # the mediator's text, once drafted
        self.redraft = np.zeros((k, n))  # the mediator's next move, before its floor check
        self.stage = np.zeros(n, dtype=np.int64)  # the stage on the table
        self.opened = np.zeros(n, dtype=np.int64)  # the round it opened
        self.settled = np.full((k, n), np.nan)  # issues earlier stages settled
        self.stage_round = np.full((len(layout.stages), n), -1, dtype=np.int64)
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
        if layout.staged:
            self._skip(t)
        if self.stateful:
            self.start, self.end = schedule(layout, t, p.event_fires, self.start, self.end,
                                            p.event_length, self._talks())
        active = activity(layout, t, p.event_fires, self.start, self.end, self.stage_round)
        now = parameters(p, active)
        self.seen |= now.active & self.alive
        leaving = now.mediator_exit & self.alive
        if leaving.any():
            out.mediator_left[self.rows[leaving]] = True
            out.rounds[self.rows[leaving]] = t
            self._record_no_deal(leaving, t, now, out)
            self.alive &= ~leaving
        work = self.work[..., :len(self.rows)]
        stage = self._stage(t, p, now, active) if layout.staged else None
        assessed = assess(t, now, self.front, p.status_quo, p.ideal, p.salience, p.horizon,
                          layout.strategy, p.rate, p.initial, self.previous, self.received, work,
                          stage)
        proposer = p.proposer[t]
        if layout.mediated:
            offer = self._text(t, p, now, assessed, stage)
        elif stage is None:
            offer = rules.offer(proposer, layout.members, p.ideal, p.salience, assessed.demand,
                                now.capability, p.red_low, p.red_high, layout.issue_rank)
        else:
            offer = agenda.shown(stage, rules.offer(
                proposer, layout.members, p.ideal, p.salience, assessed.demand, now.capability,
                p.red_low, p.red_high, layout.issue_rank, stage.table, stage.best), self.front)
        if stage is None:
            utility = rules.utility(offer, p.ideal, p.salience, work)
            inside = rules.inside_red_lines(offer[self.lined], self.low, self.high)
        else:
            utility = agenda.value(stage, offer, p.ideal, p.salience, work)
            inside = agenda.inside(_lined(stage, self.lined), offer[self.lined], self.low,
                                   self.high)
        is_proposer = np.arange(len(layout.actors))[:, None] == proposer
        received = self.received
        if self.reciprocal:  # only reciprocal actors use what they received
            received, self.last_from = rules.reciprocity(self.last_from, utility, is_proposer)
        best = 1.0 if stage is None else stage.best
        _, threshold = assessment_threshold(t, assessed, now, layout.strategy, p.rate, received,
                                            p.hazard[t], best)
        if stage is not None and not layout.mediated:  # see agenda.standing
            is_proposer = agenda.standing(is_proposer, utility, assessed.floor)
        required, accepted, deal, blocker = rules.answer(
            utility, threshold, inside, layout.signatory, layout.veto, offer, p.status_quo,
            is_proposer, layout.actor_rank, None if stage is None else stage.table)
        self._note_answers(required, accepted, is_proposer)
        partial = None
        if stage is None:
            agreed = deal & self.alive
        else:
            agreed = deal & self.alive & stage.final
            partial = deal & self.alive & ~stage.final
            self._agree_stage(t, partial, stage, offer, out)
        if agreed.any():
            rows = self.rows[agreed]
            out.agreed[rows] = True
            out.round[rows] = t
            out.rounds[rows] = t + 1
            out.proposer[rows] = proposer[agreed]
            out.deal[rows] = offer[:, agreed].T
            out.no_deal[rows] = self.front[:, agreed].T
            out.utility[rows] = utility[:, agreed].T
            out.war[rows] = assessed.war[:, agreed].T
            out.event[rows] = self.seen[:, agreed].T
            if layout.staged:
                out.stage_round[rows, -1] = t
                out.stage_round[rows, :-1] = self.stage_round[:-1, agreed].T
            self.alive &= ~agreed
        self.blocker = np.where(self.alive, blocker, self.blocker)
        rejected = required & ~accepted & ~is_proposer
        self.rejections = rules.count_rejections(self.rejections, required, accepted,
                                                 is_proposer)
        if self.stateful:
            self.streak = rules.rejection_streak(self.streak, required, accepted, is_proposer)
        self.received = received
        self.previous = assessed.demand
        if layout.mediated:
            if stage is None:
                self.redraft = text.redraft_direction(
                    offer, p.ideal, p.salience, threshold, p.red_low, p.red_high, rejected,
                    now.capability, p.step)
            else:
                low, high = agenda.lines(stage, p.red_low, p.red_high)
                self.redraft = text.redraft_direction(
                    offer, p.ideal, agenda.weights(stage, p.salience), threshold - stage.offset,
                    low, high, rejected, now.capability, p.step)
        moving = self.moving
        drift, volatility = now.drift, now.volatility
        if partial is not None and partial.any():
            drift, volatility = agenda.front_after(partial, now, self.after)
        self.front[moving] = rules.advance_front(self.front[moving], drift[moving],
                                                 volatility[moving], p.noise[t])

    # --- the agenda ---------------------------------------------------------------------------

    def _stage(self, t: int, p: ParameterBatch, now, active) -> agenda.Stage:
        """The stage on the table in every run, as every actor values it."""
        layout = p.layout
        after = parameters(p, agenda.prospective(active, self.stage, len(layout.events)))
        self.after = after  # the war if the stage were agreed: it moves the front if it is
        table = agenda.on_table(layout.stage_of_issue, self.settled, self.stage)
        final = self.stage == len(layout.stages) - 1
        return agenda.view(t, now, after, self.front, p.status_quo, p.ideal, p.salience,
                           p.horizon, table, self.settled, final,
                           layout.stage_duration[self.stage], self.opened == t)

    def _skip(self, t: int) -> None:
        """Move on from stages whose time ran out: the next stage takes their issues."""
        layout = self.params.layout
        for _ in range(len(layout.stages)):
            limit = layout.stage_skip[self.stage]
            due = (limit >= 0) & (t - self.opened >= limit)
            if not due.any():
                return
            self._open_next(due, t)

    def _open_next(self, mask, t: int) -> None:
        """The next stage opens at round t in runs ``mask``: offers start afresh."""
        self.stage = np.where(mask, self.stage + 1, self.stage)
        self.opened = np.where(mask, t, self.opened)
        self.last_from[..., mask] = np.nan
        self.text[:, mask] = np.nan

    def _agree_stage(self, t: int, mask, stage: agenda.Stage, offer, out: Outcomes) -> None:
        """Runs ``mask`` agreed a stage that is not the last: settle its issues, open the next."""
        if not mask.any():
            return
        self.settled = agenda.settle(self.settled, stage.table, offer, mask)
        self.stage_round[self.stage[mask], np.flatnonzero(mask)] = t
        self._open_next(mask, t + 1)

    def _note_answers(self, required, accepted, is_proposer) -> None:
        """Who accepted an offer of the stage on the table (for events' conditions)."""
        if self.stateful:
            yes = required & accepted & ~is_proposer
            n = yes.shape[-1]
            self.accepted[:, self.stage, np.arange(n)] |= yes

    def _talks(self) -> Talks:
        return Talks(self.rejections, self.streak, self.accepted, self.stage_round)

    # --- the mediator -------------------------------------------------------------------------

    def _text(self, t: int, p: ParameterBatch, now, assessed, stage) -> np.ndarray:
        """The mediator's text this round: its first draft, or last round's redraft."""
        m = p.layout.mediator
        ideal, weight, floor = p.ideal[m], p.salience[m], assessed.floor[m]
        low, high = p.red_low[m], p.red_high[m]
        if stage is None:
            if t == 0:
                self.text = text.first_text(ideal, weight, floor, p.bias, self._goal(p, now),
                                            low, high)
            else:
                self.text = text.constrain(self.text, self.redraft, ideal, weight, floor, low,
                                           high)
            return self.text
        weight = np.where(stage.table, weight, 0.0)
        floor = floor - stage.offset[m]
        low, high = np.where(stage.table, low, 0.0), np.where(stage.table, high, 1.0)
        drafted = self.text
        if stage.opening.any():
            goal = np.where(stage.table, self._goal(p, now), np.nan)
            first = text.first_text(ideal, weight, floor, p.bias, goal, low, high)
            drafted = np.where(stage.opening, first, drafted)
        if not stage.opening.all():
            redrafted = text.constrain(np.where(stage.opening, ideal, self.text), self.redraft,
                                       ideal, weight, floor, low, high)
            drafted = np.where(stage.opening, drafted, redrafted)
        self.text = agenda.shown(stage, drafted, self.front)
        return self.text

    @staticmethod
    def _goal(p: ParameterBatch, now) -> np.ndarray:
        members = p.layout.members.copy()
        members[p.layout.mediator] = False
        goal, _ = rules.target(p.ideal, p.salience, now.capability,
                               rules.lead(members, now.capability))
        return goal

    # --- the end ------------------------------------------------------------------------------

    def _record_no_deal(self, mask: np.ndarray, t: int, now, out: Outcomes) -> None:
        """Record runs that end without a deal at the start of round t (front q(t))."""
        p = self.params.take(mask)
        rows = self.rows[mask]
        out.blocker[rows] = self.blocker[mask]
        front = self.front[:, mask]
        out.no_deal[rows] = front.T
        settled = self.settled[:, mask] if p.layout.staged else None
        _, value = value_of_war(t, _take(now, mask), front, p.status_quo, p.ideal, p.salience,
                                p.horizon, settled=settled)
        out.utility[rows] = value.T
        out.war[rows] = value.T
        out.event[rows] = self.seen[:, mask].T
        if p.layout.staged:
            out.stage_round[rows] = self.stage_round[:, mask].T

    def finish(self, out: Outcomes) -> None:
        """Record the runs that were still negotiating when the window closed (censored)."""
        if self.alive.any():
            p = self.params
            last = p.layout.max_rounds - 1
            out.rounds[self.rows[self.alive]] = last + 1
            out.censored[self.rows[self.alive]] = True
            now = parameters(p, activity(p.layout, last, p.event_fires, self.start, self.end,
                                         self.stage_round))
            self._record_no_deal(self.alive, last + 1, now, out)

    def compact(self) -> None:
        """Drop the runs that have ended from every array."""
        keep = self.alive
        self.params = self.params.take(keep)
        self.rows = self.rows[keep]
        for name in self.COMPACTED:
            setattr(self, name, getattr(self, name)[..., keep])
        self.alive = np.ones(len(self.rows), dtype=bool)


def _lined(stage: agenda.Stage, lined) -> agenda.Stage:
    """The stage with its table restricted to the issues some red line can breach."""
    return replace(stage, table=stage.table[lined])


def _take(now, mask):
    """The round's parameters of the runs ``mask`` (run axis last)."""
    def cut(value):
        if isinstance(value, tuple):  # known_drift: (issue, op, amount, on)
            return tuple((k, op, amount[..., mask], on[..., mask])
                         for k, op, amount, on in value)
        return value[..., mask]
    return replace(now, **{f.name: cut(getattr(now, f.name)) for f in fields(now)})
