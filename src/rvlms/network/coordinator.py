"""The coordinator: ask the centres, combine their aggregates into the pooled report.

Engine-agnostic: a :class:`Transport` carries JSON queries to the centres and their JSON
replies back. :class:`InProcessTransport` calls the per-centre function directly (tests,
the benchmark's baseline of the federated maths); the Flower ServerApp
(:mod:`rvlms.network.flower_app`) supplies one over a real SuperLink.

A run is one summary round (counts, histograms, time tables) and the Newton–Raphson
rounds of the Cox model. A centre that does not answer, or refuses, is handled by
:attr:`AnalysisPlan.on_missing`: ``fail`` stops the run with a message naming the
centre; ``report`` leaves it out and names it in the provenance.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import pandas as pd
from pydantic import BaseModel, ConfigDict

from rvlms.analysis.cox import CoxResult
from rvlms.analysis.report import Methods
from rvlms.analysis.survival import Endpoint
from rvlms.analysis.variables import CATEGORICAL_VARIABLES, CONTINUOUS_VARIABLES
from rvlms.errors import RvlmsError
from rvlms.network.aggregates import answer
from rvlms.network.combine import pooled_survival
from rvlms.network.cox_result import cox_design, federated_cox
from rvlms.network.describe import describe_pooled
from rvlms.network.policy import NodePolicy
from rvlms.network.queries import SummaryQuery
from rvlms.network.report import CentreStatus, FederatedReport, Provenance, coordinator_versions

__all__ = [
    "AnalysisPlan",
    "Answer",
    "InProcessTransport",
    "NetworkError",
    "Transport",
    "run_federated",
]


class NetworkError(RvlmsError):
    """The federated run cannot give a complete, correct report; the message says why."""

    status = 502
    title = "Federated analysis failed"


@dataclass(frozen=True)
class Answer:
    """One centre's reply (or refusal) to one query, and the bytes it sent."""

    centre: str
    reply: dict[str, Any] | None
    error: str | None
    bytes_sent: int


class Transport(Protocol):
    """Carries a query to centres (by node key) and their answers back."""

    engine: str

    def nodes(self) -> list[str]: ...

    def ask(self, query: dict[str, Any], nodes: Sequence[str]) -> dict[str, Answer]: ...


