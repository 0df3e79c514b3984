"""The case registry: current cases plus an append-only history, on SQLite or PostgreSQL.

Every operation runs in a session of its own and in one transaction, so it either happens
completely or not at all. Edits are optimistic: an edit names the version it was made
from, and the UPDATE only matches that version, so of two people editing the same version
exactly one succeeds and the other is told who changed the case in between; nothing is
lost silently. Each create, update and delete appends a revision with the full record and
the fields that changed; a delete only marks the case, its history stays.
"""

from __future__ import annotations

import builtins
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from pydantic import ValidationError
from sqlalchemy import ColumnElement, Table, func, insert, select, update
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rvlms.case import COHORT_COLUMNS, OPTIONAL_COLUMNS, Case, cohort_row, field_problems
from rvlms.case import parse_case as _parse_case
from rvlms.errors import CaseInvalid, Conflict, InputError, NotFound
from rvlms.registry.diff import changes_between
from rvlms.registry.engine import WRITE, JsonText, create_engine_for
from rvlms.registry.migrate import init_registry
from rvlms.registry.models import CaseSummary, Change, Revision, StoredCase
from rvlms.registry.tables import CaseRevisionRow, CaseRow

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CaseInput", "ProgressCallback", "Registry"]

CaseInput = Case | Mapping[str, Any]
ProgressCallback = Callable[[int, int], None]
"""Called with (done, total) while a long operation runs."""

_CASES = cast(Table, CaseRow.__table__)
_REVISIONS = cast(Table, CaseRevisionRow.__table__)
_MAX_USER = 200
_SHOWN_IDS = 10


def _now() -> datetime:
    return datetime.now(UTC)


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _checked_user(user: str) -> str:
    name = (user or "").strip()
    if not name:
        raise InputError("a user name is needed for the case history (--user or RVLMS_USER)")
    if len(name) > _MAX_USER:
        raise InputError(f"the user name is longer than {_MAX_USER} characters")
    return name


@dataclass(frozen=True, slots=True)
class _Prepared:
    """What is written for one case: its id, the exact JSON text and the indexed values.

    Bulk loads keep only these, not the validated ``Case`` objects: a hundred thousand
    live case objects make every later allocation and garbage collection slower.
    """

    case_id: str
    text: JsonText
    indexed: dict[str, Any]


def _validated(case: CaseInput) -> tuple[Case, JsonText]:
    """The validated case and the exact JSON text that will be stored.

    A ``Case`` object is validated again from its JSON: nested objects can be changed
    after the case was built, and the checks that span sections (dates in order) run only
    on the whole record.
    """
    if isinstance(case, Case):
        text = case.model_dump_json(exclude_none=True)
        try:
            checked = Case.model_validate_json(text)
        except ValidationError as exc:
            raise CaseInvalid(field_problems(exc, Case), source=case.case_id) from None
        return checked, JsonText(text)
    checked = _parse_case(case, source=str(case.get("case_id") or "") or None)
    return checked, JsonText(checked.model_dump_json(exclude_none=True))


def _prepared(checked: Case, text: JsonText) -> _Prepared:
    return _Prepared(checked.case_id, text, _indexed(checked))


def _indexed(case: Case) -> dict[str, Any]:
    row = cohort_row(case)
    return {
        "centre": case.centre,
        "imaging_type": row["imaging_type"],
        "ivc_level": row["ivc_level"],
        "sex": row["sex"],
        "synthetic": case.synthetic,
    }


def _case_id_of(case: CaseInput) -> str:
    value = case.case_id if isinstance(case, Case) else case.get("case_id")
    return str(value) if value is not None else ""


def _listed(ids: Sequence[str]) -> str:
    shown = ", ".join(ids[:_SHOWN_IDS])
    more = len(ids) - _SHOWN_IDS
    return f"{shown} and {more} more" if more > 0 else shown


