"""Every standard code the export writes, with the public source it was checked against.

A test fails when an export holds a code that is neither here nor in the rvlms code system;
docs/fhir.md prints this table.
"""

from __future__ import annotations

from dataclasses import dataclass

from rvlms.fhir._entry import LOINC, NCIT, SNOMED, UCUM
from rvlms.fhir.vocabulary import (
    AJCC,
    CONDITION_CATEGORY,
    CONDITION_CLINICAL,
    CONDITION_VERIFICATION,
    ICD10CM,
    ICDO3,
    INTERPRETATION,
    MCODE_IG,
    OBSERVATION_CATEGORY,
    RESOURCE_ID,
    SPECIMEN_TYPE,
)

__all__ = ["CHECKED", "Checked"]


@dataclass(frozen=True)
class Checked:
    """A standard code the export writes, with the source it was checked against."""

    system: str
    code: str
    display: str
    use: str
    source: str


def _ig(path: str) -> str:
    return f"{MCODE_IG} {path}"


_VALUE_SETS = _ig("input/fsh (TNM value sets, commit 8ece03a0 era; see conformance data)")
_TABLE = "rvlms.fhir.tables (CDS terminology table, verified entry)"
_DICOM = "DICOM anatomic region code lists in public repositories (INFVENACAVA, RENALV, ILIACV)"
_SURGERY_VS = _ig(
    "input/fsh value sets: CancerRelatedSurgicalProcedureVS (earlier enumerated form)"
)

