"""The ``rvlms`` command: one Typer application mounting each capability's commands.

Start-up stays fast: command modules import their heavy dependencies (pandas, lifelines,
matplotlib, SQLAlchemy) inside the commands, never at module level.
"""

from __future__ import annotations

from typing import Annotated

import typer

from rvlms import __version__
from rvlms.cli import (
    analysis_cmd,
    fhir_cmd,
    literature_cmd,
    network_cmd,
    new_cmd,
    plan_cmd,
    serve_cmd,
)
from rvlms.cli.redcap_cmd import redcap_app
from rvlms.cli.registry_cmd import registry_app
from rvlms.cli.score_cmd import score_app

app = typer.Typer(
    name="rvlms",
    help=(
        "Case record, cited MDT decision map, registry and cohort analysis for "
        "retroperitoneal vascular leiomyosarcoma."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"rvlms {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version")
    ] = False,
) -> None:
    """rvlms — decision support and registry for retroperitoneal vascular leiomyosarcoma."""


plan_cmd.register(app)
new_cmd.register(app)
app.add_typer(score_app, name="score")
app.add_typer(registry_app, name="registry")
app.add_typer(redcap_app, name="redcap")
analysis_cmd.register(app)
literature_cmd.register(app)
serve_cmd.register(app)
fhir_cmd.register(app)
network_cmd.register(app)


@app.command("demo")
def demo_command() -> None:
    """Plan the four zhang2021 example patients and reproduce the paper's numbers."""
    from rich.console import Console
    from rich.table import Table

    from rvlms.examples import load_zhang2021
    from rvlms.pathway import build_plan

    console = Console()
    table = Table(title="zhang2021 Table 1 patients through the decision map, as of before surgery")
    for column in (
        "case",
        "IVC level",
        "imaging type",
        "warnings",
        "approach",
        "vascular control",
        "reconstruction",
        "organ resection",
    ):
        table.add_column(column)
    for case in load_zhang2021():
        plan = build_plan(case, timepoint="preoperative")
        d = plan.decisions
        table.add_row(
            case.case_id,
            str(plan.classification.ivc_level or "—"),
            str(plan.classification.imaging_type or "—"),
            str(len(plan.warnings)),
            d.approach.preferred or "open",
            d.vascular_control.preferred or "open",
            d.reconstruction.preferred or "open (missing facts)",
            ", ".join(f"{o.item} ({o.role})" for o in d.organ_resection) or "—",
        )
    console.print(table)
    analysis_cmd.reproduce_command(analysis_cmd.PaperName.zhang2021)
    console.print(
        "Next: [bold]rvlms plan examples/zhang2021/case4.yaml[/], "
        "[bold]rvlms explain examples/zhang2021/case2.yaml vascular.partial-clamp[/], "
        "[bold]rvlms map --case examples/zhang2021/case4.yaml --format svg --out map.svg[/]"
    )


def run() -> None:
    app()
