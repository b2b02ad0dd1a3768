"""The compiled engine: the vector engine's rules played run by run in a loop numba compiles
(docs/engines.md, "The compiled engine").

``run_compiled(params)`` gives the same Outcomes as ``run_vector(params)``, bit for bit. The
batch engines use it by default where numba is installed and the scenario uses only what the
loop implements (``supports``); elsewhere they use the numpy engine. NEGSIM_COMPILED=0 turns
it off.

The first call compiles the loop (``compile_seconds`` tells how long it took) into numba's
cache: a folder under the user's cache directory (NEGSIM_CACHE_DIR, else XDG_CACHE_HOME or
~/.cache, then negsim/numba-<key>) whose key hashes the source of the rules and of the loop,
so that a cache never outlives the rules it was compiled from. Later processes load it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
import time
from pathlib import Path

import numpy as np

from ..model import layout as layout_module
from ..model.layout import Layout
from ..results.outcome import Outcomes

_STATE: dict = {}
_LOCK = threading.Lock()

ATTRS = {"reservation": 1, "war_cost": 2, "capability": 3, "strategy.exponent": 4,
         "strategy.patience": 5, "belief.drift": 6, "belief.weight": 7, "drift": 8,
         "volatility": 9}  # kernel.RESERVATION ... kernel.VOLATILITY (0: the mediator leaves)
OPS = {"add": 0, "scale": 1, "set": 2, "mediator_exit": -1}


def available() -> bool:
    """Whether the compiled engine can be used here: numba is installed and it is not
    turned off (NEGSIM_COMPILED=0)."""
    if os.environ.get("NEGSIM_COMPILED", "1").strip() in ("0", "false", "no", "off"):
        return False
    return importlib.util.find_spec("numba") is not None


def supports(layout: Layout) -> bool:
    """Whether the compiled loop implements everything this scenario uses (every scenario
    negsim validates; kept so that a rule added to the numpy engine alone can say no)."""
    return True


def cache_dir() -> Path:
    """Where numba keeps the compiled loop: a folder keyed by the source it was built from."""
    root = os.environ.get("NEGSIM_CACHE_DIR")
    if root:
        base = Path(root)
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "negsim"
    return base / f"numba-{source_key()}"


def source_key() -> str:
    """A hash of the source of every module the compiled loop is built from (this one too: it
    registers the formulas), and of the numba and numpy versions."""
    import numba

    digest = hashlib.sha256(f"{numba.__version__} {np.__version__}".encode())
    model = Path(layout_module.__file__).parent
    here = Path(__file__)
    for path in sorted(model.glob("*.py")) + [here, here.with_name("kernel.py"),
                                              here.with_name("lanes.py")]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def kernel():
    """The compiled module (negsim.engine.kernel), set up on first use: numba's cache pointed
    at ``cache_dir()`` and the shared formulas registered with numba."""
    with _LOCK:  # one thread sets numba up (negsim serve warms it in the background)
        if "kernel" not in _STATE:
            _STATE["kernel"] = _set_up()
    return _STATE["kernel"]


def _set_up():
    import numba
    from numba.extending import overload, register_jitable

    from ..model import element

    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        numba.config.CACHE_DIR = str(folder)
    except OSError:  # no cache: every process compiles the loop
        pass

    @overload(element.select)
    def _select(condition, if_true, if_false):
        def choose(condition, if_true, if_false):
            return if_true if condition else if_false
        return choose

    bits, number = _bitcasts()

    @overload(element.split)
    def _split(x):
        def frexp(x):  # math.frexp without branches (so that loops over runs vectorise)
            tiny = -MIN_NORMAL < x < MIN_NORMAL  # subnormal (or 0): scaled by 2^54 first
            y = x * TWO_54 if tiny else x
            b = bits(y)
            field = (b >> 52) & 0x7FF
            odd = x == 0.0 or field == 0x7FF  # 0, infinite, NaN: x itself and 0
            m = x if odd else number((b & MANTISSA_AND_SIGN) | HALF_EXPONENT)
            k = 0 if odd else field - (1076 if tiny else 1022)
            return m, np.int64(k)
        return frexp

    @overload(element.scale2)
    def _scale2(x, k):
        def ldexp(x, k):  # x 2^k in two steps, the first exact, rounded once as math.ldexp
            n = np.int64(k)
            first = min(max(n, -969), 1023)
            second = min(max(n - first, -1022), 1023)  # beyond: 0 or infinite all the same
            return (x * number((first + 1023) << 52)) * number((second + 1023) << 52)
        return ldexp

    for function in element.registered():
        register_jitable(inline="always", error_model="numpy")(function)
    from . import kernel as module
    from . import lanes

    module.lanes = lanes
    return module


MANTISSA_AND_SIGN = np.int64(-0x7FF0000000000001)  # 0x800FFFFFFFFFFFFF as an int64
HALF_EXPONENT = np.int64(0x3FE0000000000000)  # the exponent field of 0.5
MIN_NORMAL = 2.0 ** -1022
TWO_54 = 2.0 ** 54


def _bitcasts():
    """numba intrinsics that read a float64's bits as an int64 and back (no conversion): the
    compiled split and scale2 take a number apart and build 2^k without a call into the C
    library, and without branches, so that a loop over runs that takes powers vectorises."""
    from numba.core import types
    from numba.extending import intrinsic

    @intrinsic
    def bits(typingctx, x):
        def codegen(context, builder, signature, args):
            return builder.bitcast(args[0], context.get_value_type(types.int64))
        return types.int64(types.float64), codegen

    @intrinsic
    def number(typingctx, n):
        def codegen(context, builder, signature, args):
            return builder.bitcast(args[0], context.get_value_type(types.float64))
        return types.float64(types.int64), codegen

    return bits, number


def compile_seconds() -> float:
    """Make both loops ready in this process (compile them, or load them from the cache) by
    playing one run of a tiny scenario in lanes and one run by run: the seconds it took (0
    once they are ready)."""
    if "loaded" in _STATE:
        return 0.0
    from ..bench import synthetic
    from ..sampling import sample

    start = time.perf_counter()
    params = sample(synthetic(3, 1, 2), 0, 0, 1)
    run_compiled(params)
    run_compiled(params, lanes=False)
    return time.perf_counter() - start


def layout_arrays(layout: Layout) -> dict:
    """The layout as the loop takes it: effects as parallel arrays of codes."""
    effects = layout.effects
    return {
        "signatory": layout.signatory, "veto": layout.veto, "members": layout.members,
        "strategy": layout.strategy.astype(np.int64),
        "mediator": layout.mediator if layout.mediated else -1,
        "max_rounds": layout.max_rounds,
        "moving": np.flatnonzero(layout.moving).astype(np.int64),
        "still": still(layout),
        "actor_rank": layout.actor_rank, "issue_rank": layout.issue_rank,
        "reciprocal": bool(np.any(layout.strategy == 1)),
        "eff_event": np.array([s.event for s in effects], dtype=np.int64),
        "eff_attr": np.array([0 if s.kind == "exit" else ATTRS[s.attr] for s in effects],
                             dtype=np.int64),
        "eff_op": np.array([OPS[s.op] for s in effects], dtype=np.int64),
        "eff_index": np.array([max(s.index, 0) for s in effects], dtype=np.int64),
        "eff_issue": np.array([max(s.issue, 0) for s in effects], dtype=np.int64),
        "eff_low": np.array([s.bounds[0] for s in effects], dtype=float),
        "eff_high": np.array([s.bounds[1] for s in effects], dtype=float),
        "stateful": any(c is not None for c in layout.starts + layout.ends),
        "starts": _conditions(layout.starts), "ends": _conditions(layout.ends),
        "stage_of_issue": layout.stage_of_issue.astype(np.int64),
        "stage_duration": layout.stage_duration.astype(float),
        "stage_skip": layout.stage_skip.astype(np.int64),
    }


def still(layout: Layout) -> np.ndarray:
    """Issues that never move and that no belief or effect is about: every actor's estimate
    of their drift is exactly 0 in every round, so their part of the value of war is a
    constant of the run. (K,) bool"""
    out = ~layout.moving & ~layout.contested
    for spec in layout.effects:
        if spec.kind == "belief":
            out[spec.issue] = False
        elif spec.kind == "front":
            out[spec.index] = False
    return out


CONDITIONS = {"rejected": 0, "accepted": 1, "agreed": 2, "not_agreed": 3}  # kernel.REJECTED..


def _conditions(specs) -> np.ndarray:
    """Conditions (layout.ConditionSpec or None) as rows of codes (E, 6): kind (-1: none),
    actor, times, in a row, stage, round."""
    rows = np.full((len(specs), 6), -1, dtype=np.int64)
    for e, c in enumerate(specs):
        if c is not None:
            rows[e] = (CONDITIONS[c.kind], c.actor, c.times, int(c.in_a_row), c.stage, c.round)
    return rows


def run_compiled(params, lanes: bool = True) -> Outcomes:
    """Outcomes of every run of a batch (run axis first), the same as run_vector's: in lanes
    (negsim.engine.lanes) where the scenario fits them and ``lanes``, else run by run
    (negsim.engine.kernel)."""
    layout = params.layout
    if params.run_axis_last:
        raise ValueError("run_compiled takes a batch with the run axis first")
    module = kernel()
    _STATE["loaded"] = True
    out = Outcomes.empty(layout, params.run)
    base_a = np.stack([params.reservation, params.war_cost, params.capability,
                       params.exponent, params.patience], axis=1)
    base_ak = np.stack([params.belief_drift, params.belief_weight], axis=1)
    base_k = np.stack([params.drift, params.volatility], axis=1)
    fixed = layout_arrays(layout)
    c = np.ascontiguousarray  # one compiled signature, whatever batch the arrays come from
    if lanes and module.lanes.fits(fixed):
        module.lanes.play(
            c(params.ideal), c(params.salience), base_a, base_ak, base_k, c(params.red_low),
            c(params.red_high), c(params.status_quo), c(params.noise), c(params.horizon),
            c(params.bias), c(params.step), c(params.hazard), c(params.proposer),
            c(params.event_fires), c(params.event_start), c(params.event_end),
            c(params.effect_value), *(fixed[name] for name in LANE_FIXED), out.agreed,
            out.round, out.rounds, out.proposer, out.blocker, out.mediator_left,
            out.censored, out.deal, out.no_deal, out.utility, out.war, out.event)
        return out
    module.play(
        c(params.ideal), c(params.salience), base_a, base_ak, base_k, c(params.rate),
        c(params.initial), c(params.red_low), c(params.red_high), c(params.status_quo),
        c(params.noise), c(params.horizon), c(params.bias), c(params.step), c(params.hazard),
        c(params.proposer), c(params.event_fires), c(params.event_start), c(params.event_end),
        c(params.event_length), c(params.effect_value), *(fixed[name] for name in FIXED),
        out.agreed, out.round, out.rounds, out.proposer, out.blocker, out.mediator_left,
        out.censored, out.deal, out.no_deal, out.utility, out.war, out.event, out.stage_round)
    return out


FIXED = ("signatory", "veto", "members", "strategy", "mediator", "max_rounds", "moving",
         "still", "actor_rank", "issue_rank", "reciprocal", "stateful", "starts", "ends",
         "stage_of_issue", "stage_duration", "stage_skip", "eff_event", "eff_attr", "eff_op",
         "eff_index", "eff_issue", "eff_low", "eff_high")  # kernel.play's layout arguments
LANE_FIXED = ("signatory", "veto", "members", "strategy", "mediator", "max_rounds", "moving",
              "still", "actor_rank", "eff_event", "eff_attr", "eff_op", "eff_index",
              "eff_issue", "eff_low", "eff_high")  # lanes.play's
