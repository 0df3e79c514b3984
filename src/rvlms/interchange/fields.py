"""The case record as a list of leaf fields, read from the pydantic model itself.

Every tabular format (wide CSV, Excel, the REDCap dictionary and records) is generated from
this walk, so a field added to the case record appears in all of them without a column list
to keep in step. A leaf is one of:

- ``scalar``: text, number, date, yes/no or one coded value, one column;
- ``choices``: a list of coded values (symptoms, IVC segments), one 0/1 column per option;
- ``records``: a list of sub-records (organs, complications, therapies, follow-up events),
  one JSON cell in CSV/Excel, a repeating instrument in REDCap;
- ``texts``: a list of free-text entries (MDT disciplines).

Column names are the field path joined with ``__`` (``imaging__max_diameter_cm``); option
columns add ``___`` and the lower-case code (``presentation__symptoms___palpitation``),
which is also REDCap's checkbox export convention.
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum, IntEnum, StrEnum
from functools import cache
from typing import Any

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from rvlms.case import Case

__all__ = [
    "Leaf",
    "LeafKind",
    "case_leaves",
    "column_for_path",
    "humanise",
    "leaf_by_name",
    "leaves_of",
    "option_label",
]

SCALAR_TYPES: tuple[type, ...] = (str, int, float, bool, dt.date)
PATH_SEPARATOR = "__"
OPTION_SEPARATOR = "___"


class LeafKind(StrEnum):
    scalar = "scalar"
    choices = "choices"
    records = "records"
    texts = "texts"


@dataclass(frozen=True)
class Leaf:
    """One field of the case record at a path, with what the formats need to know about it."""

    path: tuple[str, ...]
    kind: LeafKind
    value_type: type[Any]
    info: FieldInfo
    required: bool

    @property
    def name(self) -> str:
        return PATH_SEPARATOR.join(self.path)

    @property
    def dotted(self) -> str:
        return ".".join(self.path)

    @property
    def enum(self) -> type[Enum] | None:
        t = self.value_type
        return t if isinstance(t, type) and issubclass(t, Enum) else None

    @property
    def codes(self) -> tuple[str, ...]:
        """The stored codes of a coded field, in the vocabulary's order."""
        enum = self.enum
        return tuple(str(member.value) for member in enum) if enum else ()

    def option_column(self, code: str) -> str:
        return f"{self.name}{OPTION_SEPARATOR}{code.lower()}"

    @property
    def columns(self) -> tuple[str, ...]:
        """The wide-table columns of this leaf."""
        if self.kind is LeafKind.choices:
            return tuple(self.option_column(code) for code in self.codes)
        return (self.name,)

    @property
    def item_model(self) -> type[BaseModel]:
        if self.kind is not LeafKind.records:
            raise TypeError(f"{self.name} is not a list of records")
        return self.value_type

    @property
    def unit(self) -> str | None:
        """The unit declared on the field, else the one its name ends with (``_kg``)."""
        for extra in _extras(self.info):
            if "unit" in extra:
                return str(extra["unit"])
        match = _UNIT_SUFFIX.search(self.path[-1])
        return _UNIT_OF_SUFFIX.get(match.group(1)) if match else None

    @property
    def description(self) -> str | None:
        return self.info.description

    @property
    def bounds(self) -> tuple[float | None, float | None]:
        """(lowest, highest) accepted value as stated by the model (inclusive or not)."""
        low: float | None = None
        high: float | None = None
        for meta in _metadata(self.info):
            if isinstance(meta, annotated_types.Ge):
                low = float(meta.ge)  # type: ignore[arg-type]
            elif isinstance(meta, annotated_types.Gt):
                low = float(meta.gt)  # type: ignore[arg-type]
            elif isinstance(meta, annotated_types.Le):
                high = float(meta.le)  # type: ignore[arg-type]
            elif isinstance(meta, annotated_types.Lt):
                high = float(meta.lt)  # type: ignore[arg-type]
        return low, high

    @property
    def exclusive_low(self) -> bool:
        return any(isinstance(m, annotated_types.Gt) for m in _metadata(self.info))


