"""Engines for the two supported databases, built on demand, never at import time.

SQLite is the single-user default (a file in the data folder); PostgreSQL serves a team.
SQLite connections run in WAL mode, so readers never wait for the writer, with foreign keys
enforced (SQLite leaves them off unless asked) and ``synchronous=NORMAL``, which is durable
in WAL mode at a fraction of the cost of ``FULL``. pysqlite's own transaction handling is
switched off so that a write transaction can start with ``BEGIN IMMEDIATE``: the write lock
is then taken before the version check, and two writers queue instead of failing half-way
(SQLAlchemy documentation, "Serializable isolation / Savepoints / Transactional DDL" for
pysqlite).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url

__all__ = ["WRITE", "JsonText", "create_engine_for", "display_url", "normalise_url", "sqlite_file"]

WRITE = "rvlms_write"
"""Execution option marking a connection that will write: SQLite starts it with BEGIN IMMEDIATE."""

SQLITE_BUSY_TIMEOUT_S = 30.0


class JsonText(str):
    """A JSON document that is already serialised; stored as it is, not encoded again."""

    __slots__ = ()


def _serialise(value: Any) -> str:
    if isinstance(value, JsonText):
        return str(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def normalise_url(url: str | URL) -> URL:
    """Accept ``postgresql://`` and ``postgres://`` as the psycopg 3 driver."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def sqlite_file(url: URL) -> Path | None:
    """The database file of a SQLite URL, or None for an in-memory database."""
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:"):
        return None
    return Path(database).expanduser()


def create_engine_for(url: str | URL, **options: Any) -> Engine:
    """An engine for ``url``; the folder of a SQLite file is created when missing."""
    parsed = normalise_url(url)
    common: dict[str, Any] = {"json_serializer": _serialise}
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_file(parsed)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            parsed,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S},
            **common,
            **options,
        )
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(parsed, pool_pre_ping=True, **common, **options)


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    writing = connection.get_execution_options().get(WRITE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def display_url(url: str | URL) -> str:
    """A database URL with its password masked, for messages and logs."""
    return make_url(url).render_as_string(hide_password=True)
