"""Cases and their append-only revisions.

Revision ID: r0001
Revises:
Create Date: 2026-11-20
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "r0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("registry",)
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_WHEN = sa.DateTime(timezone=True)

_SQLITE_TRIGGERS = [
    "CREATE TRIGGER trg_case_revisions_no_update BEFORE UPDATE ON case_revisions "
    "BEGIN SELECT RAISE(ABORT, 'case_revisions is append-only'); END",
    "CREATE TRIGGER trg_case_revisions_no_delete BEFORE DELETE ON case_revisions "
    "BEGIN SELECT RAISE(ABORT, 'case_revisions is append-only'); END",
]
_POSTGRES_TRIGGERS = [
    "CREATE OR REPLACE FUNCTION rvlms_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$",
    "CREATE TRIGGER trg_case_revisions_append_only BEFORE UPDATE OR DELETE ON case_revisions "
    "FOR EACH ROW EXECUTE FUNCTION rvlms_refuse_change()",
    "CREATE TRIGGER trg_case_revisions_no_truncate BEFORE TRUNCATE ON case_revisions "
    "FOR EACH STATEMENT EXECUTE FUNCTION rvlms_refuse_change()",
]


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("data", _JSON, nullable=False),
        sa.Column("centre", sa.String(200), nullable=True),
        sa.Column("imaging_type", sa.String(32), nullable=True),
        sa.Column("ivc_level", sa.String(8), nullable=True),
        sa.Column("sex", sa.String(16), nullable=True),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.Column("deleted_at", _WHEN, nullable=True),
        sa.Column("deleted_by", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("case_id", name=op.f("uq_cases_case_id")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_cases_version_positive")),
    )
    for column in ("centre", "imaging_type", "ivc_level", "sex", "synthetic"):
        op.create_index(op.f(f"ix_cases_{column}"), "cases", [column])

    op.create_table(
        "case_revisions",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("data", _JSON, nullable=False),
        sa.Column("changes", _JSON, nullable=False),
        sa.Column("changed_by", sa.String(200), nullable=False),
        sa.Column("changed_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_revisions")),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.case_id"], name=op.f("fk_case_revisions_case_id_cases")
        ),
        sa.UniqueConstraint("case_id", "version", name=op.f("uq_case_revisions_case_id_version")),
        sa.CheckConstraint(
            "action IN ('create', 'update', 'delete')", name=op.f("ck_case_revisions_action_known")
        ),
    )
    op.create_index(op.f("ix_case_revisions_changed_by"), "case_revisions", ["changed_by"])
    op.create_index(op.f("ix_case_revisions_changed_at"), "case_revisions", ["changed_at"])

    dialect = op.get_bind().dialect.name
    for statement in _POSTGRES_TRIGGERS if dialect == "postgresql" else _SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS trg_case_revisions_no_truncate ON case_revisions")
        op.execute("DROP TRIGGER IF EXISTS trg_case_revisions_append_only ON case_revisions")
    op.drop_table("case_revisions")
    op.drop_table("cases")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS rvlms_refuse_change()")
