"""Small samples: each test says when its number cannot be read at face value."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from rvlms.analysis import (
    analyze,
    sample_size_for_hazard_ratio,
    summarise_survival,
    validate_cohort,
)
from rvlms.analysis.comparisons import kruskal_wallis_test
from rvlms.analysis.exact import kruskal_permutation_p
from rvlms.synth import synthesize

from .test_survival_km import _cohort


def test_every_yang2025_kruskal_wallis_is_flagged_with_a_permutation_p(
    yang_cohort: pd.DataFrame,
) -> None:
    """Yang 2025 groups are 6/9/4/5: two groups of 5 or fewer in every test."""
    result = analyze(yang_cohort)
    kw = [c for c in result.comparisons if c.statistic_name == "H"]
    assert kw and all(not c.interpretable and c.p_permutation is not None for c in kw)
    assert all("extraluminal (n=4), peripheral (n=5)" in c.warnings[0] for c in kw)
    dfs = result.survival["dfs"].logrank
    assert dfs is not None and not dfs.interpretable
    assert "not interpretable" in result.to_text()
    assert "p-values are not adjusted for multiple comparisons" in result.methods.notes


def test_exact_permutation_p_equals_enumeration() -> None:
    """Groups {1}, {2, 3}, {4, 5, 6}: of the 6!/(1!2!3!) = 60 assignments of the ranks,
    those with Σ R²/n at least the observed one, counted by brute force."""
    samples = [np.array([1.0]), np.array([2.0, 3.0]), np.array([4.0, 5.0, 6.0])]

    def t_stat(groups: list[list[float]]) -> float:
        return sum(sum(g) ** 2 / len(g) for g in groups)

    observed = t_stat([list(s) for s in samples])
    hits = total = 0
    for first in itertools.combinations(range(1, 7), 1):
        rest = [r for r in range(1, 7) if r not in first]
        for second in itertools.combinations(rest, 2):
            third = [r for r in rest if r not in second]
            total += 1
            split = [[float(r) for r in g] for g in (first, second, third)]
            hits += t_stat(split) >= observed - 1e-12
    p, exact = kruskal_permutation_p(samples, seed=1, n_resamples=999)
    assert exact and total == 60
    assert p == pytest.approx(hits / total, abs=1e-12)


def test_two_patients_one_per_group() -> None:
    """n = 2: H on one patient against one is flagged; the exact permutation p is 1."""
    values = pd.Series([3.0, 5.0])
    groups = pd.Series(["intraluminal", "peripheral"])
    result = kruskal_wallis_test(values, groups, "age", ["intraluminal", "peripheral"])
    assert not result.interpretable
    assert result.p_permutation == pytest.approx(1.0)


def test_one_patient_has_no_confidence_interval() -> None:
    """n = 1 with an event at 14.8 months: median 14.8, no CI (lifelines printed 14.8–14.8)."""
    summary = summarise_survival(validate_cohort(_cohort([14.8], [1])), "dfs", by=None)
    assert summary.median_months == pytest.approx(14.8)
    assert summary.ci95 == [None, None]
    assert any("one patient" in w for w in summary.warnings)


def test_one_row_cohort_says_nothing_can_be_tested() -> None:
    result = analyze(validate_cohort(_cohort([14.8], [1])))
    assert any("1 patient(s)" in w for w in result.result_warnings())


def test_fewer_than_one_expected_event_is_flagged() -> None:
    """Two of 12 patients in a group, both censored early: expected events < 1."""
    times = [float(t) for t in range(1, 11)] + [0.5, 0.6]
    events = [1] * 10 + [0, 0]
    groups = ["intraluminal"] * 10 + ["peripheral"] * 2
    summary = summarise_survival(validate_cohort(_cohort(times, events, groups)), "dfs")
    assert summary.logrank is not None
    assert summary.logrank.expected[1] < 1
    assert any("fewer than 1 expected event in peripheral" in w for w in summary.logrank.warnings)


def test_large_groups_are_not_flagged() -> None:
    result = analyze(synthesize(600, seed=4), cox_covariates=None)
    kw = [c for c in result.comparisons if c.statistic_name == "H"]
    assert kw and all(c.interpretable and c.p_permutation is None for c in kw)


def test_schoenfeld_and_freedman_for_hr2_at_two_to_one() -> None:
    """HR 2, 2:1 allocation, 80 % power, alpha 0.05, (z = 2.8016, z² = 7.8489):
    Schoenfeld D = 7.8489 / ((2/3)(1/3) · ln(2)²) = 73.5 -> 74 events;
    Freedman m = (1/2) · ((2·2 + 1)/(2 − 1))² · 7.8489 = 98.1 -> 99 events."""
    result = sample_size_for_hazard_ratio(2.0, ratio=2.0, p_event_exp=0.5, p_event_con=0.5)
    assert result.events_required_schoenfeld == 74
    assert result.events_required == 99
    assert "Schoenfeld" in result.to_text()
