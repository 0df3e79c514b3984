"""CDS Hooks 2.0 service: the cited MDT plan as cards in the electronic health record.

``create_router(settings)`` gives the three endpoints (discovery, the ``patient-view``
service ``rvlms-mdt-plan`` and its feedback) for inclusion in the web app. Each call must
carry the EHR's JWT (:class:`JwtVerifier`, CDS Hooks 2.0 §Trusting CDS Clients). The
service reads FHIR R4B prefetch (Patient, Condition, Observation, Procedure,
DiagnosticReport), maps what it can to the case record, runs the decision map and answers
with cards that cite their evidence and link to the plan kept in a :class:`LaunchStore`;
every call is reported as a :class:`CdsEvent` for the audit log.
"""

from rvlms.cds.auth import JwtVerifier
from rvlms.cds.cards import plan_cards
from rvlms.cds.feedback import read_feedback, record_feedback
from rvlms.cds.launch import Launch, LaunchStore
from rvlms.cds.mapping import CaseMapping, map_prefetch
from rvlms.cds.models import Card, CdsRequest, CdsResponse, FeedbackRequest
from rvlms.cds.prefetch import PREFETCH, read_prefetch
from rvlms.cds.router import SERVICE_ID, CdsEvent, create_router

__all__ = [
    "PREFETCH",
    "SERVICE_ID",
    "Card",
    "CaseMapping",
    "CdsEvent",
    "CdsRequest",
    "CdsResponse",
    "FeedbackRequest",
    "JwtVerifier",
    "Launch",
    "LaunchStore",
    "create_router",
    "map_prefetch",
    "plan_cards",
    "read_feedback",
    "read_prefetch",
    "record_feedback",
]
