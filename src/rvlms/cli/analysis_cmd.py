"""Cohort analysis commands: ``analyze``, ``reproduce``, ``synth`` and ``power``.

Mounted as top-level commands with :func:`register`. Reading the cohort lives in
:mod:`rvlms.cli.cohort_input`, writing the report, Table 1 and figures in
:mod:`rvlms.cli.analysis_output`. pandas, lifelines, scipy and
matplotlib are imported inside the commands so that ``rvlms --help`` stays fast.
Findings about a result (too few events, rows left out) are part of the result; in JSON
and HTML mode they are also echoed to stderr so that they are not missed.
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

import typer

from rvlms.cli.cohort_input import fail as _fail
from rvlms.cli.common import emit

__all__ = [
    "AnalyzeFormat",
    "PaperName",
    "ReproduceFormat",
    "SynthFormat",
    "TableOneSummary",
    "analyze_command",
    "power_command",
    "register",
    "reproduce_command",
    "synth_command",
]

MAX_SYNTHETIC_PATIENTS = 1_000_000

GROUPING_COLUMNS = (
    "imaging_type",
    "ivc_level",
    "vessel_of_origin",
    "margin",
    "reconstruction",
    "fnclcc_grade",
    "sex",
    "approach",
    "transfused",
    "icu_admission",
    "centre",
)


class AnalyzeFormat(enum.StrEnum):
    text = "text"
    json = "json"
    html = "html"
    pdf = "pdf"


class TableOneSummary(enum.StrEnum):
    iqr = "iqr"
    range = "range"


class ReproduceFormat(enum.StrEnum):
    text = "text"
    json = "json"


class SynthFormat(enum.StrEnum):
    csv = "csv"
    json = "json"


class PaperName(enum.StrEnum):
    zhang2021 = "zhang2021"
    yang2025 = "yang2025"


def analyze_command(
    from_: Annotated[
        Path | None,
        typer.Option(
            "--from",
            help="Cohort CSV file (rvlms synth / registry export).",
            exists=True,
            dir_okay=False,
            readable=True,
        ),
    ] = None,
    db: Annotated[str | None, typer.Option("--db", help="Registry database URL.")] = None,
    published: Annotated[
        bool,
        typer.Option(
            "--published",
            help="The published-case library (published cases, selection-biased; never mixed "
            "with registry data).",
        ),
    ] = False,
    output_format: Annotated[
        AnalyzeFormat, typer.Option("--format", help="Output format.")
    ] = AnalyzeFormat.text,
    by: Annotated[
        str, typer.Option("--by", help="Grouping column: " + ", ".join(GROUPING_COLUMNS) + ".")
    ] = "imaging_type",
    plots: Annotated[
        Path | None,
        typer.Option(
            "--plots", help="Write SVG and 300 dpi PNG figures to this folder.", file_okay=False
        ),
    ] = None,
    table_one: Annotated[
        list[Path] | None,
        typer.Option(
            "--table-one",
            help="Write Table 1 to FILE; the suffix picks the format: .html, .pdf, .csv, "
            ".tex (LaTeX) or .docx (Word). Repeat for several formats.",
            dir_okay=False,
        ),
    ] = None,
    summary: Annotated[
        TableOneSummary,
        typer.Option(
            "--summary",
            help="Continuous variables in Table 1 as median (IQR) or median (range).",
        ),
    ] = TableOneSummary.iqr,
    ci_bands: Annotated[
        bool,
        typer.Option("--ci-bands", help="Draw 95% confidence bands on the Kaplan–Meier curves."),
    ] = False,
    min_cell: Annotated[
        int | None,
        typer.Option("--min-cell", min=1, help="Show counts below N as '<N' (researcher views)."),
    ] = None,
    seed: Annotated[
        int,
        typer.Option(
            "--seed", help="Seed of the permutation p-values (Kruskal–Wallis with small groups)."
        ),
    ] = 20250701,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write the report to FILE instead of stdout.", dir_okay=False),
    ] = None,
) -> None:
    """Describe a cohort, compare groups, estimate DFS/OS and fit Cox when events allow.

    HTML and PDF are the cohort report: Table 1, Kaplan–Meier and perioperative figures,
    survival estimates, tests and models, methods and the data provenance.
    """
    from rvlms.cli.analysis_output import Outputs, check_table_one_paths, run_analysis

    if output_format is AnalyzeFormat.pdf and out is None:
        raise _fail("--format pdf needs --out FILE.pdf")
    if by not in GROUPING_COLUMNS:
        raise _fail(
            f"--by {by!r} is not a grouping column; choose one of {', '.join(GROUPING_COLUMNS)}"
        )
    check_table_one_paths(table_one or [])
    run_analysis(
        Outputs(
            output_format=output_format.value,
            out=out,
            plots=plots,
            table_one=list(table_one or []),
            ci_bands=ci_bands,
            summary="range" if summary is TableOneSummary.range else "iqr",
        ),
        from_=from_,
        db=db,
        published=published,
        by=by,
        min_cell=min_cell,
        seed=seed,
    )


def reproduce_command(
    paper: Annotated[PaperName, typer.Argument(help="Paper to reproduce.")],
    output_format: Annotated[
        ReproduceFormat, typer.Option("--format", help="Output format.")
    ] = ReproduceFormat.text,
    from_: Annotated[
        Path | None,
        typer.Option(
            "--from",
            help="Check this cohort CSV instead of the built-in data.",
            exists=True,
            dir_okay=False,
            readable=True,
        ),
    ] = None,
) -> None:
    """Put a paper's published numbers next to the recomputed ones (exit 1 on mismatch)."""
    from rvlms.analysis.cohort import CohortValidationError
    from rvlms.cli.cohort_input import load_cohort
    from rvlms.reproduce import reproduce

    cohort = load_cohort(from_, None) if from_ is not None else None
    try:
        result = reproduce(paper.value, cohort)
    except (NotImplementedError, CohortValidationError) as error:
        raise _fail(str(error)) from error
    if output_format is ReproduceFormat.json:
        typer.echo(result.to_json())
    else:
        _print_reproduction(result)
    if not result.all_match:
        raise typer.Exit(1)


