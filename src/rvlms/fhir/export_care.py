"""Treatment and follow-up of one case as FHIR: surgery, IVC reconstruction, radiotherapy,
systemic therapy, pathology reports, follow-up events and the disease status.

Profiles (HL7/fhir-mCODE-ig, input/fsh): CancerRelatedSurgicalProcedure (category SNOMED CT
387713003), RadiotherapyCourseSummary (category 108290001, code
mcode-radiotherapy-course-summary), CancerRelatedMedicationRequest, CancerDiseaseStatus
(LOINC 97509-4 with ConditionStatusTrendVS). The resection, the reconstruction method and
material and the follow-up events have no checked standard code and use the rvlms code
system.
"""

from __future__ import annotations

from rvlms.case import Therapy
from rvlms.case.vocab import EventKind, OrganResection, Reconstruction, TherapyKind
from rvlms.fhir._build import Export, Json, coding, concept, extension, rv, rv_concept
from rvlms.fhir._entry import LOINC, SNOMED, UCUM
from rvlms.fhir.codes import LATERALITY
from rvlms.fhir.vocabulary import BIOPSY_REPORT, ICDO3, RESOURCE_ID, SPECIMEN_REPORT

__all__ = [
    "MEDICATION_STATUS",
    "PROCEDURE_STATUS",
    "SYSTEMIC",
    "add_care",
]

SURGERY = coding(SNOMED, "387713003", "Surgical procedure")
RADIOTHERAPY = coding(SNOMED, "108290001", "Radiation oncology AND/OR radiotherapy")
_NEPHRECTOMY = {
    OrganResection.nephrectomy: ("175905003", "Total nephrectomy"),
    OrganResection.partial_nephrectomy: ("81516001", "Partial nephrectomy"),
}
PROCEDURE_STATUS = {
    "recommended": "preparation",
    "declined": "not-done",
    "received": "completed",
    "ongoing": "in-progress",
    "stopped": "stopped",
}
"""TherapyStatus → Procedure.status (FHIR R4 EventStatus); one-to-one, so it reads back."""
MEDICATION_STATUS = {
    "recommended": ("active", "proposal"),
    "declined": ("cancelled", "proposal"),
    "received": ("completed", "order"),
    "ongoing": ("active", "order"),
    "stopped": ("stopped", "order"),
}
"""TherapyStatus → MedicationRequest (status, intent); one-to-one, so it reads back."""
SYSTEMIC = (TherapyKind.chemotherapy, TherapyKind.targeted)
_TREND = {
    "worsened": ("271299001", "Patient's condition worsened"),
    "not_detected": ("260415000", "Not detected"),
    "undetermined": ("709137006", "Patient condition undetermined"),
}


def _side(side: str | None) -> list[Json] | None:
    for entry in LATERALITY.values():
        if side and entry.target == f"side:{side}" and entry.verified:
            laterality = concept(coding(entry.system, entry.code, entry.display))
            return [
                {
                    "extension": [
                        {
                            "url": "http://hl7.org/fhir/us/mcode/StructureDefinition/"
                            "mcode-laterality-qualifier",
                            "valueCodeableConcept": laterality,
                        }
                    ],
                    "text": "kidney",
                }
            ]
    return None


def _surgical(x: Export, role: str, code: Json, **body: object) -> None:
    x.add(
        "Procedure",
        role,
        "mcode-cancer-related-surgical-procedure",
        {
            "status": "completed",
            "category": concept(SURGERY),
            "code": code,
            "subject": x.patient,
            "performedDateTime": x.date(x.case.operation.date if x.case.operation else None),
            "reasonReference": [x.primary],
            **body,
        },
    )


def _surgery(x: Export) -> None:
    operation = x.case.operation
    if operation is None:
        return
    approach = (
        [extension("surgical-approach", valueCoding=rv(f"approach.{operation.approach.value}"))]
        if operation.approach
        else None
    )
    _surgical(x, "resection", rv_concept("tumour-resection"), extension=approach)
    if operation.reconstruction is not None:
        material = operation.reconstruction_material
        _surgical(
            x,
            "reconstruction",
            rv_concept(f"reconstruction.{operation.reconstruction.value}"),
            status="not-done" if operation.reconstruction is Reconstruction.none else "completed",
            usedCode=[rv_concept(f"material.{material.value}")] if material else None,
        )
    for i, organ in enumerate(operation.organs_resected):
        side = organ.side.value if organ.side else None
        nephrectomy = _NEPHRECTOMY.get(organ.item)
        code = (
            concept(coding(SNOMED, *nephrectomy))
            if nephrectomy
            else rv_concept(f"organ-resection.{organ.item.value}")
        )
        _surgical(x, f"organ-{i}", code, bodySite=_side(side))


def _extensions(phase: str, therapy: Therapy, position: int) -> list[Json]:
    """Phase and position keep the order of the therapies across resource types (NDJSON
    files are read one type after the other)."""
    out = [
        extension("therapy-phase", valueCode=phase),
        extension("therapy-position", valueInteger=position),
    ]
    if therapy.cycles is not None:
        out.append(extension("cycles", valueInteger=therapy.cycles))
    if therapy.dose_gy is not None:
        out.append(
            extension(
                "dose-gy",
                valueQuantity={
                    "value": therapy.dose_gy,
                    "unit": "Gy",
                    "system": UCUM,
                    "code": "Gy",
                },
            )
        )
    return out


def _reason(x: Export, therapy: Therapy) -> Json | None:
    """Why it was given, declined or stopped: free text, identified view only."""
    return concept(text=therapy.reason) if therapy.reason and not x.deidentified else None


