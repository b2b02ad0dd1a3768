"""Figures for briefings, drawn from the tallies of one or more jobs (no per-run data needed).

Every function takes a list of Results (one per scenario, drawn in that order, each in its
own colour across all figures) and returns a matplotlib Figure. Each issue's panel says what
0 and 1 mean on it (under its x axis, or above the panel in the sweep). The stages figure is
drawn only for jobs with an agenda. Rendering is headless (Agg).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from .results.results import common_actors, common_issues  # noqa: E402
from .results.summary import wilson  # noqa: E402
from .results.tally import DEAL_BINS, UTILITY_BINS, UTILITY_RANGE  # noqa: E402

DISPLAY_BINS = 50  # deal histograms are shown in bins of 0.02
UTILITY_DISPLAY_BINS = 80  # utility histograms in bins of 0.025
PALETTE = plt.get_cmap("tab10").colors
DPI = 100


def colours(names: Sequence[str]) -> dict[str, tuple]:
    """One colour per scenario, by its position in the comparison (the same in every figure)."""
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}


def dashes(names: Sequence[str]) -> dict[str, str]:
    """One line style per scenario too, so that identical distributions stay visible."""
    styles = ("-", "--", "-.", (0, (6, 2, 1, 2, 1, 2)))  # dotted is kept for no-deal medians
    return {name: styles[i % len(styles)] for i, name in enumerate(names)}


def _names(results) -> list[str]:
    return [r.label for r in results]


def _wrap(text: str, width: int = 46) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def _issue_axis_label(results, issue: str) -> str:
    info = results[0].labels.get("issues", {}).get(issue, {})
    zero, one = info.get("zero"), info.get("one")
    if not zero or not one:
        return "settlement (0 to 1)"
    return _wrap(f"0 = {zero}", 50) + "\n" + _wrap(f"1 = {one}", 50)


def _issue_title(results, issue: str) -> str:
    return results[0].labels.get("issues", {}).get(issue, {}).get("label", issue)


def _grid(n: int, columns: int = 2, width: float = 6.4, height: float = 3.6):
    rows = max(1, -(-n // columns))
    cols = min(columns, max(n, 1))
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows), dpi=DPI,
                             squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, list(axes.flat[:n])


def _rebin(counts: np.ndarray, bins: int) -> np.ndarray:
    return counts.reshape(bins, -1).sum(axis=1)


def deals(results) -> Figure:
    """Distribution of the deal on each issue, one panel per issue, as a share of all runs (so
    each outline sums to the probability of a deal), with the median no-deal point of the
    failed runs as a dotted line."""
    issues = common_issues(results)
    palette, style = colours(_names(results)), dashes(_names(results))
    fig, axes = _grid(len(issues))
    edges, width = np.linspace(0.0, 1.0, DISPLAY_BINS + 1), 1 / DISPLAY_BINS
    for ax, issue in zip(axes, issues, strict=True):
        for r in results:
            k = r.issues.index(issue)
            counts = _rebin(r.tally.deal[k], DISPLAY_BINS) if r.tally.agreed else None
            colour = palette[r.label]
            if counts is not None:
                share = counts / r.tally.runs
                ax.stairs(share, edges, color=colour, fill=True, alpha=0.25)
                ax.stairs(share, edges, color=colour, linewidth=1.6, linestyle=style[r.label],
                          label=f"{r.label}: deals")
            median = r.summary()["issues"][issue]["no_deal_median"]
            if median is not None:
                ax.axvline(median, color=colour, linestyle=":", linewidth=1.6,
                           label=f"{r.label}: no deal (median)")
        solution_markers(ax, results, issue)
        ax.set_xlim(-0.02, 1.02)
        ax.set_title(_issue_title(results, issue), fontsize=11, loc="left")
        ax.set_xlabel(_issue_axis_label(results, issue), fontsize=8)
        ax.set_ylabel(f"share of all runs ending in a\ndeal in this bin (width {width:g})",
                      fontsize=8)
        ax.grid(alpha=0.3)
    if axes:
        axes[0].legend(fontsize=7, loc="center left")
    note = ("; markers above: the reference solutions' medians (negsim solve)"
            if any(getattr(r, "references", None) for r in results) else "")
    _suptitle(fig, "Where the deal lands on each issue (share of all runs: each outline adds "
              f"up to the probability of a deal){note}", fontsize=13)
    fig.tight_layout()
    return fig


def agreement(results) -> Figure:
    """Probability of a deal per scenario, with its 95% Wilson interval."""
    names = _names(results)
    palette = colours(names)
    longest = max(len(name) for name in names)
    fig, ax = plt.subplots(figsize=(6.0 + 0.07 * longest, 1.5 + 0.55 * len(results)), dpi=DPI)
    for i, r in enumerate(results):
        p = r.tally.agreed / r.tally.runs
        low, high = wilson(r.tally.agreed, r.tally.runs)
        ax.errorbar(p, i, xerr=[[p - low], [high - p]], fmt="o", color=palette[r.label],
                    capsize=5, markersize=8, label=r.label)
        # above the point, running inwards from it, so that 0% and 100% stay inside the axes
        ax.annotate(f"{p:.1%} ({low:.1%} to {high:.1%})", (p, i), xytext=(0, 9),
                    textcoords="offset points", ha="left" if p < 0.5 else "right", fontsize=9)
    ax.set_yticks(range(len(results)), names)
    ax.set_ylim(-0.8, len(results) - 0.3)
    ax.invert_yaxis()
    ax.set_xlim(-0.03, 1.03)  # room for a point (and its cap) at 0 or 1
    ax.set_xticks(np.linspace(0, 1, 6))
    ax.set_xlabel("probability of a deal (0 = never, 1 = in every run)\n"
                  "bars: 95% Wilson interval")
    ax.set_title("Probability that the talks end in a deal", loc="left", fontweight="bold")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def rounds(results) -> Figure:
    """Share of runs that have reached a deal by each round, up to the end of the observed
    window (max_rounds), where runs still without a deal are censored."""
    palette, style = colours(_names(results)), dashes(_names(results))
    fig, ax = plt.subplots(figsize=(7.5, 4.2), dpi=DPI)
    for r in results:
        reached = np.cumsum(r.tally.deal_round) / r.tally.runs
        # the last round's level is drawn up to the end of the window
        ax.step(np.arange(len(reached) + 1), np.r_[reached, reached[-1:]], where="post",
                color=palette[r.label], linestyle=style[r.label], linewidth=1.8, label=r.label)
    _window_ends(ax, results, palette)
    ax.set_ylim(0, 1)
    ax.set_xlabel("round (0 = the first round of talks)\nruns still talking at the end of the "
                  "window are censored (not observed further)", fontsize=9)
    ax.set_ylabel("share of runs with a deal by then\n(0 = none, 1 = all)")
    ax.set_title("How soon a deal comes", loc="left", fontweight="bold")
    ax.legend(loc="upper left", fontsize=9)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def max_rounds(result) -> int:
    """The window a job observed: its number of rounds (runs without a deal by its end are
    censored)."""
    return len(result.tally.deal_round)


def _window_ends(ax, results, palette) -> None:
    """A vertical line at the end of the window (one per scenario when windows differ)."""
    windows = {r.label: max_rounds(r) for r in results}
    shared = len(set(windows.values())) == 1
    for label, window in list(windows.items())[:1] if shared else windows.items():
        ax.axvline(window, color="0.25" if shared else palette[label], linestyle=(0, (4, 3)),
                   linewidth=1.3, label=("" if shared else f"{label}: ")
                   + f"end of window (max_rounds = {window})")


def utilities(results) -> Figure:
    """Distribution of each actor's final utility (of the deal, or its value of fighting on)."""
    actors = common_actors(results)
    palette, style = colours(_names(results)), dashes(_names(results))
    fig, axes = _grid(len(actors), height=3.2)
    low, high = UTILITY_RANGE
    edges = np.linspace(low, high, UTILITY_DISPLAY_BINS + 1)
    used = np.flatnonzero(sum(_rebin(r.tally.utility[r.actors.index(a)], UTILITY_DISPLAY_BINS)
                              for r in results for a in actors))
    shown = ((edges[used[0]] - 0.05, edges[used[-1] + 1] + 0.05) if len(used)
             else UTILITY_RANGE)
    for ax, actor in zip(axes, actors, strict=True):
        for r in results:
            a = r.actors.index(actor)
            share = _rebin(r.tally.utility[a], UTILITY_DISPLAY_BINS) / r.tally.runs
            mean = r.summary()["actors"][actor]["mean_utility"]
            ax.stairs(share, edges, color=palette[r.label], linewidth=1.6,
                      linestyle=style[r.label], label=f"{r.label} (mean {mean:.2f})")
            ax.axvline(mean, color=palette[r.label], linestyle=style[r.label], linewidth=0.9,
                       alpha=0.8)
        name = results[0].labels.get("actors", {}).get(actor, actor)
        ax.set_title(name, loc="left", fontsize=11)
        ax.set_xlim(*shown)
        ax.set_xlabel("final utility: 1 = its ideal deal on every issue, 0 = the opposite; "
                      "below 0, the war\ncosts more than no deal is worth (values beyond "
                      f"[{low:g}, {high:g}] in the end bins)", fontsize=8)
        ax.set_ylabel("share of runs", fontsize=8)
        ax.legend(fontsize=8, loc="upper left")
        ax.grid(alpha=0.3)
    fig.suptitle("What each actor ends up with (vertical lines: means)", x=0.01, ha="left",
                 fontsize=13, fontweight="bold")
    fig.tight_layout(rect=(0, 0, 1, 0.96))
    return fig


