"""One case as a FHIR R4 Bundle shaped by mCODE STU4: the patient, the diagnosis and imaging.

The treatment and follow-up resources are built in :mod:`rvlms.fhir.export_care`. Every
resource is validated with the ``fhir.resources.R4B`` model of its type before it is
returned (structure, cardinality and datatypes; only elements that R4 4.0.1 defines are
written, docs/fhir.md "How R4 conformance is kept"); the mCODE profile rules are checked by
:mod:`rvlms.fhir.conformance`. Which case fields travel, and which do not, is listed in
docs/fhir.md.
"""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.bundle import Bundle

from rvlms.case import Case
from rvlms.case.vocab import EventKind
from rvlms.deid.apply import scrubbed_case
from rvlms.fhir._build import Export, Json, coding, concept, rv, rv_concept
from rvlms.fhir._entry import LOINC, NCIT, SNOMED, UCUM
from rvlms.fhir.codes import BODY_SITES, LATERALITY, MORPHOLOGY_EXTENSION
from rvlms.fhir.export_care import add_care
from rvlms.fhir.fields import add_fields
from rvlms.fhir.staging import add_staging
from rvlms.fhir.vocabulary import (
    CONDITION_CATEGORY,
    CONDITION_CLINICAL,
    CONDITION_VERIFICATION,
    ICD10CM,
    ICDO3,
    INTERPRETATION,
    MRN_SYSTEM,
    RVLMS_IDENTIFIER,
    SPECIMEN_TYPE,
)
from rvlms.imaging import classify

__all__ = ["case_bundle", "case_resources"]

CONDITION_RELATED = "http://hl7.org/fhir/StructureDefinition/condition-related"
LATERALITY_URL = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-laterality-qualifier"
LEIOMYOSARCOMA = coding(ICDO3, "8890/3", "Leiomyosarcoma, NOS")
_SITES = {
    "lung": ("C78.0", "Secondary malignant neoplasm of lung"),
    "liver": ("C78.7", "Secondary malignant neoplasm of liver"),
    "bone": ("C79.5", "Secondary malignant neoplasm of bone and bone marrow"),
    "peritoneum": ("C78.6", "Secondary malignant neoplasm of retroperitoneum and peritoneum"),
}
"""Metastasis sites with an ICD-10-CM code (rvlms.fhir.tables); ``lymph_nodes`` and
``other`` have none that reads back to the same site and are not exported as conditions."""
_GRADE_CODES = {"G1": "1155701009", "G2": "1155703007", "G3": "1155704001"}
_PANELS = {
    "plasma_free_metanephrines": (
        "43108-0",
        "Metanephrine and Normetanephrine panel [Mass/volume] - Serum or Plasma",
    ),
}


def _code_for(table: Any, target: str) -> Json | None:
    for entry in table.values():
        if entry.target == target and entry.verified and entry.system == SNOMED:
            return coding(entry.system, entry.code, entry.display)
    return None


def _patient(x: Export) -> None:
    case = x.case
    identified = not x.deidentified
    identifiers: list[Json] = [{"system": RVLMS_IDENTIFIER, "value": case.case_id}]
    if identified and case.identity.medical_record_number:
        identifiers.append(
            {
                "type": concept(coding("http://terminology.hl7.org/CodeSystem/v2-0203", "MR")),
                "system": MRN_SYSTEM,
                "value": case.identity.medical_record_number,
            }
        )
    status = case.follow_up.status
    dead = status is not None and status.value.startswith("dead")
    death = case.follow_up.first(EventKind.death)
    died_on = death.date if death is not None else None
    x.add(
        "Patient",
        "patient",
        "mcode-cancer-patient",
        {
            "meta": {"tag": [rv("synthetic")]} if case.synthetic else None,
            "identifier": identifiers,
            "name": [{"text": case.identity.name}] if identified and case.identity.name else None,
            "gender": case.demographics.sex.value if case.demographics.sex else None,
            "birthDate": x.date(case.identity.birth_date) if identified else None,
            "deceasedBoolean": True if dead and died_on is None else None,
            "deceasedDateTime": x.date(died_on) if dead else None,
            "managingOrganization": {"display": case.centre} if case.centre else None,
        },
    )
    age = case.demographics.age_years
    if age is not None:
        shown = min(age, 90) if x.deidentified else age
        x.observation(
            "age",
            rv_concept("age-at-diagnosis"),
            category="survey",
            valueQuantity={"value": shown, "unit": "a", "system": UCUM, "code": "a"},
        )


