"""The tables of the web app: accounts, API tokens and the audit log.

They are declared on the registry's :class:`~rvlms.registry.tables.Base`, as the registry
asks of packages that add tables, and created by the migration
``r0002_accounts_audit``. ``audit_events`` is append-only: the migration installs
triggers that refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL), and no code path
in rvlms issues either statement.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from rvlms.registry.tables import Base, RowId, UtcDateTime

__all__ = ["OUTCOMES", "ROLES", "ApiTokenRow", "AuditEventRow", "UserRow", "WebSessionRow"]

ROLES = ("clinician", "researcher", "admin")
OUTCOMES = ("allowed", "denied", "succeeded", "failed", "refused")


class UserRow(Base):
    """One person or program allowed to use the web app or the REST API.

    Users are never deleted, only deactivated, so that every audit entry keeps naming
    someone who can be looked up.
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(200))
    password_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (
        CheckConstraint("role IN ('clinician', 'researcher', 'admin')", name="role_known"),
    )


class ApiTokenRow(Base):
    """A bearer token of a program; only its SHA-256 digest is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(RowId, ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    label: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class AuditEventRow(Base):
    """Who did what to which case, when, from where, and whether it was allowed."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    actor: Mapped[str | None] = mapped_column(String(200), index=True)
    role: Mapped[str | None] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(64), index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    case_id: Mapped[str | None] = mapped_column(String(64), index=True)
    client_ip: Mapped[str | None] = mapped_column(String(64))
    via: Mapped[str] = mapped_column(String(8))
    target: Mapped[str | None] = mapped_column(String(500))
    detail: Mapped[str | None] = mapped_column(String(1000))
    version: Mapped[int | None] = mapped_column(Integer)
    centre: Mapped[str | None] = mapped_column(String(64), index=True)
    host: Mapped[str | None] = mapped_column(String(255))
    annotation: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        CheckConstraint(
            "outcome IN ('allowed', 'denied', 'succeeded', 'failed', 'refused')",
            name="outcome_known",
        ),
        CheckConstraint("via IN ('web', 'api', 'cli', 'cds', 'fhir')", name="via_known"),
        Index("ix_audit_events_throttle", "action", "actor", "client_ip", "at"),
    )


class WebSessionRow(Base):
    """A sign-in the server can end: the cookie carries a random id, only its SHA-256
    digest is stored (migration ``r0004_centres_sessions``)."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(RowId, ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_because: Mapped[str | None] = mapped_column(String(32))
    client_ip: Mapped[str | None] = mapped_column(String(64))
