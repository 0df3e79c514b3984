"""Between-group tests, as Yang 2025 compares its four imaging types.

Yang 2025 (abstract, Results) reports "significant differences in operation time, blood
loss, blood transfusion, and Intensive Care Unit admission rate among the four types"
without naming the tests. With four small groups (6/9/4/5) the distribution-free
choices are used:

- continuous variables: Kruskal–Wallis H test (``scipy.stats.kruskal``), chi-squared
  reference distribution with k − 1 degrees of freedom and tie correction;
- categorical variables: Fisher's exact test (``scipy.stats.fisher_exact``). A 2×2 table
  gets the exact conditional p-value; a larger r×c table gets a Monte Carlo p-value
  (SciPy ≥ 1.15 default for r×c) from a fixed ``numpy.random.Generator`` seed, so the
  same data always give the same p. The test name says which one was used.

The r×c "statistic" SciPy returns is the probability of the observed table under the
null hypothesis; the 2×2 statistic is the conditional odds ratio.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict
from scipy import stats

from rvlms.analysis.report import finite_or_none
from rvlms.analysis.variables import as_levels, group_levels, levels_of

__all__ = [
    "DEFAULT_SEED",
    "MONTE_CARLO_RESAMPLES",
    "Comparison",
    "compare_groups",
    "contingency_table",
    "fisher_exact_test",
    "kruskal_wallis_test",
]

DEFAULT_SEED = 20250701
MONTE_CARLO_RESAMPLES = 9999


def _scalar(value: object) -> float:
    """SciPy occasionally returns a one-element array where a scalar is documented."""
    return float(np.asarray(value, dtype=float).reshape(-1)[0])


class Comparison(BaseModel):
    """One between-group test: variable, test name, statistic and p-value."""

    model_config = ConfigDict(frozen=True)

    variable: str
    test: str
    statistic: float | None
    p: float | None
    groups: list[str]
    n: int
    note: str | None = None


def kruskal_wallis_test(
    values: pd.Series, groups: pd.Series, variable: str, group_order: Sequence[str]
) -> Comparison:
    """Kruskal–Wallis H across the groups that have at least one value."""
    numbers = pd.to_numeric(values, errors="coerce")
    keep = numbers.notna() & groups.notna()
    samples = [numbers[keep & (groups == g)].to_numpy(dtype=float) for g in group_order]
    used = [g for g, s in zip(group_order, samples, strict=True) if s.size > 0]
    samples = [s for s in samples if s.size > 0]
    n = int(sum(s.size for s in samples))
    name = "Kruskal–Wallis H test"
    if len(samples) < 2:
        return Comparison(
            variable=variable,
            test=name,
            statistic=None,
            p=None,
            groups=used,
            n=n,
            note="fewer than two groups with values; no test",
        )
    pooled = np.concatenate(samples)
    if np.all(pooled == pooled[0]):
        return Comparison(
            variable=variable,
            test=name,
            statistic=None,
            p=None,
            groups=used,
            n=n,
            note="all values identical; no test",
        )
    result = stats.kruskal(*samples)
    return Comparison(
        variable=variable,
        test=name,
        statistic=finite_or_none(_scalar(result.statistic)),
        p=finite_or_none(_scalar(result.pvalue)),
        groups=used,
        n=n,
        note=f"chi-squared reference, {len(samples) - 1} df, tie-corrected",
    )


def fisher_exact_test(
    table: np.ndarray,
    variable: str,
    groups: Sequence[str],
    seed: int = DEFAULT_SEED,
    n_resamples: int = MONTE_CARLO_RESAMPLES,
) -> Comparison:
    """Fisher's exact test on a levels × groups table; Monte Carlo p for r×c (seeded)."""
    counts = np.asarray(table, dtype=np.int64)
    row_keep = counts.sum(axis=1) > 0
    col_keep = counts.sum(axis=0) > 0
    counts = counts[row_keep][:, col_keep]
    used = [g for g, keep in zip(groups, col_keep, strict=True) if keep]
    n = int(counts.sum())
    rows, cols = counts.shape
    if rows < 2 or cols < 2:
        return Comparison(
            variable=variable,
            test="Fisher's exact test",
            statistic=None,
            p=None,
            groups=used,
            n=n,
            note="only one level or one group observed; no test",
        )
    if (rows, cols) == (2, 2):
        result = stats.fisher_exact(counts)
        return Comparison(
            variable=variable,
            test="Fisher's exact test (2×2, exact conditional p-value)",
            statistic=finite_or_none(_scalar(result.statistic)),
            p=finite_or_none(_scalar(result.pvalue)),
            groups=used,
            n=n,
            note="statistic is the conditional odds ratio",
        )
    method = stats.MonteCarloMethod(n_resamples=n_resamples, rng=np.random.default_rng(seed))
    result = stats.fisher_exact(counts, method=method)
    return Comparison(
        variable=variable,
        test=(
            f"Fisher's exact test ({rows}×{cols}, Monte Carlo p-value, "
            f"{n_resamples} resamples, seed {seed})"
        ),
        statistic=finite_or_none(_scalar(result.statistic)),
        p=finite_or_none(_scalar(result.pvalue)),
        groups=used,
        n=n,
        note="statistic is the probability of the observed table under H0",
    )


def contingency_table(
    df: pd.DataFrame, variable: str, by: str, group_order: Sequence[str]
) -> tuple[np.ndarray, list[str]]:
    """levels × groups counts of ``variable`` (rows with a missing value dropped)."""
    levels = levels_of(variable, df[variable])
    shown = as_levels(variable, df[variable])
    group_shown = as_levels(by, df[by])
    crosstab = pd.crosstab(shown, group_shown)
    table = crosstab.reindex(index=levels, columns=list(group_order), fill_value=0)
    return table.to_numpy(dtype=np.int64), levels


def compare_groups(
    df: pd.DataFrame,
    by: str,
    *,
    continuous: Sequence[str],
    categorical: Sequence[str],
    seed: int = DEFAULT_SEED,
    n_resamples: int = MONTE_CARLO_RESAMPLES,
) -> list[Comparison]:
    """Kruskal–Wallis for ``continuous``, Fisher's exact for ``categorical`` across ``by``."""
    order = group_levels(df, by)
    groups = as_levels(by, df[by])
    out = [kruskal_wallis_test(df[v], groups, v, order) for v in continuous if v in df.columns]
    for variable in categorical:
        if variable not in df.columns or variable == by:
            continue
        table, _ = contingency_table(df, variable, by, order)
        out.append(fisher_exact_test(table, variable, order, seed=seed, n_resamples=n_resamples))
    return out
