"""What the registry writes for one case, and the WHERE clauses it reads with.

Kept apart from :class:`rvlms.registry.Registry` so that the class reads as the
operations it offers; everything here is private to the registry package.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from pydantic import ValidationError
from sqlalchemy import ColumnElement, Table, insert, select
from sqlalchemy.engine import Connection

from rvlms.case import Case, cohort_row, field_problems, parse_own_json
from rvlms.case import parse_case as _parse_case
from rvlms.errors import CaseInvalid, Conflict, InputError
from rvlms.registry.engine import JsonText
from rvlms.registry.scope import Scope
from rvlms.registry.tables import CaseRevisionRow, CaseRow

__all__ = [
    "CaseInput",
    "Prepared",
    "case_id_of",
    "checked_user",
    "conditions",
    "indexed",
    "insert_batch",
    "listed",
    "not_found",
    "now",
    "prepared",
    "validated",
    "when",
]

CaseInput = Case | Mapping[str, Any]

_CASES = cast(Table, CaseRow.__table__)
_REVISIONS = cast(Table, CaseRevisionRow.__table__)
_MAX_USER = 200
_SHOWN_IDS = 10


def now() -> datetime:
    return datetime.now(UTC)


def when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def checked_user(user: str) -> str:
    name = (user or "").strip()
    if not name:
        raise InputError("a user name is needed for the case history (--user or RVLMS_USER)")
    if len(name) > _MAX_USER:
        raise InputError(f"the user name is longer than {_MAX_USER} characters")
    return name


@dataclass(frozen=True, slots=True)
class Prepared:
    """What is written for one case: its id, the exact JSON text and the indexed values.

    Bulk loads keep only these, not the validated ``Case`` objects: a hundred thousand
    live case objects make every later allocation and garbage collection slower.
    """

    case_id: str
    text: JsonText
    indexed: dict[str, Any]


def validated(case: CaseInput) -> tuple[Case, JsonText]:
    """The validated case and the exact JSON text that will be stored.

    A ``Case`` object is validated again from its JSON: nested objects can be changed
    after the case was built, and the checks that span sections (dates in order) run only
    on the whole record.
    """
    if isinstance(case, Case):
        text = case.model_dump_json(exclude_none=True)
        try:
            checked = parse_own_json(text)
        except ValidationError as exc:
            raise CaseInvalid(field_problems(exc, Case), source=case.case_id) from None
        return checked, JsonText(text)
    checked = _parse_case(case, source=str(case.get("case_id") or "") or None)
    return checked, JsonText(checked.model_dump_json(exclude_none=True))


def prepared(checked: Case, text: JsonText, centre: str) -> Prepared:
    return Prepared(checked.case_id, text, {**indexed(checked), "centre_code": centre})


def indexed(case: Case) -> dict[str, Any]:
    row = cohort_row(case)
    return {
        "centre": case.centre,
        "imaging_type": row["imaging_type"],
        "ivc_level": row["ivc_level"],
        "sex": row["sex"],
        "synthetic": case.synthetic,
    }


def case_id_of(case: CaseInput) -> str:
    value = case.case_id if isinstance(case, Case) else case.get("case_id")
    return str(value) if value is not None else ""


def listed(ids: Sequence[str]) -> str:
    shown = ", ".join(ids[:_SHOWN_IDS])
    more = len(ids) - _SHOWN_IDS
    return f"{shown} and {more} more" if more > 0 else shown


def insert_batch(
    connection: Connection,
    batch: Sequence[Prepared],
    user: str,
    now: datetime,
) -> int:
    """Insert one batch of new cases and their first revisions; taken ids are a Conflict."""
    ids = [item.case_id for item in batch]
    existing = connection.execute(
        select(CaseRow.case_id, CaseRow.deleted_at).where(CaseRow.case_id.in_(ids))
    ).all()
    if existing:
        deleted = sorted(r.case_id for r in existing if r.deleted_at is not None)
        present = sorted(r.case_id for r in existing if r.deleted_at is None)
        parts = []
        if present:
            parts.append(f"already in the registry: {listed(present)}")
        if deleted:
            parts.append(f"deleted earlier (case ids are not reused): {listed(deleted)}")
        raise Conflict("; ".join(parts) + "; nothing was stored")
    connection.execute(
        insert(_CASES),
        [
            {
                "case_id": item.case_id,
                "version": 1,
                "data": item.text,
                **item.indexed,
                "created_at": now,
                "created_by": user,
                "updated_at": now,
                "updated_by": user,
                "deleted_at": None,
                "deleted_by": None,
            }
            for item in batch
        ],
    )
    connection.execute(
        insert(_REVISIONS),
        [
            {
                "case_id": item.case_id,
                "version": 1,
                "action": "create",
                "data": item.text,
                "changes": JsonText("[]"),
                "changed_by": user,
                "changed_at": now,
            }
            for item in batch
        ],
    )
    return len(batch)


def not_found(case_id: str) -> str:
    return f"case {case_id!r} is not in the registry (rvlms registry list shows the cases)"


def conditions(
    centre: str | None,
    imaging_type: str | None,
    ivc_level: str | None,
    sex: str | None,
    synthetic: bool | None,
    include_deleted: bool,
    scope: Scope | None = None,
) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = [
        column == value
        for column, value in (
            (CaseRow.centre, centre),
            (CaseRow.imaging_type, imaging_type),
            (CaseRow.ivc_level, ivc_level),
            (CaseRow.sex, sex),
        )
        if value is not None
    ]
    if synthetic is not None:
        found.append(CaseRow.synthetic.is_(synthetic))
    if not include_deleted:
        found.append(CaseRow.deleted_at.is_(None))
    within = scope.condition() if scope is not None else None
    if within is not None:
        found.append(within)
    return found
