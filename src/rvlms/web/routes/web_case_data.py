"""The stored case record as the plain data the case pages show and edit, shared by the
case form (which starts an edit from it) and the case view (which summarises it)."""

from __future__ import annotations

from typing import Any

from rvlms.case import Case

__all__ = ["stored_data"]


def stored_data(case: Case) -> dict[str, Any]:
    """The record's fields as JSON-ready data, leaving out the ones never filled in."""
    data: dict[str, Any] = case.model_dump(mode="json", exclude_none=True)
    return data
