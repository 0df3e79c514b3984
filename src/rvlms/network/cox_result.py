"""The federated Cox model as the single-site report shows it.

The design follows :func:`rvlms.analysis.cox.fit_cox` on the union of the centres:
a categorical covariate's levels are those present at any centre, in vocabulary order,
the first being the reference; an indicator that is constant over the pooled complete
rows is left out; the model is fitted only with at least ``min_events_per_variable``
events per parameter (Peduzzi 1995). Coefficients come from
:func:`rvlms.network.cox.newton_raphson`; standard errors from the inverse of the pooled
information matrix; 95 % Wald intervals and p-values as lifelines reports them.

When the model's only covariate is the grouping of the time tables, the coordinator
already holds the pooled (time, event, group) table and maximises the likelihood on it
first; the federated iterations then start at that value and usually need one round to
confirm it (with binned times, a few rounds to move to the binned-data optimum).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from rvlms.analysis.cox import CoxResult, CoxTerm
from rvlms.analysis.report import Methods, finite_or_none
from rvlms.analysis.survival import CENSORING_RULES, Endpoint
from rvlms.analysis.variables import levels_of
from rvlms.network.aggregates import cox_pieces
from rvlms.network.cox import newton_raphson
from rvlms.network.policy import NodePolicy
from rvlms.network.queries import CoxCovariate, CoxQuery

if TYPE_CHECKING:
    from rvlms.network.coordinator import AnalysisPlan

__all__ = ["CoxDesign", "cox_design", "federated_cox"]


@dataclass(frozen=True)
class CoxDesign:
    """Covariate coding shared by every centre, and the terms of the model."""

    endpoint: Endpoint
    covariates: tuple[CoxCovariate, ...]
    terms: tuple[str, ...]
    references: tuple[str, ...]
    constant: tuple[str, ...]

    def query(self, beta: np.ndarray, ties: str, iteration: int) -> CoxQuery:
        return CoxQuery.model_validate(
            {
                "endpoint": self.endpoint,
                "covariates": [c.model_dump() for c in self.covariates],
                "terms": list(self.terms),
                "beta": [float(b) for b in beta],
                "ties": ties,
                "iteration": iteration,
            }
        )


def cox_design(
    replies: Sequence[dict[str, Any]], covariates: Sequence[str], endpoint: Endpoint
) -> CoxDesign:
    """The pooled design from the centres' level counts (summary round)."""
    specs: list[CoxCovariate] = []
    terms: list[str] = []
    constant: list[str] = []
    references: list[str] = []
    for column in covariates:
        parts = [r["cox_levels"][column] for r in replies if column in r["cox_levels"]]
        if not parts:
            specs.append(CoxCovariate(name=column))
            terms.append(column)
            continue
        present = {lv for p in parts for lv, n in p["all"].items() if n != 0}
        levels = levels_of(column, pd.Series(sorted(present), dtype=object))
        if not levels:
            continue
        complete = {lv for p in parts for lv, n in p["complete"].items() if n != 0}
        specs.append(CoxCovariate(name=column, levels=tuple(levels)))
        references.append(f"{column} reference = {levels[0]}")
        for level in levels[1:]:
            term = f"{column}[{level}]"
            if level not in complete or complete == {level}:
                constant.append(term)
            else:
                terms.append(term)
    return CoxDesign(endpoint, tuple(specs), tuple(terms), tuple(references), tuple(constant))


class _TooFewEvents(Exception):
    def __init__(self, n: int, events: int) -> None:
        super().__init__(f"{events} events")
        self.n = n
        self.events = events


def _start(design: CoxDesign, records: pd.DataFrame | None, ties: str) -> np.ndarray | None:
    if records is None:
        return None
    local = NodePolicy(centre="coordinator", registry="-", min_cell=1, times="exact")
    fit = newton_raphson(
        lambda beta, it: [cox_pieces(records, local, design.query(beta, ties, it))],
        len(design.terms),
        ties="breslow" if ties == "breslow" else "efron",
    )
    return fit.beta if fit.converged and np.all(np.isfinite(fit.beta)) else None


