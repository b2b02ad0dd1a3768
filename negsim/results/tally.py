"""A mergeable record of a Monte Carlo job: everything the summary and the figures need,
in a size that does not grow with the number of runs.

Each chunk of runs is reduced to a Tally where it is played; tallies are merged in run order.
Counts and histograms are integers, so merging them is exact. Utility means and variances
come from the exact sums of the utilities and of their squares (each square split exactly
into two floats), kept as a few non-overlapping floats each (Shewchuk's partials, as
math.fsum keeps them, in one canonical form): the mean and variance are correctly rounded,
and a tally does not depend on how the runs were split into chunks, on the order of merging,
on the number of workers or on the executor: the same job always gives the same summary.

Deals and no-deal points go into histograms of DEAL_BINS bins on [0, 1] that also keep the
least and the largest value in each bin. Quantiles are read off them the way numpy
interpolates between order statistics (see histogram_quantiles): within one bin (0.0001) of
numpy's quantile of the same values, and exact for small samples, at gaps and at point masses
(a status quo, a red line). Rounds are integers, so their quantiles are exact.

Under an agenda, each stage has its count of runs that agreed it and the histogram of the
round it was agreed in (S = 0 stages without an agenda, and in tallies written before
agendas existed, which still load).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, fields
from fractions import Fraction

import numpy as np

from ..model.layout import Layout
from ..sampling import BLOCK
from .outcome import Outcomes

DEAL_BINS = 10_000  # bins of width 1e-4 on [0, 1] for deals and no-deal points
UTILITY_RANGE = (-1.0, 1.0)  # utility histograms (for figures); outside it, the end bins
UTILITY_BINS = 400


@dataclass
class Tally:
    """Counts, histograms and utility moments of a set of runs (see the module docstring)."""

    runs: int
    agreed: int
    mediator_left: int  # broken off: the mediator walked away
    censored: int  # no deal yet when the window closed
    deal_round: np.ndarray  # (T,) runs agreeing in each round
    rounds: np.ndarray  # (T + 1,) runs by rounds played
    proposer: np.ndarray  # (A,) deals by proposer of the accepted offer
    blocker: np.ndarray  # (A,) runs without a deal, by blocker of the last offer
    event: np.ndarray  # (E,) runs in which each event was active
    deal: np.ndarray  # (K, DEAL_BINS) deals (runs with a deal)
    no_deal: np.ndarray  # (K, DEAL_BINS) the no-deal point where the talks failed
    deal_span: np.ndarray  # (2, K, DEAL_BINS) least and largest deal in each bin (+-inf empty)
    no_deal_span: np.ndarray  # (2, K, DEAL_BINS) the same for no-deal points
    utility: np.ndarray  # (A, UTILITY_BINS) final utilities (clamped to UTILITY_RANGE)
    sums: np.ndarray  # (2, A, P): the exact sums of u and of u^2 per actor, each as P
    #                   non-overlapping floats (canonical, zero-padded)
    stage_agreed: np.ndarray  # (S,) runs that agreed each stage of the agenda (S = 0 without)
    stage_round: np.ndarray  # (S, T) runs agreeing each stage in each round

    @classmethod
    def empty(cls, layout: Layout) -> Tally:
        """The tally of no runs."""
        a, k, e, t, s = (len(layout.actors), len(layout.issues), len(layout.events),
                         layout.max_rounds, len(layout.stages))
        zeros = np.zeros
        return cls(runs=0, agreed=0, mediator_left=0, censored=0, deal_round=zeros(t, np.int64),
                   rounds=zeros(t + 1, np.int64), proposer=zeros(a, np.int64),
                   blocker=zeros(a, np.int64), event=zeros(e, np.int64),
                   deal=zeros((k, DEAL_BINS), np.int64), no_deal=zeros((k, DEAL_BINS), np.int64),
                   deal_span=_empty_span(k), no_deal_span=_empty_span(k),
                   utility=zeros((a, UTILITY_BINS), np.int64), sums=zeros((2, a, 0)),
                   stage_agreed=zeros(s, np.int64), stage_round=zeros((s, t), np.int64))

    @classmethod
    def of(cls, outcomes: Outcomes, layout: Layout) -> Tally:
        """The tally of a batch of outcomes (runs in increasing order)."""
        tally = cls.empty(layout)
        if len(outcomes.run) == 0:
            return tally
        a, t = len(layout.actors), layout.max_rounds
        agreed = outcomes.agreed
        tally.runs = len(outcomes.run)
        tally.agreed = int(agreed.sum())
        tally.mediator_left = int(outcomes.mediator_left.sum())
        tally.censored = int(outcomes.censored.sum())
        tally.deal_round = np.bincount(outcomes.round[agreed], minlength=t)
        tally.rounds = np.bincount(outcomes.rounds, minlength=t + 1)
        tally.proposer = np.bincount(outcomes.proposer[agreed], minlength=a)
        blocked = ~agreed & (outcomes.blocker >= 0)
        tally.blocker = np.bincount(outcomes.blocker[blocked], minlength=a)
        tally.event = outcomes.event.sum(axis=0).astype(np.int64)
        tally.deal, tally.deal_span = _histograms(outcomes.deal[agreed], DEAL_BINS, (0.0, 1.0),
                                                  span=True)
        tally.no_deal, tally.no_deal_span = _histograms(outcomes.no_deal[~agreed], DEAL_BINS,
                                                        (0.0, 1.0), span=True)
        tally.utility = _histograms(outcomes.utility, UTILITY_BINS, UTILITY_RANGE)
        tally.stage_agreed, tally.stage_round = _stage_counts(outcomes.stage_round, t)
        blocks = outcomes.run // BLOCK
        starts = np.flatnonzero(np.r_[True, blocks[1:] != blocks[:-1]])
        stops = np.r_[starts[1:], len(blocks)]
        sums = [[[] for _ in range(a)] for _ in range(2)]
        for start, stop in zip(starts, stops, strict=True):
            u = outcomes.utility[start:stop]
            square, error = u * u, _square_error(u)  # u^2 = square + error, exactly
            for i in range(a):
                for x in _exact_parts(u[:, i]):
                    _add_exact(sums[0][i], x)
                for x in _exact_parts(np.concatenate([square[:, i], error[:, i]])):
                    _add_exact(sums[1][i], x)
        tally.sums = _pack(sums)
        return tally

    def merge(self, other: Tally) -> Tally:
        """The tally of both sets of runs (which must not share a block)."""
        merged = {}
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if f.name == "sums":
                merged[f.name] = _merge_sums(mine, theirs)
            elif f.name.endswith("_span"):
                merged[f.name] = np.stack([np.minimum(mine[0], theirs[0]),
                                           np.maximum(mine[1], theirs[1])])
            else:
                merged[f.name] = mine + theirs
        return Tally(**merged)

    def utility_mean_var(self) -> tuple[np.ndarray, np.ndarray]:
        """Mean and sample variance of each actor's final utility, correctly rounded: from
        the exact S = sum u and Q = sum u^2, the variance (Q - S^2 / n) / (n - 1) is computed
        in rational arithmetic and rounded once. -> (A,), (A,)"""
        n = self.runs
        a = self.sums.shape[1]
        if n == 0:
            return np.full(a, np.nan), np.full(a, np.nan)
        exact = [[sum(map(Fraction, self.sums[r, i]), Fraction(0)) for i in range(a)]
                 for r in range(2)]
        mean = np.array([float(exact[0][i] / n) for i in range(a)])
        if n < 2:
            return mean, np.full(a, np.nan)
        var = np.array([float((exact[1][i] - exact[0][i] ** 2 / n) / (n - 1))
                        for i in range(a)])
        return mean, var

    def to_bytes(self) -> bytes:
        """The tally as a compressed .npz file's bytes (see ``from_bytes``)."""
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **{f.name: np.asarray(getattr(self, f.name))
                                       for f in fields(self)})
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> Tally:
        """A tally written by ``to_bytes`` (or by negsim 0.x, which kept block moments; or
        before agendas, without stage arrays: read as S = 0 stages)."""
        with np.load(io.BytesIO(data)) as npz:
            values = {f.name: npz[f.name] for f in fields(cls) if f.name in npz}
            if "sums" not in values:
                values["sums"] = _sums_of_moments(npz["moments"])
        t = len(values["deal_round"])
        values.setdefault("stage_agreed", np.zeros(0, np.int64))
        values.setdefault("stage_round", np.zeros((0, t), np.int64))
        for name in ("runs", "agreed", "mediator_left", "censored"):
            values[name] = int(values[name])
        return cls(**values)


