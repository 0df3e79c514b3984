"""Reading case files (YAML or JSON) and turning validation failures into field problems.

pydantic reports where a value failed; this module adds what a clinician needs to fix it:
the dotted field path, the value given, the values that would be accepted (with the closest
one for a near miss), and every cross-field problem, also those pydantic would only reach
once the invalid values are fixed.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import json
import re
import types
import typing
from enum import Enum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from rvlms.case.base import CANONICAL, CONSISTENCY
from rvlms.case.plausibility import NOT_FINITE
from rvlms.case.record import Case, Chronology, chronology_problems
from rvlms.case.vocab import vocabulary_key
from rvlms.errors import CaseInvalid, FieldProblem, FileUnreadable

_LEADING_PATH = re.compile(r"^(?:Value error, )?([a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)*): (.*)$", re.S)


def parse_case(data: Any, *, source: str | None = None) -> Case:
    """Validate a mapping as a case record, raising :class:`CaseInvalid` with every problem.

    pydantic runs a part's cross-field checks only once every field of that part is valid,
    so a wrong size would hide a contradiction in the same imaging report until it is
    fixed. Two further looks report those together: the record is validated again without
    the invalid values (:func:`_cross_field_problems`), and the chronology check runs on
    the dates that can be read (for parts that stay invalid, e.g. a missing required field).
    """
    try:
        return Case.model_validate(data)
    except ValidationError as exc:
        problems = field_problems(exc, Case)
        seen = {(p.path, p.message) for p in problems}
        for extra in [*_cross_field_problems(data, exc), *_raw_chronology_problems(data)]:
            if (extra.path, extra.message) not in seen:
                seen.add((extra.path, extra.message))
                problems.append(extra)
        raise CaseInvalid(problems, source=source) from None


_CROSS_FIELD = frozenset({CONSISTENCY, "value_error"})


def _cross_field_problems(data: Any, first: ValidationError) -> list[FieldProblem]:
    """The cross-field problems of the record once its invalid values are left out.

    A problem that names a left-out field is dropped: it would be about the gap, not about
    what the user wrote (an event whose invalid date was left out has no date).
    """
    if not isinstance(data, dict):
        return []
    pruned = copy.deepcopy(data)
    removed: list[tuple[str | int, ...]] = []
    locations = [tuple(e["loc"]) for e in first.errors() if e["type"] not in _CROSS_FIELD]
    for loc in sorted(set(locations), key=_loc_order, reverse=True):
        if _remove(pruned, loc):
            removed.append(loc)
    if not removed:
        return []
    try:
        Case.model_validate(pruned)
    except ValidationError as exc:
        names = {str(loc[-1]) for loc in removed if isinstance(loc[-1], str)}
        words = re.compile(r"\b(" + "|".join(map(re.escape, sorted(names))) + r")\b")
        cross = [e for e in exc.errors(include_url=False) if e["type"] in _CROSS_FIELD]
        return [
            problem
            for problem in _problems(cross, Case)
            if not (names and words.search(f"{problem.path} {problem.message}"))
        ]
    return []


def _loc_order(loc: tuple[str | int, ...]) -> tuple[tuple[int, str], ...]:
    return tuple((part, "") if isinstance(part, int) else (-1, part) for part in loc)


def _remove(data: Any, loc: tuple[str | int, ...]) -> bool:
    """Delete the value at a location; ``False`` when there is nothing there to delete."""
    node = data
    for part in loc[:-1]:
        inside = (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and part < len(node)
        )
        if not inside:
            return False
        node = node[part]
    last = loc[-1] if loc else None
    if isinstance(node, dict) and last in node:
        del node[last]
        return True
    if isinstance(node, list) and isinstance(last, int) and last < len(node):
        del node[last]
        return True
    return False


def _raw_date(data: Any, path: str) -> dt.date | None:
    node = data
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    if isinstance(node, dt.datetime):
        return node.date()
    if isinstance(node, dt.date):
        return node
    if isinstance(node, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", node.strip()):
        try:
            return dt.date.fromisoformat(node.strip())
        except ValueError:
            return None
    return None


def _raw_chronology_problems(data: Any) -> list[FieldProblem]:
    if not isinstance(data, dict):
        return []
    dated = {
        path: _raw_date(data, path)
        for path in (
            "presentation.diagnosis_date",
            "biopsy.date",
            "mdt.date",
            "operation.date",
            "follow_up.last_contact_date",
        )
    }
    follow_up = data.get("follow_up")
    raw_events = follow_up.get("events") if isinstance(follow_up, dict) else None
    events = [_raw_date(e, "date") for e in raw_events] if isinstance(raw_events, list) else []
    demographics = data.get("demographics")
    age = demographics.get("age_years") if isinstance(demographics, dict) else None
    chronology = Chronology(
        birth=_raw_date(data, "identity.birth_date"),
        age_years=age if isinstance(age, int) and not isinstance(age, bool) else None,
        dated=dated,
        events=events,
    )
    problems: list[FieldProblem] = []
    for line in chronology_problems(chronology):
        match = _LEADING_PATH.match(line)
        if match:
            problems.append(FieldProblem(path=match.group(1), message=match.group(2)))
    return problems


def parse_own_json(text: str) -> Case:
    """A case from JSON that a ``Case`` wrote (``model_dump_json``), validated in full.

    Its vocabulary words are taken as spelt, since a record writes them as the vocabulary
    does; everything else - types, ranges, the checks across sections - is checked as for
    any input. Raises pydantic's ``ValidationError``.
    """
    return Case.model_validate_json(text, context={CANONICAL: True})


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
    """One problem per failed field, with its dotted path, the value given and what is
    allowed; a cross-field check that found several contradictions gives one problem each."""
    return _problems(exc.errors(include_url=False), root)


def _problems(errors: list[ErrorDetails], root: type[BaseModel]) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    for error in errors:
        loc = [str(part) for part in error["loc"]]
        kind = error["type"]
        if kind == CONSISTENCY:
            for line in str(error["msg"]).splitlines():
                problems.append(_located(loc, line, error.get("input")))
            continue
        message = str(error["msg"])
        allowed: tuple[str, ...] = ()
        if kind == "value_error":
            problems.append(_located(loc, message, error.get("input")))
            continue
        if kind == "extra_forbidden":
            message = "unknown field"
            allowed = tuple(_fields_at(root, loc[:-1]))
        else:
            allowed = _allowed_at(root, loc)
            unit = _unit_at(root, loc)
            if unit and kind in _BOUND_ERRORS:
                message = f"{message} {unit}"
            if allowed and isinstance(error.get("input"), str):
                message += _did_you_mean(error["input"], allowed)
        given = None if kind == NOT_FINITE else error.get("input")
        problems.append(
            FieldProblem(path=".".join(loc), message=message, value=given, allowed=allowed)
        )
    return problems


def _located(loc: list[str], message: str, given: Any) -> FieldProblem:
    """A ``path: message`` raised by a model validator, placed below the model's own path."""
    match = _LEADING_PATH.match(message)
    if match:
        inner, message = match.group(1), match.group(2)
        loc = loc + [p for p in inner.split(".") if p not in loc[-1:]]
    else:
        message = message.removeprefix("Value error, ")
    return FieldProblem(path=".".join(loc), message=message, value=given)


def _did_you_mean(given: str, allowed: tuple[str, ...]) -> str:
    """``; did you mean 'left'?`` for a near miss of a vocabulary word (difflib ratio ≥ 0.6)."""
    keys = {vocabulary_key(word): word for word in allowed}
    close = difflib.get_close_matches(vocabulary_key(given), list(keys), n=1, cutoff=0.6)
    if not close:
        return ""
    return f"; did you mean '{keys[close[0]]}'?"


_BOUND_ERRORS = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}


def field_info_at(root: type[BaseModel], loc: list[str]) -> Any:
    """The pydantic ``FieldInfo`` at a location (list indices skipped), or ``None``."""
    return _field_at(root, loc)


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
