"""Which assumptions matter, and under which the talks fail: ``negsim explore`` on the
baseline.

Sobol indices (SALib, Saltelli's design with common random numbers within each group) of
agreement, of the territory outcome and of Ukraine's utility over the baseline's twelve
uncertain parameters, with their 95% intervals; then PRIM's box for the runs without a deal,
in the parameters' own words. The same as ``negsim explore scenarios/baseline.yaml``.
"""

from __future__ import annotations

from negsim import plots
from negsim.analysis.discovery import describe
from negsim.analysis.explore import explore, parameter_labels

from .common import SCENARIOS, SEED, out_dir, save, write_report

BASE = 4096  # base sample: 4,096 x (12 + 2) = 57,344 runs
OUTPUTS = ("agreement", "outcome.territory", "utility.ukraine")


def run() -> dict:
    folder = out_dir("sensitivity")
    found = explore(SCENARIOS / "baseline.yaml", base=BASE, seed=SEED,
                    targets=("nodeal", "territory<0.5"))
    labels = parameter_labels(found.scenario)
    save(plots.indices_figure(found.indices, labels, "baseline", list(OUTPUTS)), folder,
         "sensitivity")
    for k, box in enumerate(found.discoveries):
        if box is not None:
            save(plots.discovery_figure(box, labels, "baseline"), folder, f"discovery-{k + 1}")
    lines = [f"{len(found.outputs):,} runs ({BASE:,} base points x "
             f"{len(found.factors) + 2}); agreement in {found.outputs['agreement'].mean():.1%}.",
             "", "| parameter | " + " | ".join(f"{o}: total [first order]" for o in OUTPUTS)
             + " |", "|---|" + "---|" * len(OUTPUTS)]
    table = found.indices.set_index(["output", "parameter"])
    order = table.loc["agreement"].sort_values("ST", ascending=False).index
    for path in order:
        cells = []
        for output in OUTPUTS:
            row = table.loc[(output, path)]
            cells.append(f"{row.ST:.2f} ± {row.ST_conf:.2f} [{row.S1:.2f} ± {row.S1_conf:.2f}]")
        lines.append(f"| {labels[path]} | " + " | ".join(cells) + " |")
    lines += ["", "Scenario discovery (PRIM):", ""]
    for box in found.discoveries:
        lines.append("- " + ("no box: no run (or every run) met the target" if box is None
                             else f"**{box.target}** ({box.cases:,} runs): "
                                  + describe(box, labels)))
    lines += ["", "![indices](sensitivity.png)", "![no deal](discovery-1.png)", ""]
    write_report(folder, "Which assumptions matter: Sobol indices and scenario discovery",
                 "Which of the baseline's uncertain assumptions drive agreement, the territorial "
                 "terms and Ukraine's utility, alone and through interactions, and under which "
                 "combinations do the talks fail?", lines,
                 runs=f"{len(found.outputs):,} (the design's)")
    return {"summary": found.summary()}


if __name__ == "__main__":
    run()
