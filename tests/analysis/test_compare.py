"""Comparisons of jobs with agendas: each job's agreement of each stage, matched by id."""

from negsim.analysis.compare import all_stages, compare
from tests.staged import staged_results


def test_compare_reports_each_stage_of_each_job_by_id():
    two = staged_results(runs=800, seed=1, label="two")
    three = staged_results(("prisoners", "ceasefire", "settlement"), runs=800, seed=2,
                           label="three")
    plain = staged_results((), runs=800, seed=3, label="plain")
    table = compare([two, plain, three])
    assert table["stages"] == all_stages([two, plain, three]) == [
        "ceasefire", "settlement", "prisoners"]
    rows = table["scenarios"]
    assert rows["plain"]["stages"] == {}
    assert list(rows["three"]["stages"]) == ["prisoners", "ceasefire", "settlement"]
    for job in (two, three):
        summary = job.summary()
        for stage in job.stages:
            assert rows[job.label]["stages"][stage] == summary["stages"][stage]["agreement"]


def test_compare_without_agendas_has_no_stages():
    a, b = staged_results((), runs=300, label="a"), staged_results((), runs=300, label="b")
    table = compare([a, b])
    assert table["stages"] == [] and all(r["stages"] == {} for r in table["scenarios"].values())
