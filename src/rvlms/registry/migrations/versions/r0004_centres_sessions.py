"""Centres (data access groups), memberships, server-side sessions, a richer audit log.

- ``centres`` with the centre ``default``; every existing case is moved to it
  (``cases.centre_code``), so nothing stored before becomes unreachable.
- ``memberships``: a user's role per centre (NULL centre = network-wide). Existing
  clinicians and researchers become members of ``default`` with their role; existing
  admins become network admins, as they administered everything before.
- ``web_sessions``: sign-ins the server can end (logout, password change, timeouts).
- ``audit_events`` gains ``centre``, ``host`` and ``annotation``, and accepts the entry
  points ``cds`` and ``fhir``. SQLite cannot change a CHECK constraint in place, so the
  table is copied; its append-only triggers are installed again on the copy.

Revision ID: r0004_centres_sessions
Revises: r0003_cds_feedback
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "r0004_centres_sessions"
down_revision: str | Sequence[str] | None = "r0003_cds_feedback"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_WHEN = sa.DateTime(timezone=True)
_VIA = "via IN ('web', 'api', 'cli', 'cds', 'fhir')"
_OUTCOME = "outcome IN ('allowed', 'denied', 'succeeded', 'failed', 'refused')"
_AUDIT_INDEXES = ("at", "actor", "action", "case_id", "centre")

_SQLITE_TRIGGERS = [
    "CREATE TRIGGER trg_audit_events_no_update BEFORE UPDATE ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
    "CREATE TRIGGER trg_audit_events_no_delete BEFORE DELETE ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
]
_OLD_AUDIT_COLUMNS = (
    "id, at, actor, role, action, outcome, case_id, client_ip, via, target, detail, version"
)


def _audit_columns() -> list[sa.Column[object]]:
    return [
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
        sa.Column("centre", sa.String(64), nullable=True),
        sa.Column("host", sa.String(255), nullable=True),
        sa.Column("annotation", sa.String(200), nullable=True),
    ]


def _upgrade_audit_sqlite() -> None:
    op.create_table(
        "audit_events_new",
        *_audit_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
        sa.CheckConstraint(_OUTCOME, name=op.f("ck_audit_events_outcome_known")),
        sa.CheckConstraint(_VIA, name=op.f("ck_audit_events_via_known")),
    )
    op.execute(
        f"INSERT INTO audit_events_new ({_OLD_AUDIT_COLUMNS}) "
        f"SELECT {_OLD_AUDIT_COLUMNS} FROM audit_events"
    )
    op.execute("DROP TABLE audit_events")
    op.execute("ALTER TABLE audit_events_new RENAME TO audit_events")
    for column in _AUDIT_INDEXES:
        op.create_index(op.f(f"ix_audit_events_{column}"), "audit_events", [column])
    op.create_index(
        "ix_audit_events_throttle", "audit_events", ["action", "actor", "client_ip", "at"]
    )
    for statement in _SQLITE_TRIGGERS:
        op.execute(statement)


def _upgrade_audit_postgresql() -> None:
    op.add_column("audit_events", sa.Column("centre", sa.String(64), nullable=True))
    op.add_column("audit_events", sa.Column("host", sa.String(255), nullable=True))
    op.add_column("audit_events", sa.Column("annotation", sa.String(200), nullable=True))
    op.create_index(op.f("ix_audit_events_centre"), "audit_events", ["centre"])
    op.drop_constraint(op.f("ck_audit_events_via_known"), "audit_events", type_="check")
    op.create_check_constraint(op.f("ck_audit_events_via_known"), "audit_events", _VIA)


def upgrade() -> None:
    now = datetime.now(UTC)
    centres = op.create_table(
        "centres",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_centres")),
        sa.UniqueConstraint("code", name=op.f("uq_centres_code")),
    )
    stamp = now if op.get_bind().dialect.name != "sqlite" else now.replace(tzinfo=None)
    op.bulk_insert(
        centres,
        [
            {
                "code": "default",
                "name": "Default centre",
                "created_at": stamp,
                "created_by": "migration r0004",
            }
        ],
    )
    op.add_column(
        "cases",
        sa.Column(
            "centre_code", sa.String(64), nullable=False, server_default=sa.text("'default'")
        ),
    )
    op.create_index(op.f("ix_cases_centre_code"), "cases", ["centre_code"])

    op.create_table(
        "memberships",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("centre_code", sa.String(64), nullable=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("granted_at", _WHEN, nullable=False),
        sa.Column("granted_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memberships")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_memberships_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["centre_code"], ["centres.code"], name=op.f("fk_memberships_centre_code_centres")
        ),
        sa.UniqueConstraint(
            "user_id", "centre_code", name=op.f("uq_memberships_user_id_centre_code")
        ),
        sa.CheckConstraint(
            "role IN ('clinician', 'researcher', 'admin')", name=op.f("ck_memberships_role_known")
        ),
    )
    op.create_index(op.f("ix_memberships_user_id"), "memberships", ["user_id"])
    memberships = sa.table(
        "memberships",
        sa.column("user_id", _ID),
        sa.column("centre_code", sa.String(64)),
        sa.column("role", sa.String(16)),
        sa.column("granted_at", _WHEN),
        sa.column("granted_by", sa.String(200)),
    )
    users = op.get_bind().execute(sa.text("SELECT id, role FROM users")).all()
    if users:
        op.bulk_insert(
            memberships,
            [
                {
                    "user_id": user_id,
                    "centre_code": None if role == "admin" else "default",
                    "role": role,
                    "granted_at": stamp,
                    "granted_by": "migration r0004",
                }
                for user_id, role in users
            ],
        )

    op.create_table(
        "web_sessions",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("last_seen_at", _WHEN, nullable=False),
        sa.Column("expires_at", _WHEN, nullable=False),
        sa.Column("revoked_at", _WHEN, nullable=True),
        sa.Column("revoked_because", sa.String(32), nullable=True),
        sa.Column("client_ip", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_web_sessions_user_id_users")
        ),
        sa.UniqueConstraint("digest", name=op.f("uq_web_sessions_digest")),
    )
    op.create_index(op.f("ix_web_sessions_user_id"), "web_sessions", ["user_id"])

    if op.get_bind().dialect.name == "postgresql":
        _upgrade_audit_postgresql()
    else:
        _upgrade_audit_sqlite()


def downgrade() -> None:
    op.drop_table("web_sessions")
    op.drop_table("memberships")
    op.drop_index(op.f("ix_cases_centre_code"), table_name="cases")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("centre_code")
    op.drop_table("centres")
