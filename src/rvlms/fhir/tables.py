"""The code tables read from FHIR records: what each code means to the case record.

Targets are short strings read by :mod:`rvlms.fhir.mapping`:

- ``diagnosis:leiomyosarcoma`` / ``primary:retroperitoneum`` / ``primary:abdominal_soft_tissue``
- ``metastasis:<site>`` (a ``MetastasisSite`` of the case record), ``nodes``
- ``history:hypertension``
- ``observation:<kind>`` for Observation.code, ``procedure:<item>`` for Procedure.code
- ``vessel:<Vessel>``, ``side:<Side>``, ``grade:<FnclccGrade>``, ``interpretation:<result>``

Where several systems name the same concept the table lists each.
"""

from __future__ import annotations

from types import MappingProxyType

from rvlms.fhir._entry import LOINC, NCIT, SNOMED, CodeEntry, table_of

__all__ = [
    "BODY_SITES",
    "DIAGNOSES",
    "GRADES",
    "ICD10_PREFIXES",
    "INTERPRETATIONS",
    "LATERALITY",
    "OBSERVATIONS",
    "PROCEDURES",
]

_MCODE = "mCODE STU4 source (HL7/fhir-mCODE-ig), ecosystem brief §2"
_LATERALITY_VS = "mCODE LateralityQualifierVS (HL7/fhir-mCODE-ig input/fsh)"
_MII = "MII Onkologie tumour-marker LOINC value set (curated list, public IG source)"

_ICDO3 = "http://terminology.hl7.org/CodeSystem/icd-o-3"

DIAGNOSES = table_of(
    [
        CodeEntry(
            _ICDO3,
            "8890/3",
            "Leiomyosarcoma, NOS",
            "diagnosis:leiomyosarcoma",
            "ecosystem brief §2 (IARC-derived morphology list); confirm in ICD-O-3.2",
        ),
        CodeEntry(
            _ICDO3,
            "8891/3",
            "Epithelioid leiomyosarcoma",
            "diagnosis:leiomyosarcoma",
            "ecosystem brief §2",
        ),
        CodeEntry(
            _ICDO3,
            "8896/3",
            "Myxoid leiomyosarcoma",
            "diagnosis:leiomyosarcoma",
            "ICD-O-3 morphology list (not checked here)",
            verified=False,
        ),
        CodeEntry(
            SNOMED,
            "1163022006",
            "Leiomyosarcoma (morphologic abnormality)",
            "diagnosis:leiomyosarcoma",
            "one public repository lists it (ecosystem brief §2); check in a SNOMED browser",
            verified=False,
        ),
        CodeEntry(
            SNOMED,
            "51549004",
            "Leiomyosarcoma (morphologic abnormality)",
            "diagnosis:leiomyosarcoma",
            "not checked in a SNOMED browser",
            verified=False,
        ),
    ]
)
"""Condition.code, the mCODE morphology extension and DiagnosticReport.conclusionCode."""

ICD10_PREFIXES: tuple[tuple[str, str, str, str], ...] = (
    ("C48.0", "primary:retroperitoneum", "Malignant neoplasm of retroperitoneum", _MCODE),
    (
        "C49.4",
        "primary:abdominal_soft_tissue",
        "Malignant neoplasm of connective and soft tissue of abdomen",
        _MCODE,
    ),
    ("C77", "nodes", "Secondary malignant neoplasm of lymph nodes", "ICD-10 chapter II"),
    ("C78.0", "metastasis:lung", "Secondary malignant neoplasm of lung", "ICD-10 chapter II"),
    (
        "C78.6",
        "metastasis:peritoneum",
        "Secondary malignant neoplasm of retroperitoneum and peritoneum",
        _MCODE,
    ),
    ("C78.7", "metastasis:liver", "Secondary malignant neoplasm of liver", "ICD-10 chapter II"),
    (
        "C78",
        "metastasis:other",
        "Secondary malignant neoplasm of respiratory and digestive organs",
        "ICD-10 chapter II",
    ),
    (
        "C79.5",
        "metastasis:bone",
        "Secondary malignant neoplasm of bone and bone marrow",
        "ICD-10 chapter II",
    ),
    ("C79", "metastasis:other", "Secondary malignant neoplasm of other sites", "ICD-10 chapter II"),
    ("I10", "history:hypertension", "Essential (primary) hypertension", "ICD-10 chapter IX"),
    ("I11", "history:hypertension", "Hypertensive heart disease", "ICD-10 chapter IX"),
    ("I12", "history:hypertension", "Hypertensive renal disease", "ICD-10 chapter IX"),
    ("I13", "history:hypertension", "Hypertensive heart and renal disease", "ICD-10 chapter IX"),
    ("I15", "history:hypertension", "Secondary hypertension", "ICD-10 chapter IX"),
)
"""ICD-10 / ICD-10-CM codes read by prefix, most specific first (C78.00 is C78.0, lung)."""

