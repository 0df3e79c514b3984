"""Benchmark: how the cohort analysis grows from 10³ to 10⁶ patients, in time and memory.

For each size a fresh process generates the synthetic cohort (not timed), warms up on
1,000 rows (imports and first-call costs are not the subject) and runs either
``rvlms.analysis.analyze`` or the bare library calls that compute the same statistics
(the baseline), and reports its wall time and peak resident memory (``ru_maxrss``). Two
rows per size: time ratio (target ≤ 3×) and peak-RSS ratio (target ≤ 2×).

The baseline is what a careful analyst would call directly: pandas quantiles and counts,
``scipy.stats.kruskal``, ``scipy.stats.chi2_contingency`` for the r×c tables past the
exact limit (``fisher-rxc`` below it, as rvlms), lifelines ``KaplanMeierFitter`` with
``median_survival_times`` / ``qth_survival_times``, ``multivariate_logrank_test`` and
``CoxPHFitter``. It leaves out lifelines' ``proportional_hazard_test``, which has no
scalable form (about 1,000 s at 10⁶ rows); rvlms' PH test (``rvlms.analysis.ph_test``)
is included in the measured side, so the ratio is conservative.

10³–10⁵ run by default; the 10⁶ point takes a few minutes and runs when
``RVLMS_BENCH_1M=1`` is set (``RVLMS_BENCH_1M=1 python bench/run.py analysis_scale``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from run import Row

SIZES = (1_000, 10_000, 100_000)
LARGE = 1_000_000
TIME_TARGET = 3.0
MEMORY_TARGET = 2.0
SEED = 20250701

CHILD = r"""
import json, resource, sys, time
import numpy as np
import pandas as pd
from rvlms.synth import synthesize
from rvlms.analysis import analyze, validate_cohort
from rvlms.analysis.cohort import IMAGING_TYPES
from rvlms.analysis.exact import exact_feasible
from rvlms.analysis.variables import CATEGORICAL_VARIABLES, CONTINUOUS_VARIABLES

n, mode, seed = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
raw = synthesize(n, seed=seed)
clean = validate_cohort(raw) if mode == "bare" else None


def bare(df):
    import fisher
    from lifelines import CoxPHFitter, KaplanMeierFitter
    from lifelines.statistics import multivariate_logrank_test
    from lifelines.utils import median_survival_times, qth_survival_times
    from scipy import stats

    groups = df["imaging_type"]
    grouped = df.groupby("imaging_type")
    for column in CONTINUOUS_VARIABLES:
        df[column].quantile([0.25, 0.5, 0.75])
        grouped[column].quantile([0.25, 0.5, 0.75])
        grouped[column].agg(["min", "max", "count"])
        stats.kruskal(*[df.loc[groups == t, column].dropna().to_numpy() for t in IMAGING_TYPES])
    for column in CATEGORICAL_VARIABLES:
        if column == "imaging_type":
            continue
        df[column].value_counts()
        table = pd.crosstab(df[column], groups).to_numpy()
        if table.shape[0] < 2:
            continue
        if exact_feasible(table):
            fisher.exact(table.tolist())
        else:
            stats.chi2_contingency(table, correction=False)
    for time_col, event_col in (("dfs_months", "dfs_event"), ("os_months", "os_event")):
        for part in [df, *[df[groups == t] for t in IMAGING_TYPES]]:
            kmf = KaplanMeierFitter().fit(part[time_col], part[event_col])
            median_survival_times(kmf.confidence_interval_)
            qth_survival_times(0.75, kmf.survival_function_)
            qth_survival_times(0.25, kmf.survival_function_)
        multivariate_logrank_test(df[time_col], groups, df[event_col])
    design = pd.get_dummies(groups, drop_first=True, dtype=float)
    data = pd.concat([design, df[["dfs_months", "dfs_event"]]], axis=1)
    CoxPHFitter().fit(data, duration_col="dfs_months", event_col="dfs_event")


warm = synthesize(1000, seed=seed + 1)
if mode == "bare":
    bare(validate_cohort(warm))
else:
    analyze(warm)
start = time.perf_counter()
if mode == "bare":
    bare(clean.copy())
else:
    analyze(raw)
elapsed = time.perf_counter() - start
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": elapsed, "peak_mb": peak_mb}))
"""


def _child(n: int, mode: str) -> dict[str, float]:
    repo = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(n), mode, str(SEED)],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run() -> list[Row]:
    sizes = [*SIZES, LARGE] if os.environ.get("RVLMS_BENCH_1M") == "1" else list(SIZES)
    rows: list[Row] = []
    for n in sizes:
        mine = _child(n, "analyze")
        bare = _child(n, "bare")
        rows.append(
            Row(
                name=f"analyze() time at {n:,} rows vs bare lifelines/scipy calls",
                measured=mine["seconds"],
                baseline=bare["seconds"],
                unit="s",
                target_ratio=TIME_TARGET,
            )
        )
        rows.append(
            Row(
                name=f"analyze() peak RSS at {n:,} rows vs bare lifelines/scipy calls",
                measured=mine["peak_mb"],
                baseline=bare["peak_mb"],
                unit="MB",
                target_ratio=MEMORY_TARGET,
            )
        )
    return rows


if __name__ == "__main__":
    for row in run():
        print(
            f"{row.name}: {row.measured:.3f} {row.unit} vs {row.baseline:.3f} {row.unit} "
            f"= {row.ratio:.2f}x (target <= {row.target_ratio}x)"
        )
