"""Exact and permutation p-values: Fisher–Freeman–Halton r×c, conditional odds ratio,
permutation Kruskal–Wallis.

- **r×c tables**: the exact Freeman–Halton p-value (Freeman & Halton, Biometrika
  1951;38:141-9) by the network algorithm of Mehta & Patel (JASA 1983;78:427-34), as
  R ``fisher.test`` computes it, through the ``fisher-rxc`` package (checked against
  R to 1e-12 in tests/analysis/test_oracle.py). The network algorithm's cost grows
  quickly with n and the table size (a 4×4 table of 400 patients does not finish in
  minutes, a 10×2 table of 1,000 fails with a workspace error), so it is used up to
  :data:`EXACT_2XC_MAX_N` patients for a 2×c or r×2 table with at most 3 degrees of
  freedom (the four imaging types against a yes/no variable) and up to
  :data:`EXACT_RXC_MAX_N` patients with at most 12 degrees of freedom otherwise. Past
  that Pearson's chi-squared test is used, as R ``chisq.test(correct = FALSE)``: at
  those sizes it approximates the exact p closely where Cochran's rule holds (every
  expected count ≥ 1 and at least 80 % ≥ 5; Cochran, Biometrics 1954;10:417-51), and
  the result says so where the rule fails. A Monte Carlo p-value is not used by
  default because it cannot go below 1/(resamples + 1) (it printed 0.0001 for an exact
  7e-34). The test name says which method was used.
- **2×2 tables**: the exact conditional p-value and the conditional maximum-likelihood
  odds ratio with its exact 95 % CI (``scipy.stats.contingency.odds_ratio``,
  ``kind = "conditional"``), which is what R ``fisher.test`` reports as the estimate;
  past :data:`EXACT_OR_CI_MAX_N` patients Woolf's CI, named.
- **Kruskal–Wallis**: the permutation distribution of H given the observed ranks
  (``scipy.stats.permutation_test``): exact enumeration while n! ≤
  :data:`EXACT_PERMUTATIONS` (n ≤ 8), otherwise a seeded Monte Carlo estimate, and
  none past :data:`PERMUTATION_MAX_N` patients.
"""

from __future__ import annotations

import math
import os
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray
from scipy import stats

__all__ = [
    "EXACT_2XC_MAX_N",
    "EXACT_PERMUTATIONS",
    "EXACT_RXC_MAX_N",
    "RxcResult",
    "conditional_odds_ratio",
    "kruskal_permutation_p",
    "rxc_test",
]

EXACT_2XC_MAX_N: Final[int] = 1000
EXACT_RXC_MAX_N: Final[int] = 100
EXACT_RXC_MAX_DF: Final[int] = 12
EXACT_2XC_MAX_DF: Final[int] = 3
EXACT_PERMUTATIONS: Final[int] = 100_000
EXACT_OR_CI_MAX_N: Final[int] = 10_000
PERMUTATION_MAX_N: Final[int] = 5_000
_STDOUT_LOCK = threading.Lock()


@dataclass(frozen=True)
class RxcResult:
    """p-value of an r×c table, how it was obtained, and its statistic if it has one."""

    p: float
    method: str
    statistic: float | None
    statistic_name: str | None
    caveat: str | None = None


@contextmanager
def _quiet_stdout() -> Iterator[None]:
    """fisher-rxc prints its diagnostics on file descriptor 1; keep them off the report."""
    with _STDOUT_LOCK:
        sys.stdout.flush()
        saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 1)
            yield
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(devnull)


def exact_feasible(counts: NDArray[np.int64]) -> bool:
    """Whether the network algorithm is used for this table (see module docstring)."""
    rows, cols = counts.shape
    n = int(counts.sum())
    df = (rows - 1) * (cols - 1)
    if min(rows, cols) == 2 and df <= EXACT_2XC_MAX_DF and n <= EXACT_2XC_MAX_N:
        return True
    return n <= EXACT_RXC_MAX_N and df <= EXACT_RXC_MAX_DF


def _freeman_halton(counts: NDArray[np.int64]) -> float | None:
    import fisher  # type: ignore[import-untyped]

    with _quiet_stdout():
        p = float(fisher.exact(counts.tolist()))
    return min(p, 1.0) if p >= 0 else None


