"""Security-guarantee designs: the baseline's economic stake, the coalition of the willing,
and what would have to give for a guarantee with European troops to pass."""

from __future__ import annotations

import negsim
from negsim import plots

from .common import RUNS, SCENARIOS, SEED, edited, out_dir, pct, save, simulate_each, write_report


def designs() -> dict:
    def russia_red_line_firm(data):
        line = data["actors"]["russia"]["red_lines"]["security_guarantees"]
        line["min"] = {"value": 0.3, "assumption": "Russia's rejection as firm as stated"}

    def russia_red_line_gone(data):
        del data["actors"]["russia"]["red_lines"]["security_guarantees"]

    def europe_flexible(data):
        del data["actors"]["europe"]["red_lines"]

    def both_flexible(data):
        russia_red_line_gone(data)
        europe_flexible(data)

    coalition = "coalition_of_the_willing"
    return {
        "baseline: US economic stake": negsim.load_scenario(SCENARIOS / "baseline.yaml"),
        "coalition (Russia's line uncertain)":
            negsim.load_scenario(SCENARIOS / f"{coalition}.yaml"),
        "coalition, Russia's line firm": edited(coalition, russia_red_line_firm, "coalition_firm"),
        "coalition, no Russian red line": edited(coalition, russia_red_line_gone,
                                                 "coalition_no_russian_line"),
        "coalition, Europe drops its red line": edited(coalition, europe_flexible,
                                                       "coalition_europe_flexible"),
        "coalition, both red lines dropped": edited(coalition, both_flexible,
                                                    "coalition_both_flexible"),
    }


CUTOFFS = [0.3, 0.34, 0.36, 0.38, 0.4, 0.45]


def europe_cutoff(value: float):
    def edit(data):
        data["actors"]["europe"]["red_lines"]["security_guarantees"]["max"] = {
            "value": value, "assumption": "swept by the experiment"}
    return edited("coalition_of_the_willing", edit, f"coalition_cutoff_{int(value * 100)}")


def run() -> dict:
    folder = out_dir("guarantees")
    results = simulate_each(designs())
    save(plots.agreement(results), folder, "agreement")
    save(plots.deals([results[0], results[-1]]), folder, "deals")
    lines = ["| design | P(deal) [95% CI] | median guarantee in a deal | Europe blocked | "
             "Russia blocked |", "|---|---|---|---|---|"]
    summaries = {}
    for r in results:
        s = r.summary()
        summaries[r.label] = s
        a = s["agreement"]
        sg = s["issues"]["security_guarantees"]["deal"]["p50"]
        lines.append(f"| {r.label} | {pct(a['probability'])} [{pct(a['ci95'][0])}, "
                     f"{pct(a['ci95'][1])}] | {'–' if sg is None else f'{sg:.3f}'} | "
                     f"{pct(s['actors']['europe']['blocked_share'])} | "
                     f"{pct(s['actors']['russia']['blocked_share'])} |")
    cutoff_rows = []
    for value in CUTOFFS:
        s = negsim.simulate(europe_cutoff(value), runs=RUNS, seed=SEED,
                            keep_runs=False).summary()
        cutoff_rows.append((value, s))
    lines += ["", "Europe's red line (the weakest guarantee it accepts) swept:", "",
              "| Europe accepts up to | P(deal) [95% CI] | Europe blocked | Russia blocked |",
              "|---|---|---|---|"]
    for value, s in cutoff_rows:
        a = s["agreement"]
        lines.append(f"| {value:g} | {pct(a['probability'])} [{pct(a['ci95'][0])}, "
                     f"{pct(a['ci95'][1])}] | {pct(s['actors']['europe']['blocked_share'])} | "
                     f"{pct(s['actors']['russia']['blocked_share'])} |")
    summaries["cutoffs"] = {value: s["agreement"] for value, s in cutoff_rows}
    lines += ["", "On the guarantee scale 0 = a European force in Ukraine backs a guarantee, "
              "1 = no guarantee of any kind; Russia's red line sits below 0.3 (troops), "
              "Europe's above 0.3.", "", "![agreement](agreement.png)", ""]
    write_report(folder, "Security-guarantee designs",
                 "Can a guarantee backed by European troops be part of a deal, and whose "
                 "red line decides it?", lines)
    return summaries


if __name__ == "__main__":
    run()
