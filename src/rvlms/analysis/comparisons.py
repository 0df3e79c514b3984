"""Between-group tests, as Yang 2025 compares its four imaging types.

Yang 2025 (abstract, Results) reports "significant differences in operation time, blood
loss, blood transfusion, and Intensive Care Unit admission rate among the four types"
without naming the tests. With four small groups (6/9/4/5) the distribution-free
choices are used:

- continuous variables: Kruskal–Wallis H test (``scipy.stats.kruskal``), chi-squared
  reference distribution with k − 1 degrees of freedom and tie correction;
- categorical variables: Fisher's exact test. A 2×2 table gets the exact conditional
  p-value and the conditional maximum-likelihood odds ratio (R ``fisher.test``); an r×c
  table gets the exact Freeman–Halton p-value where the network algorithm is feasible,
  and past that size Pearson's chi-squared test (:mod:`rvlms.analysis.exact`); a seeded
  Monte Carlo p-value only on request (``method = "monte-carlo"``). The test name says
  which was used.

Every result names its statistic (``statistic_name``: "H", "conditional MLE odds
ratio", "chi-squared", or none for an exact r×c p-value) so a table never mixes
different kinds of number in one column. Small groups are flagged
(``interpretable``/``warnings``, :mod:`rvlms.analysis.smalln`) and Kruskal–Wallis then
also carries the permutation p-value (``p_permutation``). p-values are not adjusted for
multiple comparisons.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict
from scipy import stats

from rvlms.analysis.exact import conditional_odds_ratio, kruskal_permutation_p, rxc_test
from rvlms.analysis.report import finite_or_none
from rvlms.analysis.smalln import small_groups_warning
from rvlms.analysis.variables import as_levels, group_levels, levels_of

__all__ = [
    "DEFAULT_SEED",
    "MONTE_CARLO_RESAMPLES",
    "Comparison",
    "FisherMethod",
    "compare_groups",
    "contingency_table",
    "fisher_exact_test",
    "kruskal_wallis_test",
]

FisherMethod = Literal["exact", "monte-carlo"]

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
    statistic_name: str | None = None
    ci95: list[float | None] | None = None
    p_permutation: float | None = None
    p_permutation_method: str | None = None
    interpretable: bool = True
    warnings: list[str] = []

    def statistic_text(self) -> str:
        """'H = 7.41', 'OR = 3.2' - the statistic with its name; '-' when there is none."""
        if self.statistic is None or self.statistic_name is None:
            return "-"
        short = {"H": "H", "conditional MLE odds ratio": "OR", "chi-squared": "chi2"}
        return f"{short.get(self.statistic_name, self.statistic_name)} = {self.statistic:.3g}"


def kruskal_wallis_test(
    values: pd.Series,
    groups: pd.Series,
    variable: str,
    group_order: Sequence[str],
    seed: int = DEFAULT_SEED,
    n_resamples: int = MONTE_CARLO_RESAMPLES,
) -> Comparison:
    """Kruskal–Wallis H across the groups that have at least one value.

    ``p`` is the chi-squared reference p (R ``kruskal.test``); when a group has 5 or
    fewer values the result is flagged and ``p_permutation`` holds the permutation p.
    """
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
    caveat = small_groups_warning(
        {g: int(s.size) for g, s in zip(used, samples, strict=True)}, "Kruskal–Wallis"
    )
    p_perm: float | None = None
    perm_method: str | None = None
    warnings: list[str] = []
    if caveat is not None:
        p_perm, exact = kruskal_permutation_p(samples, seed, n_resamples)
        if p_perm is None:
            warnings.append(f"{caveat}; no permutation p-value at n = {n} (cost)")
        else:
            perm_method = (
                "exact permutation distribution"
                if exact
                else f"Monte Carlo permutation, {n_resamples} resamples, seed {seed}"
            )
            warnings.append(f"{caveat}; the permutation p-value is given instead")
    return Comparison(
        variable=variable,
        test=name,
        statistic=finite_or_none(_scalar(result.statistic)),
        p=finite_or_none(_scalar(result.pvalue)),
        groups=used,
        n=n,
        note=f"chi-squared reference, {len(samples) - 1} df, tie-corrected",
        statistic_name="H",
        p_permutation=p_perm,
        p_permutation_method=perm_method,
        interpretable=caveat is None,
        warnings=warnings,
    )


def fisher_exact_test(
    table: np.ndarray,
    variable: str,
    groups: Sequence[str],
    seed: int = DEFAULT_SEED,
    n_resamples: int = MONTE_CARLO_RESAMPLES,
    method: FisherMethod = "exact",
) -> Comparison:
    """Fisher's exact test on a levels × groups table.

    ``method = "exact"`` (default): exact where feasible, else Pearson chi-squared
    (:func:`rvlms.analysis.exact.rxc_test`); ``"monte-carlo"``: seeded Monte Carlo r×c p.
    """
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
    warnings: list[str] = []
    if (rows, cols) == (2, 2):
        result = stats.fisher_exact(counts)
        estimate, low, high, ci_method = conditional_odds_ratio(counts)
        return Comparison(
            variable=variable,
            test="Fisher's exact test (2×2, exact conditional p-value)",
            statistic=finite_or_none(estimate),
            p=finite_or_none(_scalar(result.pvalue)),
            groups=used,
            n=n,
            note="statistic is the conditional maximum-likelihood odds ratio (R fisher.test); "
            f"95% CI: {ci_method}",
            statistic_name="conditional MLE odds ratio",
            ci95=[finite_or_none(low), finite_or_none(high)],
            warnings=warnings,
        )
    if method == "monte-carlo":
        mc = stats.MonteCarloMethod(n_resamples=n_resamples, rng=np.random.default_rng(seed))
        mc_result = stats.fisher_exact(counts, method=mc)
        return Comparison(
            variable=variable,
            test=(
                f"Fisher's exact test ({rows}×{cols}, Monte Carlo p-value, "
                f"{n_resamples} resamples, seed {seed})"
            ),
            statistic=None,
            p=finite_or_none(_scalar(mc_result.pvalue)),
            groups=used,
            n=n,
            note=f"Monte Carlo p-values are never below 1/{n_resamples + 1}",
            warnings=warnings,
        )
    rxc = rxc_test(counts)
    if rxc.caveat is not None:
        warnings.append(f"{rxc.method}: {rxc.caveat}")
    return Comparison(
        variable=variable,
        test=rxc.method,
        statistic=finite_or_none(rxc.statistic),
        p=finite_or_none(rxc.p),
        groups=used,
        n=n,
        note=None if rxc.statistic_name else "an exact r×c test has a p-value and no statistic",
        statistic_name=rxc.statistic_name,
        warnings=warnings,
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
    fisher_method: FisherMethod = "exact",
) -> list[Comparison]:
    """Kruskal–Wallis for ``continuous``, Fisher's exact for ``categorical`` across ``by``."""
    order = group_levels(df, by)
    groups = as_levels(by, df[by])
    out = [
        kruskal_wallis_test(df[v], groups, v, order, seed, n_resamples)
        for v in continuous
        if v in df.columns
    ]
    for variable in categorical:
        if variable not in df.columns or variable == by:
            continue
        table, _ = contingency_table(df, variable, by, order)
        out.append(
            fisher_exact_test(
                table, variable, order, seed=seed, n_resamples=n_resamples, method=fisher_method
            )
        )
    return out