def _print_reproduction(result: object) -> None:
    from rich.console import Console
    from rich.table import Table

    from rvlms.analysis.report import SYNTHETIC_BANNER
    from rvlms.reproduce import Reproduction

    assert isinstance(result, Reproduction)
    console = Console(soft_wrap=False)
    if result.synthetic:
        console.print(f"[bold yellow]{SYNTHETIC_BANNER}[/]")
    table = Table(title=f"{result.paper}: published vs reproduced", caption=result.citation)
    for column in ("Quantity", "Published", "Reproduced", "Match", "Note"):
        table.add_column(column, overflow="fold")
    marks = {True: "[green]yes[/]", False: "[bold red]NO[/]", None: "n/a"}
    for row in result.rows:
        reproduced = row.reproduced if row.reproduced is not None else "[dim]not reproducible[/]"
        table.add_row(row.quantity, row.published, reproduced, marks[row.match], row.note)
    console.print(table)
    for finding in result.warnings:
        console.print(f"warning: {finding}")


def synth_command(
    n: Annotated[
        int, typer.Option("--n", min=0, max=MAX_SYNTHETIC_PATIENTS, help="Number of patients.")
    ] = 100,
    seed: Annotated[
        int, typer.Option("--seed", min=0, help="Random seed (same seed, same table).")
    ] = 1,
    output_format: Annotated[
        SynthFormat, typer.Option("--format", help="Output format.")
    ] = SynthFormat.csv,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write to FILE instead of stdout.", dir_okay=False)
    ] = None,
    yang2025: Annotated[
        bool,
        typer.Option(
            "--yang2025", help="The 24-patient cohort calibrated to Yang 2025 (ignores --n)."
        ),
    ] = False,
) -> None:
    """Generate a synthetic cohort (every row labelled synthetic = 1)."""
    from rvlms.synth import synthesize, yang2025_cohort

    df = yang2025_cohort(seed) if yang2025 else synthesize(n, seed)
    if output_format is SynthFormat.json:
        generator = "rvlms.synth.yang2025_cohort" if yang2025 else "rvlms.synth.synthesize"
        text = (
            f'{{"synthetic": true, "generator": "{generator}", "seed": {seed}, '
            f'"n": {len(df)}, "rows": {df.to_json(orient="records", force_ascii=False)}}}\n'
        )
    else:
        text = df.to_csv(index=False, lineterminator="\n")
    emit(text, out)


