"""Which assumptions matter: Sobol indices over a scenario's uncertain parameters, and the
boxes of parameter space where the talks fail (scenario discovery with PRIM).

The design is Saltelli's (SALib): a base sample of N points in the unit cube of the D
studied parameters gives N (D + 2) rows, in N groups of D + 2 (A, the D mixes AB_i, B). Row
r of group j is run j of the scenario with the studied parameters drawn from the row's
uniforms through their own inverse transforms (sampling.with_design); every other draw of
the row is run j's own. So the rows of a group share all other randomness (common random
numbers), and an inert parameter's mixes give exactly the outcomes of A: its total index is
0, not noise. Each of the D + 2 columns of the design (all A rows, all B rows, each AB_i) is
one job of N runs, run on worker processes when asked, with identical results.

Outputs, one per run: agreement (1 or 0), each issue's outcome (the deal where there is one,
else the no-deal point where the talks ended) and each actor's final utility.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..scenario.errors import did_you_mean
from ..scenario.params import support
from ..scenario.paths import iter_parameters
from ..scenario.schema import Scenario

MIN_BASE = 64  # a smaller base sample gives indices whose intervals cover everything
RESAMPLES = 200  # bootstrap resamples of the indices' confidence intervals
CONFIDENCE = 0.95


class ExploreError(ValueError):
    """An exploration that cannot be run as asked; the message says why."""


@dataclass(frozen=True)
class Factor:
    """One studied parameter: its path and the distribution its uniforms are read through."""

    path: str
    low: float
    high: float


def factors(scenario: Scenario, params: list[str] | None = None) -> list[Factor]:
    """The studied parameters: ``params`` (each must be uncertain in the scenario), or every
    uncertain parameter, in file order."""
    refs = {ref.dotted: ref for ref in iter_parameters(scenario)}
    uncertain = [p for p, ref in refs.items() if support(ref.value)[0] != support(ref.value)[1]]
    if params is None:
        chosen = uncertain
    else:
        chosen = []
        for path in params:
            if path not in refs:
                raise ExploreError(f"unknown parameter path {path!r}"
                                   f"{did_you_mean(path, list(refs))}")
            if path not in uncertain:
                raise ExploreError(f"{path} has a fixed value; give it a range to study "
                                   f"(--range {path}=LOW:HIGH)")
            if path not in chosen:
                chosen.append(path)
    if len(chosen) < 2:
        raise ExploreError("a Sobol analysis needs at least 2 uncertain parameters (got "
                           f"{len(chosen)}); give more with --params or --range")
    return [Factor(p, *support(refs[p].value)) for p in chosen]


def with_ranges(path, ranges: dict[str, tuple[float, float]]) -> Scenario:
    """The scenario file with each parameter of ``ranges`` made uniform on its range (so that
    a fixed value can be studied); validated again."""
    from pathlib import Path

    from ..scenario import ScenarioError, load_scenario
    from ..scenario.overrides import OverrideError, check_path, reasons, settable, with_values
    from ..scenario.yamldoc import read_yaml

    path = Path(path)
    scenario = load_scenario(path)
    if not ranges:
        return scenario
    valid = settable(scenario)[:-1]  # the window is a setting, not a parameter
    values = {}
    for param, (low, high) in ranges.items():
        try:
            check_path(param, valid)
        except OverrideError as exc:
            raise ExploreError(str(exc).split(";")[0]) from None
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise ExploreError(f"--range {param}: needs LOW < HIGH, both finite")
        values[param] = {"dist": "uniform", "low": low, "high": high,
                         "assumption": "studied over this range (negsim explore --range)"}
    try:
        return with_values(read_yaml(path).data, values, str(path), path.parent)
    except ScenarioError as exc:
        raise ExploreError(f"a range does not fit its parameter: {reasons(exc)}") from None


def design(factors_: list[Factor], base: int, seed: int) -> np.ndarray:
    """Saltelli's design in the unit cube: N (D + 2) rows, groups of D + 2 (SALib)."""
    from SALib.sample import sobol

    if base < MIN_BASE or base & (base - 1):
        raise ExploreError(f"the base sample must be a power of 2 of at least {MIN_BASE} "
                           f"(got {base:,})")
    problem = _problem(factors_)
    return sobol.sample(problem, base, calc_second_order=False, scramble=True,
                        seed=salib_seed(seed))


def salib_seed(seed: int) -> int:
    """negsim's seed as SALib takes it: in [1, 2**32 - 1] (SALib treats 0 as "no seed" and
    would then draw from the global generator)."""
    return 1 + seed % (2**32 - 1)


def _problem(factors_: list[Factor]) -> dict:
    return {"num_vars": len(factors_), "names": [f.path for f in factors_],
            "bounds": [[0.0, 1.0]] * len(factors_)}


def outputs(runs: pd.DataFrame, issues, actors) -> pd.DataFrame:
    """One row per run: agreement, each issue's outcome, each actor's utility."""
    agreed = runs["agreed"].to_numpy()
    out = {"agreement": agreed.astype(float)}
    for k in issues:
        out[f"outcome.{k}"] = np.where(agreed, runs[f"deal.{k}"], runs[f"nodeal.{k}"])
    for a in actors:
        out[f"utility.{a}"] = runs[f"utility.{a}"].to_numpy()
    return pd.DataFrame(out)


