"""The registry tables, declared once for queries; the migrations create them.

``cases`` holds the current state of each case, ``case_revisions`` every state it ever had.
The indexed columns of ``cases`` (centre, imaging type, IVC level, sex, synthetic) are
copies of values derived from the case record by :func:`rvlms.case.cohort_row`, kept so
that lists can be filtered without reading the documents; the JSON document stays the
single source of truth.

Other packages add tables of their own by declaring them on :class:`Base` and shipping a
migration (see ``rvlms.registry.migrate``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    ForeignKey,
    Integer,
    MetaData,
    String,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

__all__ = [
    "ACTIONS",
    "DEFAULT_CENTRE",
    "MEMBERSHIP_ROLES",
    "NAMING_CONVENTION",
    "Base",
    "CaseRevisionRow",
    "CaseRow",
    "CentreRow",
    "JsonDocument",
    "MembershipRow",
    "RowId",
    "UtcDateTime",
]

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ACTIONS = ("create", "update", "delete")
DEFAULT_CENTRE = "default"
"""The centre that cases stored before centres existed belong to (migration r0004)."""
MEMBERSHIP_ROLES = ("clinician", "researcher", "admin")

JsonDocument = JSON().with_variant(JSONB(), "postgresql")
"""JSON text on SQLite, JSONB (indexable, queryable) on PostgreSQL."""

RowId = BigInteger().with_variant(Integer(), "sqlite")
"""64-bit keys on PostgreSQL; on SQLite an INTEGER primary key is the rowid itself."""


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC in Python.

    SQLite has no time zones and returns naive values; they are stored as UTC and read
    back as UTC, so history entries compare and print the same on both databases.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class CaseRow(Base):
    """The current version of one case; a deleted case keeps its row, marked deleted."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(64), unique=True)
    version: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    centre: Mapped[str | None] = mapped_column(String(200), index=True)
    centre_code: Mapped[str] = mapped_column(String(64), index=True, server_default=DEFAULT_CENTRE)
    imaging_type: Mapped[str | None] = mapped_column(String(32), index=True)
    ivc_level: Mapped[str | None] = mapped_column(String(8), index=True)
    sex: Mapped[str | None] = mapped_column(String(16), index=True)
    synthetic: Mapped[bool] = mapped_column(Boolean, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[str] = mapped_column(String(200))
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    deleted_by: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (CheckConstraint("version >= 1", name="version_positive"),)


class CentreRow(Base):
    """A member centre of the network: the unit of data access (REDCap's data access group).

    Every case belongs to exactly one centre (``cases.centre_code``); the case record's
    free-text ``centre`` field is what the clinicians typed and decides nothing.
    """

    __tablename__ = "centres"

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(200))


class MembershipRow(Base):
    """A user's role at one centre, or network-wide when ``centre_code`` is NULL.

    A network-wide researcher sees every centre's de-identified data; a network-wide admin
    administers every centre. Grants are recorded in the audit log when they are made.
    """

    __tablename__ = "memberships"

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(RowId, ForeignKey("users.id"), index=True)
    centre_code: Mapped[str | None] = mapped_column(String(64), ForeignKey("centres.code"))
    role: Mapped[str] = mapped_column(String(16))
    granted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    granted_by: Mapped[str] = mapped_column(String(200))

    __table_args__ = (
        UniqueConstraint("user_id", "centre_code"),
        CheckConstraint("role IN ('clinician', 'researcher', 'admin')", name="role_known"),
    )


class CaseRevisionRow(Base):
    """One state of one case, appended on every create, update and delete; never changed.

    ``changes`` lists ``{"path", "old", "new"}`` for the fields that differ from the
    previous revision. Triggers created by the migration refuse UPDATE and DELETE.
    """

    __tablename__ = "case_revisions"

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(64), ForeignKey("cases.case_id"))
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))
    data: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JsonDocument)
    changed_by: Mapped[str] = mapped_column(String(200), index=True)
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)

    __table_args__ = (
        UniqueConstraint("case_id", "version"),
        CheckConstraint("action IN ('create', 'update', 'delete')", name="action_known"),
    )
