"""Recording what clinicians did with the cards (CDS Hooks 2.0.1 §Feedback).

Each feedback item becomes one row of ``cds_feedback`` (migration
``r0003_cds_feedback``), written with SQLAlchemy Core through the registry's engine factory
so that SQLite and PostgreSQL behave alike. Rows are never changed: the same card may be
reported more than once and each report is kept, which is what the specification allows.
Overrides with their reason are the signal the knowledge base needs: a warning that
clinicians keep overriding is a rule to re-read.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import CheckConstraint, String, Table, Text, insert, inspect, select
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Mapped, mapped_column

from rvlms.cds.models import FeedbackItem
from rvlms.cds.problems import FeedbackUnavailable
from rvlms.registry.engine import WRITE, create_engine_for, display_url
from rvlms.registry.tables import Base, JsonDocument, RowId, UtcDateTime

__all__ = ["FEEDBACK_TABLE", "CdsFeedbackRow", "read_feedback", "record_feedback"]

FEEDBACK_TABLE = "cds_feedback"


class CdsFeedbackRow(Base):
    """One feedback item: which card, accepted or overridden, why, and when."""

    __tablename__ = FEEDBACK_TABLE

    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    service_id: Mapped[str] = mapped_column(String(64))
    card_uuid: Mapped[str] = mapped_column(String(64), index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    accepted_suggestions: Mapped[list[str]] = mapped_column(JsonDocument)
    override_reason: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    user_comment: Mapped[str | None] = mapped_column(Text)
    outcome_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        CheckConstraint("outcome IN ('accepted', 'overridden')", name="outcome_known"),
    )


_TABLE: Table = Base.metadata.tables[FEEDBACK_TABLE]


def _row(service_id: str, item: FeedbackItem, received_at: datetime) -> dict[str, Any]:
    reason = item.override_reason
    coding = reason.reason if reason is not None else None
    return {
        "service_id": service_id,
        "card_uuid": item.card,
        "outcome": item.outcome,
        "accepted_suggestions": [s.id for s in item.accepted_suggestions],
        "override_reason": coding.model_dump(exclude_none=True) if coding else None,
        "user_comment": reason.user_comment if reason is not None else None,
        "outcome_at": item.outcome_timestamp,
        "received_at": received_at,
    }


def record_feedback(url: str, service_id: str, items: list[FeedbackItem]) -> int:
    """Append the items to ``cds_feedback`` at ``url``; returns the number of rows written.

    Raises :class:`FeedbackUnavailable` (503) when the table has not been created, i.e.
    the registry at ``url`` was not upgraded with ``rvlms.registry.init_registry``.
    """
    received_at = datetime.now(UTC)
    rows = [_row(service_id, item, received_at) for item in items]
    engine = create_engine_for(url)
    try:
        try:
            with (
                engine.connect().execution_options(**{WRITE: True}) as connection,
                connection.begin(),
            ):
                connection.execute(insert(_TABLE), rows)
        except (OperationalError, ProgrammingError):
            if not inspect(engine).has_table(FEEDBACK_TABLE):
                raise FeedbackUnavailable(
                    f"the registry at {display_url(url)} has no {FEEDBACK_TABLE} table; "
                    "upgrade it with rvlms.registry.init_registry (migration r0003_cds_feedback)"
                ) from None
            raise
    finally:
        engine.dispose()
    return len(rows)


def read_feedback(url: str) -> list[dict[str, Any]]:
    """Every recorded feedback row, oldest first (for reports and tests)."""
    engine = create_engine_for(url)
    try:
        with engine.connect() as connection:
            result = connection.execute(select(_TABLE).order_by(_TABLE.c.id))
            return [dict(row._mapping) for row in result]
    finally:
        engine.dispose()
