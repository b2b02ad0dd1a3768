"""Parameter values: a number, a cited number, or a distribution, checked against a domain.

Any numeric parameter of a scenario may be written as

- a plain number: ``0.6``;
- a cited number: ``{value: 0.6, evidence: [ru_nato_renounce]}`` or
  ``{value: 0.6, assumption: "why this number"}``;
- a distribution (``dist:`` normal, uniform, beta, triangular or choice), which may carry
  ``evidence`` and ``assumption`` too.

Each parameter has a domain (for example [0, 1] for an ideal point). A number must lie in it
and a distribution's support must lie in it; a normal distribution without explicit bounds
is truncated to the domain.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    AllowInfNan,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Strict,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from .errors import did_you_mean

# A finite YAML number; quoted strings, booleans, .nan and .inf are refused.
Real = Annotated[float, Strict(), AllowInfNan(False)]


def fail(kind: str, message: str):
    """Raise a pydantic error whose text is ``message`` verbatim (no template expansion)."""
    raise PydanticCustomError(kind, "{message}", {"message": message})


class Strict_(BaseModel):
    """Base of every scenario model: unknown keys are errors, numbers must be finite."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True, strict=True)


def _check_evidence_ids(ids: list[str], info: ValidationInfo) -> list[str]:
    ctx = info.context or {}
    if "evidence_ids" not in ctx:
        return ids
    known = ctx["evidence_ids"]
    if known is None and ids:
        fail("no_registry", "cites evidence, but the scenario names no evidence_registry")
    unknown = [i for i in ids if i not in known]
    if unknown:
        text = ", ".join(repr(u) + did_you_mean(u, known) for u in unknown)
        fail("unknown_evidence", f"unknown evidence id {text}")
    return ids


class Provenance(Strict_):
    """Where a value comes from: evidence ids in the registry and/or an assumption."""

    evidence: list[str] = Field(default_factory=list, description="ids in the evidence registry")
    assumption: str | None = Field(None, description="why this value, when no quote supports it")
    note: str | None = Field(None, description="how the quoted evidence was read as a number")

    @field_validator("evidence")
    @classmethod
    def _evidence_known(cls, ids: list[str], info: ValidationInfo) -> list[str]:
        return _check_evidence_ids(ids, info)

    @field_validator("assumption", "note")
    @classmethod
    def _not_blank(cls, text: str | None) -> str | None:
        if text is not None and not text.strip():
            fail("blank", "must not be blank")
        return text

    @property
    def cited(self) -> bool:
        """True when the value has evidence or an assumption behind it."""
        return bool(self.evidence) or self.assumption is not None


class Cited(Provenance):
    """A fixed number with its provenance."""

    value: Real

    @model_validator(mode="after")
    def _has_provenance(self):
        if not self.cited:
            fail("uncited", "a {value: ...} mapping needs 'evidence' or 'assumption' "
                 "(otherwise write the number alone)")
        return self

    def support(self) -> tuple[float, float]:
        """Smallest and largest value this parameter can take."""
        return (self.value, self.value)

    def center(self) -> float:
        """A representative value (the number itself)."""
        return self.value


class Normal(Provenance):
    """Normal distribution truncated to [low, high] (by default the parameter's domain)."""

    dist: Literal["normal"]
    mean: Real
    sd: Real = Field(gt=0)
    low: Real | None = None
    high: Real | None = None

    @model_validator(mode="after")
    def _valid(self):
        lo = -math.inf if self.low is None else self.low
        hi = math.inf if self.high is None else self.high
        if not lo < hi:
            fail("bounds", f"low ({self.low}) must be below high ({self.high})")
        mass = _normal_cdf((hi - self.mean) / self.sd) - _normal_cdf((lo - self.mean) / self.sd)
        if mass < 1e-6:
            fail("bounds", f"almost no probability mass of N({self.mean}, {self.sd}) "
                 f"lies in [{lo}, {hi}]")
        return self

    def support(self) -> tuple[float, float]:
        return (-math.inf if self.low is None else self.low,
                math.inf if self.high is None else self.high)

    def center(self) -> float:
        lo, hi = self.support()
        return min(max(self.mean, lo), hi)


class _Interval(Provenance):
    """Base of the distributions on a finite interval [low, high]."""

    @model_validator(mode="after")
    def _ordered(self):
        if not self.low < self.high:
            fail("bounds", f"low ({self.low}) must be below high ({self.high})")
        return self

    def support(self) -> tuple[float, float]:
        return (self.low, self.high)


class Uniform(_Interval):
    """Uniform distribution on [low, high]."""

    dist: Literal["uniform"]
    low: Real
    high: Real

    def center(self) -> float:
        return (self.low + self.high) / 2


