"""What drives agreement and terms in model version 2: the forces the documents are about.

On the baseline, with common random numbers (same seed, so every run is paired with itself):
doubling both sides' war costs, halving the prior belief gap, a drift of the front 0.005 a
week further toward Russia (the front and every belief move with it), and a known exit
threat; then the median territory deal against the drift. Each effect is reported on
agreement (paired difference) and on the deal round (paired over runs that agree in both),
with 95% intervals.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import negsim

from .common import RUNS, SEED, edited, out_dir, save, write_report

TRUE_DRIFT = 0.002  # the baseline's assumed mean drift of the territory front
DRIFTS = [-0.006, -0.004, -0.002, 0.0, 0.002, 0.004, 0.006]  # added to the drift
PARTIES = ("russia", "ukraine")


def _scaled(value, factor: float):
    """A parameter (a number, a cited number or a distribution) times ``factor``."""
    if isinstance(value, dict):
        value = dict(value)
        for key in ("value", "low", "high", "mean", "mode"):
            if key in value:
                value[key] = value[key] * factor
        return value
    return value * factor


def _shifted(value, delta: float):
    """A parameter plus ``delta`` (its bounds too)."""
    if isinstance(value, dict):
        value = dict(value)
        for key in ("value", "low", "high", "mean", "mode"):
            if key in value:
                value[key] = value[key] + delta
        return value
    return value + delta


def war_costs_doubled(data):
    for actor in PARTIES:
        data["actors"][actor]["war_cost"] = _scaled(data["actors"][actor]["war_cost"], 2.0)


def belief_gap_halved(data):
    """Each party's prior drift halfway back to the assumed true drift."""
    for actor in PARTIES:
        belief = data["actors"][actor]["beliefs"]["territory"]
        belief["drift"] = _shifted(_scaled(_shifted(belief["drift"], -TRUE_DRIFT), 0.5),
                                   TRUE_DRIFT)


def drift_shift(delta: float):
    def edit(data):
        front = data["battlefield"]["territory"]
        front["drift"] = _shifted(front["drift"], delta)
        for actor in data["actors"].values():
            if "territory" in actor.get("beliefs", {}):
                actor["beliefs"]["territory"]["drift"] = _shifted(
                    actor["beliefs"]["territory"]["drift"], delta)
    return edit


def known_threat(known: bool = True):
    def edit(data):
        data["events"] = {"us_moves_on": {
            "description": "the US moves on from the talks (as in us_walks_away)",
            "round": {"dist": "triangular", "low": 4, "mode": 12, "high": 40},
            "probability": {"dist": "uniform", "low": 0.2, "high": 0.6},
            "effects": [{"op": "mediator_exit"}], "known": known}}
    return edit


def _paired(new: np.ndarray, old: np.ndarray) -> tuple[float, float, float]:
    d = new.astype(float) - old.astype(float)
    half = 1.96 * d.std(ddof=1) / np.sqrt(len(d)) if len(d) > 1 else np.nan
    return float(d.mean()), float(d.mean() - half), float(d.mean() + half)


def _fmt(t, percent=False) -> str:
    if percent:
        return f"{t[0]:+.1%} [{t[1]:+.1%}, {t[2]:+.1%}]"
    return f"{t[0]:+.2f} [{t[1]:+.2f}, {t[2]:+.2f}]"


def run() -> dict:
    folder = out_dir("forces")
    variants = {
        "baseline": lambda data: None,
        "war costs x2": war_costs_doubled,
        "belief gap halved": belief_gap_halved,
        "drift +0.005 toward Russia": drift_shift(0.005),
        "known exit threat": known_threat(True),
        "the same threat, unknown": known_threat(False),
    }
    frames = {}
    for label, edit in variants.items():
        scenario = edited("baseline", edit, "forces_" + str(len(frames)))
        frames[label] = negsim.simulate(scenario, runs=RUNS, seed=SEED).runs
    base = frames["baseline"]
    lines = ["| change (baseline, same seed) | P(deal) | paired difference | median deal "
             "round | deal round, paired difference (runs agreeing in both) | median "
             "territory deal | broke off |", "|---|---|---|---|---|---|---|"]
    effects = {}
    for label, runs in frames.items():
        agree = _paired(runs["agreed"].to_numpy(), base["agreed"].to_numpy())
        both = (runs["agreed"] & base["agreed"]).to_numpy()
        rounds = _paired(runs["round"].to_numpy()[both], base["round"].to_numpy()[both])
        dealt = runs[runs["agreed"]]
        effects[label] = {"agreement": agree, "round": rounds}
        lines.append(f"| {label} | {runs['agreed'].mean():.1%} | {_fmt(agree, True)} | "
                     f"{dealt['round'].median():.0f} | {_fmt(rounds)} | "
                     f"{dealt['deal.territory'].median():.3f} | "
                     f"{runs['mediator_left'].mean():.1%} |")
    q = np.percentile(base.loc[base["agreed"], "round"], [10, 25, 50, 75, 90])
    lines += ["", f"Deal rounds on the baseline (10th, 25th, 50th, 75th, 90th percentile): "
              f"{', '.join(f'{x:.0f}' for x in q)}; censored (no deal in the 156-round "
              f"window): {base['censored'].mean():.1%}.", ""]

    medians, lows, highs, shares = [], [], [], []
    rng = np.random.default_rng(0)  # for the bootstrap only; the runs share the seed
    for delta in DRIFTS:
        runs = negsim.simulate(edited("baseline", drift_shift(delta), "forces_drift"),
                               runs=RUNS, seed=SEED).runs
        territory = runs.loc[runs["agreed"], "deal.territory"].to_numpy()
        boot = [np.median(rng.choice(territory, len(territory))) for _ in range(200)]
        medians.append(float(np.median(territory)))
        lows.append(float(np.percentile(boot, 2.5)))
        highs.append(float(np.percentile(boot, 97.5)))
        shares.append(float(runs["agreed"].mean()))
    x = np.array(DRIFTS) + TRUE_DRIFT
    fig, ax = plt.subplots(figsize=(7.5, 4.2), dpi=100)
    ax.fill_between(x, lows, highs, color="tab:purple", alpha=0.25,
                    label="95% bootstrap interval")
    ax.plot(x, medians, "o-", color="tab:purple", label="median territory deal")
    ax.set(xlabel="mean drift of the territory front per week (beliefs shifted alike;\n"
                  "< 0: toward Ukraine, > 0: toward Russia)",
           ylabel="territory deal\n(0 = pre-2014 borders,\n1 = Russian control recognised)",
           ylim=(0, 1), title="Terms follow the front? Median territory deal against the drift")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    fig.tight_layout()
    save(fig, folder, "drift")
    lines += ["| mean drift a week | P(deal) | median territory deal [95% bootstrap] |",
              "|---|---|---|"]
    for d, p, m, lo, hi in zip(x, shares, medians, lows, highs, strict=True):
        lines.append(f"| {d:+.3f} | {p:.1%} | {m:.3f} [{lo:.3f}, {hi:.3f}] |")
    lines += ["", "![drift](drift.png)", ""]
    write_report(folder, "What drives agreement and terms (model version 2)",
                 "How much do the cost of war, the sides' beliefs about the war, the "
                 "battlefield and a walk-away threat move agreement, its timing and its terms?",
                 lines)
    return {"effects": effects, "drift": list(zip(x.tolist(), medians, strict=True))}


if __name__ == "__main__":
    run()
