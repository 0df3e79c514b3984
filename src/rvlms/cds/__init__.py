"""CDS Hooks 2.0 service: the cited MDT plan as cards in the electronic health record.

``create_router(settings)`` gives the three endpoints (discovery, the ``patient-view``
service ``rvlms-mdt-plan`` and its feedback) for inclusion in the web app. The service
reads FHIR R4B prefetch (Patient, Condition, Observation, Procedure, DiagnosticReport),
maps what it can to the case record, runs the decision map and answers with cards that cite
their evidence and link to the full plan.
"""

from rvlms.cds.cards import plan_cards
from rvlms.cds.feedback import read_feedback, record_feedback
from rvlms.cds.mapping import CaseMapping, map_prefetch
from rvlms.cds.models import Card, CdsRequest, CdsResponse, FeedbackRequest
from rvlms.cds.prefetch import PREFETCH, read_prefetch
from rvlms.cds.router import SERVICE_ID, create_router

__all__ = [
    "PREFETCH",
    "SERVICE_ID",
    "Card",
    "CaseMapping",
    "CdsRequest",
    "CdsResponse",
    "FeedbackRequest",
    "create_router",
    "map_prefetch",
    "plan_cards",
    "read_feedback",
    "read_prefetch",
    "record_feedback",
]
