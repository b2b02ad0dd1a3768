"""Every random draw of a Monte Carlo batch, made up front (docs/design.md section 4).

Runs are grouped in blocks of BLOCK runs. Each parameter has its own stream, keyed by a
stable hash of its path in the scenario (``actors.russia.ideal.nato``), and block b of a
stream draws from ``Generator(PCG64(SeedSequence(seed, spawn_key=(stream, b))))``. So a
run's draws do not depend on how many runs are made, nor on how they are split into
chunks; and two scenarios run with the same seed share the draws of every parameter they
share (common random numbers).

Every distribution is drawn by inverse transform from one uniform per run, so changing a
distribution's parameters moves each run's draw monotonically instead of reshuffling it.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, fields

import numpy as np
from scipy import special

from .model import hazard
from .model.layout import NEVER, Layout
from .scenario.params import Beta, Choice, Normal, Triangular, Uniform, support
from .scenario.schema import (
    DEFAULT_BELIEF_WEIGHT,
    Mediated,
    Modify,
    Reciprocal,
    Scenario,
    TimeDependent,
)

BLOCK = 4096


def stream_key(path: str) -> int:
    """The stream of a parameter: a stable 64-bit hash of its dotted path."""
    return int.from_bytes(hashlib.blake2b(path.encode("utf-8"), digest_size=8).digest(), "little")


def block_generator(seed: int, path: str, block: int) -> np.random.Generator:
    """The generator of one block of one parameter's stream."""
    sequence = np.random.SeedSequence(seed, spawn_key=(stream_key(path), block))
    return np.random.Generator(np.random.PCG64(sequence))


def uniforms(seed: int, path: str, blocks: range, shape: tuple = ()) -> np.ndarray:
    """Uniform draws in (0, 1), BLOCK rows per block, for the given blocks of a stream."""
    parts = [block_generator(seed, path, b).random((BLOCK, *shape)) for b in blocks]
    return np.maximum(np.concatenate(parts), 2.0**-60)


def normals(seed: int, path: str, blocks: range, rounds: int, first: int = 0,
            out: np.ndarray | None = None) -> np.ndarray:
    """Standard normal draws (rounds, runs) of runs ``first`` .. ``first + n - 1`` of the
    given blocks (n: out's width, default every run of the blocks), drawn round-major so that
    round t's draw of a run does not depend on the number of rounds, and written into
    ``out`` in that order (no transposing, no concatenating)."""
    start = blocks.start * BLOCK + first
    if out is None:
        out = np.empty((rounds, len(blocks) * BLOCK - first))
    stop = start + out.shape[1]
    draw = np.empty((rounds, BLOCK))
    for b in blocks:
        lo, hi = max(start, b * BLOCK), min(stop, (b + 1) * BLOCK)
        block_generator(seed, path, b).standard_normal(out=draw)
        out[:, lo - start:hi - start] = draw[:, lo - b * BLOCK:hi - b * BLOCK]
    return out


def with_design(scenario: Scenario, design: dict[str, np.ndarray]) -> Scenario:
    """A copy of ``scenario`` whose listed uncertain parameters take the given uniforms (one
    per run, runs 0 .. len - 1) instead of their own streams: the inputs of a sensitivity
    design. Each value is drawn from its uniform by the parameter's own inverse transform,
    and every other draw of a run is the run's own, so two designs run under one seed share
    all other randomness (common random numbers). Raises ValueError for a path that is not
    an uncertain parameter, or uniforms that are not one finite number in [0, 1] per run."""
    from .scenario.paths import iter_parameters

    uncertain = {ref.dotted for ref in iter_parameters(scenario)
                 if support(ref.value)[0] != support(ref.value)[1]}
    checked = {}
    for path, u in design.items():
        if path not in uncertain:
            raise ValueError(f"{path}: not an uncertain parameter of {scenario.name} (a "
                             f"design sets only parameters drawn from a distribution)")
        u = np.asarray(u, dtype=float)
        if u.ndim != 1 or not np.all(np.isfinite(u)) or u.min(initial=0) < 0 or \
                u.max(initial=0) > 1:
            raise ValueError(f"{path}: a design gives one uniform in [0, 1] per run")
        checked[path] = np.clip(u, 2.0**-60, 1.0 - 2.0**-53)  # as the streams' own range
    lengths = {len(u) for u in checked.values()}
    if len(lengths) > 1:
        raise ValueError("every parameter of a design needs the same number of runs")
    copy = scenario.model_copy()
    copy._design = checked
    return copy


