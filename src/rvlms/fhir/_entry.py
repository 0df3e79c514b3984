"""Code systems and the code entry every terminology table is made of.

Every entry names where the code was checked (``source``) and whether it could be verified
(``verified``). An unverified code may be read from a record; it is never written into an
export (:mod:`rvlms.fhir.vocabulary`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

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
        return f"{system_name(self.system)} {self.code} {self.display}{mark}"


def system_name(system: str) -> str:
    if system in ICD10_SYSTEMS:
        return "ICD-10"
    if system in ICDO3_SYSTEMS:
        return "ICD-O-3"
    return {SNOMED: "SNOMED CT", LOINC: "LOINC", NCIT: "NCIt", INTERPRETATION_SYSTEM: "v3"}.get(
        system, system
    )


def table_of(entries: Iterable[CodeEntry]) -> Mapping[tuple[str, str], CodeEntry]:
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
