"""Looking codes up: by (system, code), by ICD-10 prefix, and by name when no code matches.

The tables themselves are in :mod:`rvlms.fhir.tables`; this module is the one place that
reads them, for the CDS prefetch and for the FHIR import alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rvlms.fhir._entry import (
    ICD10_SYSTEMS,
    ICDO3_SYSTEMS,
    INTERPRETATION_SYSTEM,
    LATERALITY_EXTENSIONS,
    LOINC,
    MORPHOLOGY_EXTENSION,
    NCIT,
    SNOMED,
    UCUM,
    CodeEntry,
)
from rvlms.fhir.tables import (
    BODY_SITES,
    DIAGNOSES,
    GRADES,
    ICD10_PREFIXES,
    INTERPRETATIONS,
    LATERALITY,
    OBSERVATIONS,
    PROCEDURES,
)

__all__ = [
    "BODY_SITES",
    "DIAGNOSES",
    "GRADES",
    "ICD10_PREFIXES",
    "ICD10_SYSTEMS",
    "ICDO3_SYSTEMS",
    "INTERPRETATIONS",
    "INTERPRETATION_SYSTEM",
    "LATERALITY",
    "LATERALITY_EXTENSIONS",
    "LOINC",
    "MORPHOLOGY_EXTENSION",
    "NAME_PATTERNS",
    "NCIT",
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
