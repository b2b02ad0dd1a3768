"""The command line, run as a real process: exit codes, output, no tracebacks."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import (
    BASELINE,
    ROOT,
    SCENARIO_FILES,
    SCENARIOS,
    dump_yaml,
    rename_key,
    replace_entry,
    set_entry,
)


def negsim(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "negsim", *map(str, args)], cwd=cwd,
                            capture_output=True, text=True, timeout=120)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def copy_of_baseline(tmp_path: Path, edit) -> Path:
    text = edit(BASELINE.read_text(encoding="utf-8"))
    out = tmp_path / "edited.yaml"
    out.write_text(text.replace("../seeds/evidence.yaml", str(ROOT / "seeds" / "evidence.yaml")),
                   encoding="utf-8")
    return out


def baseline_from_data(tmp_path: Path, edit) -> Path:
    """A copy of the baseline whose data ``edit`` changed (written back as YAML)."""
    from negsim.scenario.yamldoc import read_yaml

    data = read_yaml(BASELINE).data
    edit(data)
    return copy_of_baseline(tmp_path, lambda _: dump_yaml(data))


def test_validate_every_scenario():
    result = negsim("validate", *SCENARIO_FILES)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("ok: ") == len(SCENARIO_FILES)


def test_validate_strict_passes_on_the_baseline():
    assert negsim("validate", "--strict", BASELINE).returncode == 0


def test_validate_reports_each_error_on_its_own_line(tmp_path):
    def edit(text):
        text = rename_key(text, ("actors", "europe", "war_cost"), "war_cots")
        text = set_entry(text, ("actors", "ukraine", "salience", "nato"), "-0.2")
        return set_entry(text, ("actors", "europe", "veto"), "[sanction_relief]")

    bad = copy_of_baseline(tmp_path, edit)
    result = negsim("validate", bad)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.startswith(str(bad))]
    assert len(lines) >= 3
    for needle in ("actors.europe.war_cots: unknown key", "actors.ukraine.salience.nato: must be",
                   "actors.europe.veto[0]: unknown issue 'sanction_relief'"):
        assert any(needle in line for line in lines), needle
    for line in lines:
        file, line_no, col, rest = line.split(":", 3)
        assert int(line_no) >= 1 and int(col) >= 1 and rest.strip()


def test_validate_broken_indent(tmp_path):
    bad = copy_of_baseline(tmp_path, lambda t: replace_entry(
        t, ("issues", "nato", "label"), lambda line: "  " + line))  # indented two too many
    result = negsim("validate", bad)
    assert result.returncode == 2
    (line,) = [x for x in result.stderr.splitlines() if x.startswith(str(bad))]
    _, line_no, col, _ = line.split(":", 3)
    text = bad.read_text().splitlines()
    label = next(i for i, s in enumerate(text, 1) if s.startswith("      label: "))
    after = text[label]  # the mapping breaks at the key after the over-indented one
    assert int(line_no) == label + 1
    assert int(col) == len(after) - len(after.lstrip()) + 1


def test_validate_refuses_python_tags_without_running_them(tmp_path):
    marker = tmp_path / "executed"
    bad = tmp_path / "evil.yaml"
    bad.write_text(f"name: !!python/object/apply:os.system ['touch {marker}']\ntitle: x\n")
    result = negsim("validate", bad)
    assert result.returncode == 2 and "not allowed" in result.stderr
    assert not marker.exists()


def test_validate_missing_file_and_mixed_results(tmp_path):
    result = negsim("validate", BASELINE, tmp_path / "absent.yaml")
    assert result.returncode == 2
    assert "ok: " in result.stdout and "cannot read" in result.stderr


def test_usage_errors_exit_2():
    assert negsim("validate").returncode == 2
    assert negsim("evidence", BASELINE, "--format", "xml").returncode == 2


def test_schema_prints_the_committed_schema(tmp_path):
    result = negsim("schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert schema["title"] == "negsim scenario" and "$schema" in schema
    assert result.stdout == (SCENARIOS / "scenario.schema.json").read_text(encoding="utf-8")
    out = tmp_path / "s.json"
    assert negsim("schema", "--out", out).returncode == 0
    assert out.read_text(encoding="utf-8") == result.stdout
    assert negsim("schema", "--out", tmp_path / "no" / "dir.json").returncode == 2


def test_evidence_json_has_a_quoted_ideal_for_each_actor_and_core_issue():
    result = negsim("evidence", BASELINE, "--format", "json")
    assert result.returncode == 0
    rows = json.loads(result.stdout)
    keys = {"actor", "issue", "parameter", "value", "evidence_id", "document", "quote",
            "assumption"}
    assert all(keys <= set(row) for row in rows)
    for actor in ("russia", "ukraine", "united_states", "europe"):
        for issue in ("territory", "nato", "sanctions_relief", "security_guarantees"):
            ideal = [r for r in rows if (r["actor"], r["issue"], r["parameter"]) ==
                     (actor, issue, "ideal")]
            assert any(r["quote"] and r["evidence_id"] and r["document"] for r in ideal)
            assert all(r["assumption"] is None for r in ideal if r["quote"])
    assumed = [r for r in rows if r["assumption"]]
    assert assumed and all(r["quote"] is None and r["evidence_id"] is None for r in assumed)


def test_evidence_table_is_readable():
    result = negsim("evidence", BASELINE)
    assert result.returncode == 0
    for text in ("Russian Federation (russia)", "putin_territorial_realities",
                 "003: “Ukraine and its allies", "assumption", "Issues, protocol"):
        assert text in result.stdout


@pytest.mark.parametrize("command", ["evidence", "validate"])
def test_bad_scenario_exits_2_for_every_command(tmp_path, command):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ntitle: [unclosed\n")
    result = negsim(command, bad)
    assert result.returncode == 2
    assert f"{bad}:3:1: <yaml>: expected ',' or ']'" in result.stderr
    assert "flow sequence that starts at line 2, column 8" in result.stderr


def test_hostile_text_in_a_scenario_is_printed_verbatim(tmp_path):
    bad = copy_of_baseline(tmp_path, lambda t: set_entry(
        t, ("title",), '"[/bold] [red]not markup[/red]"'))
    result = negsim("evidence", bad)
    assert result.returncode == 0 and "[/bold] [red]not markup[/red]" in result.stdout


def test_schema_out_to_a_directory_exits_2(tmp_path):
    result = negsim("schema", "--out", tmp_path)
    assert result.returncode == 2 and "cannot write" in result.stderr
    assert list(tmp_path.iterdir()) == []  # no temporary file left behind


def test_validate_prints_warnings_but_succeeds(tmp_path):
    def edit(data):  # red lines of the two signatories that leave no settlement on territory
        data["actors"]["ukraine"].setdefault("red_lines", {})["territory"] = {"max": 0.6}
        data["actors"]["russia"].setdefault("red_lines", {})["territory"] = {"min": 0.9}

    edited = baseline_from_data(tmp_path, edit)
    result = negsim("validate", edited)
    assert result.returncode == 0
    assert "actors.ukraine.red_lines.territory.max: warning: no settlement" in result.stderr


def test_run_writes_the_parquet_and_prints_a_summary(tmp_path):
    import pandas as pd

    out = tmp_path / "out"
    result = negsim("run", BASELINE, "--engine", "abm", "-n", "40", "--seed", "3", "--out", out)
    assert result.returncode == 0, result.stderr
    assert "Agreement in" in result.stdout and f"wrote {out}" in result.stdout
    frame = pd.read_parquet(out / "runs.parquet")
    summary = json.loads((out / "summary.json").read_text())
    assert summary["agreement"]["probability"] == frame["agreed"].mean()
    assert (summary["runs"], summary["seed"], summary["engine"]) == (40, 3, "abm")
    assert len(frame) == 40 and frame["agreed"].dtype == bool
    assert {"deal.territory", "nodeal.territory", "utility.europe", "blocker"} <= set(frame)
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary files
    quiet = negsim("run", BASELINE, "-n", "5", "--out", out, "--quiet")
    assert quiet.returncode == 0 and quiet.stdout == ""


def test_run_defaults_to_results_named_after_the_scenario(tmp_path):
    result = negsim("run", BASELINE.resolve(), "-n", "3", "-q", cwd=tmp_path)
    assert result.returncode == 0
    assert (tmp_path / "results" / "baseline" / "runs.parquet").exists()


def test_run_refuses_bad_input_before_working(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("")
    result = negsim("run", BASELINE, "-n", "3", "--out", blocked / "sub")
    assert result.returncode == 2 and "cannot write" in result.stderr
    assert negsim("run", BASELINE, "-n", "0").returncode == 2
    assert negsim("run", BASELINE, "--engine", "quantum").returncode == 2
    assert negsim("run", tmp_path / "absent.yaml").returncode == 2


def test_trace_json_has_the_documented_shape():
    from negsim.scenario import load_scenario

    scenario = load_scenario(BASELINE)
    issues, actors = set(scenario.issues), set(scenario.actors)
    contested = {k for k, issue in scenario.issues.items() if issue.contested}
    result = negsim("trace", BASELINE, "--run", "0", "--seed", "1", "--format", "json")
    assert result.returncode == 0
    data = json.loads(result.stdout)
    entry = data["rounds"][0]
    assert set(entry) == {"round", "proposer", "offer", "no_deal", "hazard", "events",
                          "actors", "responses"}
    assert set(entry["offer"]) == set(entry["no_deal"]) == issues
    assert 0.0 <= entry["hazard"] <= 1.0
    assert set(entry["actors"]) == actors
    for view in entry["actors"].values():
        assert set(view) == {"belief", "war", "floor", "demand", "next_demand", "threshold",
                             "utility"}
        assert set(view["belief"]) == contested
    answer = next(iter(entry["responses"].values()))
    assert set(answer) == {"utility", "threshold", "accept", "inside_red_lines"}
    outcome = data["outcome"]
    assert {"agreed", "round", "deal", "utilities", "censored", "mediator_left"} <= set(outcome)
    assert set(outcome["utilities"]) == actors
    assert (outcome["deal"] is None) != outcome["agreed"]
    assert outcome["agreed"] + outcome["censored"] + outcome["mediator_left"] == 1


def test_trace_table_reads_as_a_negotiation():
    result = negsim("trace", BASELINE, "--run", "0", "--seed", "1")
    assert result.returncode == 0
    for text in ("Offers", "hazard", "The war as each side sees it", "floor", "Answers",
                 "threshold", "united_states", "Utilities:"):
        assert text in result.stdout
    assert "Deal" in result.stdout or "No deal" in result.stdout


def test_ctrl_c_during_a_run_exits_130_and_writes_nothing(tmp_path):
    import signal
    import time

    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-m", "negsim", "run", str(BASELINE), "-n",
                                "5000000", "--out", str(out)], cwd=ROOT, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(4)  # well into the simulation
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "interrupted" in err and "Traceback" not in err
    assert not out.exists()  # the folder this command created is gone again


def test_engines_chunks_and_executors_write_identical_parquet(tmp_path):
    import pandas as pd

    variants = {"abm": ["--engine", "abm"], "vector": ["--engine", "vector"],
                "chunks": ["--chunk-size", "1"], "workers": ["--workers", "2"]}
    frames = {}
    for name, options in variants.items():
        out = tmp_path / name
        result = negsim("run", BASELINE, "-n", "150", "--seed", "9", "--out", out, "-q", *options)
        assert result.returncode == 0, result.stderr
        frames[name] = pd.read_parquet(out / "runs.parquet")
    for name, frame in frames.items():
        pd.testing.assert_frame_equal(frame, frames["abm"], check_exact=False, atol=1e-9,
                                      obj=name)


def test_summary_only_writes_no_runs_and_the_same_summary(tmp_path):
    full, only = tmp_path / "full", tmp_path / "only"
    assert negsim("run", BASELINE, "-n", "300", "--seed", "2", "--out", full, "-q").returncode == 0
    result = negsim("run", BASELINE, "-n", "300", "--seed", "2", "--out", only, "-q",
                    "--summary-only")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in only.iterdir()) == ["figures", "summary.json", "tally.npz"]
    assert (full / "summary.json").read_text() == (only / "summary.json").read_text()


def test_workers_and_dask_are_for_the_batch_engines():
    result = negsim("run", BASELINE, "-n", "5", "--engine", "abm", "--workers", "2")
    assert result.returncode == 2 and "batch engines" in result.stderr
