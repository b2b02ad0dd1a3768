"""The terminal report: the stages of an agenda, in the run summary and in comparisons."""

import io

from rich.console import Console

from negsim.analysis.compare import compare
from negsim.cli.report import compare_table, run_summary
from tests.staged import staged_results


def printed(draw, *args) -> str:
    con = Console(width=150, record=True, file=io.StringIO())
    draw(*args, con=con)
    return con.export_text()


def test_the_run_summary_shows_a_stages_table_under_an_agenda():
    results = staged_results(runs=1000, seed=2)
    summary = results.summary()
    text = printed(run_summary, summary)
    assert "Stages of the agenda" in text
    for stage, row in summary["stages"].items():
        line = next(line for line in text.splitlines() if line.startswith(f"│ {stage} "))
        share = row["agreement"]
        low, high = share["ci95"]
        assert f"{share['probability']:.1%} [{low:.1%}, {high:.1%}]" in line
        r = row["rounds_to_agreement"]
        assert f"{r['median']:.1f} [{r['q25']:.1f}–{r['q75']:.1f}]" in line
    assert "q25–q75" in text  # the header is not taken for markup


def test_the_run_summary_has_no_stages_without_an_agenda():
    text = printed(run_summary, staged_results((), runs=300).summary())
    assert "Stages" not in text and "Deals, by issue" in text


def test_compare_shows_each_stage_per_job_and_a_dash_where_a_job_has_none():
    two = staged_results(runs=500, seed=1, label="two")
    plain = staged_results((), runs=500, seed=2, label="plain")
    table = compare([two, plain])
    text = printed(compare_table, table)
    for stage in ("ceasefire", "settlement"):
        line = next(line for line in text.splitlines() if f"P(stage {stage} agreed)" in line)
        share = table["scenarios"]["two"]["stages"][stage]
        assert f"{share['probability']:.1%}" in line and line.rstrip(" │").endswith("—")
    without = printed(compare_table, compare([plain, staged_results((), runs=500,
                                                                      label="other")]))
    assert "P(stage" not in without
