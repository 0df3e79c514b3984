"""Cohort analysis commands: ``analyze``, ``reproduce``, ``synth`` and ``power``.

Mounted as top-level commands with :func:`register`. pandas, lifelines, scipy and
matplotlib are imported inside the commands so that ``rvlms --help`` stays fast.
Findings about a result (too few events, rows left out) are part of the result; in JSON
and HTML mode they are also echoed to stderr so that they are not missed.
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "AnalyzeFormat",
    "PaperName",
    "ReproduceFormat",
    "SynthFormat",
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


class ReproduceFormat(enum.StrEnum):
    text = "text"
    json = "json"


class SynthFormat(enum.StrEnum):
    csv = "csv"
    json = "json"


class PaperName(enum.StrEnum):
    zhang2021 = "zhang2021"
    yang2025 = "yang2025"


def _fail(message: str, code: int = 2) -> typer.Exit:
    from rvlms.cli.common import plain_numbers

    typer.echo(f"error: {plain_numbers(message)}", err=True)
    return typer.Exit(code)


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        typer.echo(text, nl=not text.endswith("\n"))
    else:
        from rvlms.cli.common import write_output

        write_output(out, text)
        typer.echo(f"written: {out}", err=True)


def _load_cohort(from_: Path | None, db: str | None, published: bool = False) -> pd.DataFrame:
    from rvlms.analysis.cohort import CohortValidationError, read_cohort_csv, validate_cohort
    from rvlms.errors import RvlmsError

    if sum((from_ is not None, db is not None, published)) != 1:
        raise _fail("give exactly one of --from FILE.csv, --db URL or --published")
    import pandas as pd
    from sqlalchemy.exc import SQLAlchemyError

    from rvlms.registry.engine import DatabaseUrlError, check_url, display_url

    try:
        if published:
            from rvlms.literature import library_frame, published_cases

            return validate_cohort(library_frame(published_cases()))
        if from_ is not None:
            return read_cohort_csv(from_)
        assert db is not None
        from rvlms.registry import load_cohort_from_db

        return validate_cohort(load_cohort_from_db(check_url(db, must_exist=True)))
    except CohortValidationError as error:
        where = f"--from {from_}" if from_ is not None else f"--db {display_url(db or '')}"
        raise _fail(f"{where}: {error}") from error
    except DatabaseUrlError as error:
        raise _fail(f"--db: {error}") from error
    except RvlmsError as error:
        raise _fail(str(error)) from error
    except SQLAlchemyError as error:
        detail = str(getattr(error, "orig", None) or error).strip().splitlines()
        raise _fail(
            f"--db: the registry database could not be used: {detail[0] if detail else error}",
            1,
        ) from error
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else "unreadable"
        raise _fail(f"--from {from_}: not a cohort CSV file (UTF-8 text): {reason}") from error
    except OSError as error:
        raise _fail(f"--from {from_}: {error.strerror or error}") from error


def _display_db(db: str | None) -> str:
    from rvlms.registry import display_url

    return f"registry {display_url(db or '')}"


def _provenance(df: pd.DataFrame, source: str) -> str:
    from datetime import UTC, datetime

    from rvlms.analysis.cohort import is_synthetic

    kind = "SYNTHETIC data" if is_synthetic(df) else "patient data"
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"{len(df)} patients ({kind}) read from {source} on {when} by rvlms."


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
        typer.Option("--plots", help="Write PNG and SVG figures to this folder.", file_okay=False),
    ] = None,
    min_cell: Annotated[
        int | None,
        typer.Option("--min-cell", min=1, help="Show counts below N as '<N' (researcher views)."),
    ] = None,
    seed: Annotated[
        int, typer.Option("--seed", help="Seed of the Monte Carlo p-values of r×c Fisher tests.")
    ] = 20250701,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write the report to FILE instead of stdout.", dir_okay=False),
    ] = None,
) -> None:
    """Describe a cohort, compare groups, estimate DFS/OS and fit Cox when events allow.

    HTML and PDF are the cohort report: tables, tests, Kaplan–Meier and perioperative
    figures, methods and the data provenance.
    """
    if output_format is AnalyzeFormat.pdf and out is None:
        raise _fail("--format pdf needs --out FILE.pdf")
    if by not in GROUPING_COLUMNS:
        raise _fail(
            f"--by {by!r} is not a grouping column; choose one of {', '.join(GROUPING_COLUMNS)}"
        )
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from rvlms.cli.common import output_file, output_folder, write_output

    if out is not None:
        output_file(out)
    if plots is not None:
        output_folder(plots, "--plots")
    from rvlms.analysis.analyze import ANALYSIS_STEPS, analyze
    from rvlms.analysis.plots import save_plots

    steps = ["load", *ANALYSIS_STEPS] + (["plots"] if plots is not None else []) + ["render"]
    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("load", total=len(steps))

        def advance(name: str) -> None:
            progress.update(task, description=name, completed=steps.index(name))

        df = _load_cohort(from_, db, published)
        if published:
            from rvlms.literature import CORPUS_LABEL

            source = f"the rvlms published-case library ({CORPUS_LABEL})"
        else:
            source = str(from_) if from_ is not None else _display_db(db)
        result = analyze(
            df,
            by,
            min_cell=min_cell,
            seed=seed,
            on_step=advance,
            cohort_filter=f"all rows of {source}",
        )
        written: list[Path] = []
        if plots is not None:
            advance("plots")
            written = save_plots(df, plots, by, min_cell=min_cell)
        advance("render")
        if output_format is AnalyzeFormat.json:
            rendered = result.to_json()
        elif output_format in (AnalyzeFormat.html, AnalyzeFormat.pdf):
            from rvlms.analysis.cohort_report import cohort_report_html, cohort_report_pdf

            provenance = _provenance(df, source)
            if output_format is AnalyzeFormat.pdf:
                assert out is not None
                write_output(
                    out,
                    cohort_report_pdf(df, result, provenance=provenance, by=by, min_cell=min_cell),
                )
                rendered = ""
            else:
                rendered = cohort_report_html(
                    df, result, provenance=provenance, by=by, min_cell=min_cell
                )
        else:
            rendered = result.to_text()
            if published:
                rendered = f"Source: {source}\n\n{rendered}"
        progress.update(task, completed=len(steps))
    if output_format is AnalyzeFormat.pdf:
        typer.echo(f"written: {out}", err=True)
    else:
        _emit(rendered, out)
    for path in written:
        typer.echo(f"plot: {path}", err=True)
    if output_format is not AnalyzeFormat.text:
        for finding in result.result_warnings():
            typer.echo(f"warning: {finding}", err=True)


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
    from rvlms.reproduce import reproduce

    cohort = _load_cohort(from_, None) if from_ is not None else None
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
    _emit(text, out)


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
