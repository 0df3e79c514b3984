"""Reading the prefetched FHIR R4B resources of a patient-view call.

The service declares five prefetch templates (:data:`PREFETCH`). CDS Hooks 2.0.1
(§Prefetch Template) lets a client satisfy none, some or all of them: a key it did not try
is left out, a key with no data is sent as ``null``, and a failed query may arrive as an
``OperationOutcome``. The service never queries the FHIR server itself, so:

- ``patient`` is required: missing, ``null`` or an OperationOutcome → 412;
- ``conditions`` or ``reports`` must be present (``null`` is fine): they say whether the
  patient has the disease at all; without either → 412;
- other keys are optional; ``null`` and an OperationOutcome mean "no data".

Resources are validated with ``fhir.resources.R4B`` (fhir.resources 8 has no R4 package and
mCODE is R4-shaped; ecosystem brief §2). The library checks structure and required
elements, not profiles; a malformed resource is reported with its key, position, type, id
and field, and validation continues so that one answer lists every problem.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.diagnosticreport import DiagnosticReport
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.procedure import Procedure
from pydantic import ValidationError

from rvlms.cds.problems import FhirInvalid, PrefetchMissing, validation_problems
from rvlms.errors import FieldProblem

__all__ = ["PREFETCH", "Found", "Prefetch", "read_prefetch"]

PREFETCH: dict[str, str] = {
    "patient": "Patient/{{context.patientId}}",
    "conditions": "Condition?patient={{context.patientId}}",
    "observations": "Observation?patient={{context.patientId}}",
    "procedures": "Procedure?patient={{context.patientId}}",
    "reports": "DiagnosticReport?patient={{context.patientId}}",
}
"""Prefetch templates announced in discovery (CDS Hooks 2.0.1 §Prefetch Template)."""

_SEARCHES: dict[str, tuple[str, Callable[[dict[str, Any]], Any]]] = {
    "conditions": ("Condition", Condition.model_validate),
    "observations": ("Observation", Observation.model_validate),
    "procedures": ("Procedure", Procedure.model_validate),
    "reports": ("DiagnosticReport", DiagnosticReport.model_validate),
}
_SCOPE_KEYS = ("conditions", "reports")


@dataclass(frozen=True)
class Found:
    """One validated resource and where it was in the request."""

    resource: Any
    where: str
    ref: str


@dataclass
class Prefetch:
    patient: Found
    conditions: list[Found] = field(default_factory=list)
    observations: list[Found] = field(default_factory=list)
    procedures: list[Found] = field(default_factory=list)
    reports: list[Found] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)
    """(where, why) for data that were received but not read."""


def _ref(resource: dict[str, Any], fallback: str) -> str:
    kind = resource.get("resourceType")
    ident = resource.get("id")
    if isinstance(kind, str) and isinstance(ident, str):
        return f"{kind}/{ident}"
    return f"{kind if isinstance(kind, str) else 'resource'} at {fallback}"


def _outcome_text(resource: dict[str, Any]) -> str:
    issues = resource.get("issue")
    texts: list[str] = []
    if isinstance(issues, list):
        for issue in issues:
            if isinstance(issue, dict):
                details = issue.get("details")
                detail_text = details.get("text") if isinstance(details, dict) else None
                text = issue.get("diagnostics") or detail_text or issue.get("code")
                if isinstance(text, str):
                    texts.append(text)
    return "; ".join(texts) or "no diagnostics given"


class _Reader:
    def __init__(self) -> None:
        self.problems: list[FieldProblem] = []
        self.notes: list[tuple[str, str]] = []

    def validate(
        self, parse: Callable[[dict[str, Any]], Any], resource: dict[str, Any], where: str
    ) -> Any | None:
        label = (
            f"{where}({_ref(resource, where)})" if isinstance(resource.get("id"), str) else where
        )
        try:
            return parse(resource)
        except ValidationError as exc:
            self.problems.extend(validation_problems(exc, label))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            self.problems.append(
                FieldProblem(path=label, message=f"cannot be read as FHIR R4B: {exc}")
            )
        return None

    def patient(self, value: Any, patient_id: str) -> Found:
        where = "prefetch.patient"
        if value is None:
            raise PrefetchMissing(
                f"{where} is null: the client found no Patient/{patient_id}; "
                "the service needs the Patient resource",
                ["patient"],
            )
        if not isinstance(value, dict):
            raise FhirInvalid(
                f"{where}: expected a Patient resource",
                [FieldProblem(path=where, message="expected a JSON object (a Patient resource)")],
            )
        if value.get("resourceType") == "OperationOutcome":
            raise PrefetchMissing(
                f"{where}: the client could not fetch Patient/{patient_id} "
                f"({_outcome_text(value)})",
                ["patient"],
            )
        if value.get("resourceType") == "Bundle":
            patients = [
                (i, e["resource"])
                for i, e in enumerate(value.get("entry") or [])
                if isinstance(e, dict)
                and isinstance(e.get("resource"), dict)
                and e["resource"].get("resourceType") == "Patient"
            ]
            if not patients:
                raise PrefetchMissing(f"{where}: the Bundle holds no Patient", ["patient"])
            index, value = patients[0]
            where = f"{where}.entry[{index}].resource"
        if value.get("resourceType") != "Patient":
            kind = value.get("resourceType")
            raise FhirInvalid(
                f"{where}.resourceType: expected Patient, got {kind!r}",
                [
                    FieldProblem(
                        path=f"{where}.resourceType",
                        message="expected a Patient resource",
                        value=kind if isinstance(kind, str) else None,
                        allowed=("Patient",),
                    )
                ],
            )
        parsed = self.validate(Patient.model_validate, value, where)
        if parsed is None:
            raise FhirInvalid(_summary(self.problems), self.problems)
        if parsed.id is not None and parsed.id != patient_id:
            raise FhirInvalid(
                f"{where}.id: Patient/{parsed.id} is not the patient in context ({patient_id})",
                [
                    FieldProblem(
                        path=f"{where}.id",
                        message=f"does not match context.patientId '{patient_id}'",
                        value=parsed.id,
                    )
                ],
            )
        return Found(parsed, where, f"Patient/{parsed.id or patient_id}")

    def search(self, key: str, value: Any) -> list[Found]:
        where = f"prefetch.{key}"
        kind, parse = _SEARCHES[key]
        if value is None:
            return []
        if not isinstance(value, dict):
            self.problems.append(
                FieldProblem(path=where, message=f"expected a Bundle of {kind} or null")
            )
            return []
        resource_type = value.get("resourceType")
        if resource_type == "OperationOutcome":
            self.notes.append((where, f"the client could not fetch it: {_outcome_text(value)}"))
            return []
        if resource_type == kind:
            parsed = self.validate(parse, value, where)
            return [] if parsed is None else [Found(parsed, where, _ref(value, where))]
        if resource_type != "Bundle":
            self.problems.append(
                FieldProblem(
                    path=f"{where}.resourceType",
                    message=f"expected Bundle (of {kind}) or null",
                    value=resource_type if isinstance(resource_type, str) else None,
                    allowed=("Bundle", kind),
                )
            )
            return []
        entries = value.get("entry") or []
        if not isinstance(entries, list):
            self.problems.append(FieldProblem(path=f"{where}.entry", message="expected a list"))
            return []
        shell = {**value, "entry": [_without_resource(e) for e in entries]}
        if self.validate(Bundle.model_validate, shell, where) is None:
            return []
        found: list[Found] = []
        for index, entry in enumerate(entries):
            place = f"{where}.entry[{index}].resource"
            resource = entry.get("resource") if isinstance(entry, dict) else None
            if not isinstance(resource, dict):
                self.notes.append((place, "entry without a resource"))
                continue
            entry_type = resource.get("resourceType")
            if entry_type == "OperationOutcome":
                self.notes.append((place, f"search outcome: {_outcome_text(resource)}"))
            elif entry_type != kind:
                self.notes.append((place, f"{_ref(resource, place)} is not a {kind}; not read"))
            else:
                parsed = self.validate(parse, resource, place)
                if parsed is not None:
                    found.append(Found(parsed, place, _ref(resource, place)))
        return found


def _without_resource(entry: Any) -> Any:
    if isinstance(entry, dict):
        return {k: v for k, v in entry.items() if k != "resource"}
    return entry


def _summary(problems: list[FieldProblem]) -> str:
    first = problems[0].as_text() if problems else "malformed FHIR resource"
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return first + more


def read_prefetch(prefetch: dict[str, Any] | None, patient_id: str) -> Prefetch:
    """The validated prefetch of one call; raises 412 or 422 errors as described above."""
    data = prefetch or {}
    if "patient" not in data:
        raise PrefetchMissing(
            f"prefetch.patient is missing: send the Patient resource ({PREFETCH['patient']})",
            ["patient"],
        )
    if not any(key in data for key in _SCOPE_KEYS):
        raise PrefetchMissing(
            "prefetch.conditions and prefetch.reports are both missing: the service needs at "
            "least one of them (null when empty) to know whether the patient has a "
            "leiomyosarcoma",
            list(_SCOPE_KEYS),
        )
    reader = _Reader()
    patient = reader.patient(data["patient"], patient_id)
    found = {key: reader.search(key, data.get(key)) for key in _SEARCHES}
    if reader.problems:
        raise FhirInvalid(_summary(reader.problems), reader.problems)
    for key in data:
        if key not in PREFETCH:
            reader.notes.append((f"prefetch.{key}", "not a prefetch key of this service"))
    return Prefetch(
        patient=patient,
        conditions=found["conditions"],
        observations=found["observations"],
        procedures=found["procedures"],
        reports=found["reports"],
        notes=reader.notes,
    )