STAGE_STYLES = ("-", "--", "-.", ":", (0, (6, 2, 1, 2, 1, 2)))  # one per stage of one job


def has_stages(results) -> bool:
    """Whether any of the jobs negotiated an agenda (so that there are stages to draw)."""
    return any(r.stages for r in results)


def _agreed_by(ax, counts: np.ndarray, runs: int, **style) -> float:
    """A step curve of the share of runs that agreed by each round (the last round's level
    drawn up to the end of the window); returns the share at the end."""
    reached = np.cumsum(counts) / runs
    ax.step(np.arange(len(reached) + 1), np.r_[reached, reached[-1:]], where="post",
            linewidth=1.8, **style)
    return float(reached[-1]) if len(reached) else 0.0


def _stage_axes(ax) -> None:
    """Axes of the stages figure: rounds on x, the share of runs (0 to 1) on y."""
    ax.set_ylim(0, 1.03)  # a curve at 1 stays visible above the frame
    ax.set_xlabel("round (0 = first round of talks)\nruns still talking at the end of the "
                  "window are censored", fontsize=9)
    ax.set_ylabel("share of runs with the stage agreed\n(0 = none, 1 = all)", fontsize=9)
    ax.grid(alpha=0.3)


def stages(results) -> Figure:
    """Time to each stage's agreement under an agenda: the share of runs that had agreed
    each stage by round t. One job: one panel, a curve (colour and line style) per stage.
    Several jobs: one panel per stage (every stage of any job), a curve per job in its colour
    and line style; a job without that stage is named under the panel's legend. Raises
    ValueError when no job has an agenda."""
    if not has_stages(results):
        raise ValueError("no job here has an agenda (protocol.agenda), so there are no "
                         "stages to draw")
    names = _names(results)
    palette, style = colours(names), dashes(names)
    title = ("How soon each stage of the agenda is agreed (share of all runs; the last "
             "stage's agreement is the deal)")
    if len(results) == 1:
        (r,) = results
        fig, ax = plt.subplots(figsize=(10.0, 4.4), dpi=DPI)
        for s, stage in enumerate(r.stages):
            share = _agreed_by(ax, r.tally.stage_round[s], r.tally.runs,
                               color=PALETTE[s % len(PALETTE)],
                               linestyle=STAGE_STYLES[s % len(STAGE_STYLES)])
            ax.lines[-1].set_label(f"{s + 1}. {stage} ({share:.1%} agreed by the end)")
        _window_ends(ax, results, palette)
        _stage_axes(ax)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9,
                  title=_wrap(f"{r.label}: stages in order", 40), title_fontsize=9,
                  alignment="left")  # beside the axes, clear of every curve
        _suptitle(fig, title, fontsize=12)
        fig.tight_layout()
        return fig
    stage_ids = []
    for r in results:
        stage_ids += [stage for stage in r.stages if stage not in stage_ids]
    fig, axes = _grid(len(stage_ids), height=3.9)
    for ax, stage in zip(axes, stage_ids, strict=True):
        having = [r for r in results if stage in r.stages]
        for r in having:
            share = _agreed_by(ax, r.tally.stage_round[r.stages.index(stage)], r.tally.runs,
                               color=palette[r.label], linestyle=style[r.label])
            ax.lines[-1].set_label(f"{r.label} ({share:.1%} agreed by the end)")
        _window_ends(ax, having, palette)
        _stage_axes(ax)
        ax.set_title(f"stage {stage}", loc="left", fontsize=11)
        missing = [r.label for r in results if stage not in r.stages]
        if missing:  # a legend line without a curve
            ax.plot([], [], linestyle="none",
                    label=_wrap("no such stage in " + ", ".join(missing), 40))
        ax.legend(loc="best", fontsize=8)
    _suptitle(fig, title, fontsize=12)
    fig.tight_layout()
    return fig