def inverse_transform(value, u: np.ndarray) -> np.ndarray:
    """Draws of a parameter from uniforms ``u``: the number itself, or its distribution."""
    if isinstance(value, (int, float)):
        return np.full(u.shape, float(value))
    if isinstance(value, Uniform):
        return value.low + (value.high - value.low) * u
    if isinstance(value, Normal):
        lo = -math.inf if value.low is None else value.low
        hi = math.inf if value.high is None else value.high
        a = special.ndtr((lo - value.mean) / value.sd)
        b = special.ndtr((hi - value.mean) / value.sd)
        x = value.mean + value.sd * special.ndtri(a + u * (b - a))
        return np.clip(x, lo, hi)
    if isinstance(value, Beta):
        return value.low + (value.high - value.low) * special.betaincinv(value.alpha,
                                                                          value.beta, u)
    if isinstance(value, Triangular):
        lo, mode, hi = value.low, value.mode, value.high
        c = (mode - lo) / (hi - lo)
        left = lo + np.sqrt(u * (hi - lo) * (mode - lo))
        right = hi - np.sqrt((1.0 - u) * (hi - lo) * (hi - mode))
        return np.where(u < c, left, right)
    if isinstance(value, Choice):
        cumulative = np.cumsum(choice_probabilities(value))
        index = np.minimum(np.searchsorted(cumulative, u, side="right"), len(value.values) - 1)
        return np.asarray(value.values, dtype=float)[index]
    return np.full(u.shape, float(value.value))  # a cited number


def choice_probabilities(value: Choice) -> np.ndarray:
    """A choice's weights as probabilities. Scaled by the largest first, so that weights as
    large as 1e308 (whose sum overflows) or as small as 1e-320 mean what they say."""
    weights = np.asarray(value.weights or [1.0] * len(value.values), dtype=float)
    weights = weights / weights.max()
    return weights / weights.sum()


def cdf(value, x) -> np.ndarray:
    """P(X <= x) for a parameter: its distribution function, or a step at the number."""
    x = np.asarray(x, dtype=float)
    if isinstance(value, (int, float)) or not hasattr(value, "dist"):
        number = float(value if isinstance(value, (int, float)) else value.value)
        return (x >= number).astype(float)
    if isinstance(value, Uniform):
        return np.clip((x - value.low) / (value.high - value.low), 0.0, 1.0)
    if isinstance(value, Normal):
        lo = -math.inf if value.low is None else value.low
        hi = math.inf if value.high is None else value.high
        a = special.ndtr((lo - value.mean) / value.sd)
        b = special.ndtr((hi - value.mean) / value.sd)
        inside = (special.ndtr((x - value.mean) / value.sd) - a) / (b - a)
        return np.where(x < lo, 0.0, np.where(x >= hi, 1.0, np.clip(inside, 0.0, 1.0)))
    if isinstance(value, Beta):
        z = np.clip((x - value.low) / (value.high - value.low), 0.0, 1.0)
        return special.betainc(value.alpha, value.beta, z)
    if isinstance(value, Triangular):
        lo, mode, hi = value.low, value.mode, value.high
        left = np.where(mode > lo, (x - lo) ** 2 / ((hi - lo) * max(mode - lo, 1e-300)), 0.0)
        right = 1.0 - np.where(hi > mode, (hi - x) ** 2 / ((hi - lo) * max(hi - mode, 1e-300)),
                               0.0)
        return np.where(x <= lo, 0.0, np.where(x >= hi, 1.0, np.where(x <= mode, left, right)))
    weights = choice_probabilities(value)
    values = np.asarray(value.values, dtype=float)
    return (weights[None, :] * (values[None, :] <= x.reshape(-1, 1))).sum(axis=1).reshape(x.shape)


