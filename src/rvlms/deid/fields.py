"""Every field of the case record, walked once, so the policy can be checked against it.

A path names list items with ``[]`` (``neoadjuvant[].regimen``); models used in several
places (``Therapy`` for neoadjuvant and adjuvant treatment, ``LabTest`` for each hormone
test) appear once per place.
"""

from __future__ import annotations

import datetime as dt
import enum
import types
import typing
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any

from pydantic import BaseModel

from rvlms.case import Case

__all__ = ["CaseField", "FieldKind", "case_fields"]


class FieldKind(enum.StrEnum):
    """What a field can hold, which decides what it can leak."""

    text = "text"
    texts = "list of texts"
    date = "date"
    number = "number"
    boolean = "yes/no"
    choice = "choice"
    choices = "list of choices"


@dataclass(frozen=True)
class CaseField:
    """One leaf of the case record: its path, the model that declares it and its kind."""

    path: str
    model: type[BaseModel]
    name: str
    kind: FieldKind
    description: str
    required: bool = False


def _bare(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _bare(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        parts = [_bare(a) for a in typing.get_args(annotation) if a is not type(None)]
        return parts[0] if len(parts) == 1 else tuple(parts)
    return annotation


def _kind(annotation: Any) -> FieldKind:
    if annotation is dt.date or annotation is dt.datetime:
        return FieldKind.date
    if annotation is bool:
        return FieldKind.boolean
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return FieldKind.choice
    if annotation is str:
        return FieldKind.text
    return FieldKind.number


def _walk(model: type[BaseModel], prefix: str) -> list[CaseField]:
    found: list[CaseField] = []
    for name, info in model.model_fields.items():
        target = _bare(info.annotation)
        path = f"{prefix}{name}"
        if typing.get_origin(target) is list:
            item = _bare(typing.get_args(target)[0])
            if isinstance(item, type) and issubclass(item, BaseModel):
                found.extend(_walk(item, f"{path}[]."))
                continue
            kind = FieldKind.texts if item is str else FieldKind.choices
        elif isinstance(target, type) and issubclass(target, BaseModel):
            found.extend(_walk(target, f"{path}."))
            continue
        else:
            kind = _kind(target)
        description = (info.description or "").strip()
        found.append(CaseField(path, model, name, kind, description, info.is_required()))
    return found


@cache
def case_fields() -> tuple[CaseField, ...]:
    """Every leaf of :class:`rvlms.case.Case` in declaration order."""
    return tuple(_walk(Case, ""))
