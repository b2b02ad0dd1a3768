"""The agenda: talks in stages, and how an actor values a partial deal (docs/model.md,
"Agenda and partial agreements").

A scenario's ``protocol.agenda`` is an ordered list of stages. The stage on the table
negotiates its own issues (and those of any stage skipped before it); its deal settles them
for good, and its effects change the war from the round after (a ceasefire freezes the
front). The next stage then negotiates the rest. Without an agenda the talks are one stage
with every issue, and nothing here is used.

An actor values a deal y of the stage on the table by the settlement it leaves plus the war
it would leave (Fearon's logic applied to a partial deal):

    V_j(y) = u_j(z_j) - pen_j,   z_jk = y_k on the table, the settled value on settled
                                  issues, and elsewhere y'_jk, where j expects the war to
                                  leave issue k under the stage's effects

    y'_j = clip(q + D mu'_j + (H - D) mu_j),   pen_j = kappa'_j D + kappa_j (H - D)

with D = min(d, H) for a stage whose effects last d rounds (D = H when they last), mu' and
kappa' the believed drift and the war cost as the stage's effects would leave them, and
pen_j = 0 for the last stage (its deal ends the war). The most the stage can give j is
b_j = 1 - sum_{k off the table} w_jk |z_jk - p_jk| - pen_j (its issues at j's ideal): the
demand of the tactics runs from b_j down to the floor. For the one stage of a scenario
without an agenda, V = u and b = 1.

Functions work on one run or on a batch whose run axis comes last, like the rules.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

from .assessment import estimate_drift
from .rules import EPS, clip, issue_sum, lead, own_utility


@dataclass
class Stage:
    """The stage on the table in one round, and how every actor values a deal of it."""

    table: np.ndarray  # (K, ...) bool: the issues negotiated now
    settled: np.ndarray  # (K, ...) what earlier stages agreed, NaN on open issues
    final: np.ndarray  # (...) bool: the last stage (its deal ends the war)
    opening: np.ndarray  # (...) bool: the stage opens this round
    rest: np.ndarray  # (A, K, ...) z_jk off the table (settled, or where the war leaves it)
    penalty: np.ndarray  # (A, ...) the cost of the war the deal would leave (0: final)
    best: np.ndarray  # (A, ...) b_j: the most a deal of this stage can give j
    offset: np.ndarray  # (A, ...) V_j(y) minus the utility of y on the table's issues

    def row(self, actor: int) -> Stage:
        """The same stage with only actor ``actor``'s rows (A = 1): an agent's view."""
        return replace(self, rest=self.rest[actor:actor + 1],
                       penalty=self.penalty[actor:actor + 1], best=self.best[actor:actor + 1],
                       offset=self.offset[actor:actor + 1])

    def take(self, mask) -> Stage:
        """The runs ``mask`` of a batch (run axis last)."""
        return replace(self, **{f.name: getattr(self, f.name)[..., mask] for f in fields(self)})


def on_table(stage_of_issue, settled, current):
    """The issues negotiated now: open (not settled) and of the current stage or of a stage
    skipped before it. stage_of_issue (K,), settled (K, ...), current (...) -> (K, ...)."""
    return np.isnan(settled) & (lead(stage_of_issue, settled) <= current)


def prospective(active, current, n_events: int):
    """The activity of events and stages (E + S, ...) with the current stage's agreement
    switched on: what the war would be if the stage on the table were agreed now."""
    active = np.array(active, dtype=bool)
    for s in range(active.shape[0] - n_events):
        active[n_events + s] |= current == s
    return active


def view(t: int, now, after, front, start, ideal, weight, horizon, table, settled, final,
         duration, opening) -> Stage:
    """How every actor values a deal of the stage on the table at round t.

    ``now`` and ``after`` are the parameters in force and as the stage's agreement would
    leave them (events.RoundParameters); ``duration`` (...) how long the stage's effects last
    (inf: for good).
    """
    horizon = np.asarray(horizon)
    lasting = np.minimum(duration, horizon)
    expected = clip(np.asarray(front)[None] + lasting * estimate_drift(t, after, front, start)
                    + (horizon - lasting) * estimate_drift(t, now, front, start), 0.0, 1.0)
    penalty = np.where(final, 0.0, after.war_cost * lasting + now.war_cost * (horizon - lasting))
    rest = np.where(np.isnan(settled)[None], expected, np.asarray(settled)[None])
    off = ~np.asarray(table)[None]
    gap = np.abs(rest - ideal)
    best = 1.0 - (issue_sum(np.where(off, weight * gap, 0.0)) + penalty)
    offset = issue_sum(np.where(off, weight * (1.0 - gap), 0.0)) - penalty
    return Stage(table=np.asarray(table), settled=np.asarray(settled), final=np.asarray(final),
                 opening=np.asarray(opening), rest=rest, penalty=penalty, best=best,
                 offset=offset)


def value(stage: Stage, offer, ideal, weight, work=None):
    """V_j(y) of a deal ``offer`` (K, ...) of the stage on the table, for every actor."""
    points = np.where(stage.table[None], np.asarray(offer)[None], stage.rest)
    return own_utility(points, ideal, weight, work) - stage.penalty


def shown(stage: Stage, offer, front):
    """The offer as a point on every issue: its own values on the table, the settled values
    on settled issues, and the front elsewhere (what the war leaves there for now)."""
    elsewhere = np.where(np.isnan(stage.settled), front, stage.settled)
    return np.where(stage.table, offer, elsewhere)


def weights(stage: Stage, weight):
    """Saliences on the table's issues only (0 elsewhere): V_j moves only with them."""
    return np.where(stage.table[None], weight, 0.0)


def lines(stage: Stage, low, high):
    """Red lines on the table's issues only ([0, 1] elsewhere): a stage answers for its own
    issues; settled ones were answered for when they were agreed."""
    return np.where(stage.table[None], low, 0.0), np.where(stage.table[None], high, 1.0)


def inside(stage: Stage, offer, low, high):
    """Whether the offer respects each actor's red lines on the table's issues. (A, ...)"""
    x = np.asarray(offer)[None]
    ok = (x >= low - EPS) & (x <= high + EPS)
    return np.all(ok | ~stage.table[None], axis=1)


def settle(settled, table, offer, agreed):
    """What is settled after a round: the table's issues take the offer in runs ``agreed``."""
    return np.where(table & agreed, offer, settled)


def standing(is_proposer, value_, floor_):
    """The proposer stands by its own offer of a stage only when the offer is worth its floor
    to it (V_P >= f_P); otherwise it answers like any required actor. A pure ceasefire is
    the same offer whoever proposes it, so a side that gains by fighting must not agree to it
    merely by having the turn. (Without an agenda the proposer always accepts its own offer:
    its logrolled offer meets its demand, which is at least its floor.)"""
    return is_proposer & (value_ >= floor_ - EPS)


def front_after(stage_deal, now, after):
    """(drift, volatility) (K, ...) that move the front at the end of a round: as a stage
    agreed in that round leaves them (a ceasefire freezes the front it was agreed on)."""
    deal = np.asarray(stage_deal)
    return (np.where(deal, after.drift, now.drift),
            np.where(deal, after.volatility, now.volatility))
