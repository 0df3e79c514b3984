"""Cohort statistics for retroperitoneal vascular leiomyosarcoma registries.

Works on the cohort table (one row per patient, :data:`COHORT_COLUMNS`): descriptive
statistics in the form Zhang 2021 and Yang 2025 print them, Kruskal–Wallis and Fisher's
exact tests across imaging types, Kaplan–Meier DFS/OS with log-rank, Cox regression
when events allow, power calculation, plots and small-cell suppression. Every result
renders as text, JSON (``to_dict()``) and HTML, with a methods block.

Example::

    from rvlms.synth import yang2025_cohort
    from rvlms.analysis import analyze

    result = analyze(yang2025_cohort())
    result.to_dict()["survival"]["dfs"]["median_months"]   # 19.0
"""

from rvlms.analysis.analyze import CohortAnalysis, analyze
from rvlms.analysis.cohort import (
    COHORT_COLUMNS,
    IMAGING_TYPES,
    OPTIONAL_COLUMNS,
    CohortValidationError,
    read_cohort_csv,
    validate_cohort,
)
from rvlms.analysis.cohort_report import cohort_report_html, cohort_report_pdf
from rvlms.analysis.comparisons import Comparison, compare_groups
from rvlms.analysis.cox import CoxResult, fit_cox
from rvlms.analysis.descriptive import DescriptiveTable, describe
from rvlms.analysis.findings import AnalysisWarning
from rvlms.analysis.plots import plot_kaplan_meier, plot_perioperative, save_plots
from rvlms.analysis.power import PowerResult, power_for_sample, sample_size_for_hazard_ratio
from rvlms.analysis.report import Methods
from rvlms.analysis.suppression import suppress_small_cells
from rvlms.analysis.survival import LogRank, SurvivalEstimate, SurvivalSummary, summarise_survival

__all__ = [
    "COHORT_COLUMNS",
    "IMAGING_TYPES",
    "OPTIONAL_COLUMNS",
    "AnalysisWarning",
    "CohortAnalysis",
    "CohortValidationError",
    "Comparison",
    "CoxResult",
    "DescriptiveTable",
    "LogRank",
    "Methods",
    "PowerResult",
    "SurvivalEstimate",
    "SurvivalSummary",
    "analyze",
    "cohort_report_html",
    "cohort_report_pdf",
    "compare_groups",
    "describe",
    "fit_cox",
    "plot_kaplan_meier",
    "plot_perioperative",
    "power_for_sample",
    "read_cohort_csv",
    "sample_size_for_hazard_ratio",
    "save_plots",
    "summarise_survival",
    "suppress_small_cells",
    "validate_cohort",
]