def round_pmf(value, rounds: int) -> np.ndarray:
    """P(floor(R) = k) for k = 0 .. rounds, R the (non-negative) round of an event."""
    edges = np.arange(rounds + 2, dtype=float)  # floor(R) = k exactly when k <= R < k + 1
    below = cdf(value, np.nextafter(edges, -np.inf))  # P(R < edge)
    return np.diff(below)


RUNS_LAST = ("noise",)  # arrays whose run axis is last in either layout


@dataclass
class ParameterBatch:
    """Every parameter of a batch of runs, one row per run, all draws already made."""

    layout: Layout
    seed: int
    run: np.ndarray  # (N,) run numbers
    ideal: np.ndarray  # (N, A, K), inside the actor's red lines
    salience: np.ndarray  # (N, A, K), summing to 1 per actor
    capability: np.ndarray  # (N, A)
    reservation: np.ndarray  # (N, A)
    war_cost: np.ndarray  # (N, A)
    exponent: np.ndarray  # (N, A): inf for hardliners, NaN for reciprocal actors
    patience: np.ndarray  # (N, A): time-dependent actors only (0 elsewhere)
    rate: np.ndarray  # (N, A): reciprocal actors only (0 elsewhere)
    initial: np.ndarray  # (N, A): reciprocal actors only (0 elsewhere)
    red_low: np.ndarray  # (N, A, K)
    red_high: np.ndarray  # (N, A, K)
    belief_drift: np.ndarray  # (N, A, K) prior mean of the drift (0 off the front)
    belief_weight: np.ndarray  # (N, A, K) prior weight in rounds (1 off the front)
    status_quo: np.ndarray  # (N, K)
    drift: np.ndarray  # (N, K)
    volatility: np.ndarray  # (N, K)
    noise: np.ndarray  # (T, M, N) standard normal battlefield shocks of the M issues that can
    #                    move (layout.moving, in file order; 0 where no front is drawn): round
    #                    by round, the run axis last in either layout (as they are drawn)
    horizon: np.ndarray  # (N,)
    bias: np.ndarray  # (N,) mediated protocol (0 otherwise)
    step: np.ndarray  # (N,) mediated protocol (0 otherwise)
    hazard: np.ndarray  # (N, T) perceived hazard that the talks end before round t + 1
    proposer: np.ndarray  # (N, T) actor index proposing in each round
    event_fires: np.ndarray  # (N, E) bool: the event happens in this run
    event_start: np.ndarray  # (N, E) int: first round it is active (NEVER for an event the
    #                          state of the talks starts: set when it starts)
    event_end: np.ndarray  # (N, E) int: first round it is no longer active
    event_length: np.ndarray  # (N, E) int: rounds it lasts once started (T: to the end)
    effect_value: np.ndarray  # (N, F) amount of each effect of an event or a stage (NaN for
    #                           mediator_exit)
    run_axis_last: bool = False  # True after runs_last(): shapes (A, K, N), (T, N), ...

    def __len__(self) -> int:
        return len(self.run)

    def take(self, index) -> ParameterBatch:
        """The runs ``index`` (an int gives one run, with no run axis; a slice or a mask a
        batch), along the run axis wherever it is."""
        data = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray):
                runs_last = self.run_axis_last or f.name in RUNS_LAST
                value = value[..., index] if runs_last else value[index]
            data[f.name] = value
        return ParameterBatch(**data)

    def runs_last(self) -> ParameterBatch:
        """The same batch with the run axis moved last, in contiguous arrays: the layout in
        which the rules (negsim.rules) take a batch of runs."""
        if self.run_axis_last:
            return self
        data = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray) and f.name not in RUNS_LAST:
                value = np.ascontiguousarray(np.moveaxis(value, 0, -1))
            data[f.name] = value
        data["run_axis_last"] = True
        return ParameterBatch(**data)


