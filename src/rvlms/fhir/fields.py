"""Case-record findings with no standard code, carried as rvlms-coded observations.

mCODE has no element for most of what a vascular leiomyosarcoma MDT records (the relation of
the tumour to the IVC wall, the renal veins, the clamping used, the blood loss...). Each such
field travels as one Observation whose code is the field's path in the rvlms code system
(``imaging.ivc_wall_involvement``) and whose value is a boolean, a number, a code
(``imaging.ivc_wall_involvement.partial``) or a text; a list is one Observation per item, in
order. :data:`FIELD_PATHS` is generated from the case-record model, so a field added to a
section below travels without further work.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Iterator, Sequence
from enum import Enum
from typing import Any

from pydantic import BaseModel

from rvlms.case import (
    Biopsy,
    Case,
    Complication,
    Imaging,
    ImagingStudy,
    Labs,
    Mdt,
    Operation,
    OrganInvolvement,
    Pathology,
    Postoperative,
    Preferences,
    Preoperative,
)
from rvlms.case.presentation import Demographics, History, Presentation
from rvlms.fhir._build import Export, Json
from rvlms.fhir.builder import Builder, Located
from rvlms.fhir.readers import as_date, codings
from rvlms.fhir.vocabulary import RVLMS_SYSTEM

__all__ = [
    "FIELD_DISPLAYS",
    "FIELD_PATHS",
    "FREE_TEXT",
    "STANDARD_PATHS",
    "add_fields",
    "read_fields",
]

STANDARD_PATHS = frozenset(
    {
        "demographics.sex",
        "demographics.age_years",
        "presentation.diagnosis_date",
        "history.conditions",
        "labs.creatinine_umol_l",
        "labs.hormones.plasma_free_metanephrines.result",
        "imaging.vessel_of_origin",
        "imaging.side",
        "imaging.max_diameter_cm",
        "imaging.imaging_type",
        "imaging.ivc_segments",
        "imaging.ivc_lower_extent",
        "imaging.ivc_upper_extent",
        "imaging.ivc_involved",
        "imaging.regional_nodes",
        "imaging.distant_metastasis",
        "imaging.metastasis_sites",
        "operation.date",
        "operation.approach",
        "operation.reconstruction",
        "operation.reconstruction_material",
        "operation.organs_resected",
        "pathology.histology",
        "pathology.size_cm",
        "pathology.margin",
        "pathology.fnclcc_grade",
    }
)
"""Fields carried by a standard or mCODE-shaped resource (docs/fhir.md, first table)."""

ALSO_STANDARD = frozenset(
    {
        "history.conditions",
        "pathology.fnclcc_grade",
        "pathology.margin",
        "imaging.metastasis_sites",
        "imaging.side",
    }
)
"""Standard-coded fields that also travel as field observations, because the standard code
covers only some values (hypertension among the past history; grades G1-G3 but not GX)."""

FREE_TEXT = frozenset(
    {"operation.conversion_reason", "complications.description", "mdt.notes", "biopsy.complication"}
)
"""Free text: exported only in the identified view (as :mod:`rvlms.deid` drops it)."""

_SECTIONS: tuple[tuple[str, type[BaseModel]], ...] = (
    ("demographics", Demographics),
    ("presentation", Presentation),
    ("history", History),
    ("labs", Labs),
    ("preoperative", Preoperative),
    ("imaging", Imaging),
    ("biopsy", Biopsy),
    ("mdt", Mdt),
    ("operation", Operation),
    ("pathology", Pathology),
    ("postoperative", Postoperative),
    ("preferences", Preferences),
)
_NESTED = {"hormones", "tumour_thrombus", "ihc"}
_RECORDS = {"imaging.organs", "imaging.studies"}
"""Lists of records: one Observation per item, one component per field of the item."""
_PLAIN = (bool, int, float, str, dt.date)
_TEXTS = FREE_TEXT | {"preoperative.alpha_blocker", "mdt.disciplines"}


def _leaf(annotation: Any) -> tuple[Any, bool]:
    """The value type of a field and whether it is a list."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _leaf(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _leaf(args[0]) if len(args) == 1 else (None, False)
    if origin is list:
        inner, _ = _leaf(typing.get_args(annotation)[0])
        return inner, True
    return annotation, False


def _scalar(kind: Any, path: str) -> bool:
    if not isinstance(kind, type):
        return False
    if kind is str:
        return path in _TEXTS or path.endswith(".unit")
    return issubclass(kind, Enum) or kind in _PLAIN


def _walk(prefix: str, model: type[BaseModel]) -> Iterator[tuple[str, bool, str]]:
    for name, info in model.model_fields.items():
        path = f"{prefix}.{name}"
        kind, many = _leaf(info.annotation)
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            if (name in _NESTED or prefix.endswith(".hormones")) and not many:
                yield from _walk(path, kind)
            elif path in _RECORDS and many:
                yield path, True, info.description or path
        elif _scalar(kind, path) and (path not in STANDARD_PATHS or path in ALSO_STANDARD):
            yield path, many, info.description or path


def _parts(model: type[BaseModel]) -> dict[str, bool]:
    return {
        name: many
        for name, info in model.model_fields.items()
        for kind, many in [_leaf(info.annotation)]
        if _scalar(kind, f"record.{name}") or (isinstance(kind, type) and kind is str)
    }


