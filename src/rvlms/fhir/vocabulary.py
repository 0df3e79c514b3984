"""The codes rvlms writes into FHIR: mCODE profiles, standard codes and the rvlms code system.

Every standard code here was checked against a public source, named in ``source``; the
export writes no other code (a test checks every coding of every exported resource against
this module). Facts that have no standard code (the yang2025 imaging type, the IVC level and
landmarks, the reconstruction method and material, follow-up events) use the rvlms code
system :data:`RVLMS_SYSTEM`, published in docs/fhir.md and in :data:`RVLMS_CONCEPTS`.
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType

from rvlms.case.vocab import (
    Approach,
    EventKind,
    GraftMaterial,
    ImagingType,
    IvcLandmark,
    IvcLevel,
    MetastasisSite,
    OrganResection,
    Reconstruction,
    TherapyKind,
    Vessel,
    VitalStatus,
)

__all__ = [
    "AJCC",
    "BIOPSY_REPORT",
    "ICD10CM",
    "ICDO3",
    "MCODE",
    "MCODE_IG",
    "RVLMS_CONCEPTS",
    "RVLMS_EXTENSION",
    "RVLMS_SYSTEM",
    "SPECIMEN_REPORT",
    "rvlms_code",
]

RVLMS_SYSTEM = "urn:rvlms:fhir:CodeSystem:rvlms"
"""The rvlms code system (a URN: rvlms publishes it with its documentation, not on a server)."""
RVLMS_EXTENSION = "urn:rvlms:fhir:StructureDefinition:"
"""Prefix of the rvlms extensions (``therapy-phase``, ``therapy-position``, ``cycles``, ...)."""
RVLMS_IDENTIFIER = "urn:rvlms:fhir:NamingSystem:case-id"
MRN_SYSTEM = "urn:rvlms:fhir:NamingSystem:medical-record-number"

MCODE = "http://hl7.org/fhir/us/mcode/StructureDefinition/"
AJCC = "http://cancerstaging.org"
ICDO3 = "http://terminology.hl7.org/CodeSystem/icd-o-3"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
RESOURCE_ID = "http://hl7.org/fhir/us/mcode/CodeSystem/mcode-resource-identifier-cs"
SPECIMEN_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0487"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
MCODE_IG = "HL7/fhir-mCODE-ig"

BIOPSY_REPORT = "biopsy-report"
SPECIMEN_REPORT = "specimen-report"


def rvlms_code(group: str, value: str | None = None) -> str:
    """The rvlms code of a concept: ``imaging-type`` or ``imaging-type.intraluminal``."""
    return group if value is None else f"{group}.{value}"


def _values(group: str, values: type[StrEnum], what: str) -> dict[str, str]:
    return {rvlms_code(group, v.value): f"{what}: {v.value.replace('_', ' ')}" for v in values}


RVLMS_CONCEPTS: MappingProxyType[str, str] = MappingProxyType(
    {
        "age-at-diagnosis": "Age at diagnosis in years",
        "imaging-type": "yang2025 imaging type of the tumour",
        **_values("imaging-type", ImagingType, "Imaging type"),
        "ivc-level": "IVC level I-III reached by tumour or thrombus",
        **_values("ivc-level", IvcLevel, "IVC level"),
        "ivc-lower-extent": "Most caudal IVC landmark reached by tumour or thrombus",
        "ivc-upper-extent": "Most cranial IVC landmark reached by tumour or thrombus",
        **_values("ivc-landmark", IvcLandmark, "IVC landmark"),
        "ivc-involved": "Tumour or thrombus reaches the IVC",
        "regional-nodes": "Enlarged regional lymph nodes on imaging",
        "distant-metastasis": "Distant metastasis at presentation",
        "vessel-of-origin": "Vessel the tumour arises from",
        **_values("vessel", Vessel, "Vessel"),
        "resection-margin": "Resection margin (residual tumour class R0/R1/R2)",
        "margin.R0": "R0: no residual tumour",
        "margin.R1": "R1: microscopic residual tumour",
        "margin.R2": "R2: macroscopic residual tumour",
        "tumour-resection": "Resection of the retroperitoneal vascular leiomyosarcoma",
        **_values("approach", Approach, "Surgical approach"),
        **_values("reconstruction", Reconstruction, "Venous reconstruction"),
        **_values("material", GraftMaterial, "Reconstruction material"),
        **_values("organ-resection", OrganResection, "Organ resected en bloc"),
        **_values("therapy-kind", TherapyKind, "Kind of treatment"),
        "follow-up-event": "Recurrence, metastasis or death during follow-up",
        **_values("event", EventKind, "Follow-up event"),
        "site": "Site of metastasis or recurrence",
        **_values("site", MetastasisSite, "Site of metastasis or recurrence"),
        "follow-up-status": "Status at last contact",
        **_values("vital-status", VitalStatus, "Status at last contact"),
        "months-after-surgery": "Time from surgery (months)",
        "symptomatic": "Found because of symptoms",
        "as-entered": "Value as entered in the case record",
        "derived": "Value derived by rvlms from other fields (not read back on import)",
        BIOPSY_REPORT: "Pathology report of a pre-operative biopsy",
        SPECIMEN_REPORT: "Pathology report of the resection specimen",
        "synthetic": "Generated (synthetic) patient, never patient data",
    }
)
"""Every concept of :data:`RVLMS_SYSTEM` with its meaning (the published code system)."""
