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
import re
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError

from rvlms.errors import InputError

__all__ = [
    "SUPPORTED_URLS",
    "WRITE",
    "DatabaseUrlError",
    "JsonText",
    "check_url",
    "create_engine_for",
    "display_url",
    "normalise_url",
    "sqlite_file",
]

WRITE = "rvlms_write"
"""Execution option marking a connection that will write: SQLite starts it with BEGIN IMMEDIATE."""

SQLITE_BUSY_TIMEOUT_S = 30.0

SUPPORTED_URLS = "use sqlite:///path/to/registry.sqlite3 or postgresql+psycopg://user@host/database"
_SQLITE_DRIVERS = ("sqlite", "sqlite+pysqlite")
_POSTGRESQL_DRIVERS = ("postgresql+psycopg",)


class DatabaseUrlError(InputError):
    """A database URL rvlms cannot use: not a URL, a database or driver it does not
    support, or a SQLite file that is not there."""

    title = "Unusable database URL"


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


def _shown(url: str | URL) -> str:
    try:
        return display_url(url)
    except (ArgumentError, ValueError):
        text = re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", str(url))
        return text if len(text) <= 80 else text[:79] + "…"


def check_url(
    url: str | URL, *, must_exist: bool = False, folder_must_exist: bool | None = None
) -> URL:
    """``url`` normalised, if rvlms can use it; otherwise :class:`DatabaseUrlError` saying
    what is wrong and what to give instead.

    ``must_exist`` refuses a SQLite file that does not exist (a mistyped path would
    silently start a second, empty registry); ``folder_must_exist`` (by default the same
    as ``must_exist``) refuses a SQLite file whose folder does not exist.
    """
    try:
        parsed = normalise_url(url)
    except (ArgumentError, ValueError, TypeError):
        raise DatabaseUrlError(f"{_shown(url)!r} is not a database URL; {SUPPORTED_URLS}") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.drivername not in _SQLITE_DRIVERS:
            raise DatabaseUrlError(
                f"the SQLite driver {parsed.get_driver_name()!r} is not supported; {SUPPORTED_URLS}"
            )
    elif backend == "postgresql":
        if parsed.drivername not in _POSTGRESQL_DRIVERS:
            raise DatabaseUrlError(
                f"the PostgreSQL driver {parsed.get_driver_name()!r} is not supported; "
                f"{SUPPORTED_URLS}"
            )
        return parsed
    else:
        raise DatabaseUrlError(f"{backend or parsed.drivername} is not supported: {SUPPORTED_URLS}")
    path = sqlite_file(parsed)
    if path is None:
        return parsed
    folder_checked = must_exist if folder_must_exist is None else folder_must_exist
    try:
        is_folder, folder_exists, exists = path.is_dir(), path.parent.is_dir(), path.exists()
    except OSError as exc:
        raise DatabaseUrlError(
            f"the SQLite path cannot be used ({exc.strerror or exc}); {SUPPORTED_URLS}"
        ) from None
    if is_folder:
        raise DatabaseUrlError(f"{path} is a folder, not a registry file; {SUPPORTED_URLS}")
    if folder_checked and not folder_exists:
        raise DatabaseUrlError(
            f"no registry at {display_url(parsed)}: the folder {path.parent} does not exist; "
            "check the path, or create the registry with rvlms registry init --db URL"
        )
    if must_exist and not exists:
        raise DatabaseUrlError(
            f"no registry at {display_url(parsed)}: the file {path} does not exist; check the "
            "path, or create the registry with rvlms registry init --db URL"
        )
    return parsed


def sqlite_file(url: URL) -> Path | None:
    """The database file of a SQLite URL, or None for an in-memory database."""
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:"):
        return None
    return Path(database).expanduser()


POOL_SIZE = 40
"""SQLite connections kept open per engine: as many as the web server's worker threads
(Starlette runs synchronous routes on a pool of 40), so a request under load does not pay
for opening a connection (SQLAlchemy's default of 5, +10 overflow closed after use, made the
server reconnect on most requests at 64 concurrent connections). A SQLite connection is a
file handle; PostgreSQL keeps SQLAlchemy's default, since its server limits connections."""


def create_engine_for(url: str | URL, **options: Any) -> Engine:
    """An engine for ``url``; the folder of a SQLite file is created when missing.

    Raises:
        DatabaseUrlError: for a URL that is not one of the supported databases.
    """
    parsed = check_url(url)
    common: dict[str, Any] = {"json_serializer": _serialise}
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_file(parsed)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        pooled = {} if path is None else {"pool_size": POOL_SIZE, "max_overflow": POOL_SIZE}
        engine = create_engine(
            parsed,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S},
            **common,
            **{**pooled, **options},
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