def _cochran_holds(expected: NDArray[np.float64]) -> bool:
    return bool(expected.min() >= 1 and (expected >= 5).mean() >= 0.8)


def rxc_test(counts: NDArray[np.int64]) -> RxcResult:
    """Exact Freeman–Halton p where feasible, else Pearson chi-squared (stated)."""
    rows, cols = counts.shape
    shape = f"{rows}×{cols}"
    if exact_feasible(counts):
        p = _freeman_halton(counts)
        if p is not None:
            return RxcResult(
                p, f"Fisher's exact test ({shape}, exact Freeman–Halton p-value)", None, None
            )
    chi = stats.chi2_contingency(counts, correction=False)
    n = int(counts.sum())
    expected = np.asarray(chi.expected_freq, dtype=float)
    caveat = (
        None
        if _cochran_holds(expected)
        else f"expected counts below 5 in {int((expected < 5).sum())} of {expected.size} cells "
        "(Cochran's rule fails); the chi-squared p-value is approximate"
    )
    return RxcResult(
        float(chi.pvalue),
        f"Pearson chi-squared test ({shape}, {int(chi.dof)} df; exact test infeasible at n = {n})",
        float(chi.statistic),
        "chi-squared",
        caveat,
    )


def conditional_odds_ratio(counts: NDArray[np.int64]) -> tuple[float, float, float, str]:
    """Conditional MLE odds ratio of a 2×2 table with its 95 % CI and the CI method.

    The exact conditional CI (R fisher.test) is a root search over the noncentral
    hypergeometric distribution whose cost grows with n (minutes at 10⁶ patients);
    past :data:`EXACT_OR_CI_MAX_N` patients Woolf's logit CI of the sample odds ratio,
    which agrees with it closely at such sizes, is given instead and named.
    """
    from scipy.stats.contingency import odds_ratio

    result = odds_ratio(counts, kind="conditional")
    n = int(counts.sum())
    if n <= EXACT_OR_CI_MAX_N or counts.min() == 0:
        ci = result.confidence_interval(confidence_level=0.95)
        return float(result.statistic), float(ci.low), float(ci.high), "exact conditional"
    a, b, c, d = (float(v) for v in counts.reshape(-1))
    log_or = math.log(a * d / (b * c))
    half = float(stats.norm.ppf(0.975)) * math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    method = f"Woolf logit (exact conditional CI infeasible at n = {n})"
    return float(result.statistic), math.exp(log_or - half), math.exp(log_or + half), method


def kruskal_permutation_p(
    samples: Sequence[NDArray[np.float64]], seed: int, n_resamples: int
) -> tuple[float | None, bool]:
    """Permutation p of Kruskal–Wallis H given the pooled ranks; (p, exact?).

    Under permutation of the group labels the pooled ranks and the tie correction do
    not change, so H is a monotone function of T = Σ R_g²/n_g and T is permuted. The
    pooled ranks are permuted as one sequence cut into the group sizes, which allows
    groups of one patient; every assignment of ranks to groups is equally often
    represented among the n! orderings, so enumerating them (n! ≤
    :data:`EXACT_PERMUTATIONS`) gives the exact p. Past :data:`PERMUTATION_MAX_N`
    patients the resampling cost (resamples × n) is not spent: (None, False).
    """
    pooled = np.concatenate(samples)
    if pooled.size > PERMUTATION_MAX_N:
        return None, False
    ranks = stats.rankdata(pooled)
    sizes = [s.size for s in samples]
    cuts = np.cumsum(sizes)[:-1]

    def statistic(x: NDArray[np.float64], axis: int = -1) -> NDArray[np.float64]:
        parts = np.split(x, cuts, axis=axis)
        value: NDArray[np.float64] = np.sum(
            [np.sum(g, axis=axis) ** 2 / g.shape[axis] for g in parts], axis=0
        )
        return value

    exact = math.factorial(ranks.size) <= EXACT_PERMUTATIONS
    result = stats.permutation_test(
        (ranks,),
        statistic,
        permutation_type="pairings",
        vectorized=True,
        n_resamples=EXACT_PERMUTATIONS if exact else n_resamples,
        alternative="greater",
        rng=np.random.default_rng(seed),
        batch=max(1, 2_000_000 // ranks.size),
    )
    return float(result.pvalue), exact
