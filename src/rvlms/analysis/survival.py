"""Kaplan–Meier disease-free and overall survival, overall and by group, with log-rank.

Yang 2025 (abstract, Results) reports "median disease-free survival 19.0 months (IQR
7.0–59.0 months)"; for a Kaplan–Meier curve the "IQR" is read as the 25th and 75th
percentile survival times, i.e. the first times the curve falls to 0.75 and to 0.25.

Estimation follows R ``survival`` 3.5 (see :mod:`rvlms.analysis.km` and
docs/statistics.md): the product-limit estimate with Greenwood's variance and R's
``conf.type = "log-log"`` pointwise band; percentiles (25th, median, 75th) and their
95 % limits by R's ``quantile.survfit`` rule - the first time S(t) ≤ 1 − p within
√ε, the midpoint of a flat segment at exactly S = 1 − p, and no limit (null) where the
band never reaches it. Groups are compared by the log-rank test as R ``survdiff``
reports it (:mod:`rvlms.analysis.logrank`): df = groups with expected events > 0, minus 1.
Small groups, fewer than one expected event and single-patient groups are flagged
(:mod:`rvlms.analysis.smalln`).

Endpoints and censoring:

- DFS: event = local recurrence, distant metastasis or death (``dfs_event = 1``); a
  patient without an event is censored at last follow-up (``dfs_months``).
- OS: event = death from any cause (``os_event = 1``); censored at last follow-up.
"""

from __future__ import annotations

from typing import Any, Final, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from rvlms.analysis.cohort import is_synthetic
from rvlms.analysis.km import kaplan_meier_curve, percentiles
from rvlms.analysis.logrank import logrank_test
from rvlms.analysis.report import (
    Methods,
    ResultBase,
    Table,
    finite_or_none,
    format_number,
    p_clause,
)
from rvlms.analysis.smalln import (
    expected_events_warning,
    single_patient_warning,
    small_groups_warning,
)
from rvlms.analysis.suppression import suppress_count
from rvlms.analysis.variables import LABELS, as_levels, group_levels

__all__ = [
    "CENSORING_RULES",
    "Endpoint",
    "LogRank",
    "SurvivalEstimate",
    "SurvivalSummary",
    "kaplan_meier",
    "summarise_survival",
]

Endpoint = Literal["dfs", "os"]

ENDPOINT_COLUMNS: Final[dict[str, tuple[str, str]]] = {
    "dfs": ("dfs_months", "dfs_event"),
    "os": ("os_months", "os_event"),
}

ENDPOINT_NAMES: Final[dict[str, str]] = {
    "dfs": "Disease-free survival",
    "os": "Overall survival",
}

CENSORING_RULES: Final[dict[str, str]] = {
    "dfs": (
        "event = local recurrence, distant metastasis or death (dfs_event = 1); patients "
        "without an event censored at last follow-up (dfs_months)"
    ),
    "os": "event = death from any cause (os_event = 1); alive patients censored at last "
    "follow-up (os_months)",
}

CI_METHOD = (
    "95% CI of the median and percentiles where the pointwise log-log band (R survfit "
    "conf.type = 'log-log', Greenwood variance) reaches them, by R quantile.survfit"
)
LOGRANK_TEST = "log-rank test (R survdiff), chi-squared"


def _no_limits() -> list[list[float | None]]:
    return [[None, None], [None, None]]


class SurvivalEstimate(BaseModel):
    """Kaplan–Meier summary of one group."""

    model_config = ConfigDict(frozen=True)

    n: int | str
    events: int | str
    median_months: float | None
    ci95: list[float | None]
    quartiles_months: list[float | None]
    quartiles_ci95: list[list[float | None]] = [[None, None], [None, None]]

    def cells(self) -> list[str]:
        if isinstance(self.n, str):
            return [self.n, str(self.events), "suppressed", "suppressed", "suppressed"]
        lo, hi = self.ci95
        q1, q3 = self.quartiles_months
        return [
            str(self.n),
            str(self.events),
            _months(self.median_months),
            f"{_months(lo)}–{_months(hi)}",
            f"{_months(q1)}–{_months(q3)}",
        ]


