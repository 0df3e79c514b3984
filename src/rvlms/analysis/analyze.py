"""One call for the whole cohort analysis: description, group tests, survival, Cox.

The shape mirrors what Yang 2025 reports for its 24 patients (abstract, Results):
description by imaging type, between-type differences in perioperative variables,
median DFS with its interquartile range, and the basis for asking whether imaging type
predicts prognosis. JSON contract (``CohortAnalysis.to_dict()``):

- ``survival.dfs.median_months``, ``survival.dfs.ci95`` ([lo, hi], null where not reached),
  ``survival.dfs.logrank`` {``statistic``, ``df``, ``p``} across the groups;
- ``comparisons``: [{``variable``, ``test``, ``statistic``, ``statistic_name``, ``p``,
  ``interpretable``, ``warnings``, ``p_permutation``}, ...].

Small cohorts are analysed, not refused, but every number that cannot be read at face
value says so (``interpretable: false`` with ``warnings`` next to the test; see
:mod:`rvlms.analysis.smalln`), and a cohort of 0 or 1 patients gets a warning that no
test or interval is possible.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from rvlms.analysis.cohort import is_synthetic, validate_cohort
from rvlms.analysis.comparisons import (
    DEFAULT_SEED,
    MONTE_CARLO_RESAMPLES,
    Comparison,
    compare_groups,
)
from rvlms.analysis.cox import CoxResult, fit_cox
from rvlms.analysis.descriptive import DescriptiveTable, describe
from rvlms.analysis.report import Methods, ResultBase, Table, format_p
from rvlms.analysis.survival import SurvivalSummary, summarise_survival
from rvlms.analysis.variables import LABELS

__all__ = ["ANALYSIS_STEPS", "CohortAnalysis", "analyze"]

ANALYSIS_STEPS: tuple[str, ...] = (
    "validate",
    "describe",
    "compare",
    "survival",
    "cox",
)


class CohortAnalysis(ResultBase):
    """Everything :func:`analyze` computes, renderable as text, JSON or HTML."""

    title: str
    synthetic: bool
    by: str | None
    methods: Methods
    descriptive: DescriptiveTable
    comparisons: list[Comparison]
    survival: dict[str, SurvivalSummary]
    cox: CoxResult | None
    warnings: list[str]

    def heading(self) -> str:
        return self.title

    def result_methods(self) -> Methods:
        return self.methods

    def result_warnings(self) -> list[str]:
        collected = list(self.warnings)
        collected.extend(self.descriptive.warnings)
        for comparison in self.comparisons:
            collected.extend(comparison.warnings)
        for summary in self.survival.values():
            collected.extend(summary.warnings)
        if self.cox is not None:
            collected.extend(self.cox.warnings)
        return list(dict.fromkeys(collected))

    def tables(self) -> list[Table]:
        tables = list(self.descriptive.tables())
        if self.comparisons:
            rows = [
                [
                    LABELS.get(c.variable, c.variable),
                    c.test,
                    c.statistic_text(),
                    format_p(c.p),
                    _caveat(c),
                ]
                for c in self.comparisons
            ]
            tables.append(
                Table(
                    f"Comparisons across {LABELS.get(self.by or '', self.by)}",
                    ["Variable", "Test", "Statistic", "p", "Caveat"],
                    rows,
                    align_left=2,
                    note="p-values are not adjusted for multiple comparisons. H = Kruskal–Wallis "
                    "H; OR = conditional maximum-likelihood odds ratio; exact r×c tests have no "
                    "statistic.",
                )
            )
        for summary in self.survival.values():
            tables.extend(summary.tables())
        if self.cox is not None:
            tables.extend(self.cox.tables())
        return tables


def _caveat(comparison: Comparison) -> str:
    """Short note for the comparisons table: why a p-value is not to be read as is."""
    if comparison.p_permutation is not None:
        return f"groups <=5; permutation p {format_p(comparison.p_permutation)}"
    if not comparison.interpretable:
        return "not interpretable"
    if comparison.warnings:
        return "small groups"
    return ""


def analyze(
    df: pd.DataFrame,
    by: str | None = "imaging_type",
    *,
    min_cell: int | None = None,
    seed: int = DEFAULT_SEED,
    n_resamples: int = MONTE_CARLO_RESAMPLES,
    continuous: Sequence[str] | None = None,
    categorical: Sequence[str] | None = None,
    compare: Sequence[str] | None = None,
    cox_covariates: Sequence[str] | None = ("imaging_type",),
    cohort_filter: str = "all rows",
    validate: bool = True,
    on_step: Callable[[str], None] | None = None,
) -> CohortAnalysis:
    """Describe, compare, and model a cohort table.

    Args:
        df: the cohort table (see :mod:`rvlms.analysis.cohort`).
        by: grouping column for description, tests and survival curves.
        min_cell: suppress counts 1 to ``min_cell - 1`` (researcher views).
        seed: seed of the Monte Carlo permutation p-values (Kruskal–Wallis with small
            groups) and of requested Monte Carlo Fisher tests.
        n_resamples: resamples of those Monte Carlo p-values.
        continuous, categorical: variables to describe (default: all present).
        compare: variables to test across groups (default: all described ones).
        cox_covariates: covariates of the DFS Cox model; ``None`` skips the model.
        cohort_filter: human-readable description of how ``df`` was selected.
        validate: check the table against the contract first (skip only for a table
            that :func:`validate_cohort` already returned).
        on_step: called with each name of :data:`ANALYSIS_STEPS` as it starts.
    """

    def step(name: str) -> None:
        if on_step is not None:
            on_step(name)

    step("validate")
    data = validate_cohort(df) if validate else df
    warnings: list[str] = []
    if len(data) < 2:
        warnings.append(
            f"the cohort has {len(data)} patient(s): no between-group test, confidence "
            "interval or model is possible"
        )
    synthetic = is_synthetic(data)
    if synthetic and "synthetic" in data.columns and not bool((data["synthetic"] == 1).all()):
        warnings.append("the cohort mixes synthetic and real rows")
    step("describe")
    descriptive = describe(
        data,
        by,
        continuous=continuous,
        categorical=categorical,
        min_cell=min_cell,
        cohort_filter=cohort_filter,
    )
    step("compare")
    comparisons: list[Comparison] = []
    if by is not None:
        chosen = set(compare) if compare is not None else None
        cont = [v for v in descriptive.continuous if chosen is None or v in chosen]
        cat = [v for v in descriptive.categorical if chosen is None or v in chosen]
        comparisons = compare_groups(
            data, by, continuous=cont, categorical=cat, seed=seed, n_resamples=n_resamples
        )
    step("survival")
    survival = {
        endpoint: summarise_survival(
            data, endpoint, by, min_cell=min_cell, cohort_filter=cohort_filter
        )
        for endpoint in ("dfs", "os")
    }
    step("cox")
    cox = (
        fit_cox(data, cox_covariates, "dfs", cohort_filter=cohort_filter)
        if cox_covariates
        else None
    )
    dfs = survival["dfs"]
    methods = Methods(
        test="description; Kruskal–Wallis and Fisher's exact tests across groups; "
        "Kaplan–Meier with log-rank; Cox regression when events allow",
        n=len(data),
        events=dfs.methods.events,
        censoring=dfs.methods.censoring,
        cohort_filter=cohort_filter,
        synthetic=synthetic,
        notes=[
            "Fisher r×c: exact Freeman–Halton p-value where feasible; past that size "
            "Pearson chi-squared; the test name says which",
            "Kruskal–Wallis with a group of 5 or fewer: permutation p-value added "
            f"(exact or {n_resamples} resamples, seed {seed})",
            "p-values are not adjusted for multiple comparisons",
        ]
        + ([f"counts 1-{min_cell - 1} suppressed as '<{min_cell}'"] if min_cell else []),
    )
    by_text = f" by {LABELS.get(by, by).lower()}" if by else ""
    return CohortAnalysis(
        title=f"Cohort analysis{by_text}" + (" (synthetic data)" if synthetic else ""),
        synthetic=synthetic,
        by=by,
        methods=methods,
        descriptive=descriptive,
        comparisons=comparisons,
        survival=survival,
        cox=cox,
        warnings=warnings,
    )
