"""From prefetched FHIR resources to the rvlms case record.

The reading itself is :mod:`rvlms.fhir.mapping`, shared with the FHIR import so that there
is one mapping; this module turns its result into the :class:`CaseMapping` the cards show
and its problems into the service's 422 answer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rvlms.case import Case, parse_case
from rvlms.cds.prefetch import Prefetch
from rvlms.cds.problems import FhirInvalid
from rvlms.errors import CaseInvalid
from rvlms.fhir.builder import Ignored, Mapped
from rvlms.fhir.mapping import read_resources

__all__ = ["CaseMapping", "Ignored", "Mapped", "map_prefetch"]


@dataclass(frozen=True)
class CaseMapping:
    """The case record built from the prefetch; ``in_scope`` is false when nothing on record
    says leiomyosarcoma or retroperitoneal malignancy, and the service then stays silent."""

    case: Case
    in_scope: bool
    scope_reason: str
    mapped: tuple[Mapped, ...]
    ignored: tuple[Ignored, ...]


def _case_id(patient_id: str) -> str:
    return patient_id if patient_id[:1].isalnum() else f"p{patient_id}"[:64]


def map_prefetch(prefetch: Prefetch, patient_id: str, today: dt.date) -> CaseMapping:
    """The case record the prefetched resources describe, with what was read and left out."""
    b = read_resources(prefetch, today)
    data = {
        "case_id": _case_id(patient_id),
        "source": "CDS Hooks patient-view: FHIR R4B prefetch",
        **b.data,
    }
    try:
        case = parse_case(data, source="prefetch")
    except CaseInvalid as exc:
        problems = b.field_problems(exc, "prefetch")
        raise FhirInvalid(
            "the prefetched resources give an invalid case record: "
            + "; ".join(p.as_text() for p in problems),
            problems,
        ) from None
    in_scope, reason = b.in_scope()
    return CaseMapping(
        case=case,
        in_scope=in_scope,
        scope_reason=reason,
        mapped=tuple(b.mapped),
        ignored=tuple(b.ignored),
    )
