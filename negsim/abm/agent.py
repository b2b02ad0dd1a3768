"""An actor of the negotiation as a Mesa agent: it assesses, proposes and answers by the rules."""

from __future__ import annotations

import mesa
import numpy as np

from .. import rules


class ActorAgent(mesa.Agent):
    """One actor (party, mediator or stakeholder) in one run.

    Its preferences are row ``index`` of the model's run parameters. Each round it assesses
    its threshold, may propose, answers the offer on the table, and (reciprocal actors)
    remembers how much the others conceded.
    """

    def __init__(self, model, index: int, actor_id: str):
        super().__init__(model)
        self.index = index
        self.actor_id = actor_id
        self.aspiration = np.nan
        self.batna = np.nan
        self.threshold = np.nan
        self.previous = np.nan  # reciprocal: last round's aspiration
        self.received = 0.0  # reciprocal: concession received last round
        self.last_seen = np.nan  # utility of the last offer someone else made

    def _row(self, array):
        return array[self.index:self.index + 1]

    def assess(self, now) -> None:
        """Compute this round's BATNA, aspiration and threshold."""
        p, t = self.model.params, self.model.round
        self.batna = rules.batna(self.model.no_deal, self._row(p.ideal), self._row(p.salience),
                                 self._row(now.war_cost), p.horizon)[0]
        self.aspiration = rules.aspiration(
            t, p.layout.max_rounds, self._row(p.layout.strategy), self._row(now.reservation),
            self._row(now.exponent), self._row(p.rate), self._row(p.initial),
            np.array([self.previous]), np.array([self.received]))[0]
        self.threshold = rules.threshold(self.aspiration, self.batna)

    def propose(self, now) -> np.ndarray:
        """The offer this actor puts on the table: a logrolled offer, or the mediator's text."""
        p = self.model.params
        layout = p.layout
        others = layout.members & (np.arange(len(layout.actors)) != self.index)
        i = self.index
        if layout.mediated:
            pull = rules.leaning_pull(now.capability, self.model.rejections, p.lean)
            goal, _ = rules.target(p.ideal, p.salience, pull, others)
            return rules.mediated_text(p.ideal[i], p.bias, goal, p.red_low[i], p.red_high[i])
        goal, gain = rules.target(p.ideal, p.salience, now.capability, others)
        return rules.logroll_offer(p.ideal[i], p.salience[i], self.threshold, goal, gain,
                                   p.red_low[i], p.red_high[i], layout.issue_rank)

    def evaluate(self, offer) -> tuple[float, bool]:
        """This actor's utility of an offer, and whether the offer respects its red lines."""
        p = self.model.params
        utility = rules.utility(offer, self._row(p.ideal), self._row(p.salience))[0]
        inside = rules.inside_red_lines(offer, self._row(p.red_low), self._row(p.red_high))[0]
        return float(utility), bool(inside)

    def observe(self, utility: float, proposer: int) -> None:
        """After a rejected round: remember the concession received (reciprocal strategy)."""
        if proposer == self.index:
            self.received = 0.0
        else:
            self.received = float(rules.received_concession(utility, self.last_seen))
            self.last_seen = utility
        self.previous = self.aspiration