def _body_site(x: Export) -> Json | None:
    imaging = x.case.imaging
    site: Json = {}
    if imaging.vessel_of_origin is not None:
        code = _code_for(BODY_SITES, f"vessel:{imaging.vessel_of_origin.value}")
        if code is not None:
            site = concept(code)
    if imaging.side is not None:
        side = _code_for(LATERALITY, f"side:{imaging.side.value}")
        if side is not None:
            site["extension"] = [{"url": LATERALITY_URL, "valueCodeableConcept": concept(side)}]
    return site or None


def _conditions(x: Export) -> None:
    case = x.case
    proven = "leiomyosarcoma" in {
        (case.pathology.histology or "").lower() if case.pathology else "",
        case.biopsy.result.value if case.biopsy and case.biopsy.result else "",
    }
    site = _body_site(x)
    x.add(
        "Condition",
        "primary",
        "mcode-primary-cancer-condition",
        {
            "extension": [
                {"url": MORPHOLOGY_EXTENSION, "valueCodeableConcept": concept(LEIOMYOSARCOMA)}
            ],
            "clinicalStatus": concept(coding(CONDITION_CLINICAL, "active")),
            "verificationStatus": concept(
                coding(CONDITION_VERIFICATION, "confirmed" if proven else "provisional")
            ),
            "category": [concept(coding(CONDITION_CATEGORY, "problem-list-item"))],
            "code": concept(LEIOMYOSARCOMA),
            "bodySite": [site] if site else None,
            "subject": x.patient,
            "onsetDateTime": x.date(case.presentation.diagnosis_date),
            "note": [{"text": case.notes}] if case.notes and not x.deidentified else None,
        },
    )
    if "hypertension" in {h.value for h in case.history.conditions}:
        x.add(
            "Condition",
            "hypertension",
            None,
            {
                "clinicalStatus": concept(coding(CONDITION_CLINICAL, "active")),
                "category": [concept(coding(CONDITION_CATEGORY, "problem-list-item"))],
                "code": concept(coding(ICD10CM, "I10", "Essential (primary) hypertension")),
                "subject": x.patient,
            },
        )
    for place in case.imaging.metastasis_sites:
        if place.value in _SITES:
            code, display = _SITES[place.value]
            x.add(
                "Condition",
                f"metastasis-{place.value}",
                "mcode-secondary-cancer-condition",
                {
                    "extension": [{"url": CONDITION_RELATED, "valueReference": x.primary}],
                    "clinicalStatus": concept(coding(CONDITION_CLINICAL, "active")),
                    "category": [concept(coding(CONDITION_CATEGORY, "problem-list-item"))],
                    "code": concept(coding(ICD10CM, code, display)),
                    "subject": x.patient,
                },
            )


def _imaging(x: Export) -> None:
    imaging = x.case.imaging
    found = classify(x.case)

    def fact(role: str, value: Json, entered: bool) -> None:
        x.observation(
            role,
            rv_concept(role.split(":")[0]),
            category="imaging",
            valueCodeableConcept=value,
            method=rv_concept("as-entered" if entered else "derived"),
        )

    if imaging.imaging_type is not None:
        fact("imaging-type", rv_concept(f"imaging-type.{imaging.imaging_type.value}"), True)
    elif found.imaging_type is not None:
        fact("imaging-type", rv_concept(f"imaging-type.{found.imaging_type.value}"), False)
    levels = imaging.ivc_segments or found.ivc_levels
    for level in levels:
        fact(
            f"ivc-level:{level.value}",
            rv_concept(f"ivc-level.{level.value}"),
            bool(imaging.ivc_segments),
        )
    for name, point in (
        ("ivc-lower-extent", imaging.ivc_lower_extent),
        ("ivc-upper-extent", imaging.ivc_upper_extent),
    ):
        if point is not None:
            fact(name, rv_concept(f"ivc-landmark.{point.value}"), True)
    if imaging.vessel_of_origin is not None:
        fact("vessel-of-origin", rv_concept(f"vessel.{imaging.vessel_of_origin.value}"), True)
    for name, flag in (
        ("ivc-involved", imaging.ivc_involved),
        ("regional-nodes", imaging.regional_nodes),
        ("distant-metastasis", imaging.distant_metastasis),
    ):
        if flag is not None:
            x.observation(name, rv_concept(name), category="imaging", valueBoolean=flag)


