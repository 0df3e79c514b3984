"""The cohort report: the analysis with its Kaplan–Meier and perioperative figures and the
data provenance, as one HTML page or a PDF (WeasyPrint renders the same HTML)."""

from __future__ import annotations

import io
from typing import Any

import pandas as pd

from rvlms.analysis.analyze import CohortAnalysis
from rvlms.analysis.plots import plot_kaplan_meier, plot_perioperative


def _svg(figure: Any) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg")
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def cohort_figures(
    df: pd.DataFrame, by: str = "imaging_type", *, min_cell: int | None = None
) -> list[tuple[str, str]]:
    """(caption, inline SVG) for DFS and OS by group and the perioperative burden."""
    figures = [
        (
            f"Disease-free survival by {by.replace('_', ' ')}, numbers at risk below",
            plot_kaplan_meier(df, "dfs", by, min_cell=min_cell),
        ),
        (
            f"Overall survival by {by.replace('_', ' ')}",
            plot_kaplan_meier(df, "os", by, min_cell=min_cell),
        ),
    ]
    if min_cell is None:
        figures.append(
            (
                "Operative time, blood loss, transfusion and ICU admission by "
                + by.replace("_", " "),
                plot_perioperative(df, by),
            )
        )
    return [(caption, _svg(figure)) for caption, figure in figures]


def cohort_report_html(
    df: pd.DataFrame,
    result: CohortAnalysis,
    *,
    provenance: str,
    by: str = "imaging_type",
    min_cell: int | None = None,
) -> str:
    """The analysis page with figures; individual points are left out when small cells are
    suppressed, since a dot plot of a rare cohort shows single patients."""
    return result.to_html(figures=cohort_figures(df, by, min_cell=min_cell), provenance=provenance)


def cohort_report_pdf(
    df: pd.DataFrame,
    result: CohortAnalysis,
    *,
    provenance: str,
    by: str = "imaging_type",
    min_cell: int | None = None,
) -> bytes:
    from weasyprint import HTML

    html = cohort_report_html(df, result, provenance=provenance, by=by, min_cell=min_cell)
    pdf = HTML(string=html).write_pdf()
    if not isinstance(pdf, bytes):
        raise TypeError("WeasyPrint returned no PDF")
    return pdf
