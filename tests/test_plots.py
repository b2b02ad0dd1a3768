"""Figures: what they say agrees with what they draw, and every label stays readable and
inside the figure (checked on the drawn matplotlib objects, headless)."""

from __future__ import annotations

import copy

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.lines import Line2D
from matplotlib.patches import StepPatch
from matplotlib.text import Annotation, Text

import negsim
from negsim import plots
from negsim.results import Results
from negsim.scenario import load_scenario_data
from tests.conftest import BASELINE, DATA, three_endings_data

PARAM = "actors.ukraine.war_cost"


@pytest.fixture(scope="module")
def baseline():
    return negsim.simulate(BASELINE, runs=300, seed=1, keep_runs=False)


@pytest.fixture(scope="module")
def three_endings():
    return negsim.simulate(load_scenario_data(three_endings_data()), runs=2000, seed=3,
                           keep_runs=False)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def drawn(fig):
    fig.canvas.draw()
    return fig.canvas.get_renderer()


def drawn_ticklabels(ax, axis: str = "x"):
    """The tick labels matplotlib draws: those inside the view limits, with some text."""
    which = ax.xaxis if axis == "x" else ax.yaxis
    low, high = sorted(which.get_view_interval())
    return [label for tick, label in zip(which.get_majorticklocs(), which.get_majorticklabels(),
                                         strict=True)
            if low - 1e-12 <= tick <= high + 1e-12 and label.get_text()]


def visible_texts(fig):
    """Every piece of text drawn: titles, labels, captions, legends and drawn tick labels."""
    panels = [ax for ax in fig.axes if ax.get_visible()]
    ticks = {id(t) for ax in fig.axes for t in ax.xaxis.get_majorticklabels()
             + ax.yaxis.get_majorticklabels()}
    texts = [t for t in fig.findobj(Text) if id(t) not in ticks and t.get_visible()
             and t.get_text().strip() and (t.axes is None or t.axes.get_visible())]
    return texts + [t for ax in panels for axis in "xy" for t in drawn_ticklabels(ax, axis)]


def inside(inner, outer, slack: float = 1.0) -> bool:
    return (inner.x0 >= outer.x0 - slack and inner.x1 <= outer.x1 + slack
            and inner.y0 >= outer.y0 - slack and inner.y1 <= outer.y1 + slack)


def assert_all_text_inside(fig, renderer) -> None:
    """Every text inside the figure, and the figure's title clear of every panel."""
    for text in visible_texts(fig):
        box = text.get_window_extent(renderer)
        assert inside(box, fig.bbox), f"{text.get_text()!r} leaves the figure"
    if fig.get_suptitle():
        title = fig._suptitle.get_window_extent(renderer)
        for ax in fig.axes:
            if ax.get_visible():
                assert not title.overlaps(ax.get_tightbbox(renderer)), ax.get_title(loc="left")


# -- sweep ----------------------------------------------------------------------------------

def sweep_inputs(issues: int, values=(0.0, 0.005, 0.01, 0.015, 0.02)):
    """Results and a sweep frame for a scenario with ``issues`` issues with long 0/1 labels."""
    ids = [f"issue_{k}" for k in range(issues)]
    labels = {"issues": {k: {"label": f"Issue {n} with a fairly long name",
                             "zero": f"the first side's stated aim on issue {n}, in full, as "
                                     "the documents quote it, conditions included",
                             "one": f"the other side's stated aim on issue {n}, as long as "
                                    "the quotes that back it"}
                         for n, k in enumerate(ids)}}
    results = [Results(scenario="many_issues", tally=None, seed=1, engine="vector",
                       issues=tuple(ids), actors=(), events=(), labels=labels)]
    x = np.asarray(values, dtype=float)
    frame = pd.DataFrame({PARAM: x, "agreement_probability": 0.5 + 0.0 * x,
                          "agreement_ci_low": 0.45 + 0.0 * x,
                          "agreement_ci_high": 0.55 + 0.0 * x})
    for n, k in enumerate(ids):
        frame[f"deal_p25.{k}"] = 0.2 + 0.0 * x
        frame[f"deal_p50.{k}"] = (n % 10) / 10 + 0.0 * x
        frame[f"deal_p75.{k}"] = 0.8 + 0.0 * x
    return frame, results


def overlapping(boxes) -> list[tuple[int, int]]:
    return [(i, j) for i, a in enumerate(boxes) for j, b in enumerate(boxes[i + 1:], i + 1)
            if a.overlaps(b)]