SWEEP_TICKS = 5  # at most this many ticks (+1) on a sweep panel's x axis
CAPTION_SIZE = 8  # points: the "0 = ..., 1 = ..." lines above a sweep panel


def sweep_figure(param: str, frame, results) -> Figure:
    """Agreement probability (with its 95% interval band) and the median deal on each issue
    (with its interquartile band) against the swept value: one panel each, three to a row,
    with what 1 and 0 mean written above each issue's panel."""
    issues = list(results[0].issues)
    x = frame[param].to_numpy(dtype=float)
    panels = len(issues) + 1
    fig, axes = _grid(panels, columns=2 if panels <= 4 else 3, width=5.0, height=3.6)
    ax = axes[0]
    ax.fill_between(x, frame["agreement_ci_low"], frame["agreement_ci_high"], color=PALETTE[0],
                    alpha=0.25, label="95% Wilson interval")
    ax.plot(x, frame["agreement_probability"], "o-", color=PALETTE[0], label="probability")
    ax.set_title("Probability of a deal", loc="left", fontsize=11)
    ax.set_ylabel("0 = never, 1 = in every run", fontsize=8)
    ax.legend(fontsize=8)
    for ax, issue in zip(axes[1:], issues, strict=True):
        ax.fill_between(x, frame[f"deal_p25.{issue}"].astype(float),
                        frame[f"deal_p75.{issue}"].astype(float), color=PALETTE[1], alpha=0.25,
                        label="quartiles")
        ax.plot(x, frame[f"deal_p50.{issue}"].astype(float), "o-", color=PALETTE[1],
                label="median deal")
        _scale_caption(ax, results, issue)
        ax.set_ylabel("deal (0 to 1, see above)", fontsize=8)
    if len(axes) > 1:
        axes[1].legend(fontsize=8)
    pad = 0.04 * (x.max() - x.min()) or 0.5
    for ax in axes:
        _sweep_axes(ax, param, (x.min() - pad, x.max() + pad))
    _suptitle(fig, f"{results[0].scenario}: sweeping {param} (same seed at every value; "
              f"deals among runs that reached one)", fontsize=12)
    fig.tight_layout(h_pad=1.2)
    return fig