class AnalysisPlan(BaseModel):
    """What the coordinator asks for, and what it does when a centre is missing."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    by: str | None = "imaging_type"
    categorical: tuple[str, ...] = CATEGORICAL_VARIABLES
    continuous: tuple[str, ...] = CONTINUOUS_VARIABLES
    endpoints: tuple[Endpoint, ...] = ("dfs", "os")
    cox_covariates: tuple[str, ...] = ("imaging_type",)
    cox_endpoint: Endpoint = "dfs"
    ties: Literal["efron", "breslow"] = "efron"
    expected_centres: tuple[str, ...] = ()
    on_missing: Literal["fail", "report"] = "fail"
    min_events_per_variable: int = 10

    def summary_query(self) -> SummaryQuery:
        return SummaryQuery(
            by=self.by,
            categorical=self.categorical,
            continuous=self.continuous,
            endpoints=self.endpoints,
            cox_covariates=self.cox_covariates,
            cox_endpoint=self.cox_endpoint,
        )


def payload_size(body: dict[str, Any]) -> int:
    """Bytes of a reply in its JSON wire form."""
    return len(json.dumps(body, separators=(",", ":"), allow_nan=False).encode())


class InProcessTransport:
    """Centres as function calls in this process: each a policy and its cohort table."""

    engine = "in-process (rvlms.network.aggregates.answer called directly)"

    def __init__(self, centres: Sequence[tuple[NodePolicy, pd.DataFrame]]) -> None:
        self._centres = {policy.centre: (policy, frame) for policy, frame in centres}

    def nodes(self) -> list[str]:
        return list(self._centres)

    def ask(self, query: dict[str, Any], nodes: Sequence[str]) -> dict[str, Answer]:
        from rvlms.network.queries import parse_query

        out: dict[str, Answer] = {}
        for node in nodes:
            policy, frame = self._centres[node]
            try:
                body = answer(frame, policy, parse_query(query))
            except RvlmsError as error:
                out[node] = Answer(policy.centre, None, str(error), payload_size({"e": str(error)}))
                continue
            out[node] = Answer(policy.centre, body, None, payload_size(body))
        return out


class _Ledger:
    """Bytes per centre over all rounds, and the round count."""

    def __init__(self) -> None:
        self.bytes: dict[str, int] = {}
        self.rounds = 0
        self.seconds: list[float] = []
        self._started = time.perf_counter()

    def record(self, answers: dict[str, Answer]) -> None:
        now = time.perf_counter()
        self.seconds.append(round(now - self._started, 3))
        self._started = now
        self.rounds += 1
        for a in answers.values():
            self.bytes[a.centre] = self.bytes.get(a.centre, 0) + a.bytes_sent


def run_federated(transport: Transport, plan: AnalysisPlan | None = None) -> FederatedReport:
    """Run the pooled analysis over the centres ``transport`` reaches."""
    plan = plan or AnalysisPlan()
    started = time.perf_counter()
    ledger = _Ledger()
    nodes = transport.nodes()
    answers = transport.ask(plan.summary_query().model_dump(mode="json"), nodes)
    ledger.record(answers)
    included = {node: a for node, a in answers.items() if a.reply is not None}
    refused = {a.centre: a.error or "no reply" for a in answers.values() if a.reply is None}
    seen = {a.centre for a in answers.values()}
    missing = [c for c in plan.expected_centres if c not in seen]
    if plan.on_missing == "fail" and (missing or refused):
        problems = [f"centre {c} did not answer (node down or not connected)" for c in missing]
        problems += [f"centre {c} refused: {why}" for c, why in refused.items()]
        raise NetworkError(
            "; ".join(problems) + " (on-missing = fail; use on-missing = report to analyse "
            "the centres that answered)"
        )
    if not included:
        raise NetworkError("no centre answered the summary query; nothing to analyse")
    replies = [a.reply for a in included.values() if a.reply is not None]
    synthetic = any(bool(r["synthetic"]) for r in replies)
    binned = sorted(r["centre"] for r in replies if r["policy"]["times"] == "binned")
    cohort_filter = "each centre's inclusion filter (see provenance)"
    survival = {
        e: pooled_survival(
            replies,
            e,
            plan.by,
            synthetic=synthetic,
            approximate=bool(binned),
            cohort_filter=cohort_filter,
        )
        for e in plan.endpoints
    }
    warnings: list[str] = []
    cox: CoxResult | None = None
    if plan.cox_covariates:
        design_spec = cox_design(replies, plan.cox_covariates, plan.cox_endpoint)
        records = survival_records_for_start(replies, plan)

        def ask_cox(query: dict[str, Any]) -> list[dict[str, Any]]:
            got = transport.ask(query, list(included))
            ledger.record(got)
            bad = [f"centre {a.centre}: {a.error}" for a in got.values() if a.reply is None]
            if bad:
                raise NetworkError("the Cox model could not be fitted: " + "; ".join(bad))
            return [a.reply for a in got.values() if a.reply is not None]

        try:
            cox = federated_cox(
                ask_cox,
                design_spec,
                replies,
                plan,
                synthetic=synthetic,
                start_records=records,
                approximate=bool(binned),
                cohort_filter=cohort_filter,
            )
        except NetworkError as error:
            if plan.on_missing == "fail":
                raise
            warnings.append(str(error))
    approximate = ["medians and quartiles of continuous variables (pooled histograms)"]
    if binned:
        approximate.append("Kaplan–Meier, log-rank and Cox: binned times at " + ", ".join(binned))
    statuses = [
        CentreStatus(
            centre=r["centre"],
            status="included",
            n=r["n"],
            times=r["policy"]["times"],
            min_cell=r["policy"]["min_cell"],
            inclusion=r["inclusion"],
            bytes_sent=ledger.bytes.get(r["centre"], 0),
            software=r["software"],
        )
        for r in replies
    ]
    statuses += [
        CentreStatus(centre=c, status="refused", reason=why, bytes_sent=ledger.bytes.get(c, 0))
        for c, why in refused.items()
    ]
    statuses += [CentreStatus(centre=c, status="missing", reason="did not answer") for c in missing]
    if missing or refused:
        warnings.append(
            "not all centres are included: "
            + ", ".join(
                [*(f"{c} (missing)" for c in missing), *(f"{c} (refused)" for c in refused)]
            )
        )
    provenance = Provenance(
        engine=transport.engine,
        centres=statuses,
        rounds=ledger.rounds,
        coordinator_software=coordinator_versions(),
        approximate=approximate,
        round_seconds=ledger.seconds,
        seconds=round(time.perf_counter() - started, 3),
    )
    n_total = sum(int(r["n"]) for r in replies if isinstance(r["n"], int))
    dfs = survival.get("dfs") or next(iter(survival.values()))
    methods = Methods(
        test="federated analysis: pooled counts; Kaplan–Meier with log-rank from pooled time "
        "tables; Cox regression by federated Newton–Raphson when events allow",
        n=n_total,
        events=dfs.methods.events,
        censoring=dfs.methods.censoring,
        cohort_filter=cohort_filter,
        synthetic=synthetic,
        notes=[f"centres included: {', '.join(r['centre'] for r in replies)}"],
    )
    by_text = f" by {plan.by.replace('_', ' ')}" if plan.by else ""
    return FederatedReport(
        title=f"Federated cohort analysis{by_text} ({len(replies)} centres)"
        + (" (synthetic data)" if synthetic else ""),
        synthetic=synthetic,
        by=plan.by,
        methods=methods,
        provenance=provenance,
        descriptive=describe_pooled(replies, plan.by),
        survival=survival,
        cox=cox,
        warnings=warnings,
    )


def survival_records_for_start(
    replies: Sequence[dict[str, Any]], plan: AnalysisPlan
) -> pd.DataFrame | None:
    """Pooled (time, event, group) records usable for a Newton–Raphson starting value:
    only when the model's single covariate is the grouping of the time tables."""
    from rvlms.network.combine import pseudo_records

    if plan.by is None or tuple(plan.cox_covariates) != (plan.by,):
        return None
    if plan.cox_endpoint not in plan.endpoints:
        return None
    records = pseudo_records(replies, plan.cox_endpoint, plan.by)
    return records if len(records) else None