@pytest.mark.parametrize("issues", [1, 8, 12])
def test_sweep_labels_are_readable_for_one_to_twelve_issues(issues):
    frame, results = sweep_inputs(issues)
    fig = plots.sweep_figure(PARAM, frame, results)
    renderer = drawn(fig)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert len(panels) == issues + 1
    texts = visible_texts(fig)
    # no long label written up the y axis, no tiny print
    rotated = [t.get_text() for t in texts if t.get_rotation() % 180 and len(t.get_text()) > 30]
    assert rotated == []
    assert min(t.get_fontsize() for t in texts) >= 7.5
    assert_all_text_inside(fig, renderer)
    for ax in panels:
        ticks = drawn_ticklabels(ax)
        assert 2 <= len(ticks) <= plots.SWEEP_TICKS + 1
        assert overlapping([t.get_window_extent(renderer).padded(2) for t in ticks]) == []
    # what 0 and 1 mean on each issue is written by its panel, and clears every other panel
    for ax, issue in zip(panels[1:], results[0].issues, strict=True):
        info = results[0].labels["issues"][issue]
        caption = " ".join(t.get_text() for t in ax.texts).replace("\n", " ")
        assert f"1 (top) = {info['one'][:30]}" in caption
        assert f"0 (bottom) = {info['zero'][:30]}" in caption
        assert ax.get_title(loc="left") == info["label"]
        for text in ax.texts:
            box = text.get_window_extent(renderer)
            assert not any(box.overlaps(other.bbox) for other in panels if other is not ax)
    # nor do the panels (with their titles and labels) run into each other
    assert overlapping([ax.get_tightbbox(renderer) for ax in panels]) == []


def test_sweep_ticks_stay_few_and_short_for_many_values():
    frame, results = sweep_inputs(8, values=np.linspace(0.0, 0.0213, 17))
    fig = plots.sweep_figure(PARAM, frame, results)
    renderer = drawn(fig)
    for ax in fig.axes:
        if ax.get_visible():
            ticks = drawn_ticklabels(ax)
            assert len(ticks) <= plots.SWEEP_TICKS + 1
            assert max(len(t.get_text()) for t in ticks) <= 6
            assert overlapping([t.get_window_extent(renderer) for t in ticks]) == []


def test_sweep_of_a_real_job_draws_every_issue(baseline):
    from negsim.analysis.sweep import sweep_frame

    values = [0.0, 0.01, 0.02]
    frame = sweep_frame(PARAM, values, [baseline] * 3)
    fig = plots.sweep_figure(PARAM, frame, [baseline] * 3)
    assert_all_text_inside(fig, drawn(fig))
    titles = [ax.get_title(loc="left") for ax in fig.axes if ax.get_visible()]
    assert titles[1:] == [baseline.labels["issues"][k]["label"] for k in baseline.issues]


# -- agreement ------------------------------------------------------------------------------

@pytest.mark.parametrize("shares", [(1.0,), (1.0, 0.5, 0.0), (0.999, 0.02)])
def test_agreement_value_labels_stay_inside_the_axes(baseline, shares):
    jobs = []
    for n, share in enumerate(shares):
        job = copy.deepcopy(baseline)
        job.tally.agreed = round(share * job.tally.runs)
        job.label = f"job {n}"
        jobs.append(job)
    fig = plots.agreement(jobs)
    renderer = drawn(fig)
    (ax,) = fig.axes
    labels = [t for t in ax.texts if isinstance(t, Annotation)]
    assert len(labels) == len(shares)
    for label in labels:
        assert inside(label.get_window_extent(renderer), ax.bbox), label.get_text()
    assert overlapping([t.get_window_extent(renderer) for t in labels]) == []
    assert_all_text_inside(fig, renderer)
    assert ax.get_xlim()[0] < 0 and ax.get_xlim()[1] > 1  # a point at 0 or 1 is not cut


# -- deals ----------------------------------------------------------------------------------

def test_deals_axis_and_title_name_the_normalisation_drawn(three_endings):
    job = three_endings
    assert 0 < job.tally.agreed < job.tally.runs  # so that the two normalisations differ
    fig = plots.deals([job])
    assert_all_text_inside(fig, drawn(fig))
    axes = [ax for ax in fig.axes if ax.get_visible()]
    for ax in axes:
        heights = [patch.get_data().values for patch in ax.patches
                   if isinstance(patch, StepPatch)]
        assert heights
        for h in heights:  # drawn as a share of all runs: sums to P(deal), not to 1
            assert h.sum() == pytest.approx(job.tally.agreed / job.tally.runs)
        assert ax.get_ylabel().startswith("share of all runs")
    title = fig.get_suptitle()
    assert "share of all runs" in title and "probability of a deal" in title
    assert "runs that reached a deal" not in title


# -- rounds ---------------------------------------------------------------------------------

def window_lines(ax):
    return [line for line in ax.lines if isinstance(line, Line2D)
            and "end of window" in line.get_label()]


