"""An actor of the negotiation as a Mesa agent: it assesses, proposes and answers by the rules."""

from __future__ import annotations

import mesa
import numpy as np

from ..model import rules


class ActorAgent(mesa.Agent):
    """One actor (party, mediator or stakeholder) in one run.

    Its preferences are row ``index`` of the model's run parameters. Each round it assesses
    its threshold, may propose, evaluates the offer on the table, and after a rejected
    round takes note of the concession it received (which the reciprocal strategy answers).
    """

    def __init__(self, model, index: int, actor_id: str):
        super().__init__(model)
        self.index = index
        self.actor_id = actor_id
        self.aspiration = np.nan
        self.batna = np.nan
        self.threshold = np.nan
        self.previous = np.nan  # last round's aspiration (reciprocal strategy)
        self.received = 0.0  # concession received last round (reciprocal strategy)

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

    def propose(self, now, thresholds) -> np.ndarray:
        """The offer this actor puts on the table: a logrolled offer, or the mediator's text."""
        p = self.model.params
        layout = p.layout
        return rules.offer(layout.mediated, self.index, layout.members, p.ideal, p.salience,
                           thresholds, now.capability, self.model.rejections, p.lean, p.bias,
                           p.red_low, p.red_high, layout.issue_rank)

    def evaluate(self, offer) -> tuple[float, bool]:
        """This actor's utility of an offer, and whether the offer respects its red lines."""
        p = self.model.params
        utility = rules.utility(offer, self._row(p.ideal), self._row(p.salience))[0]
        inside = rules.inside_red_lines(offer, self._row(p.red_low), self._row(p.red_high))[0]
        return float(utility), bool(inside)

    def observe(self, received: float) -> None:
        """After a rejected round: the concession received (see rules.reciprocity)."""
        self.received = received
        self.previous = self.aspiration
