"""Accounts: people with passwords (argon2id) and programs with bearer tokens.

Passwords are hashed with argon2id through argon2-cffi's defaults (RFC 9106
recommendations); hashes made with older parameters are upgraded at the next sign-in.
An unknown user name costs the same hashing work as a wrong password, so response times
do not reveal which names exist. A password change or a deactivation ends every web
session of the account at once. API tokens carry 256 random bits; at that entropy a
plain SHA-256 digest is a safe way to store them (a slow hash protects guessable secrets,
not random ones), and it lets a token be found with one indexed lookup.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, Row, bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rvlms.errors import Conflict, InputError, NotFound
from rvlms.registry.centres import Centres, Membership
from rvlms.registry.engine import WRITE
from rvlms.registry.tables import DEFAULT_CENTRE
from rvlms.web.policy import Role
from rvlms.web.tables import ApiTokenRow, UserRow, WebSessionRow

__all__ = [
    "FOR_ROLE",
    "MIN_PASSWORD_LENGTH",
    "TOKEN_PREFIX",
    "Accounts",
    "IssuedToken",
    "TokenInfo",
    "User",
    "check_password",
    "check_username",
]

MIN_PASSWORD_LENGTH = 12
FOR_ROLE = ""
"""``Accounts.add(centre=FOR_ROLE)``: the centre that suits the role (see ``add``)."""
TOKEN_PREFIX = "rvlms_"
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
_SHOWN_PREFIX = 12


def _now() -> datetime:
    return datetime.now(UTC)


def check_username(username: str) -> str:
    name = (username or "").strip().lower()
    if not _USERNAME.match(name):
        raise InputError(
            f"user name {username!r} is not allowed; use 2-64 characters: lower-case letters, "
            "digits, '.', '_' or '-', starting with a letter or digit"
        )
    return name


def check_password(password: str) -> str:
    """NIST SP 800-63B: length is what makes a password strong; no composition rules."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(
            f"the password has {len(password)} characters; at least {MIN_PASSWORD_LENGTH} "
            "are needed (a passphrase of several words is easiest to remember)"
        )
    return password


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: Role
    active: bool
    created_at: datetime
    created_by: str


@dataclass(frozen=True)
class TokenInfo:
    id: int
    username: str
    prefix: str
    label: str | None
    created_at: datetime
    created_by: str
    expires_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class IssuedToken:
    """A new token; ``token`` is shown once and never stored."""

    token: str
    info: TokenInfo


def _user(row: UserRow) -> User:
    return User(
        id=row.id,
        username=row.username,
        role=Role(row.role),
        active=row.active,
        created_at=row.created_at,
        created_by=row.created_by,
    )


_USER_COLUMNS = (
    UserRow.id,
    UserRow.username,
    UserRow.role,
    UserRow.active,
    UserRow.created_at,
    UserRow.created_by,
)


_USER_BY_ID = select(*_USER_COLUMNS).where(UserRow.id == bindparam("user_id"))
_USER_BY_TOKEN = (
    select(ApiTokenRow.expires_at, ApiTokenRow.revoked_at, *_USER_COLUMNS)
    .join(UserRow, ApiTokenRow.user_id == UserRow.id)
    .where(ApiTokenRow.token_hash == bindparam("digest"))
)
"""Statements run on every request, built once so that SQLAlchemy reuses their compiled form."""


def _user_of(found: Row[*tuple[Any, ...]]) -> User:
    """A user from a Core row of :data:`_USER_COLUMNS` (cheaper than the ORM per request)."""
    return User(
        id=found.id,
        username=found.username,
        role=Role(found.role),
        active=found.active,
        created_at=found.created_at,
        created_by=found.created_by,
    )


def _token_info(row: ApiTokenRow, username: str) -> TokenInfo:
    return TokenInfo(
        id=row.id,
        username=username,
        prefix=row.prefix,
        label=row.label,
        created_at=row.created_at,
        created_by=row.created_by,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
    )


