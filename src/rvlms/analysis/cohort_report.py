"""The cohort report: Table 1, the Kaplan–Meier and perioperative figures, then the
survival estimates, tests and models, the methods and the data provenance, as one HTML
page or a PDF (WeasyPrint renders the same HTML).

The order is the one a reader of a paper meets: who the patients were (Table 1), what
happened to them (the curves), and only then the tests. The data-source label is in the
top margin of every PDF page and on every figure, and Table 1 gets a page of its own,
laid out to fit it (:func:`rvlms.analysis.table_one_writers.fit_to_page`).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from markupsafe import Markup

from rvlms.analysis.analyze import CohortAnalysis
from rvlms.analysis.cox import CoxResult, fit_cox
from rvlms.analysis.formatting import data_label
from rvlms.analysis.plots import figure_svg, plot_kaplan_meier, plot_perioperative
from rvlms.analysis.report import template_environment
from rvlms.analysis.survival import Endpoint
from rvlms.analysis.table_one import TableOne, build_table_one
from rvlms.analysis.table_one_writers import (
    fit_to_page,
    page_layout,
    table_one_html,
)
from rvlms.analysis.variables import LABELS

__all__ = ["cohort_cox_models", "cohort_figures", "cohort_report_html", "cohort_report_pdf"]

_MARGIN_MM = 14.0


def cohort_cox_models(
    df: pd.DataFrame, result: CohortAnalysis | None, by: str
) -> dict[str, CoxResult | None]:
    """Cox models of DFS and OS on ``by`` for the figures' hazard ratios, reusing the
    analysis' DFS model when it has exactly that covariate."""
    endpoints: tuple[Endpoint, ...] = ("dfs", "os")
    models: dict[str, CoxResult | None] = {}
    for endpoint in endpoints:
        cox = result.cox if result is not None and endpoint == "dfs" else None
        if cox is None or cox.covariates != [by]:
            cox = fit_cox(df, [by], endpoint)
        models[endpoint] = cox
    return models


def cohort_figures(
    df: pd.DataFrame,
    by: str = "imaging_type",
    *,
    min_cell: int | None = None,
    ci: bool = False,
    cox: Mapping[str, CoxResult | None] | None = None,
    label: str | None = None,
) -> list[tuple[str, str]]:
    """(caption, inline SVG) for DFS and OS by group and the perioperative burden.

    Individual points are left out when small cells are suppressed, since a dot plot of
    a rare cohort shows single patients.
    """
    models = dict(cox) if cox is not None else cohort_cox_models(df, None, by)
    group = LABELS.get(by, by).lower()
    figures = [
        (
            f"Disease-free survival by {group}: Kaplan–Meier estimate, censored patients "
            "marked |, numbers at risk below the time axis",
            plot_kaplan_meier(
                df, "dfs", by, min_cell=min_cell, ci=ci, cox=models.get("dfs"), label=label
            ),
        ),
        (
            f"Overall survival by {group}",
            plot_kaplan_meier(
                df, "os", by, min_cell=min_cell, ci=ci, cox=models.get("os"), label=label
            ),
        ),
    ]
    if min_cell is None:
        figures.append(
            (
                f"Operative time, blood loss, transfusion and ICU admission by {group}",
                plot_perioperative(df, by, label=label),
            )
        )
    return [(caption, figure_svg(figure)) for caption, figure in figures]


def _render(
    df: pd.DataFrame,
    result: CohortAnalysis,
    *,
    provenance: str,
    by: str,
    min_cell: int | None,
    literature: bool,
    ci: bool,
    measure: bool,
) -> str:
    label = data_label(synthetic=result.synthetic, literature=literature)
    table: TableOne = build_table_one(result, literature=literature)
    heading = result.heading()
    layout = fit_to_page(table, heading) if measure else page_layout(table)
    skipped = result.descriptive.tables()
    figures = cohort_figures(
        df, by, min_cell=min_cell, ci=ci, cox=cohort_cox_models(df, result, by), label=label
    )
    return (
        template_environment()
        .get_template("cohort_report.html.j2")
        .render(
            heading=heading,
            methods=result.result_methods(),
            label=label,
            table_one=Markup(table_one_html(table, fragment=True, layout=layout, heading=heading)),
            landscape=layout[0],
            margin_mm=_MARGIN_MM,
            tables=[t for t in result.tables() if t not in skipped],
            warnings=result.result_warnings(),
            figures=[(caption, Markup(svg)) for caption, svg in figures],
            provenance=provenance,
        )
    )


def cohort_report_html(
    df: pd.DataFrame,
    result: CohortAnalysis,
    *,
    provenance: str,
    by: str = "imaging_type",
    min_cell: int | None = None,
    literature: bool = False,
    ci: bool = False,
) -> str:
    """The report page; ``literature`` labels published cases, ``ci`` draws confidence
    bands on the Kaplan–Meier curves."""
    return _render(
        df,
        result,
        provenance=provenance,
        by=by,
        min_cell=min_cell,
        literature=literature,
        ci=ci,
        measure=False,
    )


def cohort_report_pdf(
    df: pd.DataFrame,
    result: CohortAnalysis,
    *,
    provenance: str,
    by: str = "imaging_type",
    min_cell: int | None = None,
    literature: bool = False,
    ci: bool = False,
) -> bytes:
    """The report as PDF, Table 1 measured to fit its page."""
    from weasyprint import HTML

    html = _render(
        df,
        result,
        provenance=provenance,
        by=by,
        min_cell=min_cell,
        literature=literature,
        ci=ci,
        measure=True,
    )
    pdf = HTML(string=html).write_pdf()
    if not isinstance(pdf, bytes):
        raise TypeError("WeasyPrint returned no PDF")
    return pdf
