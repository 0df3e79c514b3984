"""Kruskal–Wallis and Fisher's exact tests across imaging types."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from rvlms.analysis import compare_groups
from rvlms.analysis.comparisons import fisher_exact_test


def _exact_rxc_p(table: np.ndarray) -> float:
    """Exact Fisher p for a 2×c table: enumerate all tables with the observed margins and
    add the probabilities of those no more likely than the observed one (multivariate
    hypergeometric: prod(col! ) prod(row!) / (N! prod(cell!)))."""
    rows = table.sum(axis=1)
    cols = table.sum(axis=0)
    total = int(table.sum())

    def prob(first_row: tuple[int, ...]) -> float:
        second = [c - a for c, a in zip(cols, first_row, strict=True)]
        log_p = sum(math.lgamma(c + 1) for c in cols) + sum(math.lgamma(r + 1) for r in rows)
        log_p -= math.lgamma(total + 1)
        log_p -= sum(math.lgamma(x + 1) for x in (*first_row, *second))
        return math.exp(log_p)

    observed = prob(tuple(int(x) for x in table[0]))
    p = 0.0
    for first_row in itertools.product(*(range(int(c) + 1) for c in cols)):
        if sum(first_row) == rows[0]:
            q = prob(first_row)
            if q <= observed * (1 + 1e-7):
                p += q
    return p


def test_fisher_rxc_is_deterministic_for_a_seed() -> None:
    table = np.array([[3, 1, 0, 2], [0, 2, 3, 0]])
    first = fisher_exact_test(
        table, "transfused", ["a", "b", "c", "d"], seed=11, method="monte-carlo"
    )
    again = fisher_exact_test(
        table, "transfused", ["a", "b", "c", "d"], seed=11, method="monte-carlo"
    )
    assert first.p == again.p
    assert "Monte Carlo" in first.test and "seed 11" in first.test and "2×4" in first.test


def test_fisher_rxc_monte_carlo_agrees_with_exact_enumeration() -> None:
    """Monte Carlo p (9999 resamples) within 3 standard errors of the exact p."""
    table = np.array([[3, 1, 0, 2], [0, 2, 3, 0]])
    exact = _exact_rxc_p(table)
    result = fisher_exact_test(
        table, "transfused", ["a", "b", "c", "d"], seed=2025, method="monte-carlo"
    )
    assert result.p is not None
    assert result.p == pytest.approx(exact, abs=3 * math.sqrt(exact * (1 - exact) / 9999) + 1e-4)


def test_fisher_2x2_is_exact() -> None:
    table = np.array([[8, 2], [1, 5]])
    result = fisher_exact_test(table, "icu_admission", ["a", "b"])
    assert result.test == "Fisher's exact test (2×2, exact conditional p-value)"
    assert result.p == pytest.approx(float(stats.fisher_exact(table).pvalue))


def test_yang2025_significant_differences(yang_cohort: pd.DataFrame) -> None:
    """Yang 2025 abstract: operation time, blood loss, transfusion and ICU admission differ
    significantly among the four types (direction and p-values not published)."""
    results = {
        c.variable: c
        for c in compare_groups(
            yang_cohort,
            "imaging_type",
            continuous=["operative_time_min", "blood_loss_ml", "size_mm"],
            categorical=["transfused", "icu_admission"],
            fisher_method="monte-carlo",
        )
    }
    for variable in ("operative_time_min", "blood_loss_ml", "transfused", "icu_admission"):
        p = results[variable].p
        assert p is not None and p < 0.05, variable
    assert results["operative_time_min"].test == "Kruskal–Wallis H test"
    assert results["transfused"].test.startswith("Fisher's exact test (2×4, Monte Carlo")
    assert results["size_mm"].p is not None and results["size_mm"].p > 0.05


def test_kruskal_matches_scipy(yang_cohort: pd.DataFrame) -> None:
    result = compare_groups(
        yang_cohort, "imaging_type", continuous=["blood_loss_ml"], categorical=[]
    )[0]
    samples = [
        yang_cohort.loc[yang_cohort["imaging_type"] == t, "blood_loss_ml"]
        for t in ("intraluminal", "intermediate", "extraluminal", "peripheral")
    ]
    expected = stats.kruskal(*samples)
    assert result.statistic == pytest.approx(float(expected.statistic))
    assert result.p == pytest.approx(float(expected.pvalue))
    assert result.n == 24


def test_fisher_rxc_default_is_the_exact_freeman_halton_p() -> None:
    """The default r×c p is exact: equal to full enumeration to 1e-12, no Monte Carlo."""
    table = np.array([[3, 1, 0, 2], [0, 2, 3, 0]])
    result = fisher_exact_test(table, "transfused", ["a", "b", "c", "d"])
    assert result.test == "Fisher's exact test (2×4, exact Freeman–Halton p-value)"
    assert result.p == pytest.approx(_exact_rxc_p(table), abs=1e-12)
    assert result.statistic is None and result.statistic_name is None