class Beta(_Interval):
    """Beta(alpha, beta) distribution stretched to [low, high] (default [0, 1])."""

    dist: Literal["beta"]
    alpha: Real = Field(gt=0, le=1e6)
    beta: Real = Field(gt=0, le=1e6)
    low: Real = 0.0
    high: Real = 1.0

    def center(self) -> float:
        return self.low + (self.high - self.low) * self.alpha / (self.alpha + self.beta)


class Triangular(_Interval):
    """Triangular distribution on [low, high] with its peak at mode."""

    dist: Literal["triangular"]
    low: Real
    mode: Real
    high: Real

    @model_validator(mode="after")
    def _mode_inside(self):
        if self.low < self.high and not self.low <= self.mode <= self.high:
            fail("bounds",
                 f"mode ({self.mode}) must lie in [low, high] = [{self.low}, {self.high}]")
        return self

    def center(self) -> float:
        return self.mode


class Choice(Provenance):
    """One of a list of values, with optional weights (normalised to sum to 1)."""

    dist: Literal["choice"]
    values: list[Real] = Field(min_length=1)
    weights: list[Annotated[Real, Field(ge=0)]] | None = None

    @model_validator(mode="after")
    def _valid(self):
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                fail("weights", f"{len(self.weights)} weights for {len(self.values)} values")
            if sum(self.weights) <= 0:
                fail("weights", "weights must not all be zero")
        return self

    def support(self) -> tuple[float, float]:
        return (min(self.values), max(self.values))

    def center(self) -> float:
        w = self.weights or [1.0] * len(self.values)
        w = [x / max(w) for x in w]  # weights near 1e308 would overflow their sum
        return sum(v * x for v, x in zip(self.values, w, strict=True)) / sum(w)


Distribution = Normal | Uniform | Beta | Triangular | Choice
DISTRIBUTIONS = {"normal": Normal, "uniform": Uniform, "beta": Beta,
                 "triangular": Triangular, "choice": Choice}


def _normal_cdf(z: float) -> float:
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


def support(value) -> tuple[float, float]:
    """Smallest and largest value a parameter can take (a number is its own support)."""
    if isinstance(value, (int, float)):
        return (float(value), float(value))
    return value.support()


def center(value) -> float:
    """A representative value of a parameter: the number, or the distribution's centre."""
    if isinstance(value, (int, float)):
        return float(value)
    return value.center()


def is_zero(value) -> bool:
    """True when a parameter is certainly 0."""
    return support(value) == (0.0, 0.0)


@dataclass(frozen=True)
class Domain:
    """The values a parameter may take: [lo, hi], or (lo, hi] when ``lo_open``."""

    lo: float = -math.inf
    hi: float = math.inf
    lo_open: bool = False
    integer: bool = False

    def describe(self) -> str:
        """Human text such as '[0, 1]' or '> 0'."""
        if self.integer and self.hi == math.inf:
            return f"a whole number ≥ {self.lo:g}"
        if self.integer:
            return f"a whole number in [{self.lo:g}, {self.hi:g}]"
        if self.lo == -math.inf and self.hi == math.inf:
            return "any finite number"
        if self.hi == math.inf:
            return f"> {self.lo:g}" if self.lo_open else f"≥ {self.lo:g}"
        left = "(" if self.lo_open else "["
        return f"in {left}{self.lo:g}, {self.hi:g}]"

    def contains(self, x: float, exact: bool = True) -> bool:
        """Whether ``x`` is an allowed value (``exact=False``: a bound of a continuous draw)."""
        above = x > self.lo if (self.lo_open and exact) else x >= self.lo
        whole = not (self.integer and exact) or float(x).is_integer()
        return above and x <= self.hi and whole

    def problem(self, value) -> str | None:
        """Why a parsed parameter does not fit this domain, or None when it does."""
        lo, hi = support(value)
        if isinstance(value, Choice):
            bad = [v for v in value.values if not self.contains(v)]
        else:  # a continuous draw: its bounds must lie in the domain (whole numbers: rounded down)
            bad = [x for x in (lo, hi) if not self.contains(x, exact=lo == hi)]
        if not bad:
            return None
        what = "must be" if lo == hi else "must have its values"
        return f"{what} {self.describe()} (got {_fmt(bad[0])})"

    def check(self, value):
        """Validate a parsed parameter against this domain; fill a normal's default bounds."""
        if isinstance(value, Normal):
            low = value.low if value.low is not None else _finite_or_none(self.lo)
            high = value.high if value.high is not None else _finite_or_none(self.hi)
            if (low, high) != (value.low, value.high):
                # re-validated, not copied: the probability-mass check must see the bounds
                value = Normal.model_validate({**value.model_dump(), "low": low, "high": high})
        message = self.problem(value)
        if message:
            fail("domain", message)
        return value