def _therapy(x: Export, therapy: Therapy, phase: str, i: int) -> None:
    role = f"{phase}-{i}"
    if therapy.kind is TherapyKind.radiotherapy:
        period = {"start": x.date(therapy.start_date), "end": x.date(therapy.end_date)}
        x.add(
            "Procedure",
            role,
            "mcode-radiotherapy-course-summary",
            {
                "extension": _extensions(phase, therapy, i),
                "status": PROCEDURE_STATUS[therapy.status.value],
                "statusReason": _reason(x, therapy),
                "category": concept(RADIOTHERAPY),
                "code": concept(
                    coding(
                        RESOURCE_ID,
                        "mcode-radiotherapy-course-summary",
                        "Radiotherapy Course Summary",
                    ),
                    text=therapy.regimen,
                ),
                "subject": x.patient,
                "performedPeriod": {k: v for k, v in period.items() if v} or None,
                "reasonReference": [x.primary],
            },
        )
    else:
        status, intent = MEDICATION_STATUS[therapy.status.value]
        bounds = {"start": x.date(therapy.start_date), "end": x.date(therapy.end_date)}
        bounds = {k: v for k, v in bounds.items() if v}
        kind = f"therapy-kind.{therapy.kind.value}"
        x.add(
            "MedicationRequest",
            role,
            "mcode-cancer-related-medication-request" if therapy.kind in SYSTEMIC else None,
            {
                "extension": _extensions(phase, therapy, i),
                "status": status,
                "statusReason": _reason(x, therapy),
                "intent": intent,
                "category": [rv_concept(kind)],
                "medicationCodeableConcept": concept(text=therapy.regimen or rv(kind)["display"]),
                "subject": x.patient,
                "reasonReference": [x.primary],
                "dosageInstruction": [{"timing": {"repeat": {"boundsPeriod": bounds}}}]
                if bounds
                else None,
            },
        )


def _reports(x: Export) -> None:
    case = x.case
    lms = concept(coding(ICDO3, "8890/3", "Leiomyosarcoma, NOS"))
    biopsy = case.biopsy
    if biopsy is not None and biopsy.result is not None and biopsy.result.value == "leiomyosarcoma":
        x.add(
            "DiagnosticReport",
            "biopsy-report",
            None,
            {
                "status": "final",
                "code": rv_concept(BIOPSY_REPORT),
                "subject": x.patient,
                "effectiveDateTime": x.date(biopsy.date),
                "conclusionCode": [lms],
            },
        )
    pathology = case.pathology
    if pathology is not None and (pathology.histology or "").lower() == "leiomyosarcoma":
        x.add(
            "DiagnosticReport",
            "specimen-report",
            None,
            {
                "status": "final",
                "code": rv_concept(SPECIMEN_REPORT),
                "subject": x.patient,
                "effectiveDateTime": x.date(case.operation.date if case.operation else None),
                "conclusionCode": [lms],
            },
        )


def _months(value: float | None) -> Json | None:
    if value is None:
        return None
    return {
        "code": rv_concept("months-after-surgery"),
        "valueQuantity": {"value": value, "unit": "mo", "system": UCUM, "code": "mo"},
    }


def _status(x: Export, role: str, trend: str, when: object) -> None:
    code, display = _TREND[trend]
    x.observation(
        role,
        concept(coding(LOINC, "97509-4", "Cancer Disease Progression")),
        profile="mcode-cancer-disease-status",
        when=when,  # type: ignore[arg-type]
        valueCodeableConcept=concept(coding(SNOMED, code, display)),
        focus=[x.primary],
    )


def _follow_up(x: Export) -> None:
    follow = x.case.follow_up
    for i, event in enumerate(follow.events):
        parts = [_months(event.months_after_surgery)]
        if event.symptomatic is not None:
            parts.append({"code": rv_concept("symptomatic"), "valueBoolean": event.symptomatic})
        parts += [
            {"code": rv_concept("site"), "valueCodeableConcept": rv_concept(f"site.{s.value}")}
            for s in event.sites
        ]
        x.observation(
            f"event-{i}",
            rv_concept("follow-up-event"),
            category="survey",
            when=event.date,
            valueCodeableConcept=rv_concept(f"event.{event.kind.value}"),
            component=[p for p in parts if p] or None,
            note=[{"text": event.management}] if event.management and not x.deidentified else None,
        )
        if event.kind is not EventKind.death:
            _status(x, f"event-status-{i}", "worsened", event.date)
    if (
        follow.status is None
        and follow.months_after_surgery is None
        and not follow.last_contact_date
    ):
        return
    months = _months(follow.months_after_surgery)
    x.observation(
        "follow-up",
        rv_concept("follow-up-status"),
        category="survey",
        when=follow.last_contact_date,
        valueCodeableConcept=rv_concept(f"vital-status.{follow.status.value}")
        if follow.status
        else None,
        component=[months] if months else None,
    )
    trend = {"alive_without_disease": "not_detected", "alive_with_disease": "undetermined"}
    if follow.status is not None and follow.status.value in trend:
        _status(x, "last-status", trend[follow.status.value], follow.last_contact_date)


def add_care(x: Export) -> None:
    _surgery(x)
    for phase, therapies in (("neoadjuvant", x.case.neoadjuvant), ("adjuvant", x.case.adjuvant)):
        for i, therapy in enumerate(therapies):
            _therapy(x, therapy, phase, i)
    _reports(x)
    _follow_up(x)