def _sweep_axes(ax, param: str, xlim: tuple[float, float]) -> None:
    """The swept value on x (a few short ticks), 0 to 1 on y."""
    ax.set_xlim(*xlim)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=SWEEP_TICKS))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.set_ylim(0, 1)
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1], ["0", "", "0.5", "", "1"])
    ax.tick_params(labelsize=8)
    ax.set_xlabel(param, fontsize=8)
    ax.grid(alpha=0.3)


def _scale_caption(ax, results, issue: str, width: int = 62) -> None:
    """The issue's name as the panel's title, and under it, above the axes, what the top (1)
    and the bottom (0) of its scale mean, written across (not up the y axis)."""
    info = results[0].labels.get("issues", {}).get(issue, {})
    zero, one = info.get("zero"), info.get("one")
    lines = (textwrap.wrap(f"1 (top) = {one}", width, max_lines=2, placeholder=" ...")
             + textwrap.wrap(f"0 (bottom) = {zero}", width, max_lines=2, placeholder=" ...")
             if zero and one else ["the deal on the issue's scale, from 0 to 1"])
    ax.annotate("\n".join(lines), (0, 1), xycoords="axes fraction", xytext=(0, 4),
                textcoords="offset points", ha="left", va="bottom", fontsize=CAPTION_SIZE,
                color="0.2")
    ax.set_title(_issue_title(results, issue), loc="left", fontsize=11,
                 pad=8 + 1.2 * CAPTION_SIZE * len(lines))


