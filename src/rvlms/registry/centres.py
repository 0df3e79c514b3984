"""Centres of the network and who holds which role at each (data access groups).

REDCap calls these data access groups: every record belongs to one group, and a user sees
only the records of the groups they are assigned to. rvlms adds a per-centre role
(clinician, researcher, admin) and network-wide memberships (``centre=None``) for the
network's researchers and administrators. The audit entry of a grant is written by the
caller (web or command line), who knows who made it and from where.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rvlms.errors import Conflict, InputError, NotFound
from rvlms.registry.engine import WRITE
from rvlms.registry.tables import DEFAULT_CENTRE, MEMBERSHIP_ROLES, CentreRow, MembershipRow

__all__ = ["NETWORK", "Centre", "Centres", "Membership", "check_centre_code"]

NETWORK = "network"
"""How a network-wide membership is named on the command line and in messages."""

_CODE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


def check_centre_code(code: str) -> str:
    value = (code or "").strip().lower()
    if not _CODE.match(value) or value == NETWORK:
        raise InputError(
            f"centre code {code!r} is not allowed; use 1-64 characters: lower-case letters, "
            f"digits, '.', '_' or '-' (and not {NETWORK!r}, which means every centre)"
        )
    return value


@dataclass(frozen=True)
class Centre:
    code: str
    name: str
    created_at: datetime
    created_by: str


@dataclass(frozen=True)
class Membership:
    """``centre=None`` is a network-wide membership."""

    user_id: int
    centre: str | None
    role: str
    granted_at: datetime
    granted_by: str

    @property
    def where(self) -> str:
        return self.centre if self.centre is not None else NETWORK


def _centre(row: CentreRow) -> Centre:
    return Centre(row.code, row.name, row.created_at, row.created_by)


def _membership(row: MembershipRow) -> Membership:
    return Membership(row.user_id, row.centre_code, row.role, row.granted_at, row.granted_by)


class Centres:
    """The ``centres`` and ``memberships`` tables of the registry database."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._writer = engine.execution_options(**{WRITE: True})

    def add(self, code: str, name: str | None, *, created_by: str) -> Centre:
        checked = check_centre_code(code)
        label = (name or "").strip()[:200] or checked
        row = CentreRow(
            code=checked, name=label, created_at=datetime.now(UTC), created_by=created_by
        )
        try:
            with Session(self._writer) as session, session.begin():
                session.add(row)
                session.flush()
                return _centre(row)
        except IntegrityError:
            raise Conflict(f"centre {checked!r} exists already") from None

    def all(self) -> list[Centre]:
        with Session(self._engine) as session:
            return [_centre(r) for r in session.scalars(select(CentreRow).order_by(CentreRow.code))]

    def codes(self) -> list[str]:
        with Session(self._engine) as session:
            return list(session.scalars(select(CentreRow.code).order_by(CentreRow.code)))

    def require(self, code: str | None, option: str = "centre") -> str:
        """``code`` if it names a centre; otherwise an error listing the centres."""
        value = (code or DEFAULT_CENTRE).strip().lower()
        known = self.codes()
        if value not in known:
            raise InputError(
                f"{option}: no centre {value!r}; the centres are {', '.join(known) or 'none'} "
                "(rvlms centre add CODE creates one)"
            )
        return value

    # -- memberships ---------------------------------------------------------------

    def grant(self, user_id: int, centre: str | None, role: str, *, granted_by: str) -> Membership:
        """Give ``user_id`` ``role`` at ``centre`` (None: network-wide), replacing the
        role held there before."""
        if role not in MEMBERSHIP_ROLES:
            raise InputError(f"role: {role!r} is not a role; use {', '.join(MEMBERSHIP_ROLES)}")
        code = None if centre is None else self.require(centre)
        with Session(self._writer) as session, session.begin():
            session.execute(
                delete(MembershipRow).where(
                    MembershipRow.user_id == user_id,
                    MembershipRow.centre_code.is_(None)
                    if code is None
                    else MembershipRow.centre_code == code,
                )
            )
            row = MembershipRow(
                user_id=user_id,
                centre_code=code,
                role=role,
                granted_at=datetime.now(UTC),
                granted_by=granted_by,
            )
            session.add(row)
            session.flush()
            return _membership(row)

    def revoke(self, user_id: int, centre: str | None) -> None:
        with Session(self._writer) as session, session.begin():
            result = session.execute(
                delete(MembershipRow).where(
                    MembershipRow.user_id == user_id,
                    MembershipRow.centre_code.is_(None)
                    if centre is None
                    else MembershipRow.centre_code == centre,
                )
            )
            if not result.rowcount:  # type: ignore[attr-defined]
                where = centre if centre is not None else NETWORK
                raise NotFound(f"the user holds no role at {where}")

    def memberships(self, user_id: int | None = None) -> list[Membership]:
        """Per user, the network-wide membership first, then the centres by code."""
        query = select(MembershipRow).order_by(MembershipRow.user_id, MembershipRow.centre_code)
        if user_id is not None:
            query = query.where(MembershipRow.user_id == user_id)
        with Session(self._engine) as session:
            found = [_membership(r) for r in session.scalars(query)]
        return sorted(found, key=lambda m: (m.user_id, m.centre is not None, m.centre or ""))