def _members(annotation: Any) -> list[Any]:
    """The members of a union (or the annotation itself)."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return list(typing.get_args(annotation))
    return [annotation]


def _bare(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _metadata(info: FieldInfo) -> Iterator[Any]:
    yield from info.metadata
    for member in _members(info.annotation):
        if typing.get_origin(member) is typing.Annotated:
            for meta in typing.get_args(member)[1:]:
                if isinstance(meta, FieldInfo):
                    yield from meta.metadata
                else:
                    yield meta


def _extras(info: FieldInfo) -> Iterator[dict[str, Any]]:
    if isinstance(info.json_schema_extra, dict):
        yield info.json_schema_extra
    for member in _members(info.annotation):
        if typing.get_origin(member) is typing.Annotated:
            for meta in typing.get_args(member)[1:]:
                extra = getattr(meta, "json_schema_extra", None)
                if isinstance(extra, dict):
                    yield extra


def _concrete(annotation: Any) -> Any:
    """The annotation without Optional and Annotated wrappers."""
    members = [_bare(m) for m in _members(annotation) if m is not type(None)]
    if len(members) != 1:
        raise TypeError(f"unsupported union in the case record: {annotation!r}")
    return members[0]


def _is_model(t: Any) -> bool:
    return isinstance(t, type) and issubclass(t, BaseModel)


def _is_enum(t: Any) -> bool:
    return isinstance(t, type) and issubclass(t, Enum)


def leaves_of(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> list[Leaf]:
    """Every leaf of ``model`` in declaration order, nested models flattened."""
    found: list[Leaf] = []
    for name, info in model.model_fields.items():
        path = (*prefix, name)
        target = _concrete(info.annotation)
        required = info.is_required()
        if typing.get_origin(target) is list:
            item = _bare(typing.get_args(target)[0])
            if _is_model(item):
                found.append(Leaf(path, LeafKind.records, item, info, required))
            elif _is_enum(item):
                found.append(Leaf(path, LeafKind.choices, item, info, required))
            elif item is str:
                found.append(Leaf(path, LeafKind.texts, str, info, required))
            else:
                raise TypeError(f"{'.'.join(path)}: unsupported list item {item!r}")
        elif _is_model(target):
            found.extend(leaves_of(target, path))
        elif _is_enum(target) or target in SCALAR_TYPES:
            found.append(Leaf(path, LeafKind.scalar, target, info, required))
        else:
            raise TypeError(f"{'.'.join(path)}: unsupported field type {target!r}")
    return found


@cache
def case_leaves() -> tuple[Leaf, ...]:
    """The leaves of :class:`rvlms.case.Case`, ``case_id`` first."""
    found = leaves_of(Case)
    return tuple(sorted(found, key=lambda leaf: leaf.path != ("case_id",)))


@cache
def leaf_by_name() -> dict[str, Leaf]:
    return {leaf.name: leaf for leaf in case_leaves()}


def column_for_path(path: str, leaves: dict[str, Leaf] | None = None) -> str:
    """The wide-table column that holds a dotted field path from a validation error.

    ``imaging.max_diameter_cm`` → ``imaging__max_diameter_cm``; a path inside a list of
    records (``complications.0.clavien_dindo``) → the list's column (``complications``);
    an error about the record as a whole → ``""``.
    """
    known = leaves if leaves is not None else leaf_by_name()
    names = [part for part in path.split(".") if part and not part.isdigit()]
    for end in range(len(names), 0, -1):
        candidate = PATH_SEPARATOR.join(names[:end])
        if candidate in known:
            return candidate
    return ""


_ACRONYMS = {
    "acth": "ACTH",
    "asa": "ASA",
    "cect": "CECT",
    "ct": "CT",
    "ctu": "CTU",
    "dfs": "DFS",
    "ecog": "ECOG",
    "fnclcc": "FNCLCC",
    "gy": "Gy",
    "hpf": "HPF",
    "icu": "ICU",
    "ihc": "IHC",
    "ivc": "IVC",
    "mdt": "MDT",
    "mri": "MRI",
    "pet": "PET",
    "ptfe": "PTFE",
    "rbc": "RBC",
    "sma": "SMA",
    "vma": "VMA",
}
_UNIT_SUFFIX = re.compile(r"_(cm|mm|ml|min|pct|days|years|kg|gy|umol_l|g_l|10hpf)$")
_UNIT_OF_SUFFIX = {
    "cm": "cm",
    "mm": "mm",
    "ml": "ml",
    "min": "min",
    "pct": "%",
    "days": "d",
    "years": "years",
    "kg": "kg",
    "gy": "Gy",
    "umol_l": "µmol/L",
    "g_l": "g/L",
    "10hpf": "per 10 HPF",
}


def humanise(code: str, *, drop_unit: bool = False) -> str:
    """``max_diameter_cm`` → "Max diameter"; coded values such as ``R0`` stay as they are."""
    if not re.search(r"[a-z]", code) or ("_" not in code and not code.islower()):
        return code
    text = _UNIT_SUFFIX.sub("", code) if drop_unit else code
    words = [_ACRONYMS.get(word, word) for word in text.split("_") if word]
    if not words:
        return code
    first = words[0]
    words[0] = first if first.isupper() or first in _ACRONYMS.values() else first.capitalize()
    return " ".join(words)


def option_label(enum: type[Enum], member: Enum) -> str:
    """The label shown for a coded value (REDCap choices)."""
    if isinstance(member, IntEnum):
        return humanise(member.name.lower())
    return humanise(str(member.value))