def federated_cox(
    ask: Callable[[dict[str, Any]], list[dict[str, Any]]],
    design: CoxDesign,
    summary_replies: Sequence[dict[str, Any]],
    plan: AnalysisPlan,
    *,
    synthetic: bool,
    start_records: pd.DataFrame | None,
    approximate: bool,
    cohort_filter: str,
) -> CoxResult:
    """Fit the pooled Cox model through ``ask`` (one call per Newton–Raphson round)."""
    from scipy import stats

    p = len(design.terms)
    warnings: list[str] = []
    if design.constant:
        warnings.append("constant term(s) left out: " + ", ".join(design.constant))
    notes = [
        *design.references,
        f"fitted only when events per parameter >= {plan.min_events_per_variable} (Peduzzi 1995)",
        "concordance and the Schoenfeld proportional-hazards test are not computed in the "
        "federated analysis: both need patient-level residuals",
    ]
    if approximate:
        notes.append("APPROXIMATE: binned times at one or more centres")
    totals = [r["n"] for r in summary_replies]

    def result(n: int, events: int, terms: list[CoxTerm], reason: str | None) -> CoxResult:
        dropped = sum(totals) - n if all(isinstance(t, int) for t in totals) else 0
        extra = (
            [f"{dropped} row(s) with a missing covariate, time or event left out"]
            if dropped > 0
            else []
        )
        epv = events / p if p else None
        methods = Methods(
            test=f"Cox proportional-hazards regression, federated Newton–Raphson on pooled "
            f"risk-set sums (WebDISCO), {plan.ties.capitalize()} ties, Wald 95% CI",
            n=n,
            events=events,
            censoring=CENSORING_RULES[design.endpoint],
            cohort_filter=cohort_filter,
            synthetic=synthetic,
            notes=notes,
        )
        return CoxResult(
            endpoint=design.endpoint,
            covariates=list(plan.cox_covariates),
            fitted=reason is None,
            n=n,
            events=events,
            parameters=p,
            events_per_variable=finite_or_none(epv),
            terms=terms,
            concordance=None,
            methods=methods,
            warnings=[*extra, *warnings, *([reason] if reason else [])],
        )

    if p == 0:
        return result(0, 0, [], "Cox model not fitted: no covariate varies in this cohort")

    def federated(beta: np.ndarray, iteration: int) -> list[dict[str, Any]]:
        replies = ask(design.query(beta, plan.ties, iteration).model_dump(mode="json"))
        if iteration == 0:
            n = sum(int(r["n"]) for r in replies)
            events = sum(int(r["events"]) for r in replies)
            if events / p < plan.min_events_per_variable:
                raise _TooFewEvents(n, events)
        return replies

    start = _start(design, start_records, plan.ties)
    try:
        fit = newton_raphson(federated, p, start=start, ties=plan.ties)
    except _TooFewEvents as few:
        return result(
            few.n,
            few.events,
            [],
            f"Cox model not fitted: {few.events} events for {p} parameter(s) (events per "
            f"parameter {few.events / p:.1f} < {plan.min_events_per_variable})",
        )
    except np.linalg.LinAlgError:
        return result(0, 0, [], "Cox model did not converge: singular information matrix")
    if not fit.converged:
        return result(
            fit.n, fit.events, [], "Cox model did not converge within the iteration limit"
        )
    se = np.sqrt(np.diag(np.linalg.inv(fit.information)))
    z = stats.norm.ppf(0.975)
    terms = [
        CoxTerm(
            term=term,
            hazard_ratio=finite_or_none(float(np.exp(b))),
            ci95=[
                finite_or_none(float(np.exp(b - z * s))),
                finite_or_none(float(np.exp(b + z * s))),
            ],
            p=finite_or_none(float(2 * stats.norm.sf(abs(b / s)))),
        )
        for term, b, s in zip(design.terms, fit.beta, se, strict=True)
    ]
    notes.append(f"Newton–Raphson: {fit.iterations} iteration(s), {fit.rounds} network round(s)")
    return result(fit.n, fit.events, terms, None)
