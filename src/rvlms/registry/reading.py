"""The registry's queries: reading cases, lists, counts, history and the cohort table.

:class:`Reading` is the half of :class:`rvlms.registry.Registry` that only reads. Every
query carries the registry's :class:`~rvlms.registry.scope.Scope` condition, so a scoped
registry never returns another centre's case.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from rvlms.case import COHORT_COLUMNS, OPTIONAL_COLUMNS, Case, cohort_row
from rvlms.case import parse_case as _parse_case
from rvlms.errors import NotFound
from rvlms.registry.models import CaseSummary, Change, Revision, StoredCase
from rvlms.registry.records import conditions, not_found, when
from rvlms.registry.scope import Scope
from rvlms.registry.tables import CaseRevisionRow, CaseRow

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Reading"]


class Reading:
    """Reads of the registry at ``_engine``, confined to ``_scope``."""

    _engine: Engine
    _scope: Scope

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
            CaseRow.centre_code,
            CaseRow.imaging_type,
            CaseRow.ivc_level,
            CaseRow.sex,
            CaseRow.synthetic,
            CaseRow.updated_at,
            CaseRow.updated_by,
            CaseRow.deleted_at,
        )
        query = query.where(
            *conditions(
                centre, imaging_type, ivc_level, sex, synthetic, include_deleted, self._scope
            )
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
                    centre_code=r.centre_code,
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
            .where(
                *conditions(
                    centre, imaging_type, ivc_level, sex, synthetic, include_deleted, self._scope
                )
            )
        )
        with Session(self._engine) as session:
            return int(session.execute(query).scalar_one())

    def stamp(self) -> tuple[int, int, int]:
        """A value that changes whenever a case is added, updated or deleted.

        Every write adds a row or raises a row's version (a deletion too), so the number
        of rows, the sum of their versions and the highest row id together tell a cached
        cohort table whether it is still the registry's. One aggregate query, cheap
        enough to ask before every use of a cache.
        """
        query = select(
            func.count(), func.coalesce(func.sum(CaseRow.version), 0), func.max(CaseRow.id)
        ).where(*self._within())
        with Session(self._engine) as session:
            rows, versions, highest = session.execute(query).one()
        return int(rows), int(versions), int(highest or 0)

    def existing(self, case_ids: Iterable[str]) -> dict[str, bool]:
        """Which of ``case_ids`` are taken: id → True if current, False if deleted."""
        wanted = builtins.list(dict.fromkeys(case_ids))
        found: dict[str, bool] = {}
        with Session(self._engine) as session:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                query = select(CaseRow.case_id, CaseRow.deleted_at).where(
                    CaseRow.case_id.in_(chunk), *self._within()
                )
                for row in session.execute(query):
                    found[row.case_id] = row.deleted_at is None
        return found

    def history(self, case_id: str) -> builtins.list[Revision]:
        """Every revision of a case, oldest first (deleted cases included)."""
        query = (
            select(CaseRevisionRow)
            .join(CaseRow, CaseRow.case_id == CaseRevisionRow.case_id)
            .where(CaseRevisionRow.case_id == case_id, *self._within())
            .order_by(CaseRevisionRow.version)
        )
        with Session(self._engine) as session:
            rows = session.scalars(query).all()
            if not rows:
                raise NotFound(not_found(case_id))
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
            .where(*conditions(centre, imaging_type, ivc_level, sex, synthetic, False, self._scope))
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

    def _within(self) -> builtins.list[Any]:
        condition = self._scope.condition()
        return [] if condition is None else [condition]

    def _current(self, session: Session, case_id: str) -> CaseRow:
        query = select(CaseRow).where(CaseRow.case_id == case_id, *self._within())
        row = session.scalars(query).one_or_none()
        if row is None:
            raise NotFound(not_found(case_id))
        if row.deleted_at is not None:
            raise NotFound(
                f"case {case_id!r} was deleted by {row.deleted_by} at {when(row.deleted_at)}; "
                f"its history remains (rvlms registry history {case_id})"
            )
        return row

    @staticmethod
    def _stored(row: CaseRow) -> StoredCase:
        return StoredCase(
            case=_parse_case(row.data, source=f"{row.case_id} version {row.version}"),
            centre=row.centre_code,
            version=row.version,
            created_at=row.created_at,
            created_by=row.created_by,
            updated_at=row.updated_at,
            updated_by=row.updated_by,
        )