class Registry:
    """The registry at one database URL.

    ``Registry(url)`` brings the schema up to date first (``migrate=False`` skips that,
    for callers that ran :func:`rvlms.registry.init_registry` themselves); without a URL
    the configured database is used (``RVLMS_DB``, default a SQLite file in the data
    folder).
    """

    def __init__(
        self,
        url: str | URL | None = None,
        *,
        engine: Engine | None = None,
        migrate: bool = True,
    ) -> None:
        if url is None and engine is None:
            from rvlms.settings import load_settings

            url = load_settings().database_url
        self._owns_engine = engine is None
        self._engine = engine if engine is not None else create_engine_for(url or "")
        self._writer = self._engine.execution_options(**{WRITE: True})
        if migrate:
            init_registry(self._engine.url, engine=self._engine)

    @property
    def url(self) -> URL:
        return self._engine.url

    @property
    def engine(self) -> Engine:
        return self._engine

    def close(self) -> None:
        if self._owns_engine:
            self._engine.dispose()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- writing -------------------------------------------------------------------

    def add(self, case: CaseInput, user: str) -> StoredCase:
        """Store a new case as version 1; an existing case_id is a Conflict."""
        name = _checked_user(user)
        checked, text = _validated(case)
        now = self._add_batches([_prepared(checked, text)], name, None, 1)
        return StoredCase(
            case=checked,
            version=1,
            created_at=now,
            created_by=name,
            updated_at=now,
            updated_by=name,
        )

    def add_many(
        self,
        cases: Iterable[CaseInput],
        user: str,
        *,
        progress: ProgressCallback | None = None,
        batch_size: int = 2000,
    ) -> int:
        """Store many new cases in one transaction: all of them, or none if one is refused.

        Rows go in with executemany-style Core INSERTs, batch by batch, so that a hundred
        thousand cases load in seconds; every case is still validated first.
        """
        name = _checked_user(user)
        items = builtins.list(cases)
        counts = Counter(_case_id_of(c) for c in items)
        repeated = sorted(i for i, n in counts.items() if n > 1 and i)
        if repeated:
            raise Conflict(f"case_id given more than once: {_listed(repeated)}")

        def prepared() -> Iterator[_Prepared]:
            for item in items:
                yield _prepared(*_validated(item))

        self._add_batches(prepared(), name, progress, len(items), batch_size)
        return len(items)

    def _add_batches(
        self,
        prepared: Iterable[_Prepared],
        user: str,
        progress: ProgressCallback | None,
        total: int,
        batch_size: int = 2000,
    ) -> datetime:
        now = _now()
        done = 0
        try:
            with self._writer.begin() as connection:
                batch: builtins.list[_Prepared] = []
                for item in prepared:
                    batch.append(item)
                    if len(batch) >= batch_size:
                        done += self._insert(connection, batch, user, now)
                        batch = []
                        if progress:
                            progress(done, total)
                if batch:
                    done += self._insert(connection, batch, user, now)
                if progress:
                    progress(done, total)
        except IntegrityError as error:
            detail = str(error.orig).strip().splitlines()[0] if error.orig else ""
            raise Conflict(
                "the database refused the new cases, most likely because one of these "
                f"case_ids was added at the same time ({detail}); nothing was stored — "
                "list the registry and try again"
            ) from None
        return now

    def _insert(
        self,
        connection: Connection,
        batch: Sequence[_Prepared],
        user: str,
        now: datetime,
    ) -> int:
        ids = [item.case_id for item in batch]
        existing = connection.execute(
            select(CaseRow.case_id, CaseRow.deleted_at).where(CaseRow.case_id.in_(ids))
        ).all()
        if existing:
            deleted = sorted(r.case_id for r in existing if r.deleted_at is not None)
            present = sorted(r.case_id for r in existing if r.deleted_at is None)
            parts = []
            if present:
                parts.append(f"already in the registry: {_listed(present)}")
            if deleted:
                parts.append(f"deleted earlier (case ids are not reused): {_listed(deleted)}")
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

    def update(self, case_id: str, case: CaseInput, expected_version: int, user: str) -> StoredCase:
        """Replace a case with a new version, only if it is still at ``expected_version``.

        An edit of an older version raises Conflict naming who changed the case and when;
        nothing is written. An edit that changes nothing returns the case as stored.
        """
        name = _checked_user(user)
        checked, text = _validated(case)
        if checked.case_id != case_id:
            raise InputError(
                f"case_id: the record says {checked.case_id!r} but case {case_id!r} is being "
                "edited; a case cannot be renamed"
            )
        new_data = json.loads(text)
        now = _now()
        with Session(self._writer) as session, session.begin():
            row = self._current(session, case_id)
            if row.version != expected_version:
                raise self._stale(row, expected_version)
            changes = changes_between(row.data, new_data)
            if not changes:
                return self._stored(row)
            self._bump(
                session,
                case_id,
                expected_version,
                data=text,
                updated_at=now,
                updated_by=name,
                **_indexed(checked),
            )
            session.execute(
                insert(_REVISIONS).values(
                    case_id=case_id,
                    version=expected_version + 1,
                    action="update",
                    data=text,
                    changes=changes,
                    changed_by=name,
                    changed_at=now,
                )
            )
            return StoredCase(
                case=checked,
                version=expected_version + 1,
                created_at=row.created_at,
                created_by=row.created_by,
                updated_at=now,
                updated_by=name,
            )

    def delete(self, case_id: str, user: str, expected_version: int | None = None) -> Revision:
        """Mark a case deleted (a new version with action "delete"); its history stays.

        With ``expected_version`` the delete is refused if someone changed the case since.
        """
        name = _checked_user(user)
        now = _now()
        with Session(self._writer) as session, session.begin():
            row = self._current(session, case_id)
            version = row.version if expected_version is None else expected_version
            if row.version != version:
                raise self._stale(row, version)
            self._bump(
                session,
                case_id,
                version,
                updated_at=now,
                updated_by=name,
                deleted_at=now,
                deleted_by=name,
            )
            data = dict(row.data)
            session.execute(
                insert(_REVISIONS).values(
                    case_id=case_id,
                    version=version + 1,
                    action="delete",
                    data=data,
                    changes=[],
                    changed_by=name,
                    changed_at=now,
                )
            )
        return Revision(
            case_id=case_id,
            version=version + 1,
            action="delete",
            changed_by=name,
            changed_at=now,
            changes=[],
            data=data,
        )

    # -- reading -------------------------------------------------------------------

    def get(self, case_id: str) -> StoredCase:
        """The current version of a case; NotFound if it does not exist or was deleted."""
        with Session(self._engine) as session:
            return self._stored(self._current(session, case_id))

    def list(
        self,
        *,
        centre: str | None = None,
        imaging_type: str | None = None,
        ivc_level: str | None = None,
        sex: str | None = None,
        synthetic: bool | None = None,
        include_deleted: bool = False,
        limit: int | None = None,
        offset: int = 0,
    ) -> builtins.list[CaseSummary]:
        """Cases in case_id order, filtered on the indexed columns (exact matches)."""
        query = select(
            CaseRow.case_id,
            CaseRow.version,
            CaseRow.centre,
            CaseRow.imaging_type,
            CaseRow.ivc_level,
            CaseRow.sex,
            CaseRow.synthetic,
            CaseRow.updated_at,
            CaseRow.updated_by,
            CaseRow.deleted_at,
        )
        query = query.where(
            *_conditions(centre, imaging_type, ivc_level, sex, synthetic, include_deleted)
        ).order_by(CaseRow.synthetic, CaseRow.case_id)
        if limit is not None:
            query = query.limit(limit)
        if offset:
            query = query.offset(offset)
        with Session(self._engine) as session:
            return [
                CaseSummary(
                    case_id=r.case_id,
                    version=r.version,
                    centre=r.centre,
                    imaging_type=r.imaging_type,
                    ivc_level=r.ivc_level,
                    sex=r.sex,
                    synthetic=bool(r.synthetic),
                    updated_at=r.updated_at,
                    updated_by=r.updated_by,
                    deleted=r.deleted_at is not None,
                )
                for r in session.execute(query)
            ]

    def count(
        self,
        *,
        centre: str | None = None,
        imaging_type: str | None = None,
        ivc_level: str | None = None,
        sex: str | None = None,
        synthetic: bool | None = None,
        include_deleted: bool = False,
    ) -> int:
        query = (
            select(func.count())
            .select_from(CaseRow)
            .where(*_conditions(centre, imaging_type, ivc_level, sex, synthetic, include_deleted))
        )
        with Session(self._engine) as session:
            return int(session.execute(query).scalar_one())

    def existing(self, case_ids: Iterable[str]) -> dict[str, bool]:
        """Which of ``case_ids`` are taken: id → True if current, False if deleted."""
        wanted = builtins.list(dict.fromkeys(case_ids))
        found: dict[str, bool] = {}
        with Session(self._engine) as session:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                query = select(CaseRow.case_id, CaseRow.deleted_at).where(
                    CaseRow.case_id.in_(chunk)
                )
                for row in session.execute(query):
                    found[row.case_id] = row.deleted_at is None
        return found

    def history(self, case_id: str) -> builtins.list[Revision]:
        """Every revision of a case, oldest first (deleted cases included)."""
        query = (
            select(CaseRevisionRow)
            .where(CaseRevisionRow.case_id == case_id)
            .order_by(CaseRevisionRow.version)
        )
        with Session(self._engine) as session:
            rows = session.scalars(query).all()
            if not rows:
                raise NotFound(_not_found(case_id))
            return [
                Revision(
                    case_id=r.case_id,
                    version=r.version,
                    action=r.action,
                    changed_by=r.changed_by,
                    changed_at=r.changed_at,
                    changes=[Change(**c) for c in r.changes],
                    data=r.data,
                )
                for r in rows
            ]

    def cases(
        self,
        *,
        centre: str | None = None,
        imaging_type: str | None = None,
        ivc_level: str | None = None,
        sex: str | None = None,
        synthetic: bool | None = None,
        batch_size: int = 500,
    ) -> Iterator[Case]:
        """The current cases in case_id order, read in batches (for exports)."""
        query = (
            select(CaseRow.case_id, CaseRow.data)
            .where(*_conditions(centre, imaging_type, ivc_level, sex, synthetic, False))
            .order_by(CaseRow.case_id)
        )
        with Session(self._engine) as session:
            for row in session.execute(query.execution_options(yield_per=batch_size)):
                yield _parse_case(row.data, source=row.case_id)

    def cohort_frame(
        self,
        *,
        centre: str | None = None,
        imaging_type: str | None = None,
        ivc_level: str | None = None,
        sex: str | None = None,
        synthetic: bool | None = None,
    ) -> pd.DataFrame:
        """The cohort table (``COHORT_COLUMNS`` + ``OPTIONAL_COLUMNS``), one row per case."""
        import pandas as pd

        rows = [
            cohort_row(case)
            for case in self.cases(
                centre=centre,
                imaging_type=imaging_type,
                ivc_level=ivc_level,
                sex=sex,
                synthetic=synthetic,
            )
        ]
        return pd.DataFrame(rows, columns=[*COHORT_COLUMNS, *OPTIONAL_COLUMNS])

    # -- helpers -------------------------------------------------------------------

    def _bump(self, session: Session, case_id: str, version: int, **values: Any) -> None:
        """Move a live case from ``version`` to ``version + 1``; the version in the WHERE
        clause makes a concurrent writer's stale update fail instead of overwriting."""
        result = session.execute(
            update(CaseRow)
            .where(
                CaseRow.case_id == case_id,
                CaseRow.version == version,
                CaseRow.deleted_at.is_(None),
            )
            .values(version=version + 1, **values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            session.expire_all()
            raise self._stale(self._current(session, case_id), version)

    def _current(self, session: Session, case_id: str) -> CaseRow:
        row = session.scalars(select(CaseRow).where(CaseRow.case_id == case_id)).one_or_none()
        if row is None:
            raise NotFound(_not_found(case_id))
        if row.deleted_at is not None:
            raise NotFound(
                f"case {case_id!r} was deleted by {row.deleted_by} at {_when(row.deleted_at)}; "
                f"its history remains (rvlms registry history {case_id})"
            )
        return row

    @staticmethod
    def _stale(row: CaseRow, expected_version: int) -> Conflict:
        return Conflict(
            f"case {row.case_id} was changed by {row.updated_by} at {_when(row.updated_at)} "
            f"(now version {row.version}); you edited version {expected_version} — reload "
            "and re-apply your change"
        )

    @staticmethod
    def _stored(row: CaseRow) -> StoredCase:
        return StoredCase(
            case=_parse_case(row.data, source=f"{row.case_id} version {row.version}"),
            version=row.version,
            created_at=row.created_at,
            created_by=row.created_by,
            updated_at=row.updated_at,
            updated_by=row.updated_by,
        )


def _not_found(case_id: str) -> str:
    return f"case {case_id!r} is not in the registry (rvlms registry list shows the cases)"


def _conditions(
    centre: str | None,
    imaging_type: str | None,
    ivc_level: str | None,
    sex: str | None,
    synthetic: bool | None,
    include_deleted: bool,
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
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
        conditions.append(CaseRow.synthetic.is_(synthetic))
    if not include_deleted:
        conditions.append(CaseRow.deleted_at.is_(None))
    return conditions
