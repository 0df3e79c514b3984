"""The facts only a full record carries, read back from an rvlms FHIR export.

The shared mapping (:mod:`rvlms.fhir.mapping`) reads what any EHR sends. An rvlms export
also carries the case id, identifiers, the IVC findings, the operation, the therapies and
the follow-up in the rvlms code system (:mod:`rvlms.fhir.vocabulary`); this module reads
exactly those, so that a case exported and imported again is unchanged in every field the
export carries (docs/fhir.md lists them).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from rvlms.fhir.builder import Builder, Located
from rvlms.fhir.codes import PROCEDURES, lookup
from rvlms.fhir.export_care import MEDICATION_STATUS, PROCEDURE_STATUS
from rvlms.fhir.fields import read_fields
from rvlms.fhir.readers import as_date, codings, side_of
from rvlms.fhir.vocabulary import MRN_SYSTEM, RVLMS_EXTENSION, RVLMS_SYSTEM

__all__ = ["ExtendedSet", "read_extended"]

_RADIOTHERAPY = ("http://snomed.info/sct", "108290001")
_FROM_PROCEDURE = {v: k for k, v in PROCEDURE_STATUS.items()}
_FROM_MEDICATION = {v: k for k, v in MEDICATION_STATUS.items()}
_FLAGS = {
    "ivc-involved": "imaging.ivc_involved",
    "regional-nodes": "imaging.regional_nodes",
    "distant-metastasis": "imaging.distant_metastasis",
}
_WORDS = {
    "imaging-type": "imaging.imaging_type",
    "ivc-lower-extent": "imaging.ivc_lower_extent",
    "ivc-upper-extent": "imaging.ivc_upper_extent",
    "vessel-of-origin": "imaging.vessel_of_origin",
}


class ExtendedSet(Protocol):
    @property
    def patient(self) -> Located: ...

    @property
    def observations(self) -> Sequence[Located]: ...

    @property
    def procedures(self) -> Sequence[Located]: ...

    @property
    def medications(self) -> Sequence[Located]: ...

    @property
    def order(self) -> dict[str, int]: ...


def _rvlms(concept: Any) -> str | None:
    for system, code in codings(concept):
        if system == RVLMS_SYSTEM and code:
            return code
    return None


def _value(concept: Any) -> str | None:
    """``imaging-type.intraluminal`` → ``intraluminal``."""
    code = _rvlms(concept)
    return code.split(".", 1)[1] if code and "." in code else None


def _extension(resource: Any, name: str) -> Any:
    for extension in resource.extension or []:
        if extension.url == RVLMS_EXTENSION + name:
            return extension
    return None


def _patient(b: Builder, found: Located) -> None:
    patient = found.resource
    for identifier in patient.identifier or []:
        if identifier.system == MRN_SYSTEM and identifier.value:
            b.put("identity.medical_record_number", identifier.value, found, "MRN", "identifier")
    for name in patient.name or []:
        if name.text:
            b.put("identity.name", name.text, found, "name", "Patient.name")
    birth = as_date(patient.birthDate)
    if birth is not None:
        b.put("identity.birth_date", birth, found, birth.isoformat(), "Patient.birthDate")
    organisation = patient.managingOrganization
    if organisation is not None and organisation.display:
        b.data["centre"] = organisation.display
    tags = [(t.system, t.code) for t in (patient.meta.tag or [])] if patient.meta else []
    if (RVLMS_SYSTEM, "synthetic") in tags:
        b.data["synthetic"] = True


def _components(observation: Any) -> dict[str, list[Any]]:
    parts: dict[str, list[Any]] = {}
    for component in observation.component or []:
        code = _rvlms(component.code)
        if code:
            parts.setdefault(code, []).append(component)
    return parts


def _months(parts: dict[str, list[Any]]) -> float | None:
    for component in parts.get("months-after-surgery", []):
        if component.valueQuantity is not None and component.valueQuantity.value is not None:
            return float(component.valueQuantity.value)
    return None


def _event(observation: Any) -> dict[str, Any]:
    parts = _components(observation)
    event: dict[str, Any] = {"kind": _value(observation.valueCodeableConcept)}
    day = as_date(observation.effectiveDateTime)
    if day is not None:
        event["date"] = day
    months = _months(parts)
    if months is not None:
        event["months_after_surgery"] = months
    for component in parts.get("symptomatic", []):
        event["symptomatic"] = component.valueBoolean
    for note in observation.note or []:
        if note.text:
            event["management"] = note.text
    sites = [_value(c.valueCodeableConcept) for c in parts.get("site", [])]
    if sites:
        event["sites"] = sites
    return event


def _observations(b: Builder, observations: Sequence[Located]) -> None:
    segments: list[str] = []
    events: list[dict[str, Any]] = []
    for found in observations:
        observation = found.resource
        code = _rvlms(observation.code)
        entered = _rvlms(observation.method) != "derived"
        if code == "age-at-diagnosis" and observation.valueQuantity is not None:
            years = int(observation.valueQuantity.value)
            b.put("demographics.age_years", years, found, str(years), "rvlms age-at-diagnosis")
        elif code in _WORDS and entered:
            value = _value(observation.valueCodeableConcept)
            b.put(_WORDS[code], value, found, str(value), f"rvlms {code}")
        elif code == "ivc-level" and entered:
            level = _value(observation.valueCodeableConcept)
            if level:
                segments.append(level)
        elif code in _FLAGS and observation.valueBoolean is not None:
            b.put(_FLAGS[code], observation.valueBoolean, found, "yes/no", f"rvlms {code}")
        elif code == "follow-up-event":
            events.append(_event(observation))
        elif code == "follow-up-status":
            status = _value(observation.valueCodeableConcept)
            if status:
                b.put("follow_up.status", status, found, status, "rvlms follow-up-status")
            day = as_date(observation.effectiveDateTime)
            if day is not None:
                b.put("follow_up.last_contact_date", day, found, day.isoformat(), "effective")
            months = _months(_components(observation))
            if months is not None:
                b.put("follow_up.months_after_surgery", months, found, f"{months:g}", "months")
    if segments:
        b.data.setdefault("imaging", {})["ivc_segments"] = segments
    if events:
        b.data.setdefault("follow_up", {})["events"] = events


def _organ(procedure: Any) -> dict[str, Any] | None:
    entry = lookup(PROCEDURES, codings(procedure.code))
    if entry is not None and entry.system == "http://snomed.info/sct":
        item: str | None = entry.target.split(":", 1)[1]
    else:
        code = _rvlms(procedure.code) or ""
        item = code.split(".", 1)[1] if code.startswith("organ-resection.") else None
    if item is None:
        return None
    organ: dict[str, Any] = {"item": item}
    side = side_of(procedure.bodySite or [])
    if side is not None:
        organ["side"] = side[0]
    return organ


def _position(resource: Any, fallback: int) -> int:
    position = _extension(resource, "therapy-position")
    return int(position.valueInteger) if position is not None else fallback


def _therapy(resource: Any, kind: str, status: str | None) -> tuple[str, dict[str, Any]]:
    phase = _extension(resource, "therapy-phase")
    therapy: dict[str, Any] = {"kind": kind, "status": status}
    cycles = _extension(resource, "cycles")
    if cycles is not None:
        therapy["cycles"] = cycles.valueInteger
    dose = _extension(resource, "dose-gy")
    if dose is not None and dose.valueQuantity is not None:
        therapy["dose_gy"] = float(dose.valueQuantity.value)
    if resource.statusReason is not None and resource.statusReason.text:
        therapy["reason"] = resource.statusReason.text
    return (phase.valueCode if phase is not None else "adjuvant"), therapy


def _procedures(b: Builder, group: ExtendedSet) -> list[tuple[int, str, dict[str, Any]]]:
    therapies: list[tuple[int, str, dict[str, Any]]] = []
    organs: list[dict[str, Any]] = []
    operation: dict[str, Any] = b.data.get("operation") or {}
    operated = False
    for found in group.procedures:
        procedure = found.resource
        code = _rvlms(procedure.code) or ""
        if _RADIOTHERAPY in codings(procedure.category):
            phase, therapy = _therapy(
                procedure, "radiotherapy", _FROM_PROCEDURE.get(procedure.status)
            )
            if procedure.code is not None and procedure.code.text:
                therapy["regimen"] = procedure.code.text
            period = procedure.performedPeriod
            if period is not None:
                therapy["start_date"] = as_date(period.start)
                therapy["end_date"] = as_date(period.end)
            therapies.append((_position(procedure, group.order.get(found.ref, 0)), phase, therapy))
        elif code == "tumour-resection":
            operated = True
            day = as_date(procedure.performedDateTime)
            if day is not None:
                operation["date"] = day
            approach = _extension(procedure, "surgical-approach")
            if approach is not None:
                operation["approach"] = approach.valueCoding.code.split(".", 1)[1]
        elif code.startswith("reconstruction."):
            operation["reconstruction"] = code.split(".", 1)[1]
            for used in procedure.usedCode or []:
                material = _value(used)
                if material:
                    operation["reconstruction_material"] = material
        elif procedure.status not in ("not-done", "entered-in-error"):
            organ = _organ(procedure)
            if organ is not None:
                organs.append(organ)
    if organs:
        operation["organs_resected"] = organs
    if operation or operated:
        b.data["operation"] = operation
    return therapies


def _medications(group: ExtendedSet) -> list[tuple[int, str, dict[str, Any]]]:
    therapies = []
    for found in group.medications:
        request = found.resource
        kind = next((_value(c) for c in request.category or [] if _value(c)), None)
        if kind is None:
            continue
        phase, therapy = _therapy(
            request, kind, _FROM_MEDICATION.get((request.status, request.intent))
        )
        text = request.medicationCodeableConcept.text if request.medicationCodeableConcept else None
        if text and text != f"Kind of treatment: {kind.replace('_', ' ')}":
            therapy["regimen"] = text
        for dosage in request.dosageInstruction or []:
            bounds = (
                dosage.timing.repeat.boundsPeriod
                if dosage.timing and dosage.timing.repeat
                else None
            )
            if bounds is not None:
                therapy["start_date"] = as_date(bounds.start)
                therapy["end_date"] = as_date(bounds.end)
        therapies.append((_position(request, group.order.get(found.ref, 0)), phase, therapy))
    return therapies


def read_extended(b: Builder, group: ExtendedSet) -> None:
    """Add the rvlms-coded facts of ``group`` to what the shared mapping read."""
    _patient(b, group.patient)
    _observations(b, group.observations)
    read_fields(b, group.observations)
    therapies = _procedures(b, group) + _medications(group)
    for _, phase, therapy in sorted(therapies, key=lambda t: t[0]):
        clean = {k: v for k, v in therapy.items() if v is not None}
        b.data.setdefault(phase, []).append(clean)
