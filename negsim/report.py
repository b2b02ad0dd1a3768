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