def _finite_or_none(x: float) -> float | None:
    return None if math.isinf(x) else x


def _fmt(x: float) -> str:
    return f"{x:g}"


def _param_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "invalid"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, Cited):
        return "cited"
    if isinstance(value, BaseModel):
        return getattr(value, "dist", "invalid")
    if isinstance(value, dict):
        if "dist" in value:
            dist = value["dist"]
            return dist if isinstance(dist, str) and dist in DISTRIBUTIONS else "invalid"
        if "value" in value:
            return "cited"
    return "invalid"


def _explain_invalid(value: Any):
    if isinstance(value, dict):
        if "dist" in value:
            fail("param_type", f"unknown distribution {value['dist']!r}; expected one of "
                 + ", ".join(DISTRIBUTIONS))
        fail("param_type", "a mapping here needs 'value' (a cited number) or 'dist' "
             "(a distribution)")
    if isinstance(value, str):
        fail("param_type", f"expected a number, got the text {value!r}")
    got = {type(None): "nothing (null)", bool: f"{str(value).lower()} (a boolean)",
           list: "a list"}.get(type(value), type(value).__name__)
    fail("param_type", f"expected a number, a cited number or a distribution, got {got}")


def _number_schema(domain: Domain) -> dict:
    limits: dict[str, Any] = {}
    if domain.lo != -math.inf:
        limits["gt" if domain.lo_open else "ge"] = domain.lo
    if domain.hi != math.inf:
        limits["le"] = domain.hi
    return limits


def param(domain: Domain, description: str | None = None):
    """The type of a parameter with this domain: a number, a cited number or a distribution."""
    number = Annotated[Real, Field(**_number_schema(domain)), Tag("number")]
    if domain.integer:
        number = Annotated[Real, Field(**_number_schema(domain), multiple_of=1), Tag("number")]
    union = Union[
        number,
        Annotated[Cited, Tag("cited")],
        Annotated[Normal, Tag("normal")],
        Annotated[Uniform, Tag("uniform")],
        Annotated[Beta, Tag("beta")],
        Annotated[Triangular, Tag("triangular")],
        Annotated[Choice, Tag("choice")],
        Annotated[SkipJsonSchema[Any], BeforeValidator(_explain_invalid), Tag("invalid")],
    ]
    return Annotated[
        union,
        Discriminator(_param_kind),
        AfterValidator(domain.check),
        Field(description=description),
    ]


Param = Union[float, Cited, Distribution]  # what a validated parameter field holds

# The range each kind of parameter means in the model (docs/scenarios.md, "Ranges"). Every
# bound is finite, so no product or sum of parameters can overflow a float.
MAX_ROUNDS = 10_000  # rounds: the window and an event's duration
MAX_RUNS = 10**10  # runs of a Monte Carlo job (file, command line and API alike)
MAX_SEED = 2**63 - 1
UNIT = Domain(0.0, 1.0)
NONNEG = Domain(0.0)
POSITIVE = Domain(0.0, lo_open=True)
SIGNED_UNIT = Domain(-1.0, 1.0)
REAL = Domain()
ROUND = Domain(0.0, integer=True)
DURATION = Domain(1.0, float(MAX_ROUNDS), integer=True)
STEP = Domain(0.0, 1.0, lo_open=True)
WEIGHT = Domain(0.0, 1e6)  # saliences: relative weights, normalised per actor
CAPABILITY = Domain(1e-6, 1e6)  # relative power: only ratios matter
WAR_COST = Domain(0.0, 1.0)  # utility lost per round (1: the whole scale in one round)
HORIZON = Domain(0.0, 1e9)  # rounds of war expected without a deal (far beyond any window:
#                            a tiny war cost over a huge horizon is the limit kappa -> 0,
#                            kappa H fixed, that bilateral bargaining theory uses)
EXPONENT = Domain(1e-3, 1e3)  # concession exponent: 1e-3 concedes at once, 1e3 never
PATIENCE = Domain(0.0, 1e6)  # rounds to concede down to the floor
BELIEF_WEIGHT = Domain(1e-6, 1e6)  # rounds of fighting a prior is worth
RATE = Domain(0.0, 1e3)  # reciprocal: share of the others' concession returned
EFFECT = Domain(-1e6, 1e6)  # an event's add or scale amount (results kept in the target's range)

UnitParam = param(UNIT)
