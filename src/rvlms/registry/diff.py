"""Field-level differences between two versions of a case document.

Paths are dotted, with list positions as numbers (``complications.0.clavien_dindo``), the
same notation the validation errors use, so a history entry and an error message name a
field the same way. Lists of plain values (symptoms, IVC segments) change as a whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["changes_between"]


def changes_between(
    old: Mapping[str, Any] | None, new: Mapping[str, Any] | None
) -> list[dict[str, Any]]:
    """``[{"path", "old", "new"}, ...]`` for every leaf that differs; missing equals null."""
    found: list[dict[str, Any]] = []
    _walk(old, new, "", found)
    return found


def _is_record_list(value: Any) -> bool:
    return isinstance(value, list) and any(isinstance(item, Mapping) for item in value)


def _walk(old: Any, new: Any, path: str, found: list[dict[str, Any]]) -> None:
    if old == new:
        return
    both_maps = isinstance(old, Mapping | None) and isinstance(new, Mapping | None)
    if both_maps and (isinstance(old, Mapping) or isinstance(new, Mapping)):
        before: Mapping[str, Any] = old or {}
        after: Mapping[str, Any] = new or {}
        for key in dict.fromkeys([*before, *after]):
            _walk(before.get(key), after.get(key), _join(path, key), found)
        return
    both_lists = isinstance(old, list | None) and isinstance(new, list | None)
    if both_lists and (_is_record_list(old) or _is_record_list(new)):
        items_before: list[Any] = old or []
        items_after: list[Any] = new or []
        for index in range(max(len(items_before), len(items_after))):
            _walk(
                items_before[index] if index < len(items_before) else None,
                items_after[index] if index < len(items_after) else None,
                _join(path, str(index)),
                found,
            )
        return
    found.append({"path": path, "old": old, "new": new})


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
