"""The query parameters of the web API, each checked before anything is computed.

Every request parameter is untrusted: an unknown name, a value that is not a whole number
in range, a path the scenario does not have, or a number that is not finite is refused with
a message that says which and why (HTTP 400), never a traceback.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from ..limits import MAX_RUNS, MAX_SEED

PAGE_RUNS = 2_000  # runs of the distribution view: a few thousand, same seed every time
MIN_PAGE_RUNS = 100
MAX_PAGE_RUNS = 10_000
# A page job's work budget, so that no request can hold the machine for long: the window's
# rounds (each round of a chunk costs ~1 ms of fixed work, whatever the runs) and runs x
# rounds (~0.45 us each where runs last, as under an agenda). Measured on 2 cores, the worst
# job allowed (ceasefire_first, 2,000 runs x 1,000 rounds) takes ~4.6 s, a 1,000-round trace
# ~0.9 s. Larger jobs belong to `negsim run` and `negsim trace`, which have no such limit.
MAX_PAGE_ROUNDS = 1_000
MAX_RUN_ROUNDS = 2_000_000
WHOLE = re.compile(r"-?[0-9]+")  # ASCII digits only (str.isdigit also takes '²')


class BadRequest(ValueError):
    """A request parameter that cannot be used; the message says which and why."""


class BadSetting(BadRequest):
    """A ``set=`` parameter that cannot be used (the page puts its sliders back)."""


def check_names(query, allowed: Iterable[str]) -> None:
    """Refuse any query parameter not in ``allowed``."""
    allowed = sorted(allowed)
    for name in query.keys():
        if name not in allowed:
            expected = ", ".join(allowed) if allowed else "none"
            raise BadRequest(f"unknown query parameter {name[:60]!r} (expected: {expected})")


def whole(query, name: str, low: int, high: int, default: int) -> int:
    """A whole number in [low, high], or ``default`` when the parameter is absent."""
    values = query.getlist(name)
    if not values:
        return default
    if len(values) > 1:
        raise BadRequest(f"{name} is given {len(values)} times; give it once")
    text = values[0].strip()
    if not WHOLE.fullmatch(text):
        raise BadRequest(f"{name} must be a whole number (got {values[0][:40]!r})")
    if len(text.lstrip("-")) > len(str(max(abs(low), abs(high)))):
        raise BadRequest(f"{name} must be in [{low:,}, {high:,}] (got a {len(text)}-digit "
                         f"number)")
    value = int(text)
    if not low <= value <= high:
        raise BadRequest(f"{name} must be in [{low:,}, {high:,}] (got {value:,})")
    return value


def settings(query, paths: list[str]) -> dict[str, float]:
    """The ``set=path=value`` parameters: each path one of ``paths`` (once), each value a
    finite number. The scenario's own validation checks the value's range afterwards."""
    out: dict[str, float] = {}
    for item in query.getlist("set"):
        path, sep, text = item.partition("=")
        if not sep:
            raise BadSetting(f"set takes path=value (got {item[:60]!r})")
        if path not in paths:
            raise BadSetting(f"unknown parameter {path[:80]!r}: not a parameter of this "
                             f"scenario")
        if path in out:
            raise BadSetting(f"{path} is set twice")
        try:
            value = float(text)
        except ValueError:
            raise BadSetting(f"{path} must be a number (got {text[:40]!r})") from None
        if not math.isfinite(value):
            raise BadSetting(f"{path} must be a finite number (got {text[:40]!r})")
        out[path] = value
    return out


def seed(query, default: int) -> int:
    """The seed (default: the scenario's)."""
    return whole(query, "seed", 0, MAX_SEED, default)


def run(query) -> int:
    """Which run of the seed the negotiation view plays."""
    return whole(query, "run", 0, MAX_RUNS - 1, 0)


def runs(query) -> int:
    """How many runs the distribution view plays."""
    return whole(query, "runs", MIN_PAGE_RUNS, MAX_PAGE_RUNS, PAGE_RUNS)


def check_budget(runs: int, max_rounds: int) -> None:
    """Refuse a distribution job beyond the page's work budget (window, runs x window)."""
    check_window(max_rounds)
    if runs * max_rounds > MAX_RUN_ROUNDS:
        raise BadRequest(f"too large for the page: {runs:,} runs x {max_rounds:,} rounds "
                         f"(protocol.max_rounds) is over {MAX_RUN_ROUNDS:,} run-rounds; use "
                         f"fewer runs or a shorter window here, or `negsim run` for this job")


def check_window(max_rounds: int) -> None:
    """Refuse a window longer than the page plays (`negsim run` and `trace` have no limit)."""
    if max_rounds > MAX_PAGE_ROUNDS:
        raise BadRequest(f"too long for the page: protocol.max_rounds is {max_rounds:,}; the "
                         f"page plays at most {MAX_PAGE_ROUNDS:,} rounds (use `negsim run` or "
                         f"`negsim trace`)")
