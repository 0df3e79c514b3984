"""Reading case files (YAML or JSON) and turning validation failures into field problems.

pydantic reports where a value failed; this module adds what a clinician needs to fix it:
the dotted field path, the value given and the values that would be accepted.
"""

from __future__ import annotations

import json
import re
import types
import typing
from enum import Enum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from rvlms.case.record import Case
from rvlms.errors import CaseInvalid, FieldProblem, FileUnreadable

_LEADING_PATH = re.compile(r"^(?:Value error, )?([a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)*): (.*)$", re.S)


def parse_case(data: Any, *, source: str | None = None) -> Case:
    """Validate a mapping as a case record, raising :class:`CaseInvalid` with every problem."""
    try:
        return Case.model_validate(data)
    except ValidationError as exc:
        raise CaseInvalid(field_problems(exc, Case), source=source) from None


def read_case_data(path: Path) -> Any:
    """Read a YAML or JSON case file into plain data."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FileUnreadable(f"{path}: {exc.strerror or exc}") from None
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        return yaml.load(text, Loader=yaml.CSafeLoader)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise FileUnreadable(
            f"{path}: not valid {path.suffix.lstrip('.').upper()}: {exc}"
        ) from None


def load_case(path: Path | str) -> Case:
    """Load and validate one case file (``.yaml``, ``.yml`` or ``.json``)."""
    path = Path(path)
    return parse_case(read_case_data(path), source=str(path))


def dump_case(case: Case, fmt: str = "yaml") -> str:
    data = case.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    data = {"case_id": case.case_id, **data}
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def field_problems(exc: ValidationError, root: type[BaseModel]) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    for error in exc.errors(include_url=False):
        loc = [str(part) for part in error["loc"]]
        message = str(error["msg"])
        kind = error["type"]
        allowed: tuple[str, ...] = ()
        if kind == "value_error":
            match = _LEADING_PATH.match(message)
            if match:
                inner, message = match.group(1), match.group(2)
                loc = loc + [p for p in inner.split(".") if p not in loc[-1:]]
            else:
                message = message.removeprefix("Value error, ")
        if kind == "extra_forbidden":
            message = "unknown field"
            allowed = tuple(_fields_at(root, loc[:-1]))
        elif kind != "value_error":
            allowed = _allowed_at(root, loc)
            unit = _unit_at(root, loc)
            if unit and kind in _BOUND_ERRORS:
                message = f"{message} {unit}"
        problems.append(
            FieldProblem(
                path=".".join(loc), message=message, value=error.get("input"), allowed=allowed
            )
        )
    return problems


_BOUND_ERRORS = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}


def _field_at(root: type[BaseModel], loc: list[str]) -> Any:
    names = [i for i, p in enumerate(loc) if not p.isdigit()]
    if not names:
        return None
    parent = _model_at(root, loc[: names[-1]])
    return parent.model_fields.get(loc[names[-1]]) if parent else None


def _unit_at(root: type[BaseModel], loc: list[str]) -> str | None:
    info = _field_at(root, loc)
    if info is None:
        return None
    for meta in info.metadata:
        extra = getattr(meta, "json_schema_extra", None)
        if isinstance(extra, dict) and "unit" in extra:
            return str(extra["unit"])
    extra = info.json_schema_extra
    if isinstance(extra, dict) and "unit" in extra:
        return str(extra["unit"])
    for member in typing.get_args(info.annotation) or (info.annotation,):
        if typing.get_origin(member) is typing.Annotated:
            for meta in typing.get_args(member)[1:]:
                inner = getattr(meta, "json_schema_extra", None)
                if isinstance(inner, dict) and "unit" in inner:
                    return str(inner["unit"])
    return None


def _unwrap(annotation: Any) -> list[Any]:
    """The concrete types behind Optional/Union/list/Annotated."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list, tuple, set):
        found: list[Any] = []
        for arg in typing.get_args(annotation):
            found.extend(_unwrap(arg))
        return found
    return [annotation]


def _model_at(root: type[BaseModel], loc: list[str]) -> type[BaseModel] | None:
    model: type[BaseModel] | None = root
    for part in loc:
        if model is None:
            return None
        if part.isdigit():
            continue
        info = model.model_fields.get(part)
        if info is None:
            return None
        model = next(
            (
                t
                for t in _unwrap(info.annotation)
                if isinstance(t, type) and issubclass(t, BaseModel)
            ),
            None,
        )
    return model


def _fields_at(root: type[BaseModel], loc: list[str]) -> list[str]:
    model = _model_at(root, loc)
    return list(model.model_fields) if model else []


def _allowed_at(root: type[BaseModel], loc: list[str]) -> tuple[str, ...]:
    info = _field_at(root, loc)
    if info is None:
        return ()
    for candidate in _unwrap(info.annotation):
        if isinstance(candidate, type) and issubclass(candidate, Enum):
            return tuple(str(member.value) for member in candidate)
    return ()
