"""The code tables of docs/fhir.md, generated from the tables the export uses, so that the
published code list and the rvlms code system cannot drift from the code."""

from __future__ import annotations

from rvlms.fhir.checked import CHECKED
from rvlms.fhir.fields import FIELD_DISPLAYS, FIELD_PATHS, RECORD_PARTS
from rvlms.fhir.vocabulary import RVLMS_CONCEPTS

__all__ = ["code_tables"]

_SYSTEMS = {
    "http://snomed.info/sct": "SNOMED CT",
    "http://loinc.org": "LOINC",
    "http://terminology.hl7.org/CodeSystem/icd-o-3": "ICD-O-3",
    "http://hl7.org/fhir/sid/icd-10-cm": "ICD-10-CM",
    "http://unitsofmeasure.org": "UCUM",
    "http://cancerstaging.org": "AJCC (`http://cancerstaging.org`)",
    "http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl": "NCIt",
}


def _cell(text: str) -> str:
    return text.replace("|", "/")


def code_tables() -> dict[str, str]:
    """Markdown tables by name: ``codes``, ``concepts`` and ``fields``."""
    codes = ["| Code | System | Display | Used in | Checked against |", "|---|---|---|---|---|"]
    for c in CHECKED:
        system = _SYSTEMS.get(c.system, f"`{c.system}`")
        codes.append(
            f"| `{c.code}` | {system} | {_cell(c.display)} | {_cell(c.use)} | {_cell(c.source)} |"
        )
    concepts = ["| Code | Meaning |", "|---|---|"]
    concepts += [f"| `{code}` | {_cell(text)} |" for code, text in RVLMS_CONCEPTS.items()]
    fields = ["| Field code (case-record path) | Sent as | Meaning |", "|---|---|---|"]
    for path, many in FIELD_PATHS:
        sent = "one Observation per item" if many else "one Observation"
        if path in RECORD_PARTS:
            sent += "; components " + ", ".join(f"`{path}.{n}`" for n in RECORD_PARTS[path])
        fields.append(f"| `{path}` | {sent} | {_cell(FIELD_DISPLAYS[path])} |")
    return {"codes": "\n".join(codes), "concepts": "\n".join(concepts), "fields": "\n".join(fields)}
