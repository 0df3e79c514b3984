"""What ``rvlms analyze`` writes: the report (text, JSON, HTML, PDF), Table 1 in the
formats its file names ask for, and the figures.

The run shows a progress bar on stderr (one step per stage of
:data:`rvlms.analysis.analyze.ANALYSIS_STEPS`, plus loading, figures and rendering).
Literature data (``--published``) and synthetic data are labelled on every page and
figure. The capability packages do the work; this module only routes their output.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import typer

from rvlms.cli.cohort_input import cohort_source, fail, load_cohort, provenance
from rvlms.cli.common import emit

__all__ = ["TABLE_ONE_SUFFIXES", "Outputs", "check_table_one_paths", "run_analysis"]

TABLE_ONE_SUFFIXES: tuple[str, ...] = (".html", ".pdf", ".csv", ".tex", ".docx")


@dataclass(frozen=True)
class Outputs:
    """Where the report, Table 1 and the figures go."""

    output_format: str
    out: Path | None
    plots: Path | None = None
    table_one: list[Path] = field(default_factory=list)
    ci_bands: bool = False
    summary: Literal["iqr", "range"] = "iqr"


def check_table_one_paths(paths: list[Path]) -> None:
    """Every ``--table-one`` file names a known format and can be written."""
    from rvlms.cli.common import output_file

    for path in paths:
        if path.suffix.lower() not in TABLE_ONE_SUFFIXES:
            raise fail(
                f"--table-one {path}: unknown format {path.suffix or '(no suffix)'!r}; "
                f"use a file name ending in {', '.join(TABLE_ONE_SUFFIXES)}"
            )
        output_file(path, "--table-one")


def run_analysis(
    outputs: Outputs,
    *,
    from_: Path | None,
    db: str | None,
    published: bool,
    by: str,
    min_cell: int | None,
    seed: int,
) -> None:
    """Load, analyse and write everything ``outputs`` asks for."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from rvlms.analysis.analyze import ANALYSIS_STEPS, analyze
    from rvlms.analysis.formatting import data_label
    from rvlms.analysis.plots import save_plots
    from rvlms.cli.common import output_file, output_folder, write_output

    if outputs.out is not None:
        output_file(outputs.out)
    if outputs.plots is not None:
        output_folder(outputs.plots, "--plots")
    extra = (["plots"] if outputs.plots is not None else []) + (
        ["table one"] if outputs.table_one else []
    )
    steps = ["load", *ANALYSIS_STEPS, *extra, "render"]
    fmt = outputs.output_format
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        task = progress.add_task("load", total=len(steps))

        def advance(name: str) -> None:
            progress.update(task, description=name, completed=steps.index(name))

        df = load_cohort(from_, db, published)
        source = cohort_source(from_, db, published)
        result = analyze(
            df, by, min_cell=min_cell, seed=seed, on_step=advance,
            cohort_filter=f"all rows of {source}",
        )  # fmt: skip
        label = data_label(synthetic=result.synthetic, literature=published)
        written: list[Path] = []
        if outputs.plots is not None:
            from rvlms.analysis.cohort_report import cohort_cox_models

            advance("plots")
            written = save_plots(
                df, outputs.plots, by, min_cell=min_cell, ci=outputs.ci_bands,
                cox=cohort_cox_models(df, result, by), label=label,
            )  # fmt: skip
        tables: list[Path] = []
        if outputs.table_one:
            from rvlms.analysis.table_one import build_table_one
            from rvlms.analysis.table_one_writers import write_table_one

            advance("table one")
            table = build_table_one(result, literature=published, summary=outputs.summary)
            tables = [write_table_one(table, path) for path in outputs.table_one]
        advance("render")
        rendered = ""
        if fmt == "json":
            rendered = result.to_json()
        elif fmt in ("html", "pdf"):
            from rvlms.analysis.cohort_report import cohort_report_html, cohort_report_pdf

            def report(render: Callable[..., str | bytes]) -> str | bytes:
                return render(
                    df,
                    result,
                    provenance=provenance(df, source, literature=published),
                    by=by,
                    min_cell=min_cell,
                    literature=published,
                    ci=outputs.ci_bands,
                )

            if fmt == "pdf":
                assert outputs.out is not None
                write_output(outputs.out, report(cohort_report_pdf))
            else:
                rendered = str(report(cohort_report_html))
        else:
            rendered = result.to_text()
            if label is not None and not result.synthetic:
                rendered = f"*** {label} ***\n{rendered}"
            if published:
                rendered = f"Source: {source}\n\n{rendered}"
        progress.update(task, completed=len(steps))
    if fmt == "pdf":
        typer.echo(f"written: {outputs.out}", err=True)
    else:
        emit(rendered, outputs.out)
    for path in written:
        typer.echo(f"plot: {path}", err=True)
    for path in tables:
        typer.echo(f"table 1: {path}", err=True)
    if fmt != "text":
        for finding in result.result_warnings():
            typer.echo(f"warning: {finding}", err=True)
