"""``rvlms concordance`` and ``rvlms literature``: the decision map measured on published (or a
centre's own) cases, and the published cases like a given one."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from rvlms.literature import Library

from rvlms.cli.common import clinical_errors, read_case

literature_app = typer.Typer(
    help="The published-case library: list, show, and cases like this one.",
    no_args_is_help=True,
)


class Format(StrEnum):
    text = "text"
    json = "json"


def _library(cases: Path | None) -> Library:
    from rvlms.literature import load_library, published_cases

    return published_cases() if cases is None else load_library(cases)


def concordance_command(
    output_format: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.text,
    cases: Annotated[
        Path | None,
        typer.Option(
            "--cases",
            help="A folder of case files in the library layout (default: the published cases).",
            file_okay=False,
        ),
    ] = None,
    details: Annotated[
        bool, typer.Option("--details", help="Also list every case and decision (text only).")
    ] = False,
) -> None:
    """How often the pre-operative plan agrees with what the teams did, and safety checks."""
    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table

    from rvlms.concordance import DECISIONS, Concordance
    from rvlms.concordance.measure import Tally, measure
    from rvlms.pathway import load_knowledge

    with clinical_errors():
        library = _library(cases)
        kb = load_knowledge()
        with Progress(transient=True, disable=output_format is Format.json) as progress:
            task = progress.add_task("planning", total=len(library))
            result: Concordance = measure(library, kb, lambda: progress.advance(task))
    if output_format is Format.json:
        typer.echo(json.dumps(result.contract(), indent=2))
        return
    console = Console()
    table = Table(title=f"Concordance on {result.cases} cases ({library.origin})")
    for column in ("decision", "known", "preferred = done", "done among options", "undecided"):
        table.add_column(column, justify="right" if column != "decision" else "left")

    def row(name: str, t: Tally) -> None:
        def pct(n: int) -> str:
            return f"{n} ({100 * n / t.known:.0f} %)" if t.known else "—"

        table.add_row(
            name, str(t.known), pct(t.preferred_match), pct(t.in_options), pct(t.undecided)
        )

    for name in DECISIONS:
        row(name.replace("_", " "), result.decisions[name])
    row("overall", result.overall)
    console.print(table)
    if result.safety_violations:
        console.print(f"[bold red]{len(result.safety_violations)} safety violation(s)[/]")
        for v in result.safety_violations:
            console.print(f"  • {v.case}: {v.check} — {v.detail}", markup=False)
    else:
        console.print("safety violations: 0")
    if details:
        for outcome in result.per_case or []:
            for name, d in outcome.decisions.items():
                mark = "=" if d["preferred_match"] else ("∈" if d["in_options"] else "✘")
                console.print(
                    f"{outcome.case:28} {name:18} {mark} done {d['done']} plan {d['preferred']}",
                    markup=False,
                )


@literature_app.command("list")
def list_command(
    cases: Annotated[Path | None, typer.Option("--cases", file_okay=False)] = None,
) -> None:
    """Every published case: id, vessel, level, what was done, citation."""
    from rich.console import Console
    from rich.table import Table

    from rvlms.literature.similar import PublishedSummary

    with clinical_errors():
        library = _library(cases)
    table = Table(title=f"{len(library)} published cases (selection-biased)")
    for column in ("id", "tumour", "done", "source"):
        table.add_column(column, overflow="fold")
    for entry in library:
        line = PublishedSummary.of(entry)
        done = "; ".join(f"{k}: {v}" for k, v in line.done.items())
        table.add_row(entry.id, line.summary, done or "—", entry.citation.short)
    Console().print(table)


@literature_app.command("show")
def show_command(
    case_id: Annotated[str, typer.Argument(help="Id of a published case")],
    output_format: Annotated[Format, typer.Option("--format")] = Format.text,
) -> None:
    """One published case: citation, quote, the record and what the team did."""
    from rvlms.case.io import dump_case

    with clinical_errors():
        entry = _library(None).get(case_id)
    if output_format is Format.json:
        typer.echo(entry.model_dump_json(indent=2, exclude_none=True))
        return
    typer.echo(f"{entry.id} — {entry.citation.text}")
    typer.echo(f'"{entry.quote}"')
    typer.echo("done: " + json.dumps(entry.done.model_dump(mode="json", exclude_none=True)))
    if entry.notes:
        typer.echo(f"notes: {entry.notes}")
    typer.echo(dump_case(entry.case))


@literature_app.command("similar")
def similar_command(
    case_file: Annotated[Path, typer.Argument(help="Case file (YAML or JSON)")],
    k: Annotated[int, typer.Option("-k", min=1, max=50, help="How many cases")] = 5,
    output_format: Annotated[Format, typer.Option("--format")] = Format.text,
) -> None:
    """The published cases most like this one, with what matched, what was done and how the
    patient did."""
    from rvlms.literature import similar_cases

    with clinical_errors():
        case = read_case(case_file)
        found = similar_cases(case, _library(None), k)
    if output_format is Format.json:
        typer.echo(json.dumps([s.model_dump() for s in found], indent=2))
        return
    if not found:
        typer.echo("no published case shares a feature with this one")
    for s in found:
        typer.echo(f"{s.id} (score {s.score:g}) — {s.summary}")
        typer.echo(f"  matched: {'; '.join(s.matched)}")
        typer.echo(
            "  done: " + ("; ".join(f"{k}: {v}" for k, v in s.done.items()) or "not reported")
        )
        typer.echo(f"  outcome: {s.outcome}")
        typer.echo(f"  source: {s.citation}")


def register(app: typer.Typer) -> None:
    app.command("concordance")(concordance_command)
    app.add_typer(literature_app, name="literature")
