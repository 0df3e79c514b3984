"""Commands over one case: plan, classify, validate, explain, schema and the map."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from rvlms.cli.common import (
    EXIT_INVALID,
    cannot_write,
    clinical_errors,
    fail,
    output_file,
    read_case,
    read_definition,
    report_invalid,
    write_output,
)

CaseArg = Annotated[
    Path, typer.Argument(help="Case file (.yaml, .yml or .json)", show_default=False)
]
DefinitionOption = Annotated[
    Path | None,
    typer.Option(
        "--definition",
        help="YAML file with a local definition of the imaging types (thresholds); "
        "default: the packaged proposal",
    ),
]


class PlanFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


class Timepoint(StrEnum):
    current = "current"
    preoperative = "preoperative"


class ShortFormat(StrEnum):
    text = "text"
    json = "json"


class SchemaName(StrEnum):
    case = "case"
    plan = "plan"


class MapFormat(StrEnum):
    mermaid = "mermaid"
    dot = "dot"
    svg = "svg"


def _write(text: str, out: Path | None) -> None:
    if out is None:
        typer.echo(text, nl=not text.endswith("\n"))
    else:
        write_output(out, text)
        Console(stderr=True).print(f"written: {out}", markup=False, highlight=False)


def plan_command(
    case_file: CaseArg,
    format: Annotated[PlanFormat, typer.Option("--format", "-f")] = PlanFormat.text,
    as_of: Annotated[
        Timepoint,
        typer.Option(
            "--as-of",
            help="'preoperative' plans with what was known before surgery (to audit a past "
            "MDT decision); 'current' uses the whole record",
        ),
    ] = Timepoint.current,
    follow_up_years: Annotated[int, typer.Option(min=1, max=15)] = 5,
    definition: DefinitionOption = None,
    out: Annotated[Path | None, typer.Option(help="Write to this file")] = None,
) -> None:
    """The cited MDT plan for one case: warnings, decisions, stages, missing facts, follow-up."""
    from rvlms.pathway import build_plan

    with clinical_errors():
        case = read_case(case_file)
        plan = build_plan(
            case,
            follow_up_years=follow_up_years,
            timepoint=as_of.value,
            definition=read_definition(definition) if definition else None,
        )
    if format is PlanFormat.json:
        _write(plan.model_dump_json(indent=2), out)
    elif format is PlanFormat.markdown:
        from rvlms.pathway.render import PatientLine, to_markdown

        _write(to_markdown(plan, PatientLine.of(case)), out)
    else:
        from rvlms.cli.plan_view import render_plan
        from rvlms.pathway.render import PatientLine

        patient = PatientLine.of(case)
        if out is not None:
            try:
                with output_file(out).open("w", encoding="utf-8") as handle:
                    render_plan(plan, Console(file=handle, width=110), patient)
            except OSError as exc:
                cannot_write(out, exc)
        else:
            render_plan(plan, Console(), patient)


def classify_command(
    case_file: CaseArg,
    format: Annotated[ShortFormat, typer.Option("--format", "-f")] = ShortFormat.text,
    definition: DefinitionOption = None,
) -> None:
    """IVC level and yang2025 imaging type, with the definition used and the reasons."""
    from rvlms.imaging import classify

    with clinical_errors():
        case = read_case(case_file)
        result = classify(case, read_definition(definition) if definition else None)
    if format is ShortFormat.json:
        typer.echo(result.model_dump_json(indent=2))
        return
    from rvlms.cli.plan_view import classification_panel

    console = Console()
    console.print(classification_panel(result, f"Classification: {case.case_id}"))
    for item in result.missing:
        console.print(f"missing: {item.fact} — needed for {item.needed_for}", style="yellow")


def validate_command(
    case_files: Annotated[list[Path], typer.Argument(help="One or more case files")],
) -> None:
    """Check case files; exit 0 when all are valid, 1 when any is not (every error listed)."""
    from rvlms.errors import CaseInvalid

    console = Console()
    invalid = 0
    for path in case_files:
        try:
            with clinical_errors():
                try:
                    case = read_case(path)
                except CaseInvalid as exc:
                    invalid += 1
                    report_invalid(exc)
                    continue
        except typer.Exit:
            invalid += 1
            continue
        console.print(f"[green]valid[/]: {path} ({case.case_id})")
    if invalid:
        raise typer.Exit(EXIT_INVALID)


def explain_command(
    case_file: CaseArg,
    rule_id: Annotated[str, typer.Argument(help="Rule id, e.g. vascular.partial-clamp")],
) -> None:
    """Why a rule fired for this case, or why it did not."""
    from rvlms.pathway import load_knowledge
    from rvlms.pathway.explain import explain

    with clinical_errors():
        case = read_case(case_file)
        kb = load_knowledge()
        known = [r.id for r in kb.rules]
        if rule_id not in known:
            close = [r for r in known if rule_id.split(".")[-1] in r] or known
            fail(f"unknown rule '{rule_id}'; rules: {', '.join(close)}")
        typer.echo(explain(case, rule_id, kb).as_text())


def schema_command(
    name: Annotated[SchemaName, typer.Argument(help="case or plan")] = SchemaName.case,
    out: Annotated[Path | None, typer.Option(help="Write to this file")] = None,
) -> None:
    """The JSON Schema of the case record or of the plan (versioned)."""
    from rvlms.schemas import json_schema

    _write(json.dumps(json_schema(name.value), indent=2, ensure_ascii=False) + "\n", out)


def map_command(
    case_file: Annotated[
        Path | None, typer.Option("--case", help="Highlight the path this case took")
    ] = None,
    format: Annotated[MapFormat, typer.Option("--format", "-f")] = MapFormat.mermaid,
    out: Annotated[Path | None, typer.Option(help="Write to this file")] = None,
) -> None:
    """Draw the decision map (Mermaid, Graphviz DOT or SVG), optionally with one case's path."""
    from rvlms.pathway import graph

    with clinical_errors():
        case = read_case(case_file) if case_file else None
        render = {
            MapFormat.mermaid: graph.to_mermaid,
            MapFormat.dot: graph.to_dot,
            MapFormat.svg: graph.to_svg,
        }[format]
        _write(render(case), out)


def rules_command(
    format: Annotated[ShortFormat, typer.Option("--format", "-f")] = ShortFormat.text,
    markdown: Annotated[
        bool, typer.Option(help="The Markdown rule reference (docs/rules.md)")
    ] = False,
) -> None:
    """List the rules of the decision map with their stage, strength, status and evidence."""
    from rvlms.pathway import load_knowledge

    with clinical_errors():
        kb = load_knowledge()
    if markdown:
        from rvlms.pathway.reference import rules_markdown

        typer.echo(rules_markdown(kb), nl=False)
    elif format is ShortFormat.json:
        typer.echo(
            json.dumps(
                [r.model_dump(mode="json", by_alias=True, exclude_none=True) for r in kb.rules],
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        from rich.table import Table

        table = Table(title=f"{len(kb.rules)} rules, {len(kb.sources)} sources")
        for column in ("id", "stage", "strength", "status", "evidence"):
            table.add_column(column)
        for rule in kb.rules:
            table.add_row(
                rule.id,
                rule.stage.value,
                rule.strength.value,
                rule.status.value,
                ", ".join(e.source for e in rule.evidence),
            )
        Console().print(table)


def register(app: typer.Typer) -> None:
    app.command("rules")(rules_command)
    app.command("plan")(plan_command)
    app.command("classify")(classify_command)
    app.command("validate")(validate_command)
    app.command("explain")(explain_command)
    app.command("schema")(schema_command)
    app.command("map")(map_command)