def _suptitle(fig: Figure, text: str, fontsize: float) -> None:
    """A bold title across the top, wrapped to the figure's width (tight_layout, called
    without a rect, makes room for it)."""
    lines = textwrap.wrap(text, max(20, int(fig.get_figwidth() * 110 / fontsize)))
    fig.suptitle("\n".join(lines), x=0.01, y=1 - 0.05 / fig.get_figheight(), ha="left",
                 va="top", fontsize=fontsize, fontweight="bold")


def _always(results) -> bool:
    return True


FIGURES = {"agreement": agreement, "deals": deals, "rounds": rounds, "utilities": utilities,
           "stages": stages}
OPTIONAL = {"stages": has_stages}  # figures drawn only for jobs that have what they show

assert DEAL_BINS % DISPLAY_BINS == 0 and UTILITY_BINS % UTILITY_DISPLAY_BINS == 0


# reference solutions: one marker and one colour each, the same in every figure
SOLUTION_STYLES = {
    "nash": ("v", "#1f77b4"), "nash_weighted": ("^", "#17becf"),
    "kalai_smorodinsky": ("D", "#9467bd"), "compromise": ("o", "#2ca02c"),
    "median": ("s", "#ff7f0e"), "expected_utility": ("P", "#8c564b"),
}
DEAL_STYLE = "#d62728"


def solutions_figure(solutions, deals, labels: dict, scenario: str) -> Figure:
    """Per issue, the distribution over runs of each reference solution and of the
    simulated deal: box plots (box: quartiles, line: median, whiskers: 5th to 95th
    percentile) on the issue's 0-1 scale."""
    from .analysis.solve import CONCEPTS

    wrapper = [_Labelled(labels)]
    issues = list(solutions.issues)
    fig, axes = _grid(len(issues), height=3.9)
    names = list(CONCEPTS) + (["simulated"] if deals is not None else [])
    for ax, issue in zip(axes, issues, strict=True):
        k = issues.index(issue)
        series = [solutions.points[c][:, k] for c in CONCEPTS]
        if deals is not None:
            series.append(deals[:, k])
        for row, (name, values) in enumerate(zip(names, series, strict=True)):
            values = values[~np.isnan(values)]
            colour = DEAL_STYLE if name == "simulated" else SOLUTION_STYLES[name][1]
            if not len(values):
                ax.text(0.5, row, "none (no bargaining range)", ha="center", va="center",
                        fontsize=7, color="grey")
                continue
            ax.boxplot(values, positions=[row], vert=False, widths=0.6, whis=(5, 95),
                       showfliers=False, patch_artist=True,
                       boxprops={"facecolor": colour, "alpha": 0.35, "edgecolor": colour},
                       medianprops={"color": colour, "linewidth": 2},
                       whiskerprops={"color": colour}, capprops={"color": colour})
        ax.set_yticks(range(len(names)),
                      [CONCEPTS.get(n, "simulated deal") for n in names], fontsize=8)
        ax.invert_yaxis()
        ax.set_xlim(-0.02, 1.02)
        ax.set_title(_issue_title(wrapper, issue), fontsize=11, loc="left")
        ax.set_xlabel(_issue_axis_label(wrapper, issue), fontsize=8)
        ax.grid(axis="x", alpha=0.3)
    _suptitle(fig, f"{scenario}: where the reference solutions put the deal, beside the "
              f"simulated deals ({len(solutions.run):,} runs; box: quartiles, whiskers: "
              f"5th to 95th percentile)", fontsize=12)
    fig.tight_layout()
    return fig


