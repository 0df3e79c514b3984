"""Server-side sessions: a sign-in the server can end at once.

The signed cookie carries only a random session id (256 bits); the server keeps its
SHA-256 digest with the times that bound it. A session ends on logout, on a password
change or deactivation (every session of that user), after ``idle`` without a request,
and ``absolute`` after sign-in whatever the activity (OWASP Session Management Cheat
Sheet, "Session Expiration"). A cookie copied before any of these stops working on the
next request, because validity is decided here, not by the cookie's signature.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, bindparam, insert, select, update

from rvlms.registry.engine import WRITE
from rvlms.web.tables import WebSessionRow

__all__ = ["SessionStore", "SessionTimes"]

_TOUCH_EVERY = timedelta(seconds=30)
"""``last_seen_at`` is written at most this often per session, not on every request."""

_LOOKUP = select(
    WebSessionRow.id,
    WebSessionRow.user_id,
    WebSessionRow.last_seen_at,
    WebSessionRow.expires_at,
    WebSessionRow.revoked_at,
).where(WebSessionRow.digest == bindparam("digest"))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SessionTimes:
    idle: timedelta
    absolute: timedelta


class SessionStore:
    """The ``web_sessions`` table."""

    def __init__(self, engine: Engine, times: SessionTimes) -> None:
        self._engine = engine
        self._writer = engine.execution_options(**{WRITE: True})
        self.times = times

    def create(self, user_id: int, client_ip: str | None) -> str:
        """A new session for ``user_id``; the returned id goes into the cookie only."""
        token = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        with self._writer.begin() as connection:
            connection.execute(
                insert(WebSessionRow).values(
                    digest=_digest(token),
                    user_id=user_id,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=now + self.times.absolute,
                    revoked_at=None,
                    revoked_because=None,
                    client_ip=(client_ip or "")[:64] or None,
                )
            )
        return token

    def user_of(self, token: str) -> int | None:
        """The user of a live session; None when it is unknown, revoked or timed out."""
        now = datetime.now(UTC)
        with self._engine.connect() as connection:
            found = connection.execute(_LOOKUP, {"digest": _digest(token)}).one_or_none()
        if found is None or found.revoked_at is not None or found.expires_at <= now:
            return None
        if found.last_seen_at + self.times.idle <= now:
            self._end(WebSessionRow.id == found.id, "idle")
            return None
        if now - found.last_seen_at >= _TOUCH_EVERY:
            with self._writer.begin() as connection:
                connection.execute(
                    update(WebSessionRow)
                    .where(WebSessionRow.id == found.id)
                    .values(last_seen_at=now)
                )
        return int(found.user_id)

    def revoke(self, token: str, because: str) -> None:
        self._end(WebSessionRow.digest == _digest(token), because)

    def revoke_user(self, user_id: int, because: str) -> int:
        """End every live session of ``user_id``; returns how many were ended."""
        return self._end(WebSessionRow.user_id == user_id, because)

    def _end(self, which: object, because: str) -> int:
        with self._writer.begin() as connection:
            result = connection.execute(
                update(WebSessionRow)
                .where(which, WebSessionRow.revoked_at.is_(None))  # type: ignore[arg-type]
                .values(revoked_at=datetime.now(UTC), revoked_because=because[:32])
            )
        return int(result.rowcount)
