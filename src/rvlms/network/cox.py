"""Federated Cox regression: Newton–Raphson on sums the centres send (WebDISCO).

Each iteration the coordinator sends β; every centre returns, per released time, the
risk-set sums S0, S1, S2 of exp(xβ), x·exp(xβ) and x·xᵀ·exp(xβ), and at its event
times the same sums over the tied events, their number d and Σ x
(:func:`rvlms.network.aggregates.cox_pieces`). A centre's risk-set sums are a step
function of time, so the pooled risk set at any event time u is the sum over centres of
each centre's value at its first released time ≥ u. From these the coordinator forms
the pooled log partial likelihood, score U and information I with Efron's tie
correction (Efron B, "The efficiency of Cox's likelihood function for censored data",
J Am Stat Assoc 1977;72:557-65), as lifelines ``CoxPHFitter`` and R
``coxph(ties = "efron")`` do, or Breslow's, and steps β ← β + I⁻¹U (halving a step
that lowers the likelihood) until the step is below :data:`TOLERANCE`. The result is
the single-site maximum partial likelihood estimate of the union of the centres' data
(Lu CL et al., J Am Med Inform Assoc 2015;22(6):1212-9).

Per-centre score vectors and information matrices would add up to the pooled ones only
for a model stratified by centre; the unstratified model's risk sets span centres, hence
the per-time sums.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

import numpy as np

__all__ = ["MAX_ITERATIONS", "TOLERANCE", "CoxFit", "newton_raphson", "partial_likelihood"]

TOLERANCE: Final[float] = 1e-10
MAX_ITERATIONS: Final[int] = 50
MAX_HALVINGS: Final[int] = 20

Ties = Literal["efron", "breslow"]


@dataclass(frozen=True)
class CoxFit:
    """The maximum partial likelihood estimate with its information matrix."""

    beta: np.ndarray
    information: np.ndarray
    log_likelihood: float
    iterations: int
    rounds: int
    converged: bool
    n: int
    events: int


def _risk_at(reply: dict[str, Any], at: np.ndarray, p: int) -> tuple[np.ndarray, ...]:
    times = np.asarray(reply["times"], dtype=float)
    if times.size == 0:
        return np.zeros(at.size), np.zeros((at.size, p)), np.zeros((at.size, p, p))
    index = np.searchsorted(times, at, side="left")
    inside = (index < times.size).astype(float)
    safe = np.minimum(index, times.size - 1)
    s0 = np.asarray(reply["S0"], dtype=float).reshape(-1)[safe] * inside
    s1 = np.asarray(reply["S1"], dtype=float).reshape(times.size, p)[safe] * inside[:, None]
    s2 = np.asarray(reply["S2"], dtype=float).reshape(times.size, p, p)[safe]
    return s0, s1, s2 * inside[:, None, None]


def partial_likelihood(
    replies: Sequence[dict[str, Any]], beta: np.ndarray, ties: Ties = "efron"
) -> tuple[float, np.ndarray, np.ndarray]:
    """Pooled log partial likelihood, score and information at ``beta`` (the β the
    replies were computed at)."""
    p = beta.size
    at = np.unique(np.concatenate([np.asarray(r["event_times"], dtype=float) for r in replies]))
    m = at.size
    s0, s1, s2 = np.zeros(m), np.zeros((m, p)), np.zeros((m, p, p))
    d, t0, t1, t2, xd = (
        np.zeros(m),
        np.zeros(m),
        np.zeros((m, p)),
        np.zeros((m, p, p)),
        np.zeros((m, p)),
    )
    for reply in replies:
        r0, r1, r2 = _risk_at(reply, at, p)
        s0, s1, s2 = s0 + r0, s1 + r1, s2 + r2
        mine = np.asarray(reply["event_times"], dtype=float)
        if mine.size == 0:
            continue
        where = np.searchsorted(at, mine)
        d[where] += np.asarray(reply["d"], dtype=float)
        t0[where] += np.asarray(reply["T0"], dtype=float)
        if p:
            t1[where] += np.asarray(reply["T1"], dtype=float).reshape(mine.size, p)
            t2[where] += np.asarray(reply["T2"], dtype=float).reshape(mine.size, p, p)
            xd[where] += np.asarray(reply["Xd"], dtype=float).reshape(mine.size, p)
    counts = d.astype(int)
    slot = np.repeat(np.arange(m), counts)
    share = np.concatenate([np.arange(c) / c for c in counts if c]) if counts.sum() else np.zeros(0)
    if ties == "breslow":
        share = np.zeros_like(share)
    phi0 = s0[slot] - share * t0[slot]
    phi1 = s1[slot] - share[:, None] * t1[slot]
    phi2 = s2[slot] - share[:, None, None] * t2[slot]
    log_lik = float(xd.sum(axis=0) @ beta - np.log(phi0).sum())
    score = xd.sum(axis=0) - (phi1 / phi0[:, None]).sum(axis=0)
    ratio = phi1 / phi0[:, None]
    information = (phi2 / phi0[:, None, None]).sum(axis=0) - np.einsum("ki,kj->ij", ratio, ratio)
    return log_lik, score, information


Ask = Callable[[np.ndarray, int], Sequence[dict[str, Any]]]


def newton_raphson(
    ask: Ask, p: int, *, start: np.ndarray | None = None, ties: Ties = "efron"
) -> CoxFit:
    """Maximise the pooled partial likelihood; ``ask(beta, iteration)`` gets the centres'
    replies at ``beta`` (one network round each)."""
    beta = np.zeros(p) if start is None else np.asarray(start, dtype=float)
    replies = ask(beta, 0)
    rounds = 1
    log_lik, score, info = partial_likelihood(replies, beta, ties)
    n = sum(int(r["n"]) for r in replies)
    events = sum(int(r["events"]) for r in replies)
    if p == 0:
        return CoxFit(beta, info, log_lik, 0, rounds, True, n, events)
    for iteration in range(1, MAX_ITERATIONS + 1):
        step = np.linalg.solve(info, score)
        if float(np.max(np.abs(step))) < TOLERANCE:
            return CoxFit(beta + step, info, log_lik, iteration, rounds, True, n, events)
        for _ in range(MAX_HALVINGS):
            trial = beta + step
            trial_replies = ask(trial, iteration)
            rounds += 1
            trial_lik, trial_score, trial_info = partial_likelihood(trial_replies, trial, ties)
            if np.isfinite(trial_lik) and trial_lik >= log_lik - 1e-12 * abs(log_lik):
                break
            step = step / 2.0
        beta, log_lik, score, info = trial, trial_lik, trial_score, trial_info
    return CoxFit(beta, info, log_lik, MAX_ITERATIONS, rounds, False, n, events)
