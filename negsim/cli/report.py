"""Tables for people, printed with rich."""

from __future__ import annotations

from itertools import groupby

import numpy as np
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..evidence.registry import EvidenceRow
from ..scenario.schema import Scenario


class _Console(Console):
    """A rich console that leaves a broken pipe to the command line (exit 141, quietly),
    where rich itself would exit 1."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError


def console() -> Console:
    """A rich console; output that is not a terminal gets a readable fixed width."""
    con = _Console()
    return con if con.is_terminal else _Console(width=150)


def evidence_table(scenario: Scenario, rows: list[EvidenceRow], con: Console | None = None) -> None:
    """Print the evidence listing: one table per actor, then one for scenario-wide parameters."""
    con = con or console()
    con.print(f"[bold]{scenario.name}[/bold]: {escape(scenario.title)}")
    for actor, group in groupby(rows, key=lambda r: r.actor):
        if actor is None:
            title = "Issues, protocol, battlefield and events"
        else:
            a = scenario.actors[actor]
            title = f"{escape(a.name)} ({actor})"
        table = Table(title=title, title_justify="left", expand=True, show_lines=False)
        table.add_column("issue", no_wrap=True)
        table.add_column("parameter", no_wrap=True)
        table.add_column("value", justify="right", max_width=18)
        table.add_column("source", no_wrap=True)
        table.add_column("quote, or assumption", ratio=1)
        for (issue, parameter), same in groupby(group, key=lambda r: (r.issue, r.parameter)):
            same = list(same)
            first = True
            for row in same:
                if row.evidence_id:
                    source = row.evidence_id
                    text = f"[dim]{escape(row.document[:3])}:[/dim] “{escape(row.quote)}”"
                elif row.assumption:
                    source, text = "[yellow]assumption[/yellow]", escape(row.assumption)
                else:
                    source, text = "[red]uncited[/red]", ""
                table.add_row((issue or "") if first else "", parameter if first else "",
                              escape(row.value_text) if first else "", source, text)
                first = False
            if same[0].note:
                table.add_row("", "", "", "[dim]note[/dim]", f"[dim]{escape(same[0].note)}[/dim]")
        con.print(table)
    if scenario.registry is not None:
        con.print("[dim]Documents: " + escape(", ".join(
            f"{name[:3]} = {name}" for name in scenario.registry.documents)) + "[/dim]")


def shown_rounds(rounds: list[dict], every: int | None = None) -> list[int]:
    """Indices of the rounds a trace table shows: all of a short run; of a long one, the
    first, every ``every``-th (default: about 20 rows), each turn (the set of actors who
    accept changes) and the last three."""
    n = len(rounds)
    every = every or max(1, -(-n // 20))
    if every == 1:
        return list(range(n))
    keep = {0, *range(max(0, n - 3), n), *range(0, n, every)}

    def turn(entry):  # who accepts, the stage on the table, the events acting
        return (frozenset(a for a, r in entry["responses"].items() if r["accept"]),
                entry.get("stage"), tuple(entry.get("events", ())))

    for i in range(1, n):
        if turn(rounds[i]) != turn(rounds[i - 1]):
            keep.add(i)
    return sorted(keep)


def trace_table(scenario: Scenario, data: dict, con: Console | None = None,
                every: int | None = None) -> None:
    """Print a trace (see negsim.trace): the offers round by round, how each side sees the
    war (belief about the drift, value of war, floor, demand), then the answers."""
    con = con or console()
    issues = list(scenario.issues)
    actors = list(scenario.actors)
    contested = [k for k in issues if scenario.issues[k].contested]
    rows = shown_rounds(data["rounds"], every)
    con.print(f"[bold]{scenario.name}[/bold]: {escape(scenario.title)} — run {data['run']}, "
              f"seed {data['seed']}")
    if len(rows) < len(data["rounds"]):
        con.print(f"[dim]{len(rows)} of {len(data['rounds'])} rounds shown: the first, every "
                  "few, each turn (who accepts changes, a stage opens, an event starts or "
                  "ends) and the last three; --every 1 shows all[/dim]")
    staged = bool(scenario.stages)
    offers = Table(title="Offers (0 and 1 of each issue: see `negsim evidence` or the "
                   "scenario file); front: the no-deal point of contested issues; hazard: "
                   "the perceived chance that the talks end before the next round"
                   + ("; stage: the stage on the table (issues off it in dim, = settled by "
                      "an earlier stage)" if staged else ""),
                   title_justify="left")
    offers.add_column("round", justify="right")
    if staged:
        offers.add_column("stage")
    offers.add_column("proposer")
    for k in issues:
        offers.add_column(escape(scenario.issues[k].label), justify="right", max_width=10,
                          overflow="fold")
    for k in contested:
        offers.add_column(f"front: {escape(scenario.issues[k].label)}", justify="right",
                          max_width=10, overflow="fold")
    offers.add_column("hazard", justify="right")
    if scenario.events:
        offers.add_column("events acting")
    war = Table(title="The war as each side sees it: believed drift of "
                + ", ".join(escape(scenario.issues[k].label) for k in contested)
                + " per round · W value of fighting on · f floor = max(reservation, W) · "
                "a demand", title_justify="left")
    war.add_column("round", justify="right")
    for a in actors:
        war.add_column(a, justify="right")
    answers = Table(title="Answers: utility of the offer / threshold θ = max(f, (1-h) a(t+1) "
                    "+ h W - war cost); ✓ accepts (a proposer always accepts its own offer), "
                    "✗ rejects (⊘ outside a red line), · not required", title_justify="left")
    answers.add_column("round", justify="right")
    for a in actors:
        answers.add_column(a, justify="right")
    last = None
    for i in rows:
        entry = data["rounds"][i]
        if last is not None and i > last + 1:
            for table in (offers, war, answers):
                table.add_row("[dim]…[/dim]")
        last = i
        offers.add_row(str(entry["round"]),
                       *([escape(entry["stage"])] if staged else []), entry["proposer"],
                       *[_offer_cell(entry, k) for k in issues],
                       *[f"{entry['no_deal'][k]:.3f}" for k in contested],
                       f"{entry.get('hazard', 0.0):.3f}",
                       *([escape(", ".join(entry.get("events", [])))] if scenario.events
                         else []))
        views = []
        for a in actors:
            v = entry["actors"][a]
            belief = " ".join(f"{v['belief'][k]:+.4f}" for k in contested)
            views.append((belief + " " if belief else "")
                         + f"W {v['war']:.2f} f {v['floor']:.2f} a {v['demand']:.2f}")
        war.add_row(str(entry["round"]), *views)
        cells = [str(entry["round"])]
        for a in actors:
            answer = entry["responses"].get(a)
            if answer is None:
                cells.append("[dim]·[/dim]")
            else:
                if answer["accept"]:
                    mark = "[green]✓[/green]"
                elif not answer.get("inside_red_lines", True):
                    mark = "[red]⊘[/red]"
                else:
                    mark = "[red]✗[/red]"
                cells.append(f"{answer['utility']:.2f} / {answer['threshold']:.2f} {mark}")
        answers.add_row(*cells)
    con.print(offers)
    con.print(war)
    con.print(answers)
    out = data["outcome"]
    if out["agreed"]:
        terms = ", ".join(f"{k} {v:.2f}" for k, v in out["deal"].items())
        con.print(f"[bold green]Deal[/bold green] in round {out['round']}, proposed by "
                  f"{out['proposer']}: {terms}")
    elif out["mediator_left"]:
        con.print(f"[bold red]No deal[/bold red]: the mediator walked away in round "
                  f"{out['rounds']} (the talks broke off)")
    else:
        con.print(f"[bold red]No deal[/bold red] when the window closed after {out['rounds']} "
                  f"rounds (censored: the war goes on); the last offer was blocked most by "
                  f"{out['blocker']}")
    con.print("Utilities: " + ", ".join(f"{a} {u:.3f}" for a, u in out["utilities"].items())
              + ("" if out["agreed"] else " (the value of fighting on, W)"))
    if out["events"]:
        con.print("Events: " + ", ".join(out["events"]))
    if "stages" in out:
        con.print("Stages: " + "; ".join(
            f"{escape(stage)} agreed in round {r}" if r is not None else
            f"{escape(stage)} not agreed" for stage, r in out["stages"].items()))


def _offer_cell(entry: dict, issue: str) -> str:
    """An offer's value on one issue; dim off the stage on the table (= when settled)."""
    value = f"{entry['offer'][issue]:.2f}"
    if "table" not in entry or issue in entry["table"]:
        return value
    if issue in entry.get("settled", {}):
        return f"[dim]={value}[/dim]"
    return f"[dim]{value}[/dim]"


