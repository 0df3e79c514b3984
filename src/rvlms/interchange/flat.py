"""One case as one wide row of scalar cells, and back.

Lists of coded values become one 0/1 column per option, lists of records one JSON cell.
The round trip case → row → case is lossless, except that coded lists come back in the
vocabulary's order and an optional section given with no value at all (``mdt: {}``) comes
back absent, which the decision map treats the same.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rvlms.case import Case
from rvlms.interchange.fields import Leaf, LeafKind, case_leaves

__all__ = [
    "CellProblem",
    "cell_value",
    "flatten",
    "get_path",
    "is_blank",
    "set_path",
    "unflatten",
    "wide_columns",
]


@dataclass(frozen=True)
class CellProblem:
    """A cell that cannot even be handed to validation (bad JSON, a tick that is not 0/1)."""

    column: str
    value: Any
    reason: str


def wide_columns() -> list[str]:
    return [column for leaf in case_leaves() for column in leaf.columns]


def cell_value(value: Any) -> Any:
    """A JSON value as a cell: yes/no as 1/0, whole floats as integers."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def get_path(data: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    current: Any = data
    for part in path:
        if not isinstance(current, Mapping):
            return None
        current = current.get(part)
    return current


def set_path(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    current = data
    for part in path[:-1]:
        current = current.setdefault(part, {})
    current[path[-1]] = value


def flatten(case: Case) -> dict[str, Any]:
    """The wide row of a case, keyed by ``wide_columns()``; absent values are None."""
    data = case.model_dump(mode="json", exclude_none=True)
    row: dict[str, Any] = {}
    for leaf in case_leaves():
        value = get_path(data, leaf.path)
        if leaf.kind is LeafKind.scalar:
            row[leaf.name] = cell_value(value)
        elif leaf.kind is LeafKind.choices:
            ticked = set(value or ())
            for code in leaf.codes:
                row[leaf.option_column(code)] = int(code in ticked)
        else:
            row[leaf.name] = json.dumps(value, ensure_ascii=False) if value else None
    return row


def is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, float) and math.isnan(value)


def scalar_input(leaf: Leaf, value: Any) -> Any:
    """A cell as input for validation; text cells from spreadsheets may arrive as numbers."""
    if isinstance(value, str):
        return value.strip()
    if leaf.value_type is str and isinstance(value, int | float) and not isinstance(value, bool):
        return str(cell_value(float(value)) if isinstance(value, float) else value)
    if leaf.value_type is dt.date and isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date()
    return value


def tick(value: Any) -> bool | None:
    """A checkbox cell: True, False, or None when it is neither 0 nor 1."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return {0: False, 1: True}.get(int(value)) if float(value) in (0.0, 1.0) else None
    text = str(value).strip().lower()
    return {"0": False, "1": True, "0.0": False, "1.0": True}.get(text)


def parse_list(
    leaf: Leaf, column: str, value: Any, *, lines: bool = False
) -> tuple[Any, CellProblem | None]:
    """A cell holding a list: JSON, or for a list of texts with ``lines``, one per line."""
    if isinstance(value, list):
        return value, None
    if lines and leaf.kind is LeafKind.texts:
        return [line.strip() for line in str(value).splitlines() if line.strip()], None
    try:
        parsed = json.loads(str(value))
    except json.JSONDecodeError as exc:
        return None, CellProblem(column, value, f"not valid JSON ({exc.msg})")
    if not isinstance(parsed, list):
        return None, CellProblem(column, value, "expected a JSON list [...]")
    return parsed, None


def unflatten(
    row: Mapping[str, Any],
    *,
    leaves: tuple[Leaf, ...] | None = None,
    strict_columns: bool = True,
    text_lines: bool = False,
) -> tuple[dict[str, Any], list[CellProblem]]:
    """Nested case data from a wide row (blank cells are left out) and the cell problems.

    With ``strict_columns``, columns that are not fields of the case record are reported,
    except those starting with ``_`` (notes added by people or by a rejects file).
    ``text_lines`` reads lists of texts one per line (REDCap notes) instead of JSON.
    """
    data: dict[str, Any] = {}
    problems: list[CellProblem] = []
    known: set[str] = set()
    for leaf in leaves if leaves is not None else case_leaves():
        known.update(leaf.columns)
        if leaf.kind is LeafKind.scalar:
            value = row.get(leaf.name)
            if not is_blank(value):
                set_path(data, leaf.path, scalar_input(leaf, value))
        elif leaf.kind is LeafKind.choices:
            ticked: list[str] = []
            for code in leaf.codes:
                column = leaf.option_column(code)
                value = row.get(column)
                if is_blank(value):
                    continue
                flag = tick(value)
                if flag is None:
                    problems.append(CellProblem(column, value, "expected 0 or 1"))
                elif flag:
                    ticked.append(code)
            if ticked:
                set_path(data, leaf.path, ticked)
        else:
            value = row.get(leaf.name)
            if is_blank(value):
                continue
            parsed, problem = parse_list(leaf, leaf.name, value, lines=text_lines)
            if problem:
                problems.append(problem)
            elif parsed:
                set_path(data, leaf.path, parsed)
    for column in row if strict_columns else ():
        if column not in known and not str(column).startswith("_"):
            problems.append(
                CellProblem(str(column), None, "unknown column: not a field of the case record")
            )
    return data, problems
