"""Cox proportional-hazards regression, only when the events allow it.

Rule of thumb: at least 10 events per estimated parameter (events-per-variable, EPV
≥ 10; Peduzzi P, Concato J, Feinstein AR, Holford TR, "Importance of events per
independent variable in proportional hazards regression analysis. II. Accuracy and
precision of regression estimates", J Clin Epidemiol 1995;48(12):1503-10). Yang 2025
has 11 DFS events (5 local recurrences + 7 distant metastases − 1 with both; abstract,
Results), which supports one parameter - not the three needed for four imaging types.
Below the threshold the model is not fitted and the result says why, instead of
printing unstable hazard ratios.

Fitting uses lifelines ``CoxPHFitter`` (Efron ties, as R ``coxph``'s default) run to
full convergence (Newton step norm < 1e-12, no relative-likelihood stop), so hazard
ratios, Wald CIs and p-values equal R's ``coxph`` to 1e-6. The proportional-hazards
assumption is checked by the score test R ``cox.zph(transform = "km")`` computes
(:mod:`rvlms.analysis.ph_test`), per coefficient and global; p < 0.05 is reported as a
finding.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import pandas as pd
from pydantic import BaseModel, ConfigDict

from rvlms.analysis.cohort import BINARY_COLUMNS, NUMERIC_COLUMNS, is_synthetic
from rvlms.analysis.findings import capture_warnings
from rvlms.analysis.ph_test import PH_TEST_NAME, cox_zph
from rvlms.analysis.report import (
    Methods,
    ResultBase,
    Table,
    finite_or_none,
    format_number,
    format_p,
)
from rvlms.analysis.survival import CENSORING_RULES, ENDPOINT_COLUMNS, Endpoint
from rvlms.analysis.variables import as_levels, levels_of

__all__ = ["MIN_EVENTS_PER_VARIABLE", "CoxResult", "CoxTerm", "design_matrix", "fit_cox"]

MIN_EVENTS_PER_VARIABLE: Final[int] = 10
PH_ALPHA: Final[float] = 0.05
FIT_OPTIONS: Final[dict[str, float]] = {"precision": 1e-12, "r_precision": 0.0, "max_steps": 500}


class CoxTerm(BaseModel):
    """One model term: hazard ratio with 95 % Wald CI and p-value."""

    model_config = ConfigDict(frozen=True)

    term: str
    hazard_ratio: float | None
    ci95: list[float | None]
    p: float | None
    ph_test_p: float | None = None
    ph_test_chisq: float | None = None


class CoxResult(ResultBase):
    """A Cox model, or the reason it was not fitted."""

    endpoint: Endpoint
    covariates: list[str]
    fitted: bool
    n: int
    events: int
    parameters: int
    events_per_variable: float | None
    terms: list[CoxTerm]
    concordance: float | None
    methods: Methods
    ph_test: str | None = None
    ph_global_chisq: float | None = None
    ph_global_df: int | None = None
    ph_global_p: float | None = None
    warnings: list[str]

    def heading(self) -> str:
        return f"Cox proportional-hazards model, {self.endpoint.upper()}"

    def result_methods(self) -> Methods:
        return self.methods

    def result_warnings(self) -> list[str]:
        return self.warnings

    def reference_levels(self) -> list[str]:
        """The reference level of each categorical covariate ("imaging_type reference =
        intraluminal"): a hazard ratio means nothing without the group it compares with."""
        return [n for n in self.methods.notes if " reference = " in n]

    def tables(self) -> list[Table]:
        if not self.fitted:
            return []
        rows = [
            [
                t.term,
                format_number(t.hazard_ratio),
                f"{format_number(t.ci95[0])}–{format_number(t.ci95[1])}",
                format_p(t.p),
                format_p(t.ph_test_p),
            ]
            for t in self.terms
        ]
        references = [n.replace(" reference = ", ": against ") for n in self.reference_levels()]
        note = (
            (f"Hazard ratios {'; '.join(references)}. " if references else "")
            + f"Concordance {format_number(self.concordance, 3)}; events per parameter "
            f"{format_number(self.events_per_variable, 1)}. PH test: {self.ph_test}; "
            f"global p {format_p(self.ph_global_p)} on {self.ph_global_df} df."
        )
        return [Table("Hazard ratios", ["Term", "HR", "95% CI", "p", "PH test p"], rows, note=note)]


def design_matrix(df: pd.DataFrame, covariates: Sequence[str]) -> tuple[pd.DataFrame, list[str]]:
    """Numeric and binary covariates as they are; categorical ones as indicator columns.

    The reference level of a categorical covariate is its first level in vocabulary
    order that is present (for imaging type: intraluminal, as Yang 2025 lists first).
    Returns the matrix and the reference level descriptions.
    """
    parts: dict[str, pd.Series] = {}
    references: list[str] = []
    for column in covariates:
        if column in NUMERIC_COLUMNS or column in BINARY_COLUMNS:
            parts[column] = pd.to_numeric(df[column], errors="coerce").astype(float)
            continue
        shown = as_levels(column, df[column])
        levels = [lv for lv in levels_of(column, df[column]) if (shown == lv).any()]
        if not levels:
            continue
        references.append(f"{column} reference = {levels[0]}")
        for level in levels[1:]:
            indicator = (shown == level).astype(float)
            parts[f"{column}[{level}]"] = indicator.where(shown.notna())
    return pd.DataFrame(parts, index=df.index), references


def fit_cox(
    df: pd.DataFrame,
    covariates: Sequence[str] = ("imaging_type",),
    endpoint: Endpoint = "dfs",
    *,
    min_events_per_variable: int = MIN_EVENTS_PER_VARIABLE,
    penalizer: float = 0.0,
    cohort_filter: str = "all rows",
) -> CoxResult:
    """Fit a Cox model of ``endpoint`` on ``covariates`` if EPV ≥ ``min_events_per_variable``."""
    time_col, event_col = ENDPOINT_COLUMNS[endpoint]
    design, references = design_matrix(df, covariates)
    data = pd.concat([design, df[[time_col, event_col]].astype(float)], axis=1).dropna()
    warnings: list[str] = []
    dropped = len(df) - len(data)
    if dropped:
        warnings.append(f"{dropped} row(s) with a missing covariate, time or event left out")
    constant = [c for c in design.columns if data[c].nunique() < 2]
    if constant:
        warnings.append("constant term(s) left out: " + ", ".join(constant))
        data = data.drop(columns=constant)
    terms = [c for c in design.columns if c not in constant]
    events = int(data[event_col].sum())
    epv = events / len(terms) if terms else None
    notes = [
        *references,
        f"fitted only when events per parameter >= {min_events_per_variable} (Peduzzi 1995)",
    ]
    methods = Methods(
        test="Cox proportional-hazards regression (lifelines CoxPHFitter, Efron ties, full "
        "convergence), Wald 95% CI; PH check: " + PH_TEST_NAME,
        n=len(data),
        events=events,
        censoring=CENSORING_RULES[endpoint],
        cohort_filter=cohort_filter,
        synthetic=is_synthetic(df),
        notes=notes,
    )

    def not_fitted(reason: str) -> CoxResult:
        return CoxResult(
            endpoint=endpoint,
            covariates=list(covariates),
            fitted=False,
            n=len(data),
            events=events,
            parameters=len(terms),
            events_per_variable=finite_or_none(epv),
            terms=[],
            concordance=None,
            methods=methods,
            warnings=[*warnings, reason],
        )

    if not terms:
        return not_fitted("Cox model not fitted: no covariate varies in this cohort")
    if epv is None or epv < min_events_per_variable:
        return not_fitted(
            f"Cox model not fitted: {events} events for {len(terms)} parameter(s) "
            f"(events per parameter {epv:.1f} < {min_events_per_variable})"
        )
    from lifelines import CoxPHFitter
    from lifelines.exceptions import ConvergenceError

    cph = CoxPHFitter(penalizer=penalizer)
    try:
        with capture_warnings(warnings, "Cox model"):
            cph.fit(data, duration_col=time_col, event_col=event_col, fit_options=FIT_OPTIONS)
    except ConvergenceError as error:
        return not_fitted(f"Cox model did not converge: {str(error).splitlines()[0]}")
    summary = cph.summary
    ph = cox_zph(
        data[time_col].to_numpy(dtype=float),
        data[event_col].to_numpy(dtype=float),
        data[terms].to_numpy(dtype=float),
        cph.params_.loc[terms].to_numpy(dtype=float),
    )
    ph_p = dict(zip(terms, ph.p, strict=True))
    ph_chisq = dict(zip(terms, ph.chisq, strict=True))
    out_terms: list[CoxTerm] = []
    for term in terms:
        row = summary.loc[term]
        out_terms.append(
            CoxTerm(
                term=term,
                hazard_ratio=finite_or_none(float(row["exp(coef)"])),
                ci95=[
                    finite_or_none(float(row["exp(coef) lower 95%"])),
                    finite_or_none(float(row["exp(coef) upper 95%"])),
                ],
                p=finite_or_none(float(row["p"])),
                ph_test_p=finite_or_none(ph_p.get(term)),
                ph_test_chisq=finite_or_none(ph_chisq.get(term)),
            )
        )
        term_ph_p = ph_p.get(term)
        if term_ph_p is not None and term_ph_p < PH_ALPHA:
            warnings.append(
                f"proportional-hazards assumption questionable for {term} "
                f"(cox.zph-equivalent score test p = {format_p(term_ph_p)})"
            )
    return CoxResult(
        endpoint=endpoint,
        covariates=list(covariates),
        fitted=True,
        n=len(data),
        events=events,
        parameters=len(terms),
        events_per_variable=finite_or_none(epv),
        terms=out_terms,
        concordance=finite_or_none(float(cph.concordance_index_)),
        methods=methods,
        warnings=warnings,
        ph_test=PH_TEST_NAME,
        ph_global_chisq=finite_or_none(ph.global_chisq),
        ph_global_df=ph.global_df,
        ph_global_p=finite_or_none(ph.global_p),
    )
