"""An actor of the negotiation as a Mesa agent: it assesses, proposes and answers by the rules."""

from __future__ import annotations

from dataclasses import fields

import mesa
import numpy as np

from ..model import agenda, assessment, rules, text


class ActorAgent(mesa.Agent):
    """One actor (party, mediator or stakeholder) in one run.

    Its preferences are row ``index`` of the model's run parameters. Each round it assesses
    the war (its belief about the drift, the value of fighting on, its floor and demand), may
    propose (or, as the mediator, put forward the single text), evaluates the offer on the
    table and sets its acceptance threshold; after a rejected round it takes note of the
    concession it received (which the reciprocal strategy answers).
    """

    def __init__(self, model, index: int, actor_id: str):
        super().__init__(model)
        self.index = index
        self.actor_id = actor_id
        self.estimate = np.full(len(model.params.layout.issues), np.nan)  # mu_hat per issue
        self.war = np.nan  # W(t)
        self.floor = np.nan  # f(t)
        self.demand = np.nan  # a(t)
        self.next_demand = np.nan  # a(t+1) as seen in round t
        self.threshold = np.nan  # theta(t)
        self.previous = np.nan  # last round's demand (reciprocal strategy)
        self.received = 0.0  # concession received last round (reciprocal strategy)

    def _row(self, array):
        return array[self.index:self.index + 1]

    def _mine(self, now):
        """The round's parameters with this actor's rows only (the issue arrays whole)."""
        return _Rows({f.name: (self._row(getattr(now, f.name))
                               if f.name in _ACTOR_FIELDS else getattr(now, f.name))
                      for f in fields(now)})

    def assess(self, now) -> None:
        """This round's belief about the drift, value of war, floor and demand."""
        p, model = self.model.params, self.model
        stage = None if model.view is None else model.view.row(self.index)
        assessed = assessment.assess(
            model.round, self._mine(now), model.front, p.status_quo, self._row(p.ideal),
            self._row(p.salience), p.horizon, self._row(p.layout.strategy), self._row(p.rate),
            self._row(p.initial), np.array([self.previous]), np.array([self.received]),
            stage=stage)
        self.estimate = assessed.estimate[0]
        self.war, self.floor = float(assessed.war[0]), float(assessed.floor[0])
        self.demand = float(assessed.demand[0])

    def propose(self, now, demands) -> np.ndarray:
        """A logrolled offer that spends this actor's budget 1 - a(t) (alternating protocol)."""
        p, view = self.model.params, self.model.view
        layout = p.layout
        if view is None:
            return rules.offer(self.index, layout.members, p.ideal, p.salience, demands,
                               now.capability, p.red_low, p.red_high, layout.issue_rank)
        offer = rules.offer(self.index, layout.members, p.ideal, p.salience, demands,
                            now.capability, p.red_low, p.red_high, layout.issue_rank,
                            view.table, view.best)
        return agenda.shown(view, offer, self.model.front)

    def draft(self, now) -> np.ndarray:
        """The mediator's single text this round: the first draft, or the last redraft, each
        kept inside its red lines and above its own floor."""
        p, model, view = self.model.params, self.model, self.model.view
        m = self.index
        ideal, weight, low, high = p.ideal[m], p.salience[m], p.red_low[m], p.red_high[m]
        floor = self.floor
        opening = model.round == 0
        if view is not None:  # only the issues on the table move; the floor counts the rest
            weight = np.where(view.table, weight, 0.0)
            floor = floor - view.offset[m]
            low, high = np.where(view.table, low, 0.0), np.where(view.table, high, 1.0)
            opening = bool(view.opening)
        if opening:
            members = p.layout.members.copy()
            members[m] = False
            goal, _ = rules.target(p.ideal, p.salience, now.capability, members)
            if view is None:
                return text.first_text(ideal, weight, floor, p.bias, goal, low, high)
            goal = np.where(view.table, goal, np.nan)
            drafted = text.first_text(ideal, weight, floor, p.bias, goal, low, high)
        else:
            drafted = text.constrain(model.text, model.redraft, ideal, weight, floor, low, high)
            if view is None:
                return drafted
        return agenda.shown(view, drafted, model.front)

    def evaluate(self, offer) -> tuple[float, bool]:
        """This actor's utility of an offer, and whether the offer respects its red lines."""
        p, view = self.model.params, self.model.view
        ideal, weight = self._row(p.ideal), self._row(p.salience)
        low, high = self._row(p.red_low), self._row(p.red_high)
        if view is None:
            utility = rules.utility(offer, ideal, weight)[0]
            inside = rules.inside_red_lines(offer, low, high)[0]
        else:
            mine = view.row(self.index)
            utility = agenda.value(mine, offer, ideal, weight)[0]
            inside = agenda.inside(mine, offer, low, high)[0]
        return float(utility), bool(inside)

    def decide(self, now, received: float) -> float:
        """This round's acceptance threshold, given the concession the offer made to it."""
        p, model = self.model.params, self.model
        assessed = assessment.Assessment(self.estimate[None], np.array([self.war]),
                                         np.array([self.floor]), np.array([self.demand]))
        best = 1.0 if model.view is None else model.view.best[self.index:self.index + 1]
        upcoming, threshold = assessment.threshold(
            model.round, assessed, self._mine(now), self._row(p.layout.strategy),
            self._row(p.rate), np.array([received]), p.hazard[model.round], best)
        self.next_demand, self.threshold = float(upcoming[0]), float(threshold[0])
        return self.threshold

    def observe(self, received: float) -> None:
        """After a rejected round: the concession received (see rules.reciprocity)."""
        self.received = received
        self.previous = self.demand


_ACTOR_FIELDS = {"reservation", "war_cost", "capability", "exponent", "patience",
                 "belief_drift", "belief_weight"}


class _Rows:
    """Attribute access to a dict of arrays (an actor's view of the round's parameters)."""

    def __init__(self, values: dict):
        self.__dict__.update(values)
