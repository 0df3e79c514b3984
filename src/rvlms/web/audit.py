"""The audit log: who read or changed which case, when, from where, and with what result.

Every access decision about patient data, every sign-in (successful, failed or refused
by throttling), every administrative change and every export is appended here. The log
is append-only by construction: this module has no update or delete path, and the
database refuses both through triggers (migration ``r0002_accounts_audit``). It is the
kind of log REDCap keeps as "Logging" and the HIPAA Security Rule asks for as audit
controls (45 CFR 164.312(b)).
"""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import ColumnElement, Engine, func, insert, select
from sqlalchemy.orm import Session

from rvlms.registry.engine import WRITE
from rvlms.web.tables import AuditEventRow

__all__ = [
    "CSV_COLUMNS",
    "AuditEntry",
    "AuditEvent",
    "AuditFilter",
    "AuditLog",
    "Outcome",
    "Via",
    "to_csv",
]

Outcome = Literal["allowed", "denied", "succeeded", "failed", "refused"]
Via = Literal["web", "api", "cli"]

LOGIN_SUCCESS = "login.success"
LOGIN_FAILURE = "login.failure"
LOGIN_REFUSED = "login.throttled"
LOGOUT = "logout"

CSV_COLUMNS = (
    "id",
    "at",
    "actor",
    "role",
    "action",
    "outcome",
    "case_id",
    "version",
    "client_ip",
    "via",
    "target",
    "detail",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_INSERT = insert(AuditEventRow)


def _clip(text: str | None, limit: int) -> str | None:
    if text is None:
        return None
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class AuditEvent:
    """One thing that happened; ``at`` defaults to now (UTC)."""

    action: str
    outcome: Outcome
    actor: str | None
    role: str | None = None
    case_id: str | None = None
    version: int | None = None
    client_ip: str | None = None
    via: Via = "web"
    target: str | None = None
    detail: str | None = None
    at: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass(frozen=True)
class AuditEntry(AuditEvent):
    id: int = 0


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    action: str | None = None
    case_id: str | None = None
    outcome: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.actor:
            found.append(AuditEventRow.actor == self.actor)
        if self.action:
            found.append(AuditEventRow.action == self.action)
        if self.case_id:
            found.append(AuditEventRow.case_id == self.case_id)
        if self.outcome:
            found.append(AuditEventRow.outcome == self.outcome)
        if self.since:
            found.append(AuditEventRow.at >= self.since)
        if self.until:
            found.append(AuditEventRow.at < self.until)
        return found


def _entry(row: AuditEventRow) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        at=row.at,
        actor=row.actor,
        role=row.role,
        action=row.action,
        outcome=row.outcome,  # type: ignore[arg-type]
        case_id=row.case_id,
        version=row.version,
        client_ip=row.client_ip,
        via=row.via,  # type: ignore[arg-type]
        target=row.target,
        detail=row.detail,
    )


class AuditLog:
    """Appends to and reads the ``audit_events`` table."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._writer = engine.execution_options(**{WRITE: True})
        self._serial: AbstractContextManager[object] = (
            threading.Lock() if engine.dialect.name == "sqlite" else nullcontext()
        )

    def record(self, event: AuditEvent) -> None:
        """Append one event in a transaction of its own, committed before returning.

        SQLite admits one writer at a time and makes the others poll with growing sleeps;
        in one process the writers therefore queue on a lock instead, which keeps the
        wait as short as the write itself.
        """
        with self._serial, self._writer.begin() as connection:
            connection.execute(
                _INSERT,
                {
                    "at": event.at,
                    "actor": _clip(event.actor, 200),
                    "role": event.role,
                    "action": event.action,
                    "outcome": event.outcome,
                    "case_id": _clip(event.case_id, 64),
                    "version": event.version,
                    "client_ip": _clip(event.client_ip, 64),
                    "via": event.via,
                    "target": _clip(event.target, 500),
                    "detail": _clip(event.detail, 1000),
                },
            )

    def count(self, where: AuditFilter | None = None) -> int:
        query = select(func.count()).select_from(AuditEventRow)
        if where is not None:
            query = query.where(*where.conditions())
        with Session(self._engine) as session:
            return int(session.execute(query).scalar_one())

    def entries(
        self, where: AuditFilter | None = None, *, limit: int | None = 200, offset: int = 0
    ) -> list[AuditEntry]:
        """Newest first."""
        query = select(AuditEventRow).order_by(AuditEventRow.id.desc())
        if where is not None:
            query = query.where(*where.conditions())
        if limit is not None:
            query = query.limit(limit)
        if offset:
            query = query.offset(offset)
        with Session(self._engine) as session:
            return [_entry(row) for row in session.scalars(query)]

    def stream(self, where: AuditFilter | None = None, batch: int = 1000) -> Iterator[AuditEntry]:
        """Oldest first, read in batches (for exports)."""
        query = select(AuditEventRow).order_by(AuditEventRow.id)
        if where is not None:
            query = query.where(*where.conditions())
        with Session(self._engine) as session:
            for row in session.scalars(query.execution_options(yield_per=batch)):
                yield _entry(row)

    def failures_since(self, actor: str, client_ip: str | None, since: datetime) -> list[datetime]:
        """Failed sign-ins of ``actor`` from ``client_ip`` since ``since``, oldest first."""
        query = (
            select(AuditEventRow.at)
            .where(
                AuditEventRow.action == LOGIN_FAILURE,
                AuditEventRow.actor == actor,
                AuditEventRow.client_ip == client_ip,
                AuditEventRow.at >= since,
            )
            .order_by(AuditEventRow.at)
        )
        with Session(self._engine) as session:
            return list(session.scalars(query))


def _cell(value: object) -> str:
    """Text for a CSV cell; a leading formula character is neutralised (OWASP CSV injection)."""
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(entries: Iterable[AuditEntry]) -> Iterator[str]:
    """The entries as CSV text, header first, one chunk per row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_COLUMNS)
    yield flush()
    for entry in entries:
        writer.writerow([_cell(getattr(entry, column)) for column in CSV_COLUMNS])
        yield flush()