def _stage_counts(stage_round: np.ndarray, t: int) -> tuple[np.ndarray, np.ndarray]:
    """Runs that agreed each stage (S,) and by the round they agreed it in (S, T), from the
    outcomes' (N, S) rounds (-1: not agreed)."""
    s = stage_round.shape[1]
    agreed = stage_round >= 0
    if np.any(stage_round[agreed] >= t):
        raise ValueError(f"a stage agreed in round {int(stage_round.max())}, after the window "
                         f"of {t} rounds")
    flat = (stage_round + np.arange(s) * t)[agreed]
    counts = np.bincount(flat, minlength=s * t).reshape(s, t)
    return agreed.sum(axis=0).astype(np.int64), counts.astype(np.int64)


def _sums_of_moments(moments: np.ndarray) -> np.ndarray:
    """The sums S and Q of an older tally's block moments (blocks, 3, A): runs, mean, m2
    (as close as those moments allow)."""
    counts, means, m2 = moments[:, 0], moments[:, 1], moments[:, 2]
    a = moments.shape[2]
    sums = [[[] for _ in range(a)] for _ in range(2)]
    for terms in zip(counts * means, m2 + counts * means * means, strict=True):
        for row, term in zip(sums, terms, strict=True):
            for partials, x in zip(row, term, strict=True):
                _add_exact(partials, float(x))
    return _pack(sums)


