"""Tables for people, printed with rich."""

from __future__ import annotations

from itertools import groupby

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .evidence import EvidenceRow
from .scenario.schema import Scenario


def console() -> Console:
    """A rich console; output that is not a terminal gets a readable fixed width."""
    con = Console()
    return con if con.is_terminal else Console(width=150)


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


def trace_table(scenario: Scenario, data: dict, con: Console | None = None) -> None:
    """Print a trace (see negsim.trace): the offers round by round, then the answers."""
    con = con or console()
    issues = list(scenario.issues)
    actors = list(scenario.actors)
    con.print(f"[bold]{scenario.name}[/bold]: {escape(scenario.title)} — run {data['run']}, "
              f"seed {data['seed']}")
    offers = Table(title="Offers (0 and 1 of each issue: see `negsim evidence` or the "
                   "scenario file)", title_justify="left")
    offers.add_column("round", justify="right")
    offers.add_column("proposer")
    for k in issues:
        offers.add_column(escape(scenario.issues[k].label), justify="right", max_width=10,
                          overflow="fold")
    answers = Table(title="Answers: utility of the offer / threshold; ✓ accepts (a proposer "
                    "always accepts its own offer), ✗ rejects, · not required",
                    title_justify="left")
    answers.add_column("round", justify="right")
    for a in actors:
        answers.add_column(a, justify="right")
    for entry in data["rounds"]:
        offers.add_row(str(entry["round"]), entry["proposer"],
                       *[f"{entry['offer'][k]:.2f}" for k in issues])
        cells = [str(entry["round"])]
        for a in actors:
            answer = entry["responses"].get(a)
            if answer is None:
                cells.append("[dim]·[/dim]")
            else:
                mark = "[green]✓[/green]" if answer["accept"] else "[red]✗[/red]"
                cells.append(f"{answer['utility']:.2f} / {answer['threshold']:.2f} {mark}")
        answers.add_row(*cells)
    con.print(offers)
    con.print(answers)
    out = data["outcome"]
    if out["agreed"]:
        terms = ", ".join(f"{k} {v:.2f}" for k, v in out["deal"].items())
        con.print(f"[bold green]Deal[/bold green] in round {out['round']}, proposed by "
                  f"{out['proposer']}: {terms}")
    elif out["mediator_left"]:
        con.print(f"[bold red]No deal[/bold red]: the mediator walked away in round "
                  f"{out['rounds']}")
    else:
        con.print(f"[bold red]No deal[/bold red] after {out['rounds']} rounds; the last offer "
                  f"was blocked most by {out['blocker']}")
    con.print("Utilities: " + ", ".join(f"{a} {u:.3f}" for a, u in out["utilities"].items())
              + ("" if out["agreed"] else " (the value of walking away)"))
    if out["events"]:
        con.print("Events: " + ", ".join(out["events"]))


def run_summary(results, con: Console | None = None) -> None:
    """Print the headline numbers of a Monte Carlo run."""
    con = con or console()
    s = results.summary()
    con.print(f"[bold]{s['scenario']}[/bold]: {s['runs']} runs, seed {s['seed']}, "
              f"engine {s['engine']}")
    con.print(f"agreement in {s['agreement_rate']:.1%} of runs; median round of agreement "
              f"{s['median_round']:g}; mediator left in {s['mediator_left_rate']:.1%}")
    table = Table(title="mean utility", title_justify="left")
    for actor in s["mean_utility"]:
        table.add_column(actor, justify="right")
    table.add_row(*[f"{u:.3f}" for u in s["mean_utility"].values()])
    con.print(table)