def power_command(
    hr: Annotated[float, typer.Option("--hr", help="Hazard ratio to detect (DFS).")] = 2.0,
    power: Annotated[float, typer.Option("--power", help="Target power.")] = 0.8,
    alpha: Annotated[float, typer.Option("--alpha", help="Two-sided type I error.")] = 0.05,
    p_event_exp: Annotated[
        float,
        typer.Option("--p-event-exp", help="P(DFS event) during the study, experimental group."),
    ] = 11 / 24,
    p_event_con: Annotated[
        float, typer.Option("--p-event-con", help="P(DFS event) during the study, control group.")
    ] = 11 / 24,
    ratio: Annotated[
        float, typer.Option("--ratio", help="Allocation ratio experimental : control.")
    ] = 1.0,
    n_exp: Annotated[
        int | None, typer.Option("--n-exp", min=1, help="Power of a given cohort: group sizes.")
    ] = None,
    n_con: Annotated[int | None, typer.Option("--n-con", min=1)] = None,
    output_format: Annotated[
        ReproduceFormat, typer.Option("--format", help="Output format.")
    ] = ReproduceFormat.text,
) -> None:
    """Patients and events needed to detect a DFS hazard ratio between two groups.

    The default event probability 11/24 is the DFS event proportion of Yang 2025.
    """
    from rvlms.analysis.power import power_for_sample, sample_size_for_hazard_ratio

    _check_power_options(hr, power, alpha, p_event_exp, p_event_con, ratio)
    try:
        if n_exp is not None or n_con is not None:
            if n_exp is None or n_con is None:
                raise _fail("give both --n-exp and --n-con")
            result = power_for_sample(
                n_exp,
                n_con,
                hazard_ratio=hr,
                alpha=alpha,
                p_event_exp=p_event_exp,
                p_event_con=p_event_con,
            )
        else:
            result = sample_size_for_hazard_ratio(
                hr,
                power=power,
                alpha=alpha,
                p_event_exp=p_event_exp,
                p_event_con=p_event_con,
                ratio=ratio,
            )
    except ValueError as error:
        raise _fail(str(error)) from error
    text = result.to_json() if output_format is ReproduceFormat.json else result.to_text()
    typer.echo(text, nl=not text.endswith("\n"))


def _check_power_options(
    hr: float, power: float, alpha: float, p_event_exp: float, p_event_con: float, ratio: float
) -> None:
    from rvlms.cli.common import finite

    finite("--hr", hr, "a hazard ratio > 0 other than 1")
    if hr <= 0 or hr == 1:
        raise _fail(f"--hr: {hr:g} is not allowed; expected a hazard ratio > 0 other than 1")
    for option, value in (("--power", power), ("--alpha", alpha)):
        finite(option, value, "a number between 0 and 1")
        if not 0 < value < 1:
            raise _fail(f"{option}: {value:g} is not allowed; expected a number between 0 and 1")
    for option, value in (("--p-event-exp", p_event_exp), ("--p-event-con", p_event_con)):
        finite(option, value, "a probability > 0 and <= 1")
        if not 0 < value <= 1:
            raise _fail(f"{option}: {value:g} is not allowed; expected a probability > 0 and <= 1")
    finite("--ratio", ratio, "an allocation ratio > 0")
    if ratio <= 0:
        raise _fail(f"--ratio: {ratio:g} is not allowed; expected an allocation ratio > 0")


def register(app: typer.Typer) -> None:
    """Add ``analyze``, ``reproduce``, ``synth`` and ``power`` as top-level commands."""
    app.command("analyze")(analyze_command)
    app.command("reproduce")(reproduce_command)
    app.command("synth")(synth_command)
    app.command("power")(power_command)