def _pct(x) -> str:
    return "–" if x is None else f"{x:.1%}"


def _num(x, digits: int = 3) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def run_summary(summary: dict, con: Console | None = None) -> None:
    """Print the summary of a Monte Carlo job (Results.summary()) as tables."""
    con = con or console()
    s = summary
    issues = s.get("labels", {}).get("issues", {})
    agreement = s["agreement"]
    low, high = agreement["ci95"]
    con.print(f"[bold]{escape(s['scenario'])}[/bold]: {s['runs']:,} runs, seed {s['seed']}, "
              f"engine {s['engine']}, negsim {s['negsim']}")
    rounds = s["rounds_to_agreement"]
    con.print(f"Agreement in [bold]{_pct(agreement['probability'])}[/bold] of runs "
              f"(95% Wilson interval {_pct(low)} to {_pct(high)}); deals come in round "
              f"{_num(rounds['median'], 1)} (median; quartiles {_num(rounds['q25'], 1)} to "
              f"{_num(rounds['q75'], 1)}, 10th to 90th percentile {_num(rounds.get('p10'), 1)} "
              f"to {_num(rounds.get('p90'), 1)}; rounds count from 0).")
    censored = s.get("censored", {}).get("share")
    con.print(f"No deal: the talks broke off (the mediator walked away) in "
              f"{_pct(s['mediator_left']['share'])} of runs; the war was still on when the "
              f"window closed (censored) in {_pct(censored)}.")
    if s.get("stages"):
        con.print(stages_table(s["stages"]))
    deals = Table(title="Deals, by issue (runs with a deal); no-deal point where talks failed",
                  title_justify="left")
    deals.add_column("issue")
    deals.add_column("0 means", max_width=28, overflow="fold", style="dim")
    deals.add_column("1 means", max_width=28, overflow="fold", style="dim")
    for name in ("p5", "p25", "median", "p75", "p95", "no deal"):
        deals.add_column(name, justify="right")
    for k, row in s["issues"].items():
        info = issues.get(k, {})
        d = row["deal"]
        deals.add_row(escape(info.get("label", k)), escape(info.get("zero", "")),
                      escape(info.get("one", "")),
                      *[_num(d[p], 2) for p in ("p5", "p25", "p50", "p75", "p95")],
                      _num(row["no_deal_median"], 2))
    con.print(deals)
    actors = Table(title="Actors: final utility (of the deal, or the value of fighting on) and "
                   "blocking",
                   title_justify="left")
    actors.add_column("actor")
    actors.add_column("mean utility", justify="right")
    actors.add_column("95% interval", justify="right")
    actors.add_column("blocked the last offer", justify="right")
    actors.add_column("deals proposed", justify="right")
    for a, row in s["actors"].items():
        lo, hi = row["ci95"]
        actors.add_row(escape(a), _num(row["mean_utility"]), f"{_num(lo)} – {_num(hi)}",
                       _pct(row["blocked_share"]), f"{row['deals_proposed']:,}")
    con.print(actors)
    if s["events"]:
        con.print("Events active during the talks: " + ", ".join(
            f"{escape(e)} {_pct(row['share'])}" for e, row in s["events"].items()))


