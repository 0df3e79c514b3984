"""The audit log: who read or changed which case, when, from where, and with what result.

Every access decision about patient data, every sign-in (successful, failed or refused
by throttling), every administrative change and every export is appended here. The log
is append-only by construction: this module has no update or delete path, and the
database refuses both through triggers (migration ``r0002_accounts_audit``). It is the
kind of log REDCap keeps as "Logging" and the HIPAA Security Rule asks for as audit
controls (45 CFR 164.312(b)).

Entries come from every entry point: the web app and the REST API (through
``rvlms.web.security.authorize``), the command line (with the operating-system user and
host; ``RVLMS_USER`` is kept only as an annotation), the CDS Hooks service and FHIR.

In the server, :meth:`AuditLog.record` hands the event to one writer thread and returns:
requests never queue behind each other's audit INSERTs (SQLite admits one writer at a
time). The writer inserts whatever has accumulated in one transaction. Every read of the
log (and :meth:`AuditLog.flush`) first waits until the events recorded before it are
written, so the log reads the same as if each write had been synchronous.
"""

from __future__ import annotations

import csv
import io
import logging
import queue
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, Engine, func, insert, select
from sqlalchemy.orm import Session

from rvlms.interchange.csvsafe import safe_cell
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
Via = Literal["web", "api", "cli", "cds", "fhir"]

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
    "centre",
    "host",
    "annotation",
)
_INSERT = insert(AuditEventRow)
_LOG = logging.getLogger(__name__)
_BATCH = 500


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
    centre: str | None = None
    host: str | None = None
    annotation: str | None = None


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
    centres: frozenset[str] | None = None
    """Only entries about these centres' cases (None: no restriction)."""

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.centres is not None:
            found.append(AuditEventRow.centre.in_(sorted(self.centres)))
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
        centre=row.centre,
        host=row.host,
        annotation=row.annotation,
    )


def _values(event: AuditEvent) -> dict[str, Any]:
    return {
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
        "centre": _clip(event.centre, 64),
        "host": _clip(event.host, 255),
        "annotation": _clip(event.annotation, 200),
    }


class AuditLog:
    """Appends to and reads the ``audit_events`` table.

    ``background=True`` (the server) writes through one writer thread; otherwise
    (the command line) each event is written before :meth:`record` returns.
    """

    def __init__(self, engine: Engine, *, background: bool = False) -> None:
        self._engine = engine
        self._writer = engine.execution_options(**{WRITE: True})
        self._background = background
        self._queue: queue.Queue[AuditEvent | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()

    def record(self, event: AuditEvent) -> None:
        """Append one event (queued for the writer thread in the server)."""
        if not self._background:
            with self._writer.begin() as connection:
                connection.execute(_INSERT, _values(event))
            return
        self._ensure_writer()
        self._queue.put(event)

    def record_many(self, events: Iterable[AuditEvent]) -> None:
        """Append many events in one transaction (an export of many cases)."""
        listed = list(events)
        if self._background:
            for event in listed:
                self.record(event)
            return
        rows = [_values(e) for e in listed]
        if not rows:
            return
        with self._writer.begin() as connection:
            connection.execute(_INSERT, rows)

    def flush(self) -> None:
        """Wait until every event recorded so far is in the database."""
        if self._thread is not None:
            self._queue.join()

    def close(self) -> None:
        """Write what is queued and stop the writer thread."""
        thread = self._thread
        if thread is not None:
            self._queue.put(None)
            thread.join()
            self._thread = None

    def _ensure_writer(self) -> None:
        if self._thread is not None:
            return
        with self._start:
            if self._thread is None:
                thread = threading.Thread(target=self._drain, name="rvlms-audit", daemon=True)
                thread.start()
                self._thread = thread

    def _drain(self) -> None:
        while True:
            first = self._queue.get()
            batch = [first]
            while len(batch) < _BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            events = [e for e in batch if e is not None]
            try:
                if events:
                    self._insert(events)
            finally:
                for _ in batch:
                    self._queue.task_done()
            if len(events) != len(batch):
                return

    def _insert(self, events: list[AuditEvent]) -> None:
        rows = [_values(e) for e in events]
        for attempt in (1, 2):
            try:
                with self._writer.begin() as connection:
                    connection.execute(_INSERT, rows)
                return
            except Exception:
                if attempt == 2:
                    _LOG.exception("%d audit event(s) could not be written", len(rows))

    def count(self, where: AuditFilter | None = None) -> int:
        self.flush()
        query = select(func.count()).select_from(AuditEventRow)
        if where is not None:
            query = query.where(*where.conditions())
        with Session(self._engine) as session:
            return int(session.execute(query).scalar_one())

    def entries(
        self, where: AuditFilter | None = None, *, limit: int | None = 200, offset: int = 0
    ) -> list[AuditEntry]:
        """Newest first."""
        self.flush()
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
        self.flush()
        query = select(AuditEventRow).order_by(AuditEventRow.id)
        if where is not None:
            query = query.where(*where.conditions())
        with Session(self._engine) as session:
            for row in session.scalars(query.execution_options(yield_per=batch)):
                yield _entry(row)

    def failures_since(self, actor: str, client_ip: str | None, since: datetime) -> list[datetime]:
        """Failed sign-ins of ``actor`` since ``since`` (from any address: ``client_ip``
        is ignored, see :mod:`rvlms.web.throttle`), oldest first."""
        return self.failures_of(actor, since)

    def failures_of(self, actor: str, since: datetime) -> list[datetime]:
        """Failed sign-ins of the account ``actor`` since ``since`` and since its last
        successful sign-in, from any address, oldest first."""
        self.flush()
        last_success = select(func.max(AuditEventRow.at)).where(
            AuditEventRow.action == LOGIN_SUCCESS, AuditEventRow.actor == actor
        )
        with Session(self._engine) as session:
            succeeded = session.execute(last_success).scalar_one_or_none()
        query = (
            select(AuditEventRow.at)
            .where(
                AuditEventRow.action == LOGIN_FAILURE,
                AuditEventRow.actor == actor,
                AuditEventRow.at >= since,
            )
            .order_by(AuditEventRow.at)
        )
        if succeeded is not None:
            query = query.where(AuditEventRow.at > succeeded)
        with Session(self._engine) as session:
            return list(session.scalars(query))


def _cell(value: object) -> str:
    """Text for a CSV cell; a leading formula character is neutralised (OWASP CSV injection)."""
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    return str(safe_cell(text))


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
