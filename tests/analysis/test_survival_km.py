"""Kaplan–Meier estimates cross-checked on data small enough to compute by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from rvlms.analysis import summarise_survival, validate_cohort
from rvlms.synth import synthesize


def _cohort(times: list[float], events: list[int], groups: list[str] | None = None) -> pd.DataFrame:
    n = len(times)
    return pd.DataFrame(
        {
            "case_id": [f"T-{i}" for i in range(n)],
            "imaging_type": groups or ["intraluminal"] * n,
            "ivc_level": [np.nan] * n,
            "age": [60] * n,
            "sex": ["female"] * n,
            "size_mm": [80.0] * n,
            "operative_time_min": [300.0] * n,
            "blood_loss_ml": [500.0] * n,
            "transfused": [0] * n,
            "icu_admission": [0] * n,
            "reconstruction": ["primary_repair"] * n,
            "margin": ["R0"] * n,
            "dfs_months": times,
            "dfs_event": events,
            "os_months": times,
            "os_event": [0] * n,
        }
    )


def test_km_median_ci_and_quartiles_by_hand() -> None:
    """13 patients, DFS events at months 1..12, one censored at 13.

    Derivation (Kaplan–Meier, n at risk = 14 - t): S(t) = (13 - t)/13 for t = 1..12.
    S(3) = 10/13 = 0.769 > 0.75, S(4) = 9/13 = 0.692 -> 25th percentile = 4;
    S(6) = 7/13 = 0.538, S(7) = 6/13 = 0.462 -> median = 7;
    S(9) = 4/13 = 0.308, S(10) = 3/13 = 0.231 -> 75th percentile = 10.
    Greenwood V(t) = sum d/(n(n-d)); exponential-Greenwood band
    exp(-exp(log(-log S) -/+ 1.96 sqrt(V)/log S)):
      lower: t=2 S=0.846 V=0.013986 -> 0.512 (> 0.5); t=3 S=0.769 V=0.023077 -> 0.442
      upper: t=9 S=0.308 V=0.173077 -> 0.554 (> 0.5); t=10 S=0.231 V=0.256410 -> 0.475
    so the 95 % CI of the median is [3, 10] (first times the band is <= 0.5).
    """
    times = [float(t) for t in range(1, 14)]
    events = [1] * 12 + [0]
    summary = summarise_survival(validate_cohort(_cohort(times, events)), "dfs", by=None)
    assert summary.n == 13
    assert summary.events == 12
    assert summary.median_months == 7.0
    assert summary.ci95 == [3.0, 10.0]
    assert summary.quartiles_months == [4.0, 10.0]


def test_km_not_reached_is_null() -> None:
    """10 patients; events at 1, 2, 4, 5, 7, 8; censored at 3, 6, 9, 10.

    S: t1 9/10 = 0.9; t2 0.9*8/9 = 0.8; t4 0.8*6/7 = 0.686; t5 0.686*5/6 = 0.571;
    t7 0.571*3/4 = 0.429; t8 0.429*2/3 = 0.286, flat to 10 -> median 7, 25th pct 4,
    75th pct not reached. Lower band: t1 S=0.9 V=1/90 -> 0.473 <= 0.5 -> lower limit 1.
    Upper band at the last step: S=0.286, V=0.332143 -> 0.601 > 0.5 -> not reached.
    """
    times = [float(t) for t in range(1, 11)]
    events = [1, 1, 0, 1, 1, 0, 1, 1, 0, 0]
    summary = summarise_survival(validate_cohort(_cohort(times, events)), "dfs", by=None)
    assert summary.median_months == 7.0
    assert summary.ci95 == [1.0, None]
    assert summary.quartiles_months == [4.0, None]
    assert summary.to_dict()["ci95"] == [1.0, None]


def test_logrank_two_groups_by_hand() -> None:
    """A: events at 1 and 3; B: events at 2 and 4.

    t=1: n=4 (A 2), d=1 in A: E_A = 1/2, V = 2*2*1*3/(16*3) = 0.25
    t=2: n=3 (A 1), d=1 in B: E_A = 1/3, V = 1*2*1*2/(9*2) = 0.2222
    t=3: n=2 (A 1), d=1 in A: E_A = 1/2, V = 1*1*1*1/(4*1) = 0.25
    t=4: n=1 (A 0): E_A = 0, V = 0
    O_A - E_A = 2 - 4/3 = 2/3; chi2 = (2/3)^2 / 0.72222 = 0.61538 on 1 df.
    """
    df = _cohort([1.0, 3.0, 2.0, 4.0], [1, 1, 1, 1], ["intraluminal"] * 2 + ["peripheral"] * 2)
    summary = summarise_survival(validate_cohort(df), "dfs", by="imaging_type")
    assert summary.logrank is not None
    assert summary.logrank.df == 1
    assert summary.logrank.statistic == pytest.approx(0.61538, abs=1e-4)
    assert summary.logrank.p == pytest.approx(float(stats.chi2.sf(0.615385, 1)), abs=1e-4)


def test_logrank_detects_type_differences_in_synthetic_data() -> None:
    """The generator gives intraluminal tumours 1.4x and peripheral 0.6x the DFS hazard."""
    summary = summarise_survival(validate_cohort(synthesize(3000, seed=7)), "dfs")
    assert summary.logrank is not None
    assert summary.logrank.df == 3
    assert summary.logrank.p is not None and summary.logrank.p < 1e-6
    medians = {g: e.median_months for g, e in summary.by_group.items()}
    assert medians["intraluminal"] is not None and medians["peripheral"] is not None
    assert medians["intraluminal"] < medians["peripheral"]


def test_logrank_without_real_difference_is_not_significant() -> None:
    """Shuffled imaging types carry no information about DFS (fixed seed, so deterministic)."""
    df = synthesize(800, seed=3)
    df["imaging_type"] = np.random.default_rng(5).permutation(df["imaging_type"].to_numpy())
    summary = summarise_survival(validate_cohort(df), "dfs")
    assert summary.logrank is not None and summary.logrank.p is not None
    assert summary.logrank.p > 0.05


def test_yang2025_dfs_median_and_quartiles(yang_cohort: pd.DataFrame) -> None:
    """Yang 2025 abstract: median DFS 19.0 months (IQR 7.0–59.0), 11 DFS events."""
    summary = summarise_survival(yang_cohort, "dfs")
    assert summary.events == 11
    assert summary.median_months == 19.0
    assert summary.quartiles_months == [7.0, 59.0]
    assert set(summary.by_group) == {"intraluminal", "intermediate", "extraluminal", "peripheral"}
    assert "log-log" in summary.methods.test
    assert summary.methods.synthetic is True


def test_rows_without_time_are_reported() -> None:
    df = _cohort([1.0, 2.0, 3.0], [1, 0, 1])
    df["dfs_months"] = df["dfs_months"].astype(object)
    df.loc[1, "dfs_months"] = np.nan
    summary = summarise_survival(validate_cohort(df), "dfs", by=None)
    assert summary.n == 2
    assert any("left out" in w for w in summary.warnings)