def _share_interval(entry: dict) -> str:
    """An agreement entry ({probability, ci95}) as "62.3% [58.1%, 66.2%]"."""
    low, high = entry["ci95"]
    return f"{_pct(entry['probability'])} [{_pct(low)}, {_pct(high)}]"


def stages_table(stages: dict) -> Table:
    """The agenda's stages in order (the summary's "stages" section): how often each was
    agreed, with its 95% Wilson interval, and in which round."""
    table = Table(title="Stages of the agenda, in order (agreeing the last is the deal)",
                  title_justify="left")
    table.add_column("stage")
    table.add_column(escape("agreed: share of all runs [95% interval]"), justify="right",
                     min_width=21, max_width=22)
    table.add_column(escape("round agreed (0 = first), among those runs: median [q25–q75]"),
                     justify="right", min_width=16, max_width=22)
    for stage, row in stages.items():
        r = row["rounds_to_agreement"]
        table.add_row(escape(stage), _share_interval(row["agreement"]),
                      f"{_num(r['median'], 1)} [{_num(r['q25'], 1)}–{_num(r['q75'], 1)}]")
    return table


def _interval(entry: dict, digits: int = 3, percent: bool = False) -> str:
    low, high = entry["ci95"]
    fmt = _pct if percent else (lambda x: _num(x, digits))
    return f"{fmt(entry['difference'])} [{fmt(low)}, {fmt(high)}]"


