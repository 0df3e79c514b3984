"""AJCC 8th edition TNM staging as mCODE TNM observations.

The stage is computed by :func:`rvlms.scores.ajcc_stage` (retroperitoneal table, Pollock
2017) from the tumour size, the FNCLCC grade, the nodes and the metastases. It is written
only when size and grade are known; it is derived, so the import does not read it back.
Values are AJCC codes (``http://cancerstaging.org``), which mCODE's TNM maximum value sets
include (HL7/fhir-mCODE-ig, TNM value sets); the staging method is SNOMED CT 897275008,
AJCC 8th edition (TNMStagingMethodVS).
"""

from __future__ import annotations

from rvlms.fhir._build import Export, Json, coding, concept
from rvlms.fhir._entry import SNOMED
from rvlms.fhir.vocabulary import AJCC
from rvlms.scores import ajcc_stage

__all__ = ["STAGE_CODES", "add_staging"]

STAGE_CODES = {"IA": "1A", "IB": "1B", "II": "2", "IIIA": "3A", "IIIB": "3B", "IV": "4"}
"""AJCC stage group codes as the mCODE examples write them (AJCC#2B "IIB")."""

_METHOD = coding(
    SNOMED,
    "897275008",
    "American Joint Commission on Cancer, Cancer Staging Manual, 8th edition neoplasm "
    "staging system (tumor staging)",
)
_TYPES = {
    "t": ("399504009", "cT category", "mcode-tnm-primary-tumor-category"),
    "n": ("399534004", "cN category", "mcode-tnm-regional-nodes-category"),
    "m": ("399387003", "cM category", "mcode-tnm-distant-metastases-category"),
}


def add_staging(x: Export) -> None:
    case = x.case
    pathology = case.pathology
    size = (pathology.size_cm if pathology else None) or case.imaging.max_diameter_cm
    grade = pathology.fnclcc_grade if pathology else None
    if size is None or grade is None:
        return
    nodes = case.imaging.regional_nodes or (
        pathology.regional_nodes_positive if pathology else None
    )
    stage = ajcc_stage(
        size,
        grade,
        n="N1" if nodes else "N0",
        m="M1" if case.imaging.distant_metastasis else "M0",
    )
    members: list[Json] = []
    for part, value in (("t", stage.t.value), ("n", stage.n.value), ("m", stage.m.value)):
        code, display, profile = _TYPES[part]
        x.observation(
            f"stage-{part}",
            concept(coding(SNOMED, code, display)),
            profile=profile,
            category="survey",
            valueCodeableConcept=concept(coding(AJCC, f"c{value}", value)),
            method=concept(_METHOD),
            focus=[x.primary],
        )
        members.append(x.ref("Observation", f"stage-{part}"))
    x.observation(
        "stage-group",
        concept(coding(SNOMED, "399537006", "Clinical TNM stage grouping")),
        profile="mcode-tnm-stage-group",
        category="survey",
        valueCodeableConcept=concept(
            coding(AJCC, STAGE_CODES[stage.stage.value], stage.stage.value)
        ),
        method=concept(_METHOD),
        focus=[x.primary],
        hasMember=members,
    )
    for resource in x.resources:
        if resource["id"] == x.id("primary"):
            resource["stage"] = [{"assessment": [x.ref("Observation", "stage-group")]}]