_SPLIT = 134217729.0  # 2^27 + 1: Veltkamp's splitting constant for doubles


def _square_error(u: np.ndarray) -> np.ndarray:
    """e with u * u = fl(u * u) + e exactly (Dekker's product; |u| far below 1e150)."""
    c = _SPLIT * u
    high = c - (c - u)
    low = u - high
    return ((high * high - u * u) + 2.0 * high * low) + low * low


def _exact_parts(values: np.ndarray) -> list[float]:
    """The exact sum of ``values`` as a few floats: math.fsum's correctly rounded sum, then
    the correctly rounded remainder, until nothing remains (two or three passes in C)."""
    terms = values.tolist()
    parts: list[float] = []
    while True:
        rest = math.fsum(terms + [-p for p in parts])
        if rest == 0.0:
            return parts
        parts.append(rest)


def _add_exact(partials: list[float], x: float) -> None:
    """Add x to a sum kept exactly as non-overlapping floats (Shewchuk 1997, the algorithm
    behind math.fsum); the list stays short (a few floats)."""
    i = 0
    for y in partials:
        if abs(x) < abs(y):
            x, y = y, x
        high = x + y
        low = y - (high - x)
        if low:
            partials[i] = low
            i += 1
        x = high
    partials[i:] = [x] if x else []


def _canonical(partials: list[float]) -> list[float]:
    """The same exact sum written one way only, whatever the order it was summed in: its
    nearest float, then the nearest float to what remains, and so on."""
    rest = sum(map(Fraction, partials), Fraction(0))
    out = []
    while rest:
        x = float(rest)
        out.append(x)
        rest -= Fraction(x)
    return out


def _pack(sums: list[list[list[float]]]) -> np.ndarray:
    """Partials per (sum, actor), canonical, as a zero-padded (3, A, P) array."""
    sums = [[_canonical(p) for p in row] for row in sums]
    width = max((len(p) for row in sums for p in row), default=0)
    packed = np.zeros((len(sums), len(sums[0]) if sums else 0, width))
    for r, row in enumerate(sums):
        for i, partials in enumerate(row):
            packed[r, i, :len(partials)] = partials
    return packed


