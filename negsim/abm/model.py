"""The Mesa reference engine: one negotiation, round by round, with a trace of every round."""

from __future__ import annotations

import mesa
import numpy as np

from ..model import agenda, rules, text
from ..model.assessment import value_of_war
from ..model.events import Talks, activity, parameters, schedule
from ..sampling import ParameterBatch
from .agent import ActorAgent


class NegotiationModel(mesa.Model):
    """One run of a scenario: its parameters are one row of a ParameterBatch.

    Each step is one round: under an agenda, a stage whose time ran out is skipped; events
    start and end as the state of the talks says and are applied; every actor assesses the
    war (belief, value of war, floor, demand); the proposer of the round makes an offer (the
    mediator puts forward its single text) on the issues of the stage on the table; every
    actor evaluates it and sets its threshold; the rules decide who had to accept and whether
    the deal is struck; the round is recorded in ``trace``; after a rejection the mediator
    redrafts and the front moves. A deal of a stage that is not the last settles its issues
    and opens the next stage. The run ends at the deal of the last stage, when the mediator
    walks away (broken off), or when the window closes (censored); later steps do nothing.
    """

    def __init__(self, params: ParameterBatch, rng=None):
        super().__init__(rng=rng)
        if params.ideal.ndim != 2:
            raise ValueError("NegotiationModel takes the parameters of one run (batch.take(i))")
        self.params = params
        n_actors = len(params.layout.actors)
        self.round = 0
        self.front = params.status_quo.copy()  # q(t): where the war would leave each issue
        self.text = np.full(len(params.layout.issues), np.nan)  # the mediator's single text
        self.redraft = np.zeros(len(params.layout.issues))  # its next move, before checks
        self.rejections = np.zeros(n_actors)
        self.last_from = np.full((n_actors, n_actors), np.nan)  # see rules.reciprocity
        self.seen_events = np.zeros(len(params.layout.events), dtype=bool)
        layout = params.layout
        self.streak = np.zeros(n_actors)
        self.accepted = np.zeros((n_actors, layout.stage_count), dtype=bool)
        self.event_start, self.event_end = params.event_start, params.event_end
        self.stage = 0  # the stage on the table (under an agenda)
        self.opened = 0  # the round it opened
        self.settled = np.full(len(layout.issues), np.nan)  # what earlier stages settled
        self.stage_round = np.full(len(layout.stages), -1, dtype=np.int64)
        self.view: agenda.Stage | None = None  # the stage on the table, as actors value it
        self.ended = False
        self.agreed = False
        self.mediator_left = False
        self.censored = False
        self.deal: np.ndarray | None = None
        self.deal_round = -1
        self.accepted_proposer = -1
        self.blocker = -1
        self.final_utility: np.ndarray | None = None
        self.final_war: np.ndarray | None = None  # W in the last round played
        self.trace: list[dict] = []
        self.actors = [ActorAgent(self, i, aid) for i, aid in enumerate(params.layout.actors)]

    @property
    def no_deal(self) -> np.ndarray:
        """The front q(t): the no-deal point where the talks stand."""
        return self.front

    def step(self) -> None:
        """Play one round (nothing once the talks have ended)."""
        if self.ended:
            return
        p, layout, t = self.params, self.params.layout, self.round
        if layout.staged:
            self._skip(t)
        self.event_start, self.event_end = schedule(
            layout, t, p.event_fires, self.event_start, self.event_end, p.event_length,
            Talks(self.rejections, self.streak, self.accepted, self.stage_round))
        active = activity(layout, t, p.event_fires, self.event_start, self.event_end,
                          self.stage_round)
        now = parameters(p, active)
        self.seen_events |= now.active
        if now.mediator_exit:
            self.mediator_left = True
            self._end(t, now)
            return
        self.view = self._stage(t, now, active) if layout.staged else None
        self.agents.do("assess", now)
        demands = np.array([actor.demand for actor in self.actors])
        proposer = self.actors[p.proposer[t]]
        if layout.mediated:
            offer = self.text = proposer.draft(now)
        else:
            offer = proposer.propose(now, demands)
        evaluations = [actor.evaluate(offer) for actor in self.actors]
        utility = np.array([u for u, _ in evaluations])
        inside = np.array([ok for _, ok in evaluations])
        is_proposer = np.arange(len(self.actors)) == proposer.index
        received, self.last_from = rules.reciprocity(self.last_from, utility, is_proposer)
        thresholds = np.array([actor.decide(now, float(received[actor.index]))
                               for actor in self.actors])
        table = None if self.view is None else self.view.table
        if self.view is not None and not layout.mediated:  # see agenda.standing
            floors = np.array([actor.floor for actor in self.actors])
            is_proposer = agenda.standing(is_proposer, utility, floors)
        required, accepted, deal, self.blocker = rules.answer(
            utility, thresholds, inside, layout.signatory, layout.veto, offer, p.status_quo,
            is_proposer, layout.actor_rank, table)
        self._record(t, proposer.index, offer, required | is_proposer, utility, accepted,
                     inside)
        self.accepted[:, self.stage] |= required & accepted & ~is_proposer
        final = self.view is None or bool(self.view.final)
        if deal and final:
            self.agreed, self.deal, self.deal_round = True, offer, t
            if layout.staged:
                self.stage_round[self.stage] = t
            self.accepted_proposer = proposer.index
            self.final_utility = utility
            self.final_war = np.array([actor.war for actor in self.actors])
            self._end(t, now)
            return
        rejected = required & ~accepted & ~is_proposer
        self.rejections = rules.count_rejections(self.rejections, required, accepted,
                                                 is_proposer)
        self.streak = rules.rejection_streak(self.streak, required, accepted, is_proposer)
        if layout.mediated and self.view is None:
            self.redraft = text.redraft_direction(
                offer, p.ideal, p.salience, thresholds, p.red_low, p.red_high, rejected,
                now.capability, p.step)
        elif layout.mediated:
            low, high = agenda.lines(self.view, p.red_low, p.red_high)
            self.redraft = text.redraft_direction(
                offer, p.ideal, agenda.weights(self.view, p.salience),
                thresholds - self.view.offset, low, high, rejected, now.capability, p.step)
        if deal:  # a stage that is not the last: its issues are settled, the next one opens
            self.settled = agenda.settle(self.settled, self.view.table, offer, True)
            self.stage_round[self.stage] = t
            self._open_next(t + 1)
        for actor in self.actors:
            actor.observe(float(received[actor.index]))
        drift, volatility = now.drift, now.volatility
        if deal:  # a stage agreed this round: the front moves as it leaves the war
            drift, volatility = agenda.front_after(True, now, self.after)
        moving = layout.moving  # the shocks p.noise[t] are those of the issues that can move
        front = self.front.copy()
        front[moving] = rules.advance_front(front[moving], drift[moving], volatility[moving],
                                            p.noise[t])
        self.front = front
        self.round += 1
        if self.round == layout.max_rounds:
            self.censored = True
            self._end(self.round, now)

    def _stage(self, t: int, now, active) -> agenda.Stage:
        """The stage on the table this round, as every actor values it."""
        p, layout = self.params, self.params.layout
        after = parameters(p, agenda.prospective(active, np.int64(self.stage),
                                                 len(layout.events)))
        self.after = after  # the war if the stage were agreed: it moves the front if it is
        table = agenda.on_table(layout.stage_of_issue, self.settled, np.int64(self.stage))
        final = np.bool_(self.stage == len(layout.stages) - 1)
        return agenda.view(t, now, after, self.front, p.status_quo, p.ideal, p.salience,
                           p.horizon, table, self.settled, final,
                           layout.stage_duration[self.stage], np.bool_(self.opened == t))

    def _skip(self, t: int) -> None:
        """Move on from a stage whose time ran out: the next stage takes its issues."""
        skip = self.params.layout.stage_skip
        while skip[self.stage] >= 0 and t - self.opened >= skip[self.stage]:
            self._open_next(t)

    def _open_next(self, t: int) -> None:
        """The next stage opens at round t: offers start afresh."""
        self.stage += 1
        self.opened = t
        self.last_from[:] = np.nan
        self.text = np.full_like(self.text, np.nan)

    @property
    def stage_id(self) -> str | None:
        """The id of the stage on the table (None without an agenda)."""
        stages = self.params.layout.stages
        return stages[self.stage] if stages else None

    def _end(self, t: int, now) -> None:
        """The talks are over at the start of round t (after a deal: in round t)."""
        self.ended = True
        self.running = False
        if not self.agreed:
            p = self.params
            settled = self.settled if p.layout.staged else None
            _, self.final_utility = value_of_war(t, now, self.front, p.status_quo, p.ideal,
                                                 p.salience, p.horizon, settled=settled)
            self.final_war = self.final_utility

    def _record(self, t, proposer, offer, listed, utility, accepted, inside) -> None:
        layout = self.params.layout
        issues = layout.issues
        contested = [k for k, c in zip(issues, layout.contested, strict=True) if c]

        def view(actor):
            row = {"belief": {k: float(actor.estimate[issues.index(k)]) for k in contested},
                   "war": actor.war, "floor": actor.floor, "demand": actor.demand,
                   "next_demand": actor.next_demand, "threshold": actor.threshold,
                   "utility": float(utility[actor.index])}
            return row

        self.trace.append({
            "round": t,
            "proposer": layout.actors[proposer],
            "offer": dict(zip(issues, map(float, offer), strict=True)),
            "no_deal": dict(zip(issues, map(float, self.front), strict=True)),
            "hazard": float(self.params.hazard[t]),
            **self._stage_record(),
            "events": [name for name, on in zip(layout.events, self._active_events(), strict=True)
                       if on],
            "actors": {actor.actor_id: view(actor) for actor in self.actors},
            "responses": {layout.actors[a]: {"utility": float(utility[a]),
                                             "threshold": float(self.actors[a].threshold),
                                             "accept": bool(accepted[a]),
                                             "inside_red_lines": bool(inside[a])}
                          for a in np.flatnonzero(listed)},
        })

    def _stage_record(self) -> dict:
        """The stage on the table, its issues and what earlier stages settled (agenda only)."""
        if self.view is None:
            return {}
        issues = self.params.layout.issues
        return {"stage": self.stage_id,
                "table": [k for k, on in zip(issues, self.view.table, strict=True) if on],
                "settled": {k: float(v) for k, v in zip(issues, self.settled, strict=True)
                            if not np.isnan(v)}}

    def _active_events(self) -> np.ndarray:
        p, t = self.params, self.round
        return p.event_fires & (self.event_start <= t) & (t < self.event_end)

    @property
    def rounds_played(self) -> int:
        """Rounds in which an offer was made (a deal at round t means t + 1 rounds)."""
        return len(self.trace)

    def run(self) -> NegotiationModel:
        """Play until the talks end; return self."""
        while not self.ended:
            self.run_for(1)
        return self
