"""What every exported resource is made of: ids, references, codings and dates.

Ids are UUID 5 of the case id and the resource's role, so that exporting the same case
twice gives the same resources (a FHIR server then updates instead of duplicating).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from rvlms.case import Case
from rvlms.fhir.vocabulary import MCODE, RVLMS_CONCEPTS, RVLMS_EXTENSION, RVLMS_SYSTEM

__all__ = ["Export", "coding", "concept", "rv", "rv_concept"]

_NAMESPACE = uuid.UUID("6f1d3d8e-7a51-5c1e-9b59-2b1f0c6e0a11")

Json = dict[str, Any]


def coding(system: str, code: str, display: str | None = None) -> Json:
    out: Json = {"system": system, "code": code}
    if display:
        out["display"] = display
    return out


def concept(*codings: Json, text: str | None = None) -> Json:
    out: Json = {}
    if codings:
        out["coding"] = list(codings)
    if text:
        out["text"] = text
    return out


def rv(code: str) -> Json:
    """A coding of the rvlms code system, with its published display."""
    return coding(RVLMS_SYSTEM, code, RVLMS_CONCEPTS[code])


def rv_concept(code: str) -> Json:
    return concept(rv(code))


def extension(name: str, **value: Any) -> Json:
    return {"url": RVLMS_EXTENSION + name, **value}


@dataclass
class Export:
    """The resources of one case while they are built; ``deidentified`` keeps only the year
    of every date and leaves out names, record numbers and birth dates (HIPAA Safe Harbor,
    as the researcher view does: :mod:`rvlms.deid`)."""

    case: Case
    deidentified: bool = False
    resources: list[Json] = field(default_factory=list)

    def id(self, role: str) -> str:
        return str(uuid.uuid5(_NAMESPACE, f"{self.case.case_id}/{role}"))

    def ref(self, kind: str, role: str) -> Json:
        return {"reference": f"{kind}/{self.id(role)}"}

    @property
    def patient(self) -> Json:
        return self.ref("Patient", "patient")

    @property
    def primary(self) -> Json:
        return self.ref("Condition", "primary")

    def date(self, value: dt.date | None) -> str | None:
        if value is None:
            return None
        return str(value.year) if self.deidentified else value.isoformat()

    def add(self, kind: str, role: str, profile: str | None, body: Json) -> Json:
        resource: Json = {"resourceType": kind, "id": self.id(role)}
        meta: Json = dict(body.pop("meta", None) or {})
        if profile:
            meta["profile"] = [MCODE + profile]
        if meta:
            resource["meta"] = meta
        resource.update({k: v for k, v in body.items() if v is not None and v != []})
        self.resources.append(resource)
        return resource

    def observation(
        self,
        role: str,
        code: Json,
        *,
        profile: str | None = None,
        category: str | None = None,
        when: dt.date | None = None,
        **body: Any,
    ) -> Json:
        from rvlms.fhir.vocabulary import OBSERVATION_CATEGORY

        return self.add(
            "Observation",
            role,
            profile,
            {
                "status": "final",
                "category": [concept(coding(OBSERVATION_CATEGORY, category))] if category else None,
                "code": code,
                "subject": self.patient,
                "effectiveDateTime": self.date(when),
                **body,
            },
        )
