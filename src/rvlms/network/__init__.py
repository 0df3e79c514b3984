"""Multicentre analysis without pooling patient data.

Each centre runs :func:`~rvlms.network.aggregates.answer` on its own registry and sends
only aggregates; the coordinator (:func:`~rvlms.network.coordinator.run_federated`)
combines them into the pooled cohort report: counts, Kaplan–Meier curves and medians,
log-rank, and Cox hazard ratios by federated Newton–Raphson. With exact times the pooled
Kaplan–Meier, log-rank and Cox numbers equal those of ``rvlms analyze`` on the union of
the centres' data. The network engine is Flower (:mod:`rvlms.network.flower_app`); the
per-centre function does not depend on it.
"""

from rvlms.network.aggregates import answer, answer_from_registry, load_centre_cohort
from rvlms.network.coordinator import (
    AnalysisPlan,
    Answer,
    InProcessTransport,
    NetworkError,
    Transport,
    run_federated,
)
from rvlms.network.policy import NodePolicy, PolicyError, QueryRefused
from rvlms.network.report import FederatedReport

__all__ = [
    "AnalysisPlan",
    "Answer",
    "FederatedReport",
    "InProcessTransport",
    "NetworkError",
    "NodePolicy",
    "PolicyError",
    "QueryRefused",
    "Transport",
    "answer",
    "answer_from_registry",
    "load_centre_cohort",
    "run_federated",
]
