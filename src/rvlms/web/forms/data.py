"""A submitted case form as a case document, and validation problems beside their fields.

Values go to :func:`rvlms.case.parse_case` as typed, so the server's validation is the only
one and its messages (with units, ranges and allowed values) appear beside the field they
concern; the form's layout lives in :mod:`rvlms.web.forms`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rvlms.errors import FieldProblem
from rvlms.web.forms.layout import CASE_FORM, FormField, RowGroup, Section

__all__ = [
    "FormInput",
    "FormLayout",
    "PlacedProblems",
    "form_to_data",
    "layout_for",
    "place_problems",
    "value_at",
]


def _fields(sections: Sequence[Section]) -> list[FormField]:
    return [item for s in sections for item in s.items if isinstance(item, FormField)]


def _groups(sections: Sequence[Section]) -> list[RowGroup]:
    return [item for s in sections for item in s.items if isinstance(item, RowGroup)]


def value_at(data: Mapping[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        if isinstance(node, Mapping):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node = data
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            if value is None:
                return
            child = {}
            node[part] = child
        node = child
    if value is None:
        node.pop(parts[-1], None)
    else:
        node[parts[-1]] = value


def _prune(node: Any) -> Any:
    """Drop empty mappings left behind by cleared fields (an empty section is no section)."""
    if isinstance(node, dict):
        cleaned = {k: _prune(v) for k, v in node.items()}
        return {k: v for k, v in cleaned.items() if not (isinstance(v, dict) and not v)}
    if isinstance(node, list):
        return [_prune(item) for item in node]
    return node


class FormInput:
    """What a submitted form holds: ``get`` for one value, ``getlist`` for checkboxes."""

    def __init__(self, pairs: Sequence[tuple[str, str]]) -> None:
        self._values: dict[str, list[str]] = {}
        for key, value in pairs:
            self._values.setdefault(key, []).append(value)

    def get(self, key: str) -> str:
        values = self._values.get(key)
        return values[0].strip() if values else ""

    def getlist(self, key: str) -> list[str]:
        return [v.strip() for v in self._values.get(key, []) if v.strip()]


@dataclass
class FormLayout:
    """Rows shown for each row group; ``row_maps`` ties list positions back to form rows."""

    rows: dict[str, int] = field(default_factory=dict)
    row_maps: dict[str, list[int]] = field(default_factory=dict)


def layout_for(data: Mapping[str, Any], sections: Sequence[Section] = CASE_FORM) -> FormLayout:
    layout = FormLayout()
    for group in _groups(sections):
        existing = value_at(data, group.path)
        count = len(existing) if isinstance(existing, list) else 0
        layout.rows[group.path] = max(count + group.spare_rows, 3)
        layout.row_maps[group.path] = list(range(count))
    return layout


def form_to_data(
    base: Mapping[str, Any], form: FormInput, sections: Sequence[Section] = CASE_FORM
) -> tuple[dict[str, Any], FormLayout]:
    """The stored case document with the form's fields applied (strings left for pydantic)."""
    data: dict[str, Any] = copy.deepcopy(dict(base))
    for item in _fields(sections):
        if item.kind == "multi":
            chosen = form.getlist(item.path)
            _set(data, item.path, chosen or None)
        else:
            raw = form.get(item.path)
            _set(data, item.path, raw or None)
    layout = FormLayout()
    for group in _groups(sections):
        try:
            shown = int(form.get(group.count_field) or 0)
        except ValueError:
            shown = 0
        shown = max(0, min(shown, 200))
        rows: list[dict[str, Any]] = []
        kept: list[int] = []
        for index in range(shown):
            row = {
                column.path: form.get(f"{group.path}.{index}.{column.path}")
                for column in group.columns
            }
            row = {key: value for key, value in row.items() if value}
            if row:
                rows.append(row)
                kept.append(index)
        _set(data, group.path, rows or None)
        layout.rows[group.path] = max(shown, len(rows) + group.spare_rows, 3)
        layout.row_maps[group.path] = kept
    return _prune(data), layout


@dataclass(frozen=True)
class PlacedProblems:
    by_field: dict[str, list[FieldProblem]]
    elsewhere: list[FieldProblem]

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.by_field.values()) + len(self.elsewhere)


def place_problems(
    problems: Sequence[FieldProblem],
    layout: FormLayout,
    sections: Sequence[Section] = CASE_FORM,
) -> PlacedProblems:
    """Each problem beside the form field it concerns; the rest listed above the form."""
    fields = _fields(sections)
    paths = {f.path for f in fields}
    multis = [f.path for f in fields if f.kind == "multi"]
    groups = _groups(sections)
    by_field: dict[str, list[FieldProblem]] = {}
    elsewhere: list[FieldProblem] = []
    for problem in problems:
        target = _target(problem.path, paths, multis, groups, layout)
        if target is None:
            elsewhere.append(problem)
        else:
            by_field.setdefault(target, []).append(problem)
    return PlacedProblems(by_field, elsewhere)


def _target(
    path: str,
    paths: set[str],
    multis: list[str],
    groups: list[RowGroup],
    layout: FormLayout,
) -> str | None:
    if path in paths:
        return path
    for multi in multis:
        if path.startswith(multi + "."):
            return multi
    for group in groups:
        if path == group.path:
            return group.path
        if path.startswith(group.path + "."):
            rest = path[len(group.path) + 1 :].split(".")
            if not rest[0].isdigit():
                return group.path
            kept = layout.row_maps.get(group.path, [])
            index = int(rest[0])
            row = kept[index] if index < len(kept) else index
            columns = {c.path for c in group.columns}
            if len(rest) > 1 and rest[1] in columns:
                return f"{group.path}.{row}.{rest[1]}"
            return group.path
    below = [p for p in paths if p.startswith(path + ".")]
    if len(below) == 1:
        return below[0]
    return None