def test_rounds_marks_the_end_of_the_window(baseline):
    fig = plots.rounds([baseline])
    (ax,) = fig.axes
    window = len(baseline.tally.deal_round)
    assert plots.max_rounds(baseline) == window
    (line,) = window_lines(ax)
    assert set(line.get_xdata()) == {window}
    assert f"max_rounds = {window}" in line.get_label()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(f"end of window (max_rounds = {window})" in t for t in legend)
    curve = next(line for line in ax.lines if line.get_label() == baseline.label)
    assert max(curve.get_xdata()) == window  # the curve runs up to the line
    assert ax.get_xlim()[1] > window
    assert_all_text_inside(fig, drawn(fig))


def test_rounds_marks_each_window_when_they_differ(baseline):
    short = negsim.simulate(DATA / "kitchen_sink.yaml", runs=50, seed=1, keep_runs=False)
    fig = plots.rounds([baseline, short])
    (ax,) = fig.axes
    lines = window_lines(ax)
    assert sorted(line.get_xdata()[0] for line in lines) == sorted(
        [plots.max_rounds(baseline), plots.max_rounds(short)])
    assert all(line.get_label().startswith(f"{job.label}: ")
               for line, job in zip(lines, [baseline, short], strict=True))


# -- stages ---------------------------------------------------------------------------------

def stage_curves(ax):
    return [line for line in ax.lines if len(line.get_xdata()) > 2]


def test_the_stage_figure_is_drawn_only_for_jobs_with_an_agenda(tmp_path):
    from tests.staged import staged_results

    staged, plain = staged_results(runs=300, keep_runs=False), staged_results((), runs=300)

    def names(jobs):
        files = plots.figure_files(jobs, tmp_path)
        plt.close("all")
        return sorted(path.name for path in files)

    assert names([plain]) == ["agreement.png", "deals.png", "rounds.png", "utilities.png"]
    assert names([staged]) == names([plain, staged]) == sorted(names([plain]) + ["stages.png"])
    with pytest.raises(ValueError, match="agenda"):
        plots.figure(plain, "stages")
    plots.png_writer(plots.figure(staged, "stages"))(str(tmp_path / "stages.png"))
    assert (tmp_path / "stages.png").stat().st_size > 10_000


def test_the_stage_figure_of_one_job_draws_a_curve_per_stage():
    from tests.staged import staged_results

    stages = ("ceasefire", "prisoners", "settlement")
    job = staged_results(stages, runs=2000, keep_runs=False, agree=[0.9, 0.8, 0.5])
    fig = plots.figure(job, "stages")
    (ax,) = fig.axes
    curves = stage_curves(ax)
    assert len(curves) == 3
    assert len({c.get_color() for c in curves}) == 3  # one colour per stage
    assert len({str(c.get_linestyle()) for c in curves}) == 3
    window = job.tally.stage_round.shape[1]
    for s, (curve, stage) in enumerate(zip(curves, stages, strict=True)):
        y = curve.get_ydata()
        share = job.tally.stage_agreed[s] / job.tally.runs
        assert y[-1] == pytest.approx(share) and np.all(np.diff(y) >= 0)
        assert max(curve.get_xdata()) == window
        assert stage in curve.get_label() and f"{share:.1%}" in curve.get_label()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("max_rounds" in t for t in legend) and len(legend) == 4
    assert ax.get_xlabel().startswith("round (0 = first round of talks)")
    assert ax.get_ylabel().startswith("share of runs with the stage agreed")
    assert "stage" in fig.get_suptitle()
    renderer = drawn(fig)
    assert_all_text_inside(fig, renderer)
    # the legend sits beside the axes, clear of the curves
    assert not ax.get_legend().get_window_extent(renderer).overlaps(ax.bbox)


def test_the_stage_figure_of_several_jobs_has_a_panel_per_stage():
    from tests.staged import staged_results

    two = staged_results(runs=1000, seed=1, label="two", keep_runs=False)
    three = staged_results(("ceasefire", "prisoners", "settlement"), runs=1000, seed=2,
                           label="three", keep_runs=False)
    plain = staged_results((), runs=1000, label="plain", keep_runs=False)
    jobs = [two, plain, three]
    fig = plots.stages(jobs)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title(loc="left") for ax in panels] == [
        "stage ceasefire", "stage settlement", "stage prisoners"]
    palette = plots.colours([j.label for j in jobs])
    for ax in panels:
        stage = ax.get_title(loc="left").removeprefix("stage ")
        having = [j for j in jobs if stage in j.stages]
        curves = stage_curves(ax)
        assert [c.get_label().split(" (")[0] for c in curves] == [j.label for j in having]
        for curve, job in zip(curves, having, strict=True):
            assert curve.get_color() == palette[job.label]  # the job's colour everywhere
            share = job.tally.stage_agreed[job.stages.index(stage)] / job.tally.runs
            assert curve.get_ydata()[-1] == pytest.approx(share)
        legend = " ".join(t.get_text() for t in ax.get_legend().get_texts())
        missing = [j.label for j in jobs if stage not in j.stages]
        assert ("no such stage in " + ", ".join(missing) in legend) == bool(missing)
    assert_all_text_inside(fig, drawn(fig))