OBSERVATIONS = table_of(
    [
        CodeEntry(LOINC, "21889-1", "Size Tumor", "observation:tumour_size", _MCODE),
        CodeEntry(
            LOINC,
            "33728-7",
            "Size.maximum dimension in Tumor",
            "observation:tumour_longest_dimension",
            _MCODE,
        ),
        CodeEntry(
            LOINC,
            "43108-0",
            "Metanephrine and Normetanephrine panel [Mass/volume] - Serum or Plasma",
            "observation:plasma_metanephrines",
            _MII,
        ),
        CodeEntry(
            LOINC,
            "57462-4",
            "Normetanephrine Free [Mass/volume] in Serum or Plasma",
            "observation:plasma_metanephrines",
            _MII,
        ),
        CodeEntry(
            LOINC,
            "2609-6",
            "Metanephrines [Mass/time] in 24 hour Urine",
            "observation:urine_metanephrines",
            _MII + "; another public list gives 2681-5 for this name",
            verified=False,
        ),
        CodeEntry(
            LOINC,
            "2671-6",
            "Normetanephrine [Mass/time] in 24 hour Urine",
            "observation:urine_metanephrines",
            _MII,
        ),
        CodeEntry(
            LOINC,
            "2160-0",
            "Creatinine [Mass/volume] in Serum or Plasma",
            "observation:creatinine",
            "LOINC; public German and French lab profiles",
        ),
        CodeEntry(
            LOINC,
            "14682-9",
            "Creatinine [Moles/volume] in Serum or Plasma",
            "observation:creatinine",
            "LOINC; public German and French lab profiles",
        ),
        CodeEntry(NCIT, "C18000", "Histologic Grade", "observation:histologic_grade", _MCODE),
        CodeEntry(
            LOINC,
            "33732-9",
            "Histology grade [Identifier] in Cancer specimen",
            "observation:histologic_grade",
            "mCODE 1.x, public profiles",
        ),
    ]
)
"""Observation.code (and component codes for tumour size)."""

GRADES = table_of(
    [
        CodeEntry(
            SNOMED,
            "1155701009",
            "G1: Well differentiated",
            "grade:G1",
            "SNOMED grade concepts (public SNOMED supplement)",
        ),
        CodeEntry(
            SNOMED,
            "1155703007",
            "G2: Moderately differentiated",
            "grade:G2",
            "SNOMED grade concepts (public SNOMED supplement)",
        ),
        CodeEntry(
            SNOMED,
            "1155704001",
            "G3: Poorly differentiated",
            "grade:G3",
            "SNOMED grade concepts (public SNOMED supplement)",
        ),
        CodeEntry(
            SNOMED,
            "1155708003",
            "Low histologic grade",
            "grade:G1",
            _MCODE + "; low = FNCLCC grade 1 is an rvlms proposal",
        ),
        CodeEntry(
            SNOMED,
            "1286893008",
            "Intermediate histologic grade",
            "grade:G2",
            _MCODE + "; intermediate = FNCLCC grade 2 is an rvlms proposal",
        ),
        CodeEntry(
            SNOMED,
            "1155707008",
            "High histologic grade",
            "grade:G3",
            _MCODE + "; high = FNCLCC grade 3 is an rvlms proposal",
        ),
    ]
)
"""Histologic grade values (mCODE HistologicGradeVS) read as FNCLCC grades."""

INTERPRETATIONS = MappingProxyType(
    {
        "H": "abnormal",
        "HH": "abnormal",
        "HU": "abnormal",
        "A": "abnormal",
        "AA": "abnormal",
        "N": "normal",
        "L": "normal",
        "LL": "normal",
        "LU": "normal",
    }
)
"""Observation.interpretation (HL7 v3 ObservationInterpretation) for metanephrines: a value
above the reference range counts as raised (Lenders 2014); normal or low excludes it."""

PROCEDURES = table_of(
    [
        CodeEntry(
            SNOMED,
            "175905003",
            "Total nephrectomy",
            "procedure:nephrectomy",
            "public SNOMED value sets (kidney procedures)",
        ),
        CodeEntry(
            SNOMED,
            "116033007",
            "Radical nephrectomy",
            "procedure:nephrectomy",
            "public SNOMED value sets (kidney procedures)",
        ),
        CodeEntry(
            SNOMED,
            "81516001",
            "Partial nephrectomy",
            "procedure:partial_nephrectomy",
            "public SNOMED value sets (kidney procedures)",
        ),
    ]
)
"""Procedure.code. IVC resection has no verified SNOMED code here; it is read by name."""

BODY_SITES = table_of(
    [
        CodeEntry(
            SNOMED,
            "64131007",
            "Inferior vena cava structure",
            "vessel:ivc",
            "public SNOMED vascular body-site tables",
        ),
        CodeEntry(
            SNOMED,
            "56400007",
            "Renal vein structure",
            "vessel:renal_vein",
            "public SNOMED vascular body-site tables",
        ),
        CodeEntry(
            SNOMED,
            "244411005",
            "Iliac vein structure",
            "vessel:iliac_vein",
            "public SNOMED vascular body-site tables",
        ),
    ]
)
"""Condition.bodySite read as the vessel of origin."""

LATERALITY = table_of(
    [
        CodeEntry(SNOMED, "7771000", "Left", "side:left", _MCODE),
        CodeEntry(SNOMED, "24028007", "Right", "side:right", _MCODE),
        CodeEntry(SNOMED, "51440002", "Right and left", "side:bilateral", _LATERALITY_VS),
        CodeEntry(SNOMED, "399488007", "Midline", "side:midline", _LATERALITY_VS),
    ]
)
"""Laterality qualifiers (mCODE laterality extension or a bodySite coding)."""