class LogRank(BaseModel):
    """Log-rank test across groups: chi-squared statistic, degrees of freedom, p."""

    model_config = ConfigDict(frozen=True)

    test: str
    statistic: float | None
    df: int
    p: float | None
    groups: list[str]
    observed: list[float] = []
    expected: list[float] = []
    interpretable: bool = True
    warnings: list[str] = []


class SurvivalSummary(ResultBase):
    """One endpoint: overall Kaplan–Meier summary, by group, and the log-rank test."""

    endpoint: Endpoint
    n: int | str
    events: int | str
    median_months: float | None
    ci95: list[float | None]
    quartiles_months: list[float | None]
    quartiles_ci95: list[list[float | None]] = Field(default_factory=_no_limits)
    by: str | None
    by_group: dict[str, SurvivalEstimate]
    logrank: LogRank | None
    methods: Methods
    warnings: list[str]

    def heading(self) -> str:
        return f"{ENDPOINT_NAMES[self.endpoint]} (Kaplan–Meier)"

    def result_methods(self) -> Methods:
        return self.methods

    def result_warnings(self) -> list[str]:
        return self.warnings

    def overall(self) -> SurvivalEstimate:
        return SurvivalEstimate(
            n=self.n,
            events=self.events,
            median_months=self.median_months,
            ci95=self.ci95,
            quartiles_months=self.quartiles_months,
            quartiles_ci95=self.quartiles_ci95,
        )

    def tables(self) -> list[Table]:
        columns = ["Group", "n", "events", "median (months)", "95% CI", "25th–75th pct (months)"]
        rows = [["overall", *self.overall().cells()]]
        rows.extend([group, *est.cells()] for group, est in self.by_group.items())
        note = "NR = not reached (or not estimable). " + CI_METHOD + "."
        if self.logrank is not None:
            lr = self.logrank
            note += (
                f" Log-rank across {LABELS.get(self.by or '', self.by)}: chi2 = "
                f"{format_number(lr.statistic)}, df = {lr.df}, {p_clause(lr.p)}"
                + (
                    ""
                    if lr.interpretable
                    else " (not interpretable: " + "; ".join(lr.warnings) + ")"
                )
                + "."
            )
        return [Table(ENDPOINT_NAMES[self.endpoint], columns, rows, note=note)]


def _months(value: float | None) -> str:
    return "NR" if value is None else f"{value:.1f}"


def kaplan_meier(durations: pd.Series, events: pd.Series, label: str = "KM_estimate") -> Any:
    """A fitted lifelines ``KaplanMeierFitter`` (95 % exponential-Greenwood band)."""
    from lifelines import KaplanMeierFitter

    kmf = KaplanMeierFitter(alpha=0.05, label=label)
    kmf.fit(durations.to_numpy(dtype=float), event_observed=events.to_numpy(dtype=float))
    return kmf


def _estimate(
    durations: pd.Series, events: pd.Series, min_cell: int | None, sink: list[str], label: str
) -> SurvivalEstimate:
    n = int(durations.size)
    n_events = int(events.sum())
    hidden = min_cell is not None and n < min_cell
    if n == 0 or hidden:
        return SurvivalEstimate(
            n=suppress_count(n, min_cell),
            events=suppress_count(n_events, min_cell),
            median_months=None,
            ci95=[None, None],
            quartiles_months=[None, None],
        )
    curve = kaplan_meier_curve(durations.to_numpy(dtype=float), events.to_numpy(dtype=float))
    estimate, lower, upper = percentiles(curve)
    single = single_patient_warning(label, n)
    if single is not None:
        sink.append(single)
        lower, upper = [None] * 3, [None] * 3
    return SurvivalEstimate(
        n=suppress_count(n, min_cell),
        events=suppress_count(n_events, min_cell),
        median_months=finite_or_none(estimate[1]),
        ci95=[finite_or_none(lower[1]), finite_or_none(upper[1])],
        quartiles_months=[finite_or_none(estimate[0]), finite_or_none(estimate[2])],
        quartiles_ci95=[
            [finite_or_none(lower[0]), finite_or_none(upper[0])],
            [finite_or_none(lower[2]), finite_or_none(upper[2])],
        ],
    )