def run_column(scenario: Scenario, paths: list[str], uniforms: np.ndarray, seed: int,
               chunk_size: int | None = None, dask: str | None = None, workers: int = 1):
    """Outputs of one column of the design: runs 0 .. N-1 with the studied parameters drawn
    from ``uniforms`` (N, D), in chunks of ``chunk_size`` runs, on Dask when asked."""
    from ..model.layout import Layout
    from ..sampling import with_design
    from ..simulation import simulate

    designed = with_design(scenario, {p: uniforms[:, i] for i, p in enumerate(paths)})
    results = simulate(designed, runs=len(uniforms), seed=seed, chunk_size=chunk_size,
                       dask=dask, workers=workers)
    layout = Layout.from_scenario(scenario)
    return outputs(results.runs, layout.issues, layout.actors)


@dataclass
class _Columns:
    parts: list = field(default_factory=list)

    def add(self, result, runs: int) -> None:
        self.parts.append(result)


def evaluate(scenario: Scenario, factors_: list[Factor], unit: np.ndarray, seed: int,
             workers: int = 1, chunk_size: int | None = None,
             dask: str | None = None) -> pd.DataFrame:
    """Outputs of every row of the design, in the design's order: the columns one after
    another (each in chunks, on Dask when asked), or on ``workers`` processes one column
    each. The results do not depend on which."""
    D = len(factors_)
    base = len(unit) // (D + 2)
    paths = [f.path for f in factors_]
    columns = [unit[v::D + 2] for v in range(D + 2)]  # A, AB_1 .. AB_D, B
    job = _Columns()
    if workers <= 1 or dask is not None:
        for col in columns:
            job.add(run_column(scenario, paths, col, seed, chunk_size, dask, max(workers, 1)),
                    base)
    else:
        from ..engine.chunks import run_pooled

        ranges = [(v, v + 1) for v in range(D + 2)]
        run_pooled(run_column, lambda v, _: (scenario, paths, columns[v], seed, chunk_size),
                   ranges, min(workers, D + 2), job)
    stacked = np.stack([part.to_numpy() for part in job.parts], axis=1)  # (N, D+2, outputs)
    return pd.DataFrame(stacked.reshape(base * (D + 2), -1), columns=job.parts[0].columns)


def values(scenario: Scenario, factors_: list[Factor], unit: np.ndarray) -> pd.DataFrame:
    """The design's rows in the parameters' own units (their inverse transforms)."""
    from ..sampling import inverse_transform

    refs = {ref.dotted: ref.value for ref in iter_parameters(scenario)}
    return pd.DataFrame({f.path: inverse_transform(refs[f.path], np.clip(unit[:, i], 2.0**-60,
                                                                          1 - 2.0**-53))
                         for i, f in enumerate(factors_)})


def _constant(values_: np.ndarray) -> bool:
    """Whether an output does not vary beyond rounding (its indices would be noise)."""
    scale = max(1.0, float(np.nanmax(np.abs(values_))))
    return float(np.nanstd(values_)) <= 1e-9 * scale


def indices(factors_: list[Factor], y: pd.DataFrame, seed: int) -> pd.DataFrame:
    """First-order and total Sobol indices of every output with their 95% intervals
    (bootstrap, SALib). An output that does not vary has no indices (NaN)."""
    from SALib.analyze import sobol

    problem = _problem(factors_)
    rows = []
    for name in y.columns:
        values_ = y[name].to_numpy(dtype=float)
        if _constant(values_):
            result = {k: np.full(len(factors_), np.nan) for k in ("S1", "S1_conf", "ST",
                                                                   "ST_conf")}
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = sobol.analyze(problem, values_, calc_second_order=False,
                                       num_resamples=RESAMPLES, conf_level=CONFIDENCE,
                                       seed=salib_seed(seed))
        for i, f in enumerate(factors_):
            rows.append({"output": name, "parameter": f.path,
                         "S1": float(result["S1"][i]), "S1_conf": float(result["S1_conf"][i]),
                         "ST": float(result["ST"][i]), "ST_conf": float(result["ST_conf"][i])})
    return pd.DataFrame(rows)


@dataclass
class Exploration:
    """Everything ``negsim explore`` reports: the design's parameters and outputs, the
    indices and the discovered boxes."""

    scenario: Scenario
    factors: list[Factor]
    seed: int
    base: int
    values: pd.DataFrame  # one row per run of the design, one column per parameter
    outputs: pd.DataFrame  # one row per run of the design, one column per output
    indices: pd.DataFrame  # output, parameter, S1, S1_conf, ST, ST_conf
    discoveries: list  # discovery.Discovery, one per target (None where nothing to find)

    def summary(self) -> dict:
        """JSON-ready report: indices per output, boxes with their restrictions in words."""
        from .. import __version__
        from ..simulation import scenario_hash
        from .discovery import describe

        labels = parameter_labels(self.scenario)
        return {
            "scenario": self.scenario.name, "scenario_sha256": scenario_hash(self.scenario),
            "negsim": __version__, "seed": self.seed, "base": self.base,
            "runs": len(self.outputs), "parameters": [f.path for f in self.factors],
            "agreement": float(self.outputs["agreement"].mean()),
            "indices": {out: [{k: (None if isinstance(v, float) and not math.isfinite(v)
                                   else v) for k, v in row.items()}
                              for row in group.drop(columns="output").to_dict(orient="records")]
                        for out, group in self.indices.groupby("output", sort=False)},
            "constant_outputs": [c for c in self.outputs.columns
                                 if _constant(self.outputs[c].to_numpy(dtype=float))],
            "discovery": [None if d is None else {**d.summary(), "text": describe(d, labels)}
                          for d in self.discoveries],
        }


