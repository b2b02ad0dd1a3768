"""The Mesa reference engine: one negotiation, round by round, with a trace of every round."""

from __future__ import annotations

import mesa
import numpy as np

from ..model import rules, text
from ..model.assessment import value_of_war
from ..model.events import round_parameters
from ..sampling import ParameterBatch
from .agent import ActorAgent


class NegotiationModel(mesa.Model):
    """One run of a scenario: its parameters are one row of a ParameterBatch.

    Each step is one round: events are applied; every actor assesses the war (belief, value of
    war, floor, demand); the proposer of the round makes an offer (the mediator puts forward
    its single text); every actor evaluates it and sets its threshold; the rules decide who
    had to accept and whether the deal is struck; the round is recorded in ``trace``; after
    a rejection the mediator redrafts and the front moves. The run ends at the first deal,
    when the mediator walks away (broken off), or when the window closes (censored); later
    steps do nothing.
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
        self.ended = False
        self.agreed = False
        self.mediator_left = False
        self.censored = False
        self.deal: np.ndarray | None = None
        self.deal_round = -1
        self.accepted_proposer = -1
        self.blocker = -1
        self.final_utility: np.ndarray | None = None
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
        now = round_parameters(p, t)
        self.seen_events |= now.active
        if now.mediator_exit:
            self.mediator_left = True
            self._end(t, now)
            return
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
        required, accepted, deal, self.blocker = rules.answer(
            utility, thresholds, inside, layout.signatory, layout.veto, offer, p.status_quo,
            is_proposer, layout.actor_rank)
        self._record(t, proposer.index, offer, required | is_proposer, utility, accepted,
                     inside)
        if deal:
            self.agreed, self.deal, self.deal_round = True, offer, t
            self.accepted_proposer = proposer.index
            self.final_utility = utility
            self._end(t, now)
            return
        rejected = required & ~accepted & ~is_proposer
        self.rejections = rules.count_rejections(self.rejections, required, accepted,
                                                 is_proposer)
        if layout.mediated:
            self.redraft = text.redraft_direction(
                offer, p.ideal, p.salience, thresholds, p.red_low, p.red_high, rejected,
                now.capability, p.step)
        for actor in self.actors:
            actor.observe(float(received[actor.index]))
        self.front = rules.advance_front(self.front, now.drift, now.volatility, p.noise[t])
        self.round += 1
        if self.round == layout.max_rounds:
            self.censored = True
            self._end(self.round, now)

    def _end(self, t: int, now) -> None:
        """The talks are over at the start of round t (after a deal: in round t)."""
        self.ended = True
        self.running = False
        if not self.agreed:
            p = self.params
            _, self.final_utility = value_of_war(t, now, self.front, p.status_quo, p.ideal,
                                                 p.salience, p.horizon)

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
            "actors": {actor.actor_id: view(actor) for actor in self.actors},
            "responses": {layout.actors[a]: {"utility": float(utility[a]),
                                             "threshold": float(self.actors[a].threshold),
                                             "accept": bool(accepted[a]),
                                             "inside_red_lines": bool(inside[a])}
                          for a in np.flatnonzero(listed)},
        })

    @property
    def rounds_played(self) -> int:
        """Rounds in which an offer was made (a deal at round t means t + 1 rounds)."""
        return len(self.trace)

    def run(self) -> NegotiationModel:
        """Play until the talks end; return self."""
        while not self.ended:
            self.run_for(1)
        return self
