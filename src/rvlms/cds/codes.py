"""The terminology table: which FHIR codes the CDS service reads, and what each one means.

Every entry names where the code was checked (``source``) and whether it could be verified
(``verified``). Codes marked ``verified=False`` are used, but shown as unverified in the
mapping notes of the cards, so that a terminologist can confirm them before a site relies
on them. Where several systems name the same concept the table lists each.

Targets are short strings read by :mod:`rvlms.cds.mapping`:

- ``diagnosis:leiomyosarcoma`` / ``primary:retroperitoneum`` / ``primary:abdominal_soft_tissue``
- ``metastasis:<site>`` (a ``MetastasisSite`` of the case record), ``nodes``
- ``history:hypertension``
- ``observation:<kind>`` for Observation.code, ``procedure:<item>`` for Procedure.code
- ``vessel:<Vessel>``, ``side:<Side>``, ``grade:<FnclccGrade>``, ``interpretation:<result>``
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = [
    "BODY_SITES",
    "DIAGNOSES",
    "GRADES",
    "ICD10_PREFIXES",
    "ICD10_SYSTEMS",
    "ICDO3_SYSTEMS",
    "INTERPRETATIONS",
    "LATERALITY",
    "LATERALITY_EXTENSIONS",
    "LOINC",
    "MORPHOLOGY_EXTENSION",
    "NAME_PATTERNS",
    "OBSERVATIONS",
    "OTHER_HISTOLOGY",
    "PROCEDURES",
    "SNOMED",
    "UCUM",
    "CodeEntry",
    "NamePattern",
    "lookup",
    "lookup_icd10",
    "match_name",
    "normalise_icd10",
    "other_histology",
]

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
NCIT = "http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl"
INTERPRETATION_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
ICD10_SYSTEMS = frozenset({"http://hl7.org/fhir/sid/icd-10-cm", "http://hl7.org/fhir/sid/icd-10"})
ICDO3_SYSTEMS = frozenset(
    {"http://terminology.hl7.org/CodeSystem/icd-o-3", "urn:oid:2.16.840.1.113883.6.43.1"}
)
MORPHOLOGY_EXTENSION = (
    "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-histology-morphology-behavior"
)
LATERALITY_EXTENSIONS = frozenset(
    {
        "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-laterality-qualifier",
        "http://hl7.org/fhir/StructureDefinition/bodySite-laterality",
    }
)

_MCODE = "mCODE STU4 source (HL7/fhir-mCODE-ig), ecosystem brief §2"
_MII = "MII Onkologie tumour-marker LOINC value set (curated list, public IG source)"


@dataclass(frozen=True)
class CodeEntry:
    """One code and what rvlms reads it as."""

    system: str
    code: str
    display: str
    target: str
    source: str
    verified: bool = True

    @property
    def label(self) -> str:
        mark = "" if self.verified else ", unverified code"
        if "rvlms proposal" in self.source:
            mark += ", reading is an rvlms proposal"
        return f"{_system_name(self.system)} {self.code} {self.display}{mark}"


def _system_name(system: str) -> str:
    if system in ICD10_SYSTEMS:
        return "ICD-10"
    if system in ICDO3_SYSTEMS:
        return "ICD-O-3"
    return {SNOMED: "SNOMED CT", LOINC: "LOINC", NCIT: "NCIt", INTERPRETATION_SYSTEM: "v3"}.get(
        system, system
    )


def _table(entries: Iterable[CodeEntry]) -> Mapping[tuple[str, str], CodeEntry]:
    table: dict[tuple[str, str], CodeEntry] = {}
    for entry in entries:
        systems = (
            ICDO3_SYSTEMS
            if entry.system in ICDO3_SYSTEMS
            else ICD10_SYSTEMS
            if entry.system in ICD10_SYSTEMS
            else (entry.system,)
        )
        for system in systems:
            table[(system, entry.code)] = entry
    return MappingProxyType(table)


_ICDO3 = "http://terminology.hl7.org/CodeSystem/icd-o-3"

DIAGNOSES = _table(
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

OBSERVATIONS = _table(
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

GRADES = _table(
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

PROCEDURES = _table(
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

BODY_SITES = _table(
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
            "Structure of common iliac vein",
            "vessel:iliac_vein",
            "public SNOMED vascular body-site tables",
        ),
    ]
)
"""Condition.bodySite read as the vessel of origin."""

LATERALITY = _table(
    [
        CodeEntry(SNOMED, "7771000", "Left", "side:left", _MCODE),
        CodeEntry(SNOMED, "24028007", "Right", "side:right", _MCODE),
        CodeEntry(SNOMED, "51440002", "Right and left", "side:bilateral", _MCODE, verified=False),
    ]
)
"""Laterality qualifiers (mCODE laterality extension or a bodySite coding)."""


@dataclass(frozen=True)
class NamePattern:
    """A name read when no code matches; reported as 'matched by name'."""

    target: str
    pattern: re.Pattern[str]
    description: str


NAME_PATTERNS: tuple[NamePattern, ...] = (
    NamePattern(
        "diagnosis:leiomyosarcoma",
        re.compile(r"leiomyosarcom", re.I),
        "name contains 'leiomyosarcoma'",
    ),
    NamePattern(
        "observation:plasma_metanephrines",
        re.compile(r"metanephrin.*(plasma|serum)|(plasma|serum).*metanephrin", re.I),
        "plasma or serum metanephrines by name",
    ),
    NamePattern(
        "observation:urine_metanephrines",
        re.compile(r"metanephrin.*urin|urin.*metanephrin", re.I),
        "urinary metanephrines by name",
    ),
    NamePattern(
        "observation:margin",
        re.compile(r"margin|residual tumou?r", re.I),
        "resection margin / residual tumour by name",
    ),
    NamePattern(
        "procedure:partial_nephrectomy",
        re.compile(r"partial nephrectomy", re.I),
        "name contains 'partial nephrectomy'",
    ),
    NamePattern(
        "procedure:nephrectomy", re.compile(r"nephrectomy", re.I), "name contains 'nephrectomy'"
    ),
    NamePattern(
        "procedure:ivc_resection",
        re.compile(
            r"(vena cava|\bivc\b).*(resect|excis)"
            r"|(resect|excis).*(vena cava|\bivc\b)",
            re.I,
        ),
        "IVC resection or excision by name",
    ),
)


OTHER_HISTOLOGY = re.compile(
    r"liposarcom|lymphom|paragangliom|ph(a)?eochromocytom|carcinom|gastrointestinal stromal"
    r"|\bgist\b|schwannom|rhabdomyosarcom|neuroblastom|leiomyom(?!yosarcom)",
    re.I,
)
"""Names of other retroperitoneal tumours (zhang2021 Discussion, differential diagnosis): a
retroperitoneal malignancy recorded with one of them is not a leiomyosarcoma."""

_MORPHOLOGY = re.compile(r"^\d{4}/\d$")


def other_histology(codings: Iterable[tuple[str | None, str | None]], text: str) -> str | None:
    """An ICD-O-3 morphology other than leiomyosarcoma, or another tumour named in ``text``."""
    for system, code in codings:
        morphology = (code or "").strip()
        if (
            system in ICDO3_SYSTEMS
            and _MORPHOLOGY.match(morphology)
            and (system, morphology) not in DIAGNOSES
        ):
            return f"ICD-O-3 {morphology}"
    match = OTHER_HISTOLOGY.search(text or "")
    return f"'{match.group(0)}' in the name" if match else None


def lookup(
    table: Mapping[tuple[str, str], CodeEntry], codings: Iterable[tuple[str | None, str | None]]
) -> CodeEntry | None:
    """The first (system, code) pair found in ``table``."""
    for system, code in codings:
        if system and code:
            entry = table.get((system, code.strip()))
            if entry is not None:
                return entry
    return None


def normalise_icd10(code: str) -> str:
    """``c480`` → ``C48.0``: ICD-10-CM and ICD-10 are written with and without the dot."""
    text = code.strip().upper().replace(" ", "")
    if "." not in text and len(text) > 3:
        text = f"{text[:3]}.{text[3:]}"
    return text


def lookup_icd10(codings: Iterable[tuple[str | None, str | None]]) -> CodeEntry | None:
    for system, code in codings:
        if system not in ICD10_SYSTEMS or not code:
            continue
        normal = normalise_icd10(code)
        for prefix, target, display, source in ICD10_PREFIXES:
            if normal == prefix or normal.startswith(prefix if "." in prefix else prefix + "."):
                return CodeEntry(system, normal, display, target, source)
    return None


def match_name(text: str | None, prefix: str) -> NamePattern | None:
    """The first name pattern with a target under ``prefix`` that matches ``text``."""
    if not text:
        return None
    for pattern in NAME_PATTERNS:
        if pattern.target.startswith(prefix) and pattern.pattern.search(text):
            return pattern
    return None
