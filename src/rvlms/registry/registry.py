"""The case registry: current cases plus an append-only history, on SQLite or PostgreSQL.

Every operation runs in a session of its own and in one transaction, so it either happens
completely or not at all. Edits are optimistic: an edit names the version it was made
from, and the UPDATE only matches that version, so of two people editing the same version
exactly one succeeds and the other is told who changed the case in between; nothing is
lost silently. Each create, update and delete appends a revision with the full record and
the fields that changed; a delete only marks the case, its history stays.

Every case belongs to a centre. :meth:`Registry.scoped` gives a registry confined to the
centres of a :class:`~rvlms.registry.scope.Scope`: its reads, lists, counts, exports and
writes never reach another centre's cases, whoever calls them.
"""

from __future__ import annotations

import builtins
import copy
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rvlms.errors import Conflict, InputError, PermissionDenied
from rvlms.registry.centres import Centres
from rvlms.registry.diff import changes_between
from rvlms.registry.engine import WRITE, create_engine_for
from rvlms.registry.migrate import init_registry
from rvlms.registry.models import Revision, StoredCase
from rvlms.registry.reading import Reading
from rvlms.registry.records import (
    CaseInput,
    Prepared,
    case_id_of,
    checked_user,
    indexed,
    insert_batch,
    listed,
    prepared,
    validated,
    when,
)
from rvlms.registry.records import now as _now
from rvlms.registry.scope import Scope
from rvlms.registry.tables import CaseRevisionRow, CaseRow

if TYPE_CHECKING:
    pass

__all__ = ["CaseInput", "ProgressCallback", "Registry"]

ProgressCallback = Callable[[int, int], None]
"""Called with (done, total) while a long operation runs."""

_REVISIONS = cast(Table, CaseRevisionRow.__table__)


class Registry(Reading):
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
        scope: Scope | None = None,
    ) -> None:
        if url is None and engine is None:
            from rvlms.settings import load_settings

            url = load_settings().database_url
        self._owns_engine = engine is None
        self._engine = engine if engine is not None else create_engine_for(url or "")
        self._writer = self._engine.execution_options(**{WRITE: True})
        self._scope = scope or Scope.everything()
        self.centres = Centres(self._engine)
        if migrate:
            init_registry(self._engine.url, engine=self._engine)

    def scoped(self, scope: Scope) -> Registry:
        """This registry confined to ``scope`` (same engine; closing it closes nothing)."""
        confined = copy.copy(self)
        confined._owns_engine = False
        confined._scope = scope
        return confined

    @property
    def scope(self) -> Scope:
        return self._scope

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

    def centre_for_new(self, centre: str | None = None) -> str:
        """The centre a new case goes to: ``centre``, else the scope's only centre, else
        ``default``; refused outside the scope, and when no such centre exists."""
        if centre is None and self._scope.centres is not None and len(self._scope.centres) == 1:
            centre = next(iter(self._scope.centres))
        code = self.centres.require(centre)
        if not self._scope.allows(code):
            raise PermissionDenied(
                f"centre: cases cannot be added to {code!r}; you may add cases to "
                f"{self._scope.describe()}"
            )
        return code

    def centre_of(self, case_id: str) -> str | None:
        """The centre of a case (deleted or not), whatever the scope; None if unknown.

        Authorisation reads this before it decides, so it alone ignores the scope.
        """
        query = select(CaseRow.centre_code).where(CaseRow.case_id == case_id)
        with Session(self._engine) as session:
            return session.scalars(query).one_or_none()

    # -- writing -------------------------------------------------------------------

    def add(self, case: CaseInput, user: str, *, centre: str | None = None) -> StoredCase:
        """Store a new case as version 1 at ``centre`` (see :meth:`centre_for_new`); an
        existing case_id is a Conflict."""
        name = checked_user(user)
        code = self.centre_for_new(centre)
        checked, text = validated(case)
        now = self._add_batches([prepared(checked, text, code)], name, None, 1)
        return StoredCase(
            case=checked,
            centre=code,
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
        centre: str | None = None,
        progress: ProgressCallback | None = None,
        batch_size: int = 2000,
    ) -> int:
        """Store many new cases in one transaction: all of them, or none if one is refused.

        Rows go in with executemany-style Core INSERTs, batch by batch, so that a hundred
        thousand cases load in seconds; every case is still validated first.
        """
        name = checked_user(user)
        code = self.centre_for_new(centre)
        items = builtins.list(cases)
        counts = Counter(case_id_of(c) for c in items)
        repeated = sorted(i for i, n in counts.items() if n > 1 and i)
        if repeated:
            raise Conflict(f"case_id given more than once: {listed(repeated)}")

        def rows() -> Iterator[Prepared]:
            for item in items:
                yield prepared(*validated(item), code)

        self._add_batches(rows(), name, progress, len(items), batch_size)
        return len(items)

    def _add_batches(
        self,
        rows: Iterable[Prepared],
        user: str,
        progress: ProgressCallback | None,
        total: int,
        batch_size: int = 2000,
    ) -> datetime:
        now = _now()
        done = 0
        try:
            with self._writer.begin() as connection:
                batch: builtins.list[Prepared] = []
                for item in rows:
                    batch.append(item)
                    if len(batch) >= batch_size:
                        done += insert_batch(connection, batch, user, now)
                        batch = []
                        if progress:
                            progress(done, total)
                if batch:
                    done += insert_batch(connection, batch, user, now)
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

    def update(self, case_id: str, case: CaseInput, expected_version: int, user: str) -> StoredCase:
        """Replace a case with a new version, only if it is still at ``expected_version``.

        An edit of an older version raises Conflict naming who changed the case and when;
        nothing is written. An edit that changes nothing returns the case as stored.
        """
        name = checked_user(user)
        checked, text = validated(case)
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
                **indexed(checked),
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
                centre=row.centre_code,
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
        name = checked_user(user)
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
                *self._within(),
            )
            .values(version=version + 1, **values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            session.expire_all()
            raise self._stale(self._current(session, case_id), version)

    @staticmethod
    def _stale(row: CaseRow, expected_version: int) -> Conflict:
        return Conflict(
            f"case {row.case_id} was changed by {row.updated_by} at {when(row.updated_at)} "
            f"(now version {row.version}); you edited version {expected_version} — reload "
            "and re-apply your change"
        )