class Accounts:
    """The users and API tokens stored in the registry database."""

    def __init__(self, engine: Engine, hasher: PasswordHasher | None = None) -> None:
        self._engine = engine
        self._writer = engine.execution_options(**{WRITE: True})
        self._hasher = hasher or PasswordHasher()
        self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(16))
        self.centres = Centres(engine)

    # -- users ---------------------------------------------------------------------

    def add(
        self,
        username: str,
        role: Role,
        password: str | None,
        *,
        created_by: str,
        centre: str | None = FOR_ROLE,
    ) -> User:
        """A new active user with ``role`` at ``centre``; ``password=None`` makes an account
        that signs in only by token.

        ``centre=None`` gives the role network-wide. Without ``centre``, an admin is a
        network admin (as admins were before centres existed) and anyone else is a member
        of the ``default`` centre.
        """
        name = check_username(username)
        if centre == FOR_ROLE:
            centre = None if Role(role) is Role.admin else DEFAULT_CENTRE
        code = None if centre is None else self.centres.require(centre)
        hashed = self._hasher.hash(check_password(password)) if password is not None else None
        now = _now()
        row = UserRow(
            username=name,
            role=Role(role).value,
            password_hash=hashed,
            active=True,
            created_at=now,
            created_by=created_by,
            password_changed_at=now if hashed else None,
        )
        try:
            with Session(self._writer) as session, session.begin():
                session.add(row)
                session.flush()
                user = _user(row)
        except IntegrityError:
            raise Conflict(f"user {name!r} exists already") from None
        self.centres.grant(user.id, code, Role(role).value, granted_by=created_by)
        return user

    def set_password(self, username: str, password: str) -> None:
        """A new password; every web session of the account ends."""
        hashed = self._hasher.hash(check_password(password))
        with Session(self._writer) as session, session.begin():
            row = self._row(session, username)
            row.password_hash = hashed
            row.password_changed_at = _now()
            _end_sessions(session, row.id, "password")

    def set_active(self, username: str, active: bool) -> User:
        with Session(self._writer) as session, session.begin():
            row = self._row(session, username)
            row.active = active
            if not active:
                _end_sessions(session, row.id, "deactivated")
            return _user(row)

    # -- centres -------------------------------------------------------------------

    def memberships(self, user_id: int) -> tuple[Membership, ...]:
        return tuple(self.centres.memberships(user_id))

    def grant(
        self, username: str, centre: str | None, role: Role, *, granted_by: str
    ) -> Membership:
        """Give ``username`` ``role`` at ``centre`` (None: network-wide)."""
        user = self.by_name(username)
        if user is None:
            raise NotFound(f"no user {username.strip().lower()!r} (rvlms user list shows them)")
        return self.centres.grant(user.id, centre, Role(role).value, granted_by=granted_by)

    def revoke(self, username: str, centre: str | None) -> None:
        user = self.by_name(username)
        if user is None:
            raise NotFound(f"no user {username.strip().lower()!r} (rvlms user list shows them)")
        self.centres.revoke(user.id, centre)

    def get(self, user_id: int) -> User | None:
        with self._engine.connect() as connection:
            found = connection.execute(_USER_BY_ID, {"user_id": user_id}).one_or_none()
        return _user_of(found) if found is not None else None

    def by_name(self, username: str) -> User | None:
        with Session(self._engine) as session:
            row = session.scalars(
                select(UserRow).where(UserRow.username == username.strip().lower())
            ).one_or_none()
            return _user(row) if row is not None else None

    def users(self) -> list[User]:
        with Session(self._engine) as session:
            return [_user(r) for r in session.scalars(select(UserRow).order_by(UserRow.username))]

    def authenticate(self, username: str, password: str) -> User | None:
        """The active user with this name and password, or None (same work either way)."""
        name = username.strip().lower()
        with Session(self._engine) as session:
            row = session.scalars(select(UserRow).where(UserRow.username == name)).one_or_none()
            stored = row.password_hash if row is not None else None
            user = _user(row) if row is not None else None
        try:
            self._hasher.verify(stored or self._dummy_hash, password)
        except (VerificationError, InvalidHashError):
            return None
        if user is None or stored is None or not user.active:
            return None
        if self._hasher.check_needs_rehash(stored):
            with Session(self._writer) as session, session.begin():
                session.execute(
                    update(UserRow)
                    .where(UserRow.id == user.id)
                    .values(password_hash=self._hasher.hash(password))
                )
        return user

    # -- tokens --------------------------------------------------------------------

    def issue_token(
        self,
        username: str,
        *,
        created_by: str,
        label: str | None = None,
        expires_in_days: int | None = None,
    ) -> IssuedToken:
        if expires_in_days is not None and expires_in_days < 1:
            raise InputError("expires_in_days: give at least 1 day, or none for no expiry")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = _now()
        with Session(self._writer) as session, session.begin():
            user = self._row(session, username)
            if not user.active:
                raise Conflict(f"user {user.username!r} is deactivated; activate it first")
            row = ApiTokenRow(
                user_id=user.id,
                token_hash=token_digest(token),
                prefix=token[:_SHOWN_PREFIX],
                label=(label or "").strip()[:200] or None,
                created_at=now,
                created_by=created_by,
                expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
                revoked_at=None,
            )
            session.add(row)
            session.flush()
            return IssuedToken(token=token, info=_token_info(row, user.username))

    def tokens(self, username: str | None = None) -> list[TokenInfo]:
        query = select(ApiTokenRow, UserRow.username).join(UserRow).order_by(ApiTokenRow.id)
        if username is not None:
            query = query.where(UserRow.username == username.strip().lower())
        with Session(self._engine) as session:
            return [_token_info(token, name) for token, name in session.execute(query).all()]

    def revoke_token(self, token_id: int) -> None:
        if not 0 < token_id < 2**63:
            raise NotFound(f"no API token with id {token_id}")
        with Session(self._writer) as session, session.begin():
            row = session.get(ApiTokenRow, token_id)
            if row is None:
                raise NotFound(f"no API token with id {token_id}")
            if row.revoked_at is None:
                row.revoked_at = _now()

    def user_for_token(self, token: str) -> User | None:
        """The active user a valid, unexpired, unrevoked token belongs to."""
        if not token.startswith(TOKEN_PREFIX):
            return None
        with self._engine.connect() as connection:
            found = connection.execute(
                _USER_BY_TOKEN, {"digest": token_digest(token)}
            ).one_or_none()
        if found is None or not found.active:
            return None
        if found.revoked_at is not None or (
            found.expires_at is not None and found.expires_at <= _now()
        ):
            return None
        return _user_of(found)

    # -- helpers -------------------------------------------------------------------

    @staticmethod
    def _row(session: Session, username: str) -> UserRow:
        name = username.strip().lower()
        row = session.scalars(select(UserRow).where(UserRow.username == name)).one_or_none()
        if row is None:
            raise NotFound(f"no user {name!r} (rvlms user list shows the accounts)")
        return row


def _end_sessions(session: Session, user_id: int, because: str) -> None:
    session.execute(
        update(WebSessionRow)
        .where(WebSessionRow.user_id == user_id, WebSessionRow.revoked_at.is_(None))
        .values(revoked_at=_now(), revoked_because=because)
    )
