"""Which centres' cases a caller may reach: the one filter every registry query applies.

A :class:`Scope` is computed once per request from the caller's memberships (see
``rvlms.web.security``) and handed to :meth:`rvlms.registry.Registry.scoped`; from then on
every read, list, count, export and write of that registry object is confined to those
centres, so a route cannot forget the check. The unscoped registry (``Scope.everything``)
is what the operator's command line and the server's own services use.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, false

from rvlms.registry.tables import CaseRow

__all__ = ["Scope"]


@dataclass(frozen=True)
class Scope:
    """``centres=None`` reaches every centre; an empty set reaches none."""

    centres: frozenset[str] | None = None

    @classmethod
    def everything(cls) -> Scope:
        return cls(None)

    @classmethod
    def of(cls, centres: Iterable[str]) -> Scope:
        return cls(frozenset(centres))

    @property
    def network_wide(self) -> bool:
        return self.centres is None

    def allows(self, centre: str | None) -> bool:
        return self.centres is None or (centre is not None and centre in self.centres)

    def narrowed(self, centre: str | None) -> Scope:
        """This scope limited to ``centre`` (None keeps it as it is)."""
        if centre is None:
            return self
        return Scope(frozenset({centre}) if self.allows(centre) else frozenset())

    def condition(self) -> ColumnElement[bool] | None:
        """The WHERE clause on ``cases`` that keeps a query inside the scope."""
        if self.centres is None:
            return None
        if not self.centres:
            return false()
        return CaseRow.centre_code.in_(sorted(self.centres))

    def describe(self) -> str:
        if self.centres is None:
            return "all centres"
        return ", ".join(sorted(self.centres)) or "no centre"