def sample(scenario: Scenario, seed: int, start: int, stop: int,
           layout: Layout | None = None) -> ParameterBatch:
    """Draw the parameters of runs ``start`` .. ``stop - 1`` of a scenario under ``seed``."""
    layout = layout or Layout.from_scenario(scenario)
    blocks = range(start // BLOCK, (stop - 1) // BLOCK + 1)
    offset = start - blocks.start * BLOCK
    rows = slice(offset, offset + stop - start)

    design = scenario._design

    def draw(path: tuple, value) -> np.ndarray:
        low, high = support(value)
        if low == high:  # a number: no stream is drawn from
            return np.full(stop - start, low)
        dotted = ".".join(map(str, path))
        if dotted in design:  # a sensitivity design's input (with_design)
            given = design[dotted]
            if stop > len(given):
                raise ValueError(f"the design gives {len(given):,} runs; run {stop - 1:,} "
                                 f"was asked for")
            return inverse_transform(value, given[start:stop])
        return inverse_transform(value, uniforms(seed, dotted, blocks)[rows])

    A, K, T = len(layout.actors), len(layout.issues), layout.max_rounds
    n = stop - start
    shape_ak = (n, A, K)
    ideal, salience = np.empty(shape_ak), np.empty(shape_ak)
    red_low, red_high = np.zeros(shape_ak), np.ones(shape_ak)
    capability, reservation, war_cost = np.empty((n, A)), np.empty((n, A)), np.empty((n, A))
    exponent, rate, initial = np.full((n, A), np.nan), np.zeros((n, A)), np.zeros((n, A))
    patience = np.zeros((n, A))
    for a, (aid, actor) in enumerate(scenario.actors.items()):
        base = ("actors", aid)
        for k, kid in enumerate(layout.issues):
            ideal[:, a, k] = draw(base + ("ideal", kid), actor.ideal[kid])
            salience[:, a, k] = draw(base + ("salience", kid), actor.salience[kid])
            line = actor.red_lines.get(kid)
            if line is not None and line.min is not None:
                red_low[:, a, k] = draw(base + ("red_lines", kid, "min"), line.min)
            if line is not None and line.max is not None:
                red_high[:, a, k] = draw(base + ("red_lines", kid, "max"), line.max)
        capability[:, a] = draw(base + ("capability",), actor.capability)
        reservation[:, a] = draw(base + ("reservation",), actor.reservation)
        war_cost[:, a] = draw(base + ("war_cost",), actor.war_cost)
        strategy = actor.strategy
        if isinstance(strategy, TimeDependent):
            exponent[:, a] = draw(base + ("strategy", "exponent"), strategy.exponent)
            patience[:, a] = draw(base + ("strategy", "patience"), strategy.patience)
        elif isinstance(strategy, Reciprocal):
            rate[:, a] = draw(base + ("strategy", "rate"), strategy.rate)
            initial[:, a] = draw(base + ("strategy", "initial"), strategy.initial)
        else:
            exponent[:, a] = np.inf
    red_high = np.maximum(red_high, red_low)  # drawn bounds that cross collapse to the min
    ideal = np.clip(ideal, red_low, red_high)
    total = salience.sum(axis=-1, keepdims=True)
    salience = np.where(total > 0, salience / np.where(total > 0, total, 1.0), 1.0 / K)

    status_quo = np.stack([draw(("issues", k, "status_quo"), scenario.issues[k].status_quo)
                           for k in layout.issues], axis=-1)
    moving = np.flatnonzero(layout.moving)
    drift, volatility = np.zeros((n, K)), np.zeros((n, K))
    noise = np.zeros((T, len(moving), n))  # only issues that can move: the only shocks used
    for j, k in enumerate(moving):
        kid = layout.issues[k]
        front = scenario.battlefield.get(kid)
        if front is None or not layout.contested[k]:
            continue
        drift[:, k] = draw(("battlefield", kid, "drift"), front.drift)
        volatility[:, k] = draw(("battlefield", kid, "volatility"), front.volatility)
        normals(seed, f"battlefield.{kid}.noise", blocks, T, offset, noise[:, j])

    # beliefs about the drift: as stated, else the run's true drift with the default weight
    belief_drift, belief_weight = np.zeros(shape_ak), np.ones(shape_ak)
    for a, (aid, actor) in enumerate(scenario.actors.items()):
        for k, kid in enumerate(layout.issues):
            if not layout.contested[k]:
                continue
            belief = actor.beliefs.get(kid)
            if belief is None:
                belief_drift[:, a, k] = drift[:, k]
                belief_weight[:, a, k] = DEFAULT_BELIEF_WEIGHT
            else:
                base = ("actors", aid, "beliefs", kid)
                belief_drift[:, a, k] = draw(base + ("drift",), belief.drift)
                belief_weight[:, a, k] = draw(base + ("weight",), belief.weight)

    protocol = scenario.protocol
    horizon = draw(("protocol", "horizon"), protocol.horizon)
    if isinstance(protocol, Mediated):
        bias = draw(("protocol", "bias"), protocol.bias)
        step = draw(("protocol", "step"), protocol.step)
        proposer = np.full((n, T), layout.mediator, dtype=np.int64)
    else:
        bias, step = np.zeros(n), np.zeros(n)
        order = np.asarray(layout.order, dtype=np.int64)
        turn = np.arange(T) % len(order)
        if layout.random_order:  # a permutation of the signatories sorted by id
            by_id = order[np.argsort(layout.actor_rank[order])]
            u = uniforms(seed, "protocol.proposer_order", blocks, (len(order),))[rows]
            proposer = by_id[np.argsort(u, axis=1, kind="stable")][:, turn]
        else:
            proposer = np.broadcast_to(order[turn], (n, T)).copy()

    E = len(layout.events)
    fires = np.zeros((n, E), dtype=bool)
    event_start, event_end = np.zeros((n, E), dtype=np.int64), np.zeros((n, E), dtype=np.int64)
    event_length = np.full((n, E), T, dtype=np.int64)
    for e, (name, event) in enumerate(scenario.events.items()):
        base = ("events", name)
        probability = draw(base + ("probability",), event.probability)
        fires[:, e] = uniforms(seed, f"events.{name}.fires", blocks)[rows] < probability
        if event.duration is not None:
            length = np.maximum(np.floor(draw(base + ("duration",), event.duration)), 1)
            event_length[:, e] = np.minimum(length, T)
        if event.round is None:  # started by the state of the talks, in the engines
            event_start[:, e], event_end[:, e] = NEVER, T
            continue
        event_start[:, e] = np.clip(np.floor(draw(base + ("round",), event.round)), 0, T - 1)
        event_end[:, e] = np.minimum(event_start[:, e] + event_length[:, e], T)
    threats = []
    for e, (name, event) in enumerate(scenario.events.items()):
        if e in layout.known_exits:
            probability = draw(("events", name, "probability"), event.probability)
            threats.append(hazard.exit_hazard(probability, round_pmf(event.round, T)))
    risk = hazard.combined_hazard(threats) if threats else np.zeros((n, T))

    effect_value = np.full((n, len(layout.effects)), np.nan)
    effects = [effect for event in scenario.events.values() for effect in event.effects]
    effects += [effect for stage in protocol.agenda or [] for effect in stage.effects]
    for f, (spec, effect) in enumerate(zip(layout.effects, effects, strict=True)):
        if isinstance(effect, Modify):
            effect_value[:, f] = draw(tuple(spec.path.split(".")), effect.value)

    return ParameterBatch(
        layout=layout, seed=seed, run=np.arange(start, stop), ideal=ideal, salience=salience,
        capability=capability, reservation=reservation, war_cost=war_cost, exponent=exponent,
        rate=rate, initial=initial, red_low=red_low, red_high=red_high, status_quo=status_quo,
        patience=patience, belief_drift=belief_drift, belief_weight=belief_weight,
        drift=drift, volatility=volatility, noise=noise, horizon=horizon, bias=bias, step=step,
        hazard=risk,
        proposer=proposer, event_fires=fires, event_start=event_start, event_end=event_end,
        event_length=event_length, effect_value=effect_value)