class _Labelled:
    """Stands in for Results where only the labels are needed."""

    def __init__(self, labels: dict):
        self.labels = labels


def solution_markers(ax, results, issue: str) -> None:
    """Draw each job's reference-solution medians (Results.references) on a deal panel: a
    band above the histogram with one row per concept (one marker shape and colour each),
    the jobs side by side within a row, so that equal medians do not hide each other."""
    jobs = [r for r in results if getattr(r, "references", None)]
    if not jobs:
        return
    top = ax.get_ylim()[1]
    row = top * 0.07
    for c, (concept, (marker, colour)) in enumerate(SOLUTION_STYLES.items()):
        for j, r in enumerate(jobs):
            x = r.references.get(concept, {}).get(issue)
            if x is None:
                continue
            y = top + row * (c + 0.5 + 0.35 * j / max(1, len(jobs)))
            ax.plot([x], [y], marker=marker, color=colour, markersize=6, linestyle="none",
                    markeredgecolor="black", markeredgewidth=0.5,
                    label=_solution_label(concept) if j == 0 else None)
    ax.axhline(top, color="grey", linewidth=0.6)
    ax.set_ylim(top=top + row * (len(SOLUTION_STYLES) + 0.3))
    ticks = [t for t in ax.get_yticks() if t <= top]
    ax.set_yticks(ticks)


def _solution_label(concept: str) -> str:
    from .analysis.solve import CONCEPTS

    return f"{CONCEPTS[concept]} (median)"


def figure(results, kind: str) -> Figure:
    """One figure ("agreement", "deals", "rounds", "utilities" or, under an agenda,
    "stages") of a job, or of several jobs (a list of Results) overlaid."""
    if kind not in FIGURES:
        raise ValueError(f"unknown figure {kind!r}; available: {', '.join(FIGURES)}")
    return FIGURES[kind](results if isinstance(results, list) else [results])


def figure_files(results, directory) -> dict:
    """{directory/<figure>.png: writer} for every figure of ``results`` overlaid (stages.png
    only when a job has an agenda)."""
    from pathlib import Path

    return {Path(directory) / f"{name}.png": png_writer(FIGURES[name](results))
            for name in figure_names(results)}


def png_writer(fig: Figure):
    """A writer for negsim.atomic.write_all_atomic that saves the figure as PNG and closes it."""

    def write(path: str) -> None:
        fig.savefig(path, format="png", dpi=DPI)
        plt.close(fig)

    return write


def figure_names(results) -> list[str]:
    """The figures a job has (stages only under an agenda), in the CLI's order."""
    return [name for name in FIGURES if OPTIONAL.get(name, _always)(results)]


def figure_png(results, kind: str) -> bytes:
    """One figure as PNG bytes, drawn and closed (for the web page)."""
    import io

    fig = figure(results, kind)
    try:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=DPI)
        return buffer.getvalue()
    finally:
        plt.close(fig)