def parameter_labels(scenario: Scenario) -> dict[str, str]:
    """Each parameter path in words: "Russian Federation: patience (rounds)"."""
    from ..web.catalogue import LABELS

    out = {}
    for ref in iter_parameters(scenario):
        who = scenario.actors[ref.actor].name if ref.actor else ref.path[0]
        what = LABELS.get(ref.parameter, ref.parameter)
        if ref.issue:
            what += f" ({scenario.issues[ref.issue].label})"
        out[ref.dotted] = f"{who}: {what}"
    return out


def parse_target(text: str, issues) -> tuple[str, callable]:
    """A target of discovery: "nodeal", or ISSUE>VALUE / ISSUE<VALUE (a deal beyond a
    threshold on that issue)."""
    import re

    if text == "nodeal":
        return "no deal", lambda y: y["agreement"].to_numpy() == 0
    match = re.fullmatch(r"([a-z][a-z0-9_]*)([<>])([0-9.eE+-]+)", text.strip())
    if match is None or match.group(1) not in issues:
        raise ExploreError(f"--target takes nodeal or ISSUE>VALUE / ISSUE<VALUE with an issue "
                           f"of the scenario ({', '.join(issues)}); got {text!r}")
    issue, op, raw = match.groups()
    try:
        threshold = float(raw)
    except ValueError:
        raise ExploreError(f"--target {text}: {raw!r} is not a number") from None
    above = op == ">"

    def cases(y: pd.DataFrame) -> np.ndarray:
        agreed = y["agreement"].to_numpy() == 1
        value = y[f"outcome.{issue}"].to_numpy()
        return agreed & ((value > threshold) if above else (value < threshold))

    return f"a deal with {issue} {'above' if above else 'below'} {threshold:g}", cases


def explore(path, params: list[str] | None = None,
            ranges: dict[str, tuple[float, float]] | None = None, base: int = 4096,
            seed: int | None = None, workers: int = 1,
            targets: tuple[str, ...] = ("nodeal",), chunk_size: int | None = None,
            dask: str | None = None) -> Exploration:
    """Sobol indices and PRIM boxes of a scenario file (see the module's docstring)."""
    from .discovery import discover

    scenario = with_ranges(path, ranges or {})
    seed = scenario.montecarlo.seed if seed is None else seed
    # --range adds its parameters to those named, or (none named) to every uncertain one
    chosen = (list(params) + [p for p in (ranges or {}) if p not in params]) if params else None
    studied = factors(scenario, chosen)
    parsed = [parse_target(t, list(scenario.issues)) for t in targets]
    unit = design(studied, base, seed)
    y = evaluate(scenario, studied, unit, seed, workers, chunk_size, dask)
    x = values(scenario, studied, unit)
    table = indices(studied, y, seed)
    found = [discover(x, cases(y), name) for name, cases in parsed]
    return Exploration(scenario, studied, seed, base, x, y, table, found)


FIGURE_OUTPUTS = 3  # panels of the indices figure: agreement and the two most varied others


def explore_files(exploration: Exploration, summary: dict, directory) -> dict:
    """{path: writer} of ``negsim explore``'s files: explore.json (the summary),
    indices.csv, design.csv (every run's parameters and outputs) and the figures."""
    import json
    from pathlib import Path

    from .. import plots

    directory = Path(directory)
    labels = parameter_labels(exploration.scenario)
    name = exploration.scenario.name
    spread = exploration.outputs.drop(columns="agreement").std().sort_values(ascending=False)
    shown = ["agreement", *list(spread.index[:FIGURE_OUTPUTS - 1])]
    files = {
        directory / "explore.json": _text(json.dumps(summary, indent=2, allow_nan=False)),
        directory / "indices.csv": _text(exploration.indices.to_csv(index=False)),
        directory / "design.csv": _text(pd.concat([exploration.values, exploration.outputs],
                                                  axis=1).to_csv(index=False)),
        directory / "figures" / "indices.png": plots.png_writer(
            plots.indices_figure(exploration.indices, labels, name, shown)),
    }
    for k, found in enumerate(exploration.discoveries):
        if found is not None:
            files[directory / "figures" / f"discovery-{k + 1}.png"] = plots.png_writer(
                plots.discovery_figure(found, labels, name))
    return files


def _text(text: str):
    def write(path: str) -> None:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text if text.endswith("\n") else text + "\n")

    return write
