"""The k-group log-rank test as R ``survdiff`` computes and ``print.survdiff`` reports it.

At each distinct event time t with nₜ at risk and dₜ events, group g contributes
observed O_g = Σ d_gt, expected E_g = Σ dₜ·n_gt/nₜ and the hypergeometric covariance
V_gh = Σ dₜ(nₜ − dₜ)/(nₜ − 1) · (n_gt/nₜ)(δ_gh − n_ht/nₜ) (Mantel 1966; Peto & Peto
1972). Only groups with E_g > 0 enter the test: the statistic is the quadratic form
of O − E in V over those groups less one, on (number of such groups − 1) degrees of
freedom. A group whose patients are all censored before the first event of the others
(E = 0) carries no information, so two patients can give df = 0 and no p-value, where
a fixed df = k − 1 (lifelines) would print one.

Vectorised over sorted times: O(n log n + k·T) time, O(n) memory.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.stats import chi2

__all__ = ["LogRankFit", "logrank_test"]


@dataclass(frozen=True)
class LogRankFit:
    """Statistic, df, p (None when df = 0) and per-group observed / expected events."""

    statistic: float
    df: int
    p: float | None
    observed: NDArray[np.float64]
    expected: NDArray[np.float64]


def logrank_test(
    durations: NDArray[np.float64], events: NDArray[np.float64], codes: NDArray[np.int64], k: int
) -> LogRankFit:
    """Log-rank test of ``k`` groups coded 0..k-1 in ``codes``."""
    times, inverse = np.unique(durations, return_inverse=True)
    n_times = times.size
    at_time = np.zeros((k, n_times))
    died = np.zeros((k, n_times))
    np.add.at(at_time, (codes, inverse), 1.0)
    np.add.at(died, (codes, inverse), events)
    n_risk = np.cumsum(at_time[:, ::-1], axis=1)[:, ::-1]
    total_risk = n_risk.sum(axis=0)
    total_died = died.sum(axis=0)
    keep = total_died > 0
    n_risk, died, total_risk, total_died = (
        n_risk[:, keep],
        died[:, keep],
        total_risk[keep],
        total_died[keep],
    )
    share = n_risk / total_risk
    observed = died.sum(axis=1)
    expected = (share * total_died).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.where(
            total_risk > 1, total_died * (total_risk - total_died) / (total_risk - 1), 0.0
        )
    variance = np.diag((weight * share).sum(axis=1)) - (weight * share) @ share.T
    informative = np.flatnonzero(expected > 0)
    df = int(informative.size) - 1
    if df < 1:
        return LogRankFit(0.0, max(df, 0), None, observed, expected)
    used = informative[1:]
    diff = (observed - expected)[used]
    block = variance[np.ix_(used, used)]
    statistic = float(diff @ np.linalg.lstsq(block, diff, rcond=None)[0])
    return LogRankFit(statistic, df, float(chi2.sf(statistic, df)), observed, expected)