def compare_table(table: dict, con: Console | None = None) -> None:
    """Print a comparison (negsim.compare.compare): levels, then differences from the first."""
    con = con or console()
    ref = table["reference"]
    con.print(f"[bold]Comparison[/bold] of {len(table['scenarios'])} scenarios, "
              f"{table['runs']:,} runs each, seed {table['seed']} (common random numbers); "
              f"differences are from [bold]{escape(ref)}[/bold], with 95% intervals.")
    levels = Table(title="Levels (median deal: runs with a deal)", title_justify="left")
    levels.add_column("")
    names = list(table["scenarios"])
    for name in names:
        levels.add_column(escape(name), justify="right")
    rows = table["scenarios"]
    levels.add_row("P(deal) [95% CI]", *[_share_interval(rows[n]["agreement"]) for n in names])
    for stage in table.get("stages", []):
        levels.add_row(f"P(stage {escape(stage)} agreed)", *[
            _share_interval(rows[n]["stages"][stage]) if stage in rows[n].get("stages", {})
            else "—" for n in names])
    for k in table["issues"]:
        levels.add_row(f"median {escape(k)}", *[_num(rows[n]["median_deal"][k], 3)
                                                for n in names])
    for a in table["actors"]:
        levels.add_row(f"mean utility {escape(a)}", *[_num(rows[n]["mean_utility"][a], 3)
                                                      for n in names])
    con.print(levels)
    for name, row in table["differences"].items():
        diff = Table(title=f"{escape(name)} minus {escape(ref)}: P(deal) "
                     f"{_interval(row['agreement'], percent=True)}", title_justify="left")
        diff.add_column("issue")
        diff.add_column("median deal difference [95% CI]", justify="right")
        diff.add_column("Wasserstein distance", justify="right")
        for k, entry in row["issues"].items():
            diff.add_row(escape(k), _interval(entry), _num(entry["wasserstein"]))
        con.print(diff)
        utils = Table(title="mean utility difference [95% CI], paired by run",
                      title_justify="left")
        for a in row["actors"]:
            utils.add_column(escape(a), justify="right")
        utils.add_row(*[_interval(e) for e in row["actors"].values()])
        con.print(utils)


def sweep_table(param: str, frame, con: Console | None = None) -> None:
    """Print a sweep: agreement and median deals at each value."""
    con = con or console()
    table = Table(title=f"Sweep of {escape(param)} (same seed at every value; median deal "
                  f"among runs with a deal)", title_justify="left")
    table.add_column(escape(param))
    for value in frame[param]:
        table.add_column(f"{value:g}", justify="right")
    table.add_row("P(deal)", *[f"{p:.1%}" for p in frame["agreement_probability"]])
    table.add_row("95% interval", *[f"{lo:.1%}–{hi:.1%}" for lo, hi in
                                    zip(frame["agreement_ci_low"], frame["agreement_ci_high"],
                                        strict=True)])
    for c in [c for c in frame.columns if c.startswith("deal_p50.")]:
        table.add_row("median " + escape(c.split(".", 1)[1]),
                      *[_num(None if np.isnan(v) else v, 3) for v in frame[c]])
    con.print(table)


