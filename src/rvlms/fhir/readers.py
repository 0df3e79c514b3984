"""Small readers of FHIR datatypes shared by every part of the mapping: codings, texts,
dates, quantities in the units the case record keeps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from rvlms.fhir.codes import LATERALITY, LATERALITY_EXTENSIONS, UCUM, CodeEntry, lookup
from rvlms.scores.egfr import UMOL_PER_MG_DL

__all__ = [
    "Coding",
    "as_date",
    "codings",
    "codings_of",
    "concept_text",
    "creatinine_umol",
    "display_of",
    "parse_when",
    "quantity_cm",
    "side_of",
    "via_label",
    "when_of",
]

Coding = tuple[str | None, str | None]


def codings(concept: Any) -> list[Coding]:
    if concept is None:
        return []
    return [(c.system, c.code) for c in (concept.coding or [])]


def concept_text(concept: Any) -> str:
    if concept is None:
        return ""
    parts = [concept.text or ""] + [c.display or "" for c in (concept.coding or [])]
    return " ".join(p for p in parts if p)


def codings_of(concepts: Iterable[Any]) -> list[Coding]:
    return [c for concept in concepts for c in codings(concept)]


def when_of(*values: Any) -> str:
    """A sortable ISO text for the first date given (FHIR dates may be partial)."""
    for value in values:
        if value is None:
            continue
        if isinstance(value, dt.datetime | dt.date):
            return value.isoformat()
        return str(value)
    return ""


def as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


def via_label(entry: CodeEntry | None, name: str | None = None) -> str:
    if entry is not None:
        return entry.label
    return f"matched by name ({name})" if name else "matched by name"


def display_of(concept: Any, fallback: str = "no code read by this service") -> str:
    text = concept_text(concept)
    return text[:120] if text else fallback


def side_of(concepts: Iterable[Any]) -> tuple[str, CodeEntry] | None:
    for concept in concepts:
        if concept is None:
            continue
        entry = lookup(LATERALITY, codings(concept))
        if entry is not None:
            return entry.target.split(":", 1)[1], entry
        for extension in concept.extension or []:
            if extension.url in LATERALITY_EXTENSIONS:
                entry = lookup(LATERALITY, codings(extension.valueCodeableConcept))
                if entry is not None:
                    return entry.target.split(":", 1)[1], entry
    return None


def quantity_cm(quantity: Any) -> tuple[float, str] | None:
    """Tumour size in cm from a Quantity in cm or mm (mCODE TumorSizeUnitsVS)."""
    if quantity is None or quantity.value is None:
        return None
    unit = (quantity.code if quantity.system in (UCUM, None) else None) or quantity.unit or ""
    unit = unit.strip().lower()
    value = float(Decimal(quantity.value))
    if unit == "cm":
        return round(value, 2), f"{value:g} cm"
    if unit == "mm":
        return round(value / 10, 2), f"{value / 10:g} cm ({value:g} mm)"
    return None


def creatinine_umol(quantity: Any, code: str | None) -> tuple[float, str] | None:
    if quantity is None or quantity.value is None:
        return None
    unit = (quantity.code or quantity.unit or "").strip().lower()
    unit = unit.replace("µ", "u").replace("μ", "u")
    value = float(Decimal(quantity.value))
    if unit in ("mg/dl", "mg/100ml") or (not unit and code == "2160-0"):
        converted = round(value * UMOL_PER_MG_DL, 1)
        return converted, f"{converted:g} µmol/L ({value:g} mg/dL × {UMOL_PER_MG_DL:g})"
    if unit in ("umol/l", "micromol/l") or (not unit and code == "14682-9"):
        return round(value, 1), f"{value:g} µmol/L"
    return None


def parse_when(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None
