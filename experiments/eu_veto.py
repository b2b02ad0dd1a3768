"""The EU's veto on sanctions relief: with versus without, in the baseline and when Russia
ties any deal to relief (sanctions_linkage)."""

from __future__ import annotations

import negsim
from negsim import plots
from negsim.analysis.compare import compare

from .common import (
    RUNS,
    SCENARIOS,
    SEED,
    edited,
    interval,
    num,
    out_dir,
    save,
    simulate_each,
    write_report,
)


def without_veto(name: str):
    def edit(data):
        europe = data["actors"]["europe"]
        europe["veto"] = []
        europe.get("red_lines", {}).pop("sanctions_relief", None)
        if not europe.get("red_lines"):
            europe.pop("red_lines", None)
    return edited(name, edit, f"{name}_no_eu_veto")


def linkage_variants() -> dict:
    """sanctions_linkage with one piece taken away at a time."""
    def no_russian_line(data):
        del data["actors"]["russia"]["red_lines"]["sanctions_relief"]

    def no_eu_line(data):
        del data["actors"]["europe"]["red_lines"]

    return {"sanctions_linkage as written": negsim.load_scenario(
                SCENARIOS / "sanctions_linkage.yaml"),
            "without Russia's SWIFT red line": edited("sanctions_linkage", no_russian_line,
                                                      "linkage_no_russian_line"),
            "EU veto kept, EU ceiling dropped": edited("sanctions_linkage", no_eu_line,
                                                       "linkage_no_eu_ceiling"),
            "no EU veto, no EU ceiling": without_veto("sanctions_linkage")}


def run() -> dict:
    folder = out_dir("eu_veto")
    found = {}
    lines = []
    for name in ("baseline", "sanctions_linkage"):
        with_veto = negsim.simulate(SCENARIOS / f"{name}.yaml", runs=RUNS, seed=SEED)
        with_veto.label = f"{name} (EU veto)"
        without = negsim.simulate(without_veto(name), runs=RUNS, seed=SEED)
        without.label = f"{name} (no EU veto)"
        table = compare([with_veto, without])
        diff = table["differences"][without.label]
        found[name] = table
        relief = diff["issues"]["sanctions_relief"]
        levels = table["scenarios"]
        lines += [
            f"## {name}", "",
            f"- P(deal) with the veto {interval(levels[with_veto.label]['agreement'])}, "
            f"without {interval(levels[without.label]['agreement'])}; "
            f"difference {interval(diff['agreement'])} (paired by run).",
            f"- Median sanctions relief in a deal: "
            f"{num(levels[with_veto.label]['median_deal']['sanctions_relief'])} "
            f"with the veto, {num(levels[without.label]['median_deal']['sanctions_relief'])} "
            f"without; difference {interval(relief, percent=False)}, Wasserstein distance "
            f"{num(relief['wasserstein'])}.",
            "- Mean utility, without minus with the veto (paired): " + ", ".join(
                f"{a} {interval(e, percent=False)}" for a, e in diff["actors"].items()) + ".",
            "", f"![{name}](deals_{name}.png)", ""]
        save(plots.deals([with_veto, without]), folder, f"deals_{name}")
        save(plots.agreement([with_veto, without]), folder, f"agreement_{name}")
    variants = simulate_each(linkage_variants())
    save(plots.agreement(variants), folder, "linkage_pieces")
    lines += ["## sanctions_linkage, one piece at a time", "",
              "| variant | P(deal) [95% CI] | Europe blocked | Russia blocked |",
              "|---|---|---|---|"]
    for r in variants:
        s = r.summary()
        lines.append(f"| {r.label} | {interval(s['agreement'])} | "
                     f"{s['actors']['europe']['blocked_share']:.1%} | "
                     f"{s['actors']['russia']['blocked_share']:.1%} |")
    found["pieces"] = {r.label: r.summary()["agreement"] for r in variants}
    lines += ["", "![pieces](linkage_pieces.png)", ""]
    write_report(folder, "The EU veto on sanctions relief",
                 "How much does Europe's veto on sanctions relief (and, when Russia makes "
                 "relief a condition, the Commission's no-relief-before-withdrawal line) "
                 "change the chance and the terms of a deal?", lines)
    return found



if __name__ == "__main__":
    run()