def _tumour_size(x: Export, role: str, size_cm: float, removed: bool) -> None:
    where: Json
    if removed:
        x.add(
            "Specimen",
            "specimen",
            "mcode-tumor-specimen",
            {"type": concept(coding(SPECIMEN_TYPE, "TUMOR", "Tumor")), "subject": x.patient},
        )
        where = {"specimen": x.ref("Specimen", "specimen")}
    else:
        site = _body_site(x)
        x.add(
            "BodyStructure",
            "tumour",
            "mcode-tumor",
            {
                "identifier": [
                    {
                        "use": "usual",
                        "type": concept(
                            coding("http://hl7.org/fhir/resource-types", "BodyStructure")
                        ),
                        "value": f"{x.case.case_id}-tumour",
                    }
                ],
                "morphology": concept(
                    coding(
                        SNOMED,
                        "367651003",
                        "Malignant neoplasm of primary, secondary, or uncertain origin "
                        "(morphologic abnormality)",
                    )
                ),
                "location": {k: v for k, v in (site or {}).items() if k == "coding"}
                or concept(text="retroperitoneum"),
                "patient": x.patient,
            },
        )
        where = {"focus": [x.ref("BodyStructure", "tumour")]}
    quantity = {"value": size_cm, "unit": "cm", "system": UCUM, "code": "cm"}
    x.observation(
        role,
        concept(coding(LOINC, "21889-1", "Size Tumor")),
        profile="mcode-tumor-size",
        category="imaging" if not removed else "laboratory",
        component=[
            {
                "code": concept(coding(LOINC, "33728-7", "Size.maximum dimension in Tumor")),
                "valueQuantity": quantity,
            }
        ],
        **where,
    )


def _pathology_and_labs(x: Export) -> None:
    case = x.case
    if case.imaging.max_diameter_cm is not None:
        _tumour_size(x, "size-imaging", case.imaging.max_diameter_cm, removed=False)
    pathology = case.pathology
    if pathology is not None:
        if pathology.size_cm is not None:
            _tumour_size(x, "size-specimen", pathology.size_cm, removed=True)
        grade = pathology.fnclcc_grade
        if grade is not None and grade.value in _GRADE_CODES:
            display = {
                "G1": "G1: Well differentiated",
                "G2": "G2: Moderately differentiated",
                "G3": "G3: Poorly differentiated",
            }[grade.value]
            x.observation(
                "grade",
                concept(coding(NCIT, "C18000", "Histologic Grade")),
                profile="mcode-histologic-grade",
                category="laboratory",
                valueCodeableConcept=concept(coding(SNOMED, _GRADE_CODES[grade.value], display)),
            )
        if pathology.margin is not None and pathology.margin.value != "RX":
            x.observation(
                "margin",
                rv_concept("resection-margin"),
                category="laboratory",
                valueCodeableConcept=rv_concept(f"margin.{pathology.margin.value}"),
            )
    labs = case.labs
    if labs.creatinine_umol_l is not None:
        x.observation(
            "creatinine",
            concept(coding(LOINC, "14682-9", "Creatinine [Moles/volume] in Serum or Plasma")),
            category="laboratory",
            valueQuantity={
                "value": labs.creatinine_umol_l,
                "unit": "µmol/L",
                "system": UCUM,
                "code": "umol/L",
            },
        )
    for name, (code, display) in _PANELS.items():
        result = getattr(labs.hormones, name).result.value
        if result in ("normal", "abnormal"):
            flag = "H" if result == "abnormal" else "N"
            x.observation(
                name,
                concept(coding(LOINC, code, display)),
                category="laboratory",
                interpretation=[concept(coding(INTERPRETATION, flag))],
            )


def case_resources(case: Case, *, deidentified: bool = False) -> list[Json]:
    """Every resource of one case, as FHIR JSON, each validated by its R4B model; the
    de-identified resources are built from the researchers' copy (``rvlms.deid``)."""
    x = Export(scrubbed_case(case) if deidentified else case, deidentified=deidentified)
    _patient(x)
    _conditions(x)
    _imaging(x)
    _pathology_and_labs(x)
    add_staging(x)
    add_care(x)
    add_fields(x)
    return x.resources


def case_bundle(case: Case, *, deidentified: bool = False) -> Json:
    """The case as a ``collection`` Bundle (FHIR R4 Bundle.type), validated as R4B."""
    resources = case_resources(case, deidentified=deidentified)
    bundle: Json = {
        "resourceType": "Bundle",
        "id": Export(case).id("bundle"),
        "type": "collection",
        "entry": [{"resource": r} for r in resources],
    }
    checked: dict[str, Any] = Bundle.model_validate(bundle).model_dump(mode="json")
    return checked
