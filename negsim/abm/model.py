"""The Mesa reference engine: one negotiation, round by round, with a trace of every round."""

from __future__ import annotations

import mesa
import numpy as np

from ..model import rules
from ..model.events import round_parameters
from ..sampling import ParameterBatch
from .agent import ActorAgent


class NegotiationModel(mesa.Model):
    """One run of a scenario: its parameters are one row of a ParameterBatch.

    Each step is one round: events are applied, every actor assesses its threshold, the
    proposer of the round makes an offer, every actor evaluates it, the rules decide who had
    to accept and whether the deal is struck, and the round is recorded in ``trace``. The
    run ends at the first deal, after the last round, or when the mediator walks away;
    later steps do nothing.
    """

    def __init__(self, params: ParameterBatch, rng=None):
        super().__init__(rng=rng)
        if params.ideal.ndim != 2:
            raise ValueError("NegotiationModel takes the parameters of one run (batch.take(i))")
        self.params = params
        n_actors = len(params.layout.actors)
        self.round = 0
        self.no_deal = params.status_quo.copy()
        self.rejections = np.zeros(n_actors)
        self.last_from = np.full((n_actors, n_actors), np.nan)  # see rules.reciprocity
        self.seen_events = np.zeros(len(params.layout.events), dtype=bool)
        self.ended = False
        self.agreed = False
        self.mediator_left = False
        self.deal: np.ndarray | None = None
        self.deal_round = -1
        self.accepted_proposer = -1
        self.blocker = -1
        self.final_utility: np.ndarray | None = None
        self.trace: list[dict] = []
        self.actors = [ActorAgent(self, i, aid) for i, aid in enumerate(params.layout.actors)]

    def step(self) -> None:
        """Play one round (nothing once the talks have ended)."""
        if self.ended:
            return
        p, layout, t = self.params, self.params.layout, self.round
        now = round_parameters(p, t)
        self.seen_events |= now.active
        if now.mediator_exit:
            self.mediator_left = True
            self._end(now)
            return
        self.agents.do("assess", now)
        thresholds = np.array([actor.threshold for actor in self.actors])
        proposer = self.actors[p.proposer[t]]
        offer = proposer.propose(now, thresholds)
        evaluations = [actor.evaluate(offer) for actor in self.actors]
        utility = np.array([u for u, _ in evaluations])
        inside = np.array([ok for _, ok in evaluations])
        is_proposer = np.arange(len(self.actors)) == proposer.index
        required, accepted, deal, self.blocker = rules.answer(
            utility, thresholds, inside, layout.signatory, layout.veto, offer, p.status_quo,
            is_proposer, layout.actor_rank)
        self._record(t, proposer.index, offer, required | is_proposer, utility, thresholds,
                     accepted)
        if deal:
            self.agreed, self.deal, self.deal_round = True, offer, t
            self.accepted_proposer = proposer.index
            self.final_utility = utility
            self._end(now)
            return
        self.rejections = rules.count_rejections(self.rejections, required, accepted,
                                                 is_proposer)
        received, self.last_from = rules.reciprocity(self.last_from, utility, is_proposer)
        for actor in self.actors:
            actor.observe(float(received[actor.index]))
        self.no_deal = rules.advance_front(self.no_deal, now.drift, now.volatility, p.noise[t])
        self.round += 1
        if self.round == layout.max_rounds:
            self._end(now)

    def _end(self, now) -> None:
        self.ended = True
        self.running = False
        if not self.agreed:
            p = self.params
            self.final_utility = rules.batna(self.no_deal, p.ideal, p.salience, now.war_cost,
                                             p.horizon)

    def _record(self, t, proposer, offer, listed, utility, threshold, accepted) -> None:
        layout = self.params.layout
        self.trace.append({
            "round": t,
            "proposer": layout.actors[proposer],
            "offer": dict(zip(layout.issues, map(float, offer), strict=True)),
            "no_deal": dict(zip(layout.issues, map(float, self.no_deal), strict=True)),
            "responses": {layout.actors[a]: {"utility": float(utility[a]),
                                             "threshold": float(threshold[a]),
                                             "accept": bool(accepted[a])}
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