def _logrank(
    durations: pd.Series, events: pd.Series, groups: pd.Series, order: list[str], sink: list[str]
) -> LogRank | None:
    present = [g for g in order if (groups == g).any()]
    if len(present) < 2:
        return None
    if int(events.sum()) == 0:
        sink.append("log-rank test not computed: no events")
        return LogRank(
            test=LOGRANK_TEST,
            statistic=None,
            df=0,
            p=None,
            groups=present,
            interpretable=False,
            warnings=["no events"],
        )
    codes = pd.Categorical(groups, categories=present).codes.astype(np.int64)
    fit = logrank_test(
        durations.to_numpy(dtype=float), events.to_numpy(dtype=float), codes, len(present)
    )
    notes: list[str] = []
    if fit.df < len(present) - 1:
        notes.append(
            f"log-rank test: {len(present) - fit.df - 1} group(s) with no expected events "
            f"carry no information; df = {fit.df}" + ("" if fit.df else ", no p-value")
        )
    sizes = {g: int((groups == g).sum()) for g in present}
    for caveat in (
        small_groups_warning(sizes, "log-rank test"),
        expected_events_warning(present, list(fit.expected)),
    ):
        if caveat is not None:
            notes.append(caveat)
    sink.extend(notes)
    return LogRank(
        test=LOGRANK_TEST,
        statistic=finite_or_none(fit.statistic),
        df=fit.df,
        p=finite_or_none(fit.p),
        groups=present,
        observed=[float(x) for x in fit.observed],
        expected=[float(x) for x in fit.expected],
        interpretable=not notes,
        warnings=notes,
    )


def summarise_survival(
    df: pd.DataFrame,
    endpoint: Endpoint = "dfs",
    by: str | None = "imaging_type",
    *,
    min_cell: int | None = None,
    cohort_filter: str = "all rows",
) -> SurvivalSummary:
    """Kaplan–Meier summary of ``endpoint`` overall and by ``by``, with a log-rank test.

    Rows with a missing time or event indicator are left out and counted in
    ``warnings``; rows without a group value are used for the overall curve only.
    """
    time_col, event_col = ENDPOINT_COLUMNS[endpoint]
    complete = df[time_col].notna() & df[event_col].notna()
    data = df[complete]
    durations = data[time_col].astype(float)
    events = data[event_col].astype(float)
    warnings: list[str] = []
    dropped = int((~complete).sum())
    if dropped:
        warnings.append(f"{dropped} row(s) without {time_col} or {event_col} left out")
    overall = _estimate(durations, events, min_cell, warnings, "overall")
    by_group: dict[str, SurvivalEstimate] = {}
    logrank: LogRank | None = None
    if by is not None:
        groups = as_levels(by, data[by])
        order = group_levels(data, by) if len(data) else []
        for group in order:
            mask = groups == group
            by_group[group] = _estimate(durations[mask], events[mask], min_cell, warnings, group)
        grouped = groups.notna()
        logrank = _logrank(durations[grouped], events[grouped], groups[grouped], order, warnings)
    if len(data) and int(events.sum()) == 0:
        warnings.append(f"no {endpoint.upper()} events: the median cannot be estimated")
    methods = Methods(
        test="Kaplan–Meier estimator (product limit, as R survival survfit); "
        + CI_METHOD
        + ("; groups compared by log-rank test" if by else ""),
        n=len(data),
        events=int(events.sum()),
        censoring=CENSORING_RULES[endpoint],
        cohort_filter=cohort_filter,
        synthetic=is_synthetic(df),
        notes=[
            "25th and 75th percentile survival times = first times S(t) <= 0.75 and <= 0.25 "
            "(R quantile.survfit: midpoint of a flat segment at exactly S = p)"
        ],
    )
    return SurvivalSummary(
        endpoint=endpoint,
        n=overall.n,
        events=overall.events,
        median_months=overall.median_months,
        ci95=overall.ci95,
        quartiles_months=overall.quartiles_months,
        quartiles_ci95=overall.quartiles_ci95,
        by=by,
        by_group=by_group,
        logrank=logrank,
        methods=methods,
        warnings=warnings,
    )