_WALKED = (
    *(item for prefix, model in _SECTIONS for item in _walk(prefix, model)),
    ("complications", True, "Post-operative complications with Clavien-Dindo grade"),
)
FIELD_PATHS: tuple[tuple[str, bool], ...] = tuple((path, many) for path, many, _ in _WALKED)
"""(path, is_list) of every field carried by an rvlms field observation."""
FIELD_DISPLAYS: dict[str, str] = {path: text[:200] for path, _, text in _WALKED}
"""The display of each field code: the case record's own description of the field."""
RECORD_PARTS: dict[str, dict[str, bool]] = {
    "imaging.organs": _parts(OrganInvolvement),
    "imaging.studies": _parts(ImagingStudy),
    "complications": _parts(Complication),
}
"""The fields of each item of a list of records, each one component (list: one per item)."""
_LISTS = {path for path, many in FIELD_PATHS if many}
_PATHS = {path for path, _ in FIELD_PATHS}


def _get(case: Case, path: str) -> Any:
    node: Any = case
    for part in path.split("."):
        node = getattr(node, part, None)
        if node is None:
            return None
    return node


def _default(path: str) -> Any:
    """The value a fresh section holds, so that defaults are not written out."""
    section, *rest = path.split(".")
    sections = dict(_SECTIONS)
    if section not in sections:
        return None
    node: Any = sections[section].model_construct()
    for part in rest:
        node = getattr(node, part, None)
    return node


def _value(path: str, value: Any, x: Export) -> Json:
    if isinstance(value, bool):
        return {"valueBoolean": value}
    if isinstance(value, Enum):
        code = f"{path}.{value.value}"
        return {"valueCodeableConcept": {"coding": [{"system": RVLMS_SYSTEM, "code": code}]}}
    if isinstance(value, int | float):
        return {"valueQuantity": {"value": value}}
    if isinstance(value, dt.date):
        return {"valueDateTime": x.date(value)}
    return {"valueString": str(value)}


def _code(path: str) -> Json:
    display = FIELD_DISPLAYS.get(path, path)
    return {"coding": [{"system": RVLMS_SYSTEM, "code": path, "display": display}]}


def _components(path: str, item: BaseModel, x: Export) -> list[Json]:
    parts: list[Json] = []
    for name, many in RECORD_PARTS[path].items():
        sub = f"{path}.{name}"
        if x.deidentified and sub in FREE_TEXT:
            continue
        value = getattr(item, name)
        for one in value if many else [] if value is None else [value]:
            parts.append(
                {"code": {"coding": [{"system": RVLMS_SYSTEM, "code": sub}]}, **_value(sub, one, x)}
            )
    return parts


def add_fields(x: Export) -> None:
    """One Observation per carried field that differs from its default."""
    for path, many in FIELD_PATHS:
        if x.deidentified and path in FREE_TEXT:
            continue
        value = _get(x.case, path)
        if value is None or (not many and value == _default(path)):
            continue
        for i, item in enumerate(value if many else [value]):
            role = f"field:{path}:{i}"
            if path in RECORD_PARTS:
                x.observation(role, _code(path), component=_components(path, item, x))
            else:
                x.observation(role, _code(path), **_value(path, item, x))


def _read(path: str, holder: Any) -> Any:
    if holder.valueBoolean is not None:
        return holder.valueBoolean
    if holder.valueQuantity is not None and holder.valueQuantity.value is not None:
        number = holder.valueQuantity.value
        return int(number) if number == int(number) else float(number)
    if holder.valueCodeableConcept is not None:
        for system, code in codings(holder.valueCodeableConcept):
            if system == RVLMS_SYSTEM and code and code.startswith(path + "."):
                return code[len(path) + 1 :]
    if holder.valueDateTime is not None:
        return as_date(holder.valueDateTime)
    return holder.valueString


_LEFT_OUT = "not given: free text is left out of a de-identified export"


def _record(path: str, observation: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"description": _LEFT_OUT} if path == "complications" else {}
    parts = RECORD_PARTS[path]
    for component in observation.component or []:
        sub = next((c for s, c in codings(component.code) if s == RVLMS_SYSTEM and c), "")
        name = sub[len(path) + 1 :]
        if name not in parts:
            continue
        value = _read(sub, component)
        if value is None:
            continue
        if parts[name]:
            item.setdefault(name, []).append(value)
        else:
            item[name] = value
    return item


def read_fields(b: Builder, observations: Sequence[Located]) -> None:
    """The carried fields of ``observations`` into the case data; a list is rebuilt whole,
    in file order, and replaces what the standard resources gave for it."""
    lists: dict[str, tuple[Located, list[Any]]] = {}
    for found in observations:
        path = next(
            (c for s, c in codings(found.resource.code) if s == RVLMS_SYSTEM and c in _PATHS),
            None,
        )
        if path is None:
            continue
        value = (
            _record(path, found.resource) if path in RECORD_PARTS else _read(path, found.resource)
        )
        if value is None:
            continue
        if path in _LISTS:
            lists.setdefault(path, (found, []))[1].append(value)
        else:
            b.put(path, value, found, str(value), f"rvlms {path}")
    for path, (found, values) in lists.items():
        b.put(path, values, found, f"{len(values)} item(s)", f"rvlms {path}")
