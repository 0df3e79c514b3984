"""Benchmark: the full cohort analysis of 10,000 synthetic patients.

``rvlms.analysis.analyze`` validates the table, describes it overall and by imaging type,
runs Kruskal–Wallis and Fisher's exact tests for every variable, Kaplan–Meier DFS and OS
(overall and per type, median CI and quartiles) with log-rank tests, and a Cox model with
a proportional-hazards check. The baseline performs the same statistics by calling
pandas, scipy and lifelines directly on the already-clean table: the grouped quantiles
and counts, the same ``kruskal`` calls, ``fisher-rxc``'s exact r×c test where rvlms runs
it and ``chi2_contingency`` past the exact limit,
the same ``KaplanMeierFitter`` / ``median_survival_times`` / ``qth_survival_times`` /
``multivariate_logrank_test`` calls, and ``CoxPHFitter`` + lifelines'
``proportional_hazard_test`` (rvlms runs its own cox.zph-equivalent test instead).
The ratio is the price of validation, result objects and
rendering-ready structure. Target: under 1.5x.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pandas as pd

from run import Row
from rvlms.analysis import analyze, validate_cohort
from rvlms.analysis.cohort import IMAGING_TYPES
from rvlms.analysis.exact import exact_feasible
from rvlms.analysis.variables import CATEGORICAL_VARIABLES, CONTINUOUS_VARIABLES
from rvlms.synth import synthesize

N_PATIENTS = 10_000
SEED = 20250701
REPEATS = 3
TARGET_RATIO = 1.5

CONTINUOUS = CONTINUOUS_VARIABLES
CATEGORICAL = tuple(c for c in CATEGORICAL_VARIABLES if c != "imaging_type")
TYPES = IMAGING_TYPES


def direct_calls(df: pd.DataFrame) -> None:
    """The statistics of ``analyze`` as plain pandas / scipy / lifelines calls."""
    import fisher  # type: ignore[import-untyped]
    from lifelines import CoxPHFitter, KaplanMeierFitter
    from lifelines.statistics import multivariate_logrank_test, proportional_hazard_test
    from lifelines.utils import median_survival_times, qth_survival_times
    from scipy import stats

    groups = df["imaging_type"]
    grouped = df.groupby("imaging_type")
    for column in CONTINUOUS:
        df[column].quantile([0.25, 0.5, 0.75])
        grouped[column].quantile([0.25, 0.5, 0.75])
        grouped[column].agg(["min", "max", "count"])
        stats.kruskal(*[df.loc[groups == t, column].dropna().to_numpy() for t in TYPES])
    for column in CATEGORICAL:
        df[column].value_counts()
        table = pd.crosstab(df[column], groups).to_numpy()
        if exact_feasible(table):
            fisher.exact(table.tolist())
        else:
            stats.chi2_contingency(table, correction=False)
    for time_col, event_col in (("dfs_months", "dfs_event"), ("os_months", "os_event")):
        parts = [df, *[df[groups == t] for t in TYPES]]
        for part in parts:
            kmf = KaplanMeierFitter().fit(part[time_col], part[event_col])
            median_survival_times(kmf.confidence_interval_)
            qth_survival_times(0.75, kmf.survival_function_)
            qth_survival_times(0.25, kmf.survival_function_)
        multivariate_logrank_test(df[time_col], groups, df[event_col])
    design = pd.get_dummies(groups, drop_first=True, dtype=float)
    data = pd.concat([design, df[["dfs_months", "dfs_event"]]], axis=1)
    cph = CoxPHFitter().fit(data, duration_col="dfs_months", event_col="dfs_event")
    proportional_hazard_test(cph, data, time_transform="rank")


def _best_of(repeats: int, work: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def run() -> list[Row]:
    raw = synthesize(N_PATIENTS, seed=SEED)
    clean = validate_cohort(raw)
    analyze(raw)
    direct_calls(clean.copy())
    measured = _best_of(REPEATS, lambda: analyze(raw))
    baseline = _best_of(REPEATS, lambda: direct_calls(clean.copy()))
    return [
        Row(
            name=f"analyze() on {N_PATIENTS:,} synthetic cases vs direct lifelines/scipy calls",
            measured=measured,
            baseline=baseline,
            unit="s",
            target_ratio=TARGET_RATIO,
        )
    ]


if __name__ == "__main__":
    for row in run():
        ratio = row.measured / row.baseline
        print(
            f"{row.name}: {row.measured:.3f} {row.unit} vs {row.baseline:.3f} {row.unit} "
            f"= {ratio:.2f}x (target < {row.target_ratio}x)"
        )