def indices_figure(indices, labels: dict, scenario: str, outputs: Sequence[str]) -> Figure:
    """Sobol indices (first order and total, with 95% intervals) of ``outputs``, one panel
    each, parameters sorted by their total index on the first output."""
    first = indices[indices["output"] == outputs[0]].sort_values("ST", ascending=True)
    order = list(first["parameter"])
    names = [_wrap(labels.get(p, p), 44) for p in order]
    fig, axes = plt.subplots(1, len(outputs), figsize=(4.6 * len(outputs) + 3.2,
                                                      1.2 + 0.42 * len(order)),
                             dpi=DPI, sharey=True, squeeze=False)
    y = np.arange(len(order))
    for ax, output in zip(axes[0], outputs, strict=True):
        rows = indices[indices["output"] == output].set_index("parameter").loc[order]
        ax.barh(y + 0.2, rows["ST"], height=0.4, xerr=rows["ST_conf"], color=PALETTE[0],
                label="total (with interactions)", error_kw={"lw": 0.8})
        ax.barh(y - 0.2, rows["S1"], height=0.4, xerr=rows["S1_conf"], color=PALETTE[1],
                label="first order (alone)", error_kw={"lw": 0.8})
        low = float((rows[["S1", "ST"]].to_numpy() - rows[["S1_conf", "ST_conf"]].to_numpy()
                     ).min())
        ax.set_xlim(min(0.0, max(low, -0.3)),
                    max(1.0, float((rows["ST"] + rows["ST_conf"]).max())))
        ax.axvline(0, color="black", lw=0.8)
        ax.set_title(output.replace("outcome.", "outcome: ").replace("utility.", "utility: "),
                     fontsize=10)
        ax.set_xlabel("share of the output's variance\n(0 = no influence, 1 = all of it)")
        ax.grid(axis="x", alpha=0.3)
    axes[0][0].set_yticks(y, names, fontsize=8)
    axes[0][0].legend(loc="lower right", fontsize=8)
    _suptitle(fig, f"{scenario}: which assumptions matter (Sobol indices, bars: 95% intervals)",
              12)
    fig.tight_layout()
    return fig


def discovery_figure(discovery, labels: dict, scenario: str) -> Figure:
    """PRIM's trade-off (coverage against density along the peeling, the chosen box marked)
    and the chosen box's restrictions on each parameter's range."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.6), dpi=DPI,
                                      gridspec_kw={"width_ratios": [1, 1.3]})
    path = discovery.trajectory.iloc[:-1]  # PRIM's peeling (the last row: the box pruned)
    points = left.scatter(path["coverage"], path["density"], c=path["res_dim"], cmap="viridis",
                          s=14)
    chosen = discovery.trajectory.iloc[discovery.chosen]
    peeled = discovery.trajectory.iloc[discovery.peeled]
    left.plot(peeled["coverage"], peeled["density"], "o", mfc="none", mec="black", ms=12,
              label="PRIM's box (densest with half the cases)")
    left.plot(chosen["coverage"], chosen["density"], "r*", ms=14,
              label="the box reported (needless restrictions dropped)")
    left.set_xlabel(f"coverage: share of the runs with {discovery.target} inside the box")
    left.set_ylabel(f"density: share of the box's runs\nwith {discovery.target}")
    left.set_xlim(0, 1.02)
    left.set_ylim(0, 1.02)
    left.grid(alpha=0.3)
    left.legend(loc="lower left", fontsize=8)
    fig.colorbar(points, ax=left, label="parameters restricted")
    left.set_title("PRIM's peeling trajectory", fontsize=10)
    restricted = list(discovery.limits)
    y = np.arange(len(restricted))
    for i, p in enumerate(restricted):
        lo_full, hi_full = discovery.ranges[p]
        lo, hi = discovery.limits[p]
        span = (hi_full - lo_full) or 1.0
        right.plot([0, 1], [i, i], color="0.8", lw=6, solid_capstyle="butt")
        right.plot([(lo - lo_full) / span, (hi - lo_full) / span], [i, i], color=PALETTE[3],
                   lw=6, solid_capstyle="butt")
        right.text(1.02, i, f"{lo:.3g} to {hi:.3g} (of {lo_full:.3g} to {hi_full:.3g})",
                   va="center", fontsize=8)
    right.set_yticks(y, [_wrap(labels.get(p, p), 40) for p in restricted], fontsize=8)
    right.set_xlim(0, 1.6)
    right.set_xticks([0, 0.5, 1], ["lowest\nsampled", "middle", "highest\nsampled"])
    right.set_ylim(-0.8, max(len(restricted), 1) - 0.2)
    right.set_title(f"the box: {chosen['coverage']:.0%} coverage, {chosen['density']:.0%} "
                    f"density (grey: the range studied, red: the box)", fontsize=10)
    right.spines[["top", "right"]].set_visible(False)
    _suptitle(fig, f"{scenario}: where the runs end in {discovery.target} (PRIM)", 12)
    fig.tight_layout()
    return fig