def extract_table(candidates, con: Console | None = None) -> None:
    """Print candidate evidence, one table per actor, sentences with stance cues first."""
    con = con or console()
    by_actor: dict[str, list] = {}
    for c in candidates:
        by_actor.setdefault(c.actor, []).append(c)
    for actor, rows in by_actor.items():
        table = Table(title=f"{escape(actor)}: {len(rows)} candidate sentences",
                      title_justify="left", expand=True, show_lines=True)
        table.add_column("issue", no_wrap=True)
        table.add_column("where", max_width=30, overflow="fold")
        table.add_column("cues", max_width=18)
        table.add_column("sentence", ratio=1)
        for c in sorted(rows, key=lambda c: (not c.cues, c.issue, c.document, c.line)):
            table.add_row(escape(c.issue), escape(f"{c.document}:{c.line}:{c.column}"),
                          escape(", ".join(c.cues)), escape(c.sentence))
        con.print(table)
    if not candidates:
        con.print("no sentence names both an actor and an issue")


def solutions_table(summary: dict, labels: dict, con: Console | None = None) -> None:
    """Print the reference solutions: the shares of runs with a bargaining range, then one
    table per issue of each concept's median and quartiles beside the simulated deal."""
    from ..analysis.solve import CONCEPTS

    con = con or console()
    ranges = summary["range"]
    con.print(f"[bold]{escape(summary['scenario'])}[/bold]: {summary['runs']:,} runs, seed "
              f"{summary['seed']}; a deal must satisfy {escape(', '.join(summary['required']))}")
    con.print(f"bargaining range at round 0: {_pct(ranges['round_0'])} of runs over the values "
              f"of war, {_pct(ranges['round_0_with_reservations'])} with the reservations too")
    if "at_agreement" in ranges:
        con.print(f"at the round of the deal: {_pct(ranges['at_agreement'])} of the runs "
                  f"that agreed")
    names = {**CONCEPTS, "simulated": "simulated deal"}
    for issue, row in summary["issues"].items():
        meaning = labels.get("issues", {}).get(issue, {})
        title = f"{issue}: 0 = {meaning.get('zero', '0')}, 1 = {meaning.get('one', '1')}"
        table = Table(title=escape(title), title_justify="left")
        table.add_column("solution")
        for column in ("median", "q1", "q3"):
            table.add_column(column, justify="right")
        table.add_column("runs", justify="right")
        for concept, entry in row.items():
            style = "bold" if concept == "simulated" else ""
            table.add_row(names.get(concept, concept), _num(entry["median"]), _num(entry["q1"]),
                          _num(entry["q3"]), f"{entry['runs']:,}", style=style)
        con.print(table)


def explore_table(summary: dict, labels: dict, con: Console | None = None, top: int = 8) -> None:
    """Print what ``negsim explore`` found: the parameters that drive agreement (Sobol
    indices with their 95% intervals), and the box of each target (PRIM) in words."""
    con = con or console()
    con.print(f"[bold]{escape(summary['scenario'])}[/bold]: {summary['runs']:,} runs "
              f"({summary['base']:,} base points x {len(summary['parameters']) + 2}), seed "
              f"{summary['seed']}; agreement in {_pct(summary['agreement'])} of them")
    table = Table(title="Which assumptions drive agreement (Sobol indices: share of its "
                  "variance; total includes interactions)", title_justify="left")
    table.add_column("parameter")
    for column in ("total", "±95%", "first order", "±95%"):
        table.add_column(column, justify="right")
    rows = sorted(summary["indices"]["agreement"], key=lambda r: -(r["ST"] or 0))
    for row in rows[:top]:
        table.add_row(escape(labels.get(row["parameter"], row["parameter"])), _num(row["ST"]),
                      _num(row["ST_conf"]), _num(row["S1"]), _num(row["S1_conf"]))
    con.print(table)
    if len(rows) > top:
        con.print(f"({len(rows) - top} more, and every output's indices, in explore.json and "
                  f"indices.csv)")
    for found in summary["discovery"]:
        if found is None:
            con.print("discovery: no run met a target (or every run did): no box to find")
            continue
        con.print(f"[bold]{escape(found['target'])}[/bold] in {found['cases']:,} of "
                  f"{found['points']:,} runs; PRIM's box: {escape(found['text'])}")