CHECKED: tuple[Checked, ...] = (
    Checked(
        ICDO3,
        "8890/3",
        "Leiomyosarcoma, NOS",
        "Condition.code, morphology extension",
        "ICD-O-3 morphology (DKTK oncology data element list, public); " + _TABLE,
    ),
    Checked(SNOMED, "64131007", "Inferior vena cava structure", "Condition.bodySite", _DICOM),
    Checked(SNOMED, "56400007", "Renal vein structure", "Condition.bodySite", _DICOM),
    Checked(SNOMED, "244411005", "Iliac vein structure", "Condition.bodySite", _DICOM),
    Checked(
        SNOMED, "7771000", "Left", "laterality qualifier", _ig("input/fsh LateralityQualifierVS")
    ),
    Checked(
        SNOMED, "24028007", "Right", "laterality qualifier", _ig("input/fsh LateralityQualifierVS")
    ),
    Checked(
        SNOMED,
        "51440002",
        "Right and left",
        "laterality qualifier",
        _ig("input/fsh LateralityQualifierVS"),
    ),
    Checked(
        SNOMED,
        "399488007",
        "Midline",
        "laterality qualifier",
        _ig("input/fsh LateralityQualifierVS"),
    ),
    Checked(
        SNOMED,
        "367651003",
        "Malignant neoplasm of primary, secondary, or uncertain origin",
        "BodyStructure.morphology (Tumor)",
        _ig("input/fsh/SD_TumorSize.fsh"),
    ),
    Checked(
        SPECIMEN_TYPE,
        "TUMOR",
        "Tumor",
        "Specimen.type (TumorSpecimen)",
        _ig("input/fsh/SD_TumorSize.fsh"),
    ),
    Checked(
        LOINC,
        "21889-1",
        "Size Tumor",
        "Observation.code (TumorSize)",
        _ig("input/fsh/SD_TumorSize.fsh"),
    ),
    Checked(
        LOINC,
        "33728-7",
        "Size.maximum dimension in Tumor",
        "TumorSize component",
        _ig("input/fsh/SD_TumorSize.fsh"),
    ),
    Checked(
        UCUM,
        "cm",
        "centimeter",
        "TumorSize valueQuantity",
        _ig("input/fsh/SD_TumorSize.fsh TumorSizeUnitsVS"),
    ),
    Checked(
        SNOMED,
        "897275008",
        "AJCC Cancer Staging Manual, 8th edition neoplasm staging system",
        "staging Observation.method",
        _ig("input/fsh TNMStagingMethodVS"),
    ),
    Checked(
        SNOMED,
        "399537006",
        "Clinical TNM stage grouping",
        "stage group Observation.code",
        _ig("input/fsh TNMStageGroupStagingTypeVS"),
    ),
    Checked(
        SNOMED,
        "399504009",
        "cT category",
        "T category Observation.code",
        _ig("input/fsh TNMPrimaryTumorStagingTypeVS"),
    ),
    Checked(
        SNOMED,
        "399534004",
        "cN category",
        "N category Observation.code",
        _ig("input/fsh TNMRegionalNodesStagingTypeVS"),
    ),
    Checked(
        SNOMED,
        "399387003",
        "cM category",
        "M category Observation.code",
        _ig("input/fsh TNMDistantMetastasesStagingTypeVS"),
    ),
    *(
        Checked(
            AJCC,
            code,
            display,
            "TNM value (AJCC codes, allowed by the Max value sets)",
            _ig(
                "input/fsh TNM*MaxVS 'include codes from system AJCC'; AJCC#2B / #3C "
                "in the IG examples"
            ),
        )
        for code, display in (
            ("cT1", "T1"),
            ("cT2", "T2"),
            ("cT3", "T3"),
            ("cT4", "T4"),
            ("cN0", "N0"),
            ("cN1", "N1"),
            ("cM0", "M0"),
            ("cM1", "M1"),
            ("1A", "IA"),
            ("1B", "IB"),
            ("2", "II"),
            ("3A", "IIIA"),
            ("3B", "IIIB"),
            ("4", "IV"),
        )
    ),
    Checked(
        NCIT,
        "C18000",
        "Histologic Grade",
        "Observation.code (HistologicGrade)",
        _ig("input/fsh/SD_Histology.fsh"),
    ),
    Checked(
        SNOMED,
        "1155701009",
        "G1: Well differentiated",
        "HistologicGrade value",
        "WHO differentiation grade value sets in public FHIR IGs; " + _TABLE,
    ),
    Checked(
        SNOMED,
        "1155703007",
        "G2: Moderately differentiated",
        "HistologicGrade value",
        "WHO differentiation grade value sets in public FHIR IGs; " + _TABLE,
    ),
    Checked(
        SNOMED,
        "1155704001",
        "G3: Poorly differentiated",
        "HistologicGrade value",
        "WHO differentiation grade value sets in public FHIR IGs; " + _TABLE,
    ),
    Checked(
        LOINC,
        "14682-9",
        "Creatinine [Moles/volume] in Serum or Plasma",
        "laboratory Observation.code",
        "French EDS and German lab FHIR profiles (public); " + _TABLE,
    ),
    Checked(
        LOINC,
        "43108-0",
        "Metanephrine and Normetanephrine panel [Mass/volume] - Serum or Plasma",
        "laboratory Observation.code",
        _TABLE + " (MII Onkologie value set)",
    ),
    Checked(INTERPRETATION, "H", "High", "Observation.interpretation", "HL7 v3"),
    Checked(INTERPRETATION, "N", "Normal", "Observation.interpretation", "HL7 v3"),
    Checked(
        LOINC,
        "97509-4",
        "Cancer Disease Progression",
        "CancerDiseaseStatus code",
        _ig("input/fsh/SD_DiseaseStatus.fsh"),
    ),
    Checked(
        SNOMED,
        "260415000",
        "Not detected",
        "CancerDiseaseStatus value",
        _ig("input/fsh ConditionStatusTrendVS"),
    ),
    Checked(
        SNOMED,
        "271299001",
        "Patient's condition worsened",
        "CancerDiseaseStatus value",
        _ig("input/fsh ConditionStatusTrendVS"),
    ),
    Checked(
        SNOMED,
        "709137006",
        "Patient condition undetermined",
        "CancerDiseaseStatus value",
        _ig("input/fsh ConditionStatusTrendVS"),
    ),
    Checked(
        SNOMED,
        "387713003",
        "Surgical procedure",
        "Procedure.category (surgery)",
        _ig("input/fsh/SD_Procedures.fsh"),
    ),
    Checked(SNOMED, "175905003", "Total nephrectomy", "Procedure.code", _SURGERY_VS),
    Checked(SNOMED, "81516001", "Partial nephrectomy", "Procedure.code", _SURGERY_VS),
    Checked(
        SNOMED,
        "108290001",
        "Radiation oncology AND/OR radiotherapy",
        "Procedure.category (RadiotherapyCourseSummary)",
        _ig("input/fsh/SD_Radiotherapy.fsh"),
    ),
    Checked(
        RESOURCE_ID,
        "mcode-radiotherapy-course-summary",
        "Radiotherapy Course Summary",
        "Procedure.code (RadiotherapyCourseSummary)",
        _ig("input/fsh/SD_Radiotherapy.fsh"),
    ),
    Checked(
        ICD10CM,
        "I10",
        "Essential (primary) hypertension",
        "Condition.code (history)",
        "ICD-10-CM chapter IX; " + _TABLE,
    ),
    Checked(
        ICD10CM,
        "C78.0",
        "Secondary malignant neoplasm of lung",
        "secondary Condition",
        "ICD-10-CM chapter II; " + _TABLE,
    ),
    Checked(
        ICD10CM,
        "C78.7",
        "Secondary malignant neoplasm of liver",
        "secondary Condition",
        "ICD-10-CM chapter II; " + _TABLE,
    ),
    Checked(
        ICD10CM,
        "C79.5",
        "Secondary malignant neoplasm of bone and bone marrow",
        "secondary Condition",
        "ICD-10-CM chapter II; " + _TABLE,
    ),
    Checked(
        ICD10CM,
        "C78.6",
        "Secondary malignant neoplasm of retroperitoneum and peritoneum",
        "secondary Condition",
        "ICD-10-CM chapter II; " + _TABLE,
    ),
    Checked(
        CONDITION_CATEGORY,
        "problem-list-item",
        "Problem List Item",
        "Condition.category",
        "HL7 terminology (US Core Condition)",
    ),
    Checked(CONDITION_CLINICAL, "active", "Active", "Condition.clinicalStatus", "HL7"),
    Checked(
        CONDITION_VERIFICATION, "confirmed", "Confirmed", "Condition.verificationStatus", "HL7"
    ),
    Checked(OBSERVATION_CATEGORY, "laboratory", "Laboratory", "Observation.category", "HL7"),
    Checked(OBSERVATION_CATEGORY, "imaging", "Imaging", "Observation.category", "HL7"),
    Checked(OBSERVATION_CATEGORY, "survey", "Survey", "Observation.category", "HL7"),
    Checked(UCUM, "umol/L", "micromole per liter", "creatinine valueQuantity", "UCUM"),
    Checked(UCUM, "a", "year", "age valueQuantity", "UCUM"),
    Checked(UCUM, "mo", "month", "months after surgery", "UCUM"),
    Checked(UCUM, "Gy", "gray", "radiotherapy dose", "UCUM"),
    Checked(
        "http://terminology.hl7.org/CodeSystem/v2-0203",
        "MR",
        "Medical record number",
        "Patient.identifier.type",
        "HL7 v2 table 0203",
    ),
    Checked(
        "http://hl7.org/fhir/resource-types",
        "BodyStructure",
        "BodyStructure",
        "Tumor identifier type (BodyStructureIdentifier)",
        _ig("input/fsh/SD_TumorSize.fsh"),
    ),
)
"""Every standard code the export writes, with where it was checked."""
