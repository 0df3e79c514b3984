"""Proportional-hazards test equivalent to R ``cox.zph(fit, transform = "km")`` (survival 3).

Grambsch & Therneau (Biometrika 1994;81:515-26) test whether each log hazard ratio
changes with a function g(t) of time. survival 3 computes it as the score test, at
(β̂, γ = 0), of the extended model with covariates [X, g(t)·X]: the score for γ is
u = Σ_events g(tᵢ)(xᵢ − x̄(tᵢ)) and the information I is the full 2p × 2p matrix
Σ [[V, gV], [gV, g²V]] over event times, with Efron's weighting of tied events (risk-set
weights reduced by k/d for the k-th of d tied events). Per coefficient j the statistic
is u_j' (I restricted to β and γ_j)⁻¹ u_j on 1 df; the global one uses all γ on p df.

g is R's "km" transform: g(t) = 1 − S(t−) from the pooled Kaplan–Meier curve, centred
on its mean over the events. This is the full score test; lifelines'
``proportional_hazard_test`` uses the older approximation with a single overall
variance, which differs (p 0.48 against 0.87 on one 10,000-patient cohort).

Vectorised with cumulative sums over time: O(n p²) time and memory, so it scales to 10⁶
rows where the lifelines residual-based test does not.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.stats import chi2

__all__ = ["PH_TEST_NAME", "PhTest", "cox_zph"]

PH_TEST_NAME = (
    "Grambsch–Therneau score test of scaled Schoenfeld residuals, KM time transform "
    "(equivalent to R survival cox.zph, transform = 'km')"
)

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class PhTest:
    """Chi-squared statistics and p-values per coefficient (1 df each) and global (p df)."""

    chisq: list[float]
    p: list[float]
    global_chisq: float
    global_df: int
    global_p: float


def _km_transform(time: FloatArray, event: FloatArray) -> FloatArray:
    """1 − S(t−) of the pooled Kaplan–Meier curve at each patient's own time."""
    times, inverse = np.unique(time, return_inverse=True)
    at = np.bincount(inverse, minlength=times.size).astype(float)
    died = np.bincount(inverse, weights=event, minlength=times.size)
    risk = np.cumsum(at[::-1])[::-1]
    surv = np.cumprod(1.0 - died / risk)
    before = np.concatenate(([1.0], surv[:-1]))
    result: FloatArray = 1.0 - before[inverse]
    return result


def cox_zph(time: FloatArray, event: FloatArray, x: FloatArray, beta: FloatArray) -> PhTest:
    """The cox.zph table for a Cox fit with coefficients ``beta`` on design ``x`` (Efron)."""
    n, p = x.shape
    order = np.argsort(time, kind="stable")
    time, event, x = time[order], event[order], x[order]
    ttimes = _km_transform(time, event)
    is_event = event > 0
    gtime = ttimes - ttimes[is_event].mean()
    x = x - x.mean(axis=0)
    weight = np.exp(x @ beta)
    first = np.unique(time, return_index=True)[1]
    outer = (x[:, :, None] * x[:, None, :]).reshape(n, p * p)

    def by_time(values: FloatArray) -> FloatArray:
        flat = values.reshape(n, -1)
        summed: FloatArray = np.add.reduceat(flat, first, axis=0)
        return summed

    def reverse_cumsum(values: FloatArray) -> FloatArray:
        out: FloatArray = np.cumsum(values[::-1], axis=0)[::-1]
        return out

    ew = weight * is_event
    s0 = reverse_cumsum(by_time(weight))
    s1 = reverse_cumsum(by_time(weight[:, None] * x))
    s2 = reverse_cumsum(by_time(weight[:, None] * outer))
    d0 = by_time(ew)[:, 0]
    d1 = by_time(ew[:, None] * x)
    d2 = by_time(ew[:, None] * outer)
    s0 = s0[:, 0]
    n_died = by_time(is_event.astype(float))[:, 0]
    sum_x_died = by_time(is_event[:, None] * x)

    event_times = np.flatnonzero(n_died > 0)
    counts = n_died[event_times].astype(np.int64)
    slot = np.repeat(event_times, counts)
    k = np.arange(slot.size) - np.repeat(np.cumsum(counts) - counts, counts)
    frac = (k / np.repeat(counts, counts))[:, None]
    a0 = (s0[slot] - frac[:, 0] * d0[slot])[:, None]
    a1 = s1[slot] - frac * d1[slot]
    a2 = s2[slot] - frac * d2[slot]
    mean = a1 / a0
    var = (a2 / a0).reshape(-1, p, p) - mean[:, :, None] * mean[:, None, :]
    g_event = by_time(gtime * is_event)[:, 0]
    g = (g_event[event_times] / counts)[np.repeat(np.arange(event_times.size), counts)]

    score_per_time = sum_x_died[event_times] - np.add.reduceat(mean, np.cumsum(counts) - counts)
    u = (g_event[event_times] / counts)[:, None] * score_per_time
    u_gamma = u.sum(axis=0)
    i11 = var.sum(axis=0)
    i12 = (g[:, None, None] * var).sum(axis=0)
    i22 = (g[:, None, None] ** 2 * var).sum(axis=0)
    info = np.block([[i11, i12], [i12, i22]])

    def score_test(columns: list[int]) -> float:
        index = list(range(p)) + [p + j for j in columns]
        vector = np.concatenate((np.zeros(p), u_gamma[columns]))
        block = info[np.ix_(index, index)]
        return float(vector @ np.linalg.solve(block, vector))

    per_term = [score_test([j]) for j in range(p)]
    overall = score_test(list(range(p)))
    return PhTest(
        chisq=per_term,
        p=[float(chi2.sf(c, 1)) for c in per_term],
        global_chisq=overall,
        global_df=p,
        global_p=float(chi2.sf(overall, p)),
    )
