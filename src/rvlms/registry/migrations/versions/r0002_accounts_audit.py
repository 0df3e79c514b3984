"""Accounts, API tokens and the append-only audit log of the web app.

The audit log must be trustworthy evidence of who read or changed patient data, so the
database itself refuses to change it: triggers reject UPDATE and DELETE on SQLite
(``RAISE(ABORT)``) and UPDATE, DELETE and TRUNCATE on PostgreSQL (the function
``rvlms_refuse_change`` of revision r0001). The tables are declared in
``rvlms.web.tables``.

Revision ID: r0002_accounts_audit
Revises: r0001
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "r0002_accounts_audit"
down_revision: str | Sequence[str] | None = "r0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_WHEN = sa.DateTime(timezone=True)

_SQLITE_TRIGGERS = [
    "CREATE TRIGGER trg_audit_events_no_update BEFORE UPDATE ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
    "CREATE TRIGGER trg_audit_events_no_delete BEFORE DELETE ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
]
_POSTGRES_TRIGGERS = [
    "CREATE TRIGGER trg_audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
    "FOR EACH ROW EXECUTE FUNCTION rvlms_refuse_change()",
    "CREATE TRIGGER trg_audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
    "FOR EACH STATEMENT EXECUTE FUNCTION rvlms_refuse_change()",
]


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("password_changed_at", _WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
        sa.CheckConstraint(
            "role IN ('clinician', 'researcher', 'admin')", name=op.f("ck_users_role_known")
        ),
    )

    op.create_table(
        "api_tokens",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("label", sa.String(200), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("expires_at", _WHEN, nullable=True),
        sa.Column("revoked_at", _WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users")
        ),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_index(op.f("ix_api_tokens_user_id"), "api_tokens", ["user_id"])

    op.create_table(
        "audit_events",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("at", _WHEN, nullable=False),
        sa.Column("actor", sa.String(200), nullable=True),
        sa.Column("role", sa.String(16), nullable=True),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("case_id", sa.String(64), nullable=True),
        sa.Column("client_ip", sa.String(64), nullable=True),
        sa.Column("via", sa.String(8), nullable=False),
        sa.Column("target", sa.String(500), nullable=True),
        sa.Column("detail", sa.String(1000), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
        sa.CheckConstraint(
            "outcome IN ('allowed', 'denied', 'succeeded', 'failed', 'refused')",
            name=op.f("ck_audit_events_outcome_known"),
        ),
        sa.CheckConstraint("via IN ('web', 'api', 'cli')", name=op.f("ck_audit_events_via_known")),
    )
    for column in ("at", "actor", "action", "case_id"):
        op.create_index(op.f(f"ix_audit_events_{column}"), "audit_events", [column])
    op.create_index(
        "ix_audit_events_throttle", "audit_events", ["action", "actor", "client_ip", "at"]
    )

    dialect = op.get_bind().dialect.name
    for statement in _POSTGRES_TRIGGERS if dialect == "postgresql" else _SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS trg_audit_events_no_truncate ON audit_events")
        op.execute("DROP TRIGGER IF EXISTS trg_audit_events_append_only ON audit_events")
    op.drop_table("audit_events")
    op.drop_table("api_tokens")
    op.drop_table("users")
