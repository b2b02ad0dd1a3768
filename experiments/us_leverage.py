"""US leverage on Ukraine versus on Russia: raise the cost of war for one side at a time.

The US can press Kyiv (suspending aid and intelligence, as in March 2025) or Moscow (the
sanctions Trump threatened). In the model both act through an actor's war cost, which lowers
its value of war, so its floor, its demand and its threshold. Both sweeps scale the
baseline's war-cost distribution of one actor by the same factors, with common random
numbers.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

import negsim
from negsim.analysis.compare import compare

from .common import RUNS, SCENARIOS, SEED, edited, interval, num, out_dir, pct, save, write_report

FACTORS = [0.5, 1.0, 1.5, 2.0, 3.0, 4.0]
TARGETS = {"ukraine": "pressure on Ukraine", "russia": "pressure on Russia"}


def scaled(actor: str, factor: float):
    def edit(data):
        cost = data["actors"][actor]["war_cost"]
        cost["low"], cost["high"] = cost["low"] * factor, cost["high"] * factor
        cost["assumption"] = f"the baseline's war cost times {factor:g} (experiment)"
    return edited("baseline", edit, f"{actor}_war_cost_x{factor:g}".replace(".", "_"))


def run() -> dict:
    folder = out_dir("us_leverage")
    rows = {actor: [] for actor in TARGETS}
    for actor in TARGETS:
        for factor in FACTORS:
            s = negsim.simulate(scaled(actor, factor), runs=RUNS, seed=SEED,
                                keep_runs=False).summary()
            rows[actor].append(s)
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.4), dpi=100)
    colours = {"ukraine": "tab:blue", "russia": "tab:red"}
    for actor, label in TARGETS.items():
        p = np.array([s["agreement"]["probability"] for s in rows[actor]])
        low = np.array([s["agreement"]["ci95"][0] for s in rows[actor]])
        high = np.array([s["agreement"]["ci95"][1] for s in rows[actor]])
        axes[0].fill_between(FACTORS, low, high, color=colours[actor], alpha=0.2)
        axes[0].plot(FACTORS, p, "o-", color=colours[actor], label=label)
        for ax, issue in ((axes[1], "territory"), (axes[2], "nato")):
            median = [s["issues"][issue]["deal"]["p50"] for s in rows[actor]]
            ax.plot(FACTORS, [np.nan if m is None else m for m in median], "o-",
                    color=colours[actor], label=label)
    axes[0].set(ylim=(0, 1), title="Probability of a deal",
                ylabel="0 = never, 1 = in every run\n(band: 95% Wilson interval)")
    axes[1].set(ylim=(0, 1), title="Median territory deal",
                ylabel="0 = pre-2014 borders\n1 = recognition of Russian control")
    axes[2].set(ylim=(0, 1), title="Median NATO deal",
                ylabel="0 = NATO admits Ukraine\n1 = membership renounced for good")
    for ax in axes:
        ax.set_xlabel("war cost, times the baseline's (1 = baseline)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="lower right")
    fig.suptitle("US leverage: raising the cost of war for Ukraine or for Russia",
                 x=0.01, ha="left", fontweight="bold")
    fig.tight_layout()
    save(fig, folder, "leverage")
    lines = ["| war cost × | P(deal), pressure on Ukraine | P(deal), pressure on Russia |"
             " median deal round (Ukraine / Russia) | median territory (Ukraine / Russia) |",
             "|---|---|---|---|---|"]
    for i, factor in enumerate(FACTORS):
        u, r = rows["ukraine"][i], rows["russia"][i]
        lines.append(
            f"| {factor:g} | {pct(u['agreement']['probability'])} "
            f"[{pct(u['agreement']['ci95'][0])}, {pct(u['agreement']['ci95'][1])}] | "
            f"{pct(r['agreement']['probability'])} [{pct(r['agreement']['ci95'][0])}, "
            f"{pct(r['agreement']['ci95'][1])}] | "
            f"{u['rounds_to_agreement']['median']:.0f} / "
            f"{r['rounds_to_agreement']['median']:.0f} | "
            f"{num(u['issues']['territory']['deal']['p50'])} / "
            f"{num(r['issues']['territory']['deal']['p50'])} |")
    base = negsim.simulate(SCENARIOS / "baseline.yaml", runs=RUNS, seed=SEED)
    pressure = negsim.simulate(SCENARIOS / "us_pressure.yaml", runs=RUNS, seed=SEED)
    table = compare([base, pressure])
    diff = table["differences"][pressure.label]
    levels = table["scenarios"]
    both = base.runs["agreed"] & pressure.runs["agreed"]
    shift = (pressure.runs.loc[both, "round"] - base.runs.loc[both, "round"]).to_numpy(float)
    half = 1.96 * shift.std(ddof=1) / np.sqrt(len(shift))
    lines += ["", "## The us_pressure scenario (aid and intelligence suspended for 1 to 3 "
              "rounds: the front, Ukraine's war cost and Kyiv's expectations move)", "",
              f"- Deal round, us_pressure minus baseline (runs agreeing in both): "
              f"{shift.mean():+.3f} [{shift.mean() - half:+.3f}, {shift.mean() + half:+.3f}].",
              f"- P(deal): baseline {interval(levels[base.label]['agreement'])}, "
              f"us_pressure {interval(levels[pressure.label]['agreement'])}; difference "
              f"{interval(diff['agreement'])} (paired by run).",
              "- Median deal, us_pressure minus baseline: " + ", ".join(
                  f"{k} {interval(diff['issues'][k], percent=False)}"
                  for k in ("territory", "nato", "security_guarantees", "ceasefire")) + ".",
              "- Mean utility, us_pressure minus baseline: " + ", ".join(
                  f"{a} {interval(e, percent=False)}" for a, e in diff["actors"].items()) + ".",
              "", "![leverage](leverage.png)"]
    rows["us_pressure"] = table
    write_report(folder, "US leverage on Ukraine versus on Russia",
                 "Does raising the cost of war for Ukraine (aid suspended) or for Russia "
                 "(sanctions threatened) make a deal more likely, and on whose terms?", lines)
    return rows



if __name__ == "__main__":
    run()