def _merge_sums(mine: np.ndarray, theirs: np.ndarray) -> np.ndarray:
    """The exact sums of two tallies added (exact, so in any order)."""
    sums = []
    for r in range(mine.shape[0]):
        row = []
        for i in range(mine.shape[1]):
            partials = [float(x) for x in mine[r, i] if x]
            for x in theirs[r, i]:
                if x:
                    _add_exact(partials, float(x))
            row.append(partials)
        sums.append(row)
    return _pack(sums)


def _empty_span(k: int) -> np.ndarray:
    return np.stack([np.full((k, DEAL_BINS), np.inf), np.full((k, DEAL_BINS), -np.inf)])


def _histograms(values: np.ndarray, bins: int, value_range: tuple[float, float],
                span: bool = False):
    """Counts per bin of each column of ``values`` (N, C) -> (C, bins); values outside the
    range count in the end bins, 1.0 in the last bin. With ``span``, also the least and the
    largest value in each bin (2, C, bins)."""
    low, high = value_range
    index = np.floor((values - low) * (bins / (high - low)))
    index = np.clip(index, 0, bins - 1).astype(np.int64)
    columns = values.shape[1]
    flat = (index + np.arange(columns) * bins).ravel()
    counts = np.bincount(flat, minlength=columns * bins).reshape(columns, bins)
    if not span:
        return counts
    least, largest = np.full(columns * bins, np.inf), np.full(columns * bins, -np.inf)
    np.minimum.at(least, flat, values.ravel())
    np.maximum.at(largest, flat, values.ravel())
    return counts, np.stack([least.reshape(columns, bins), largest.reshape(columns, bins)])


def histogram_quantiles(counts: np.ndarray, span: np.ndarray, probabilities) -> np.ndarray:
    """Quantiles of a histogram with the least and largest value of each bin (``span``,
    (2, bins)), the way numpy.quantile interpolates between order statistics.

    Quantile p lies between the order statistics of ranks floor(h) and floor(h) + 1, with
    h = (n - 1) p. An order statistic is read off its bin: the bin's least value for its
    first rank there, its largest for its last, and evenly in between for the others. So the
    result is exact when the two order statistics are the first or last of their bins (small
    samples, gaps, point masses), and within one bin (0.0001) otherwise. NaN when empty.
    """
    counts = np.asarray(counts, dtype=np.int64)
    n = int(counts.sum())
    probabilities = np.asarray(probabilities, dtype=float)
    if n == 0:
        return np.full(probabilities.shape, np.nan)
    cumulative = np.cumsum(counts)

    def order_statistic(rank):  # the rank-th smallest value (0-based), from its bin
        b = np.searchsorted(cumulative, rank, side="right")
        first = cumulative[b] - counts[b]
        inside = np.where(counts[b] > 1, (rank - first) / np.maximum(counts[b] - 1, 1), 0.0)
        least, largest = span[0][b], span[1][b]
        return least + inside * (largest - least)

    h = (n - 1) * probabilities
    below = np.floor(h).astype(np.int64)
    above = np.minimum(below + 1, n - 1)
    low, high = order_statistic(below), order_statistic(above)
    t = h - below
    # numpy's own interpolation, from the nearer end, so integer data match it to the bit
    return np.where(t >= 0.5, high - (high - low) * (1.0 - t), low + (high - low) * t)


def integer_quantiles(counts: np.ndarray, probabilities) -> np.ndarray:
    """Quantiles of integer data given as counts per value 0, 1, 2, ..., exactly as
    numpy.quantile (linear interpolation between order statistics) would give them: a
    histogram whose bin v holds only the value v."""
    values = np.arange(len(counts), dtype=float)
    return histogram_quantiles(counts, np.stack([values, values]), probabilities)
