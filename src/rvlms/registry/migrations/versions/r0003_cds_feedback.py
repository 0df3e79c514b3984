"""Feedback on CDS Hooks cards: accepted or overridden, with the reason.

One row per feedback item posted to ``/cds-services/{id}/feedback`` (CDS Hooks 2.0.1
§Feedback). Rows are evidence of how the decision map is received, so they are append-only
like the audit log: triggers reject UPDATE and DELETE on SQLite and UPDATE, DELETE and
TRUNCATE on PostgreSQL (function ``rvlms_refuse_change`` of revision r0001). The table is
declared in ``rvlms.cds.feedback``.

Revision ID: r0003_cds_feedback
Revises: r0002_accounts_audit
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "r0003_cds_feedback"
down_revision: str | Sequence[str] | None = "r0002_accounts_audit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_WHEN = sa.DateTime(timezone=True)

_SQLITE_TRIGGERS = [
    "CREATE TRIGGER trg_cds_feedback_no_update BEFORE UPDATE ON cds_feedback "
    "BEGIN SELECT RAISE(ABORT, 'cds_feedback is append-only'); END",
    "CREATE TRIGGER trg_cds_feedback_no_delete BEFORE DELETE ON cds_feedback "
    "BEGIN SELECT RAISE(ABORT, 'cds_feedback is append-only'); END",
]
_POSTGRES_TRIGGERS = [
    "CREATE TRIGGER trg_cds_feedback_append_only BEFORE UPDATE OR DELETE ON cds_feedback "
    "FOR EACH ROW EXECUTE FUNCTION rvlms_refuse_change()",
    "CREATE TRIGGER trg_cds_feedback_no_truncate BEFORE TRUNCATE ON cds_feedback "
    "FOR EACH STATEMENT EXECUTE FUNCTION rvlms_refuse_change()",
]


def upgrade() -> None:
    op.create_table(
        "cds_feedback",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("service_id", sa.String(64), nullable=False),
        sa.Column("card_uuid", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("accepted_suggestions", _JSON, nullable=False),
        sa.Column("override_reason", _JSON, nullable=True),
        sa.Column("user_comment", sa.Text(), nullable=True),
        sa.Column("outcome_at", _WHEN, nullable=False),
        sa.Column("received_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cds_feedback")),
        sa.CheckConstraint(
            "outcome IN ('accepted', 'overridden')", name=op.f("ck_cds_feedback_outcome_known")
        ),
    )
    op.create_index(op.f("ix_cds_feedback_card_uuid"), "cds_feedback", ["card_uuid"])
    op.create_index(op.f("ix_cds_feedback_outcome_at"), "cds_feedback", ["outcome_at"])

    dialect = op.get_bind().dialect.name
    for statement in _POSTGRES_TRIGGERS if dialect == "postgresql" else _SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS trg_cds_feedback_no_truncate ON cds_feedback")
        op.execute("DROP TRIGGER IF EXISTS trg_cds_feedback_append_only ON cds_feedback")
    op.drop_index(op.f("ix_cds_feedback_outcome_at"), table_name="cds_feedback")
    op.drop_index(op.f("ix_cds_feedback_card_uuid"), table_name="cds_feedback")
    op.drop_table("cds_feedback")
