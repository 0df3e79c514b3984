"""Per-account lockout with backoff, whatever address the attempts come from.

After ``Settings.login_attempts_per_15_min`` failed sign-ins of one account since its last
successful sign-in, the account is locked, even for the right password, so that guessing
cannot continue from any number of addresses (OWASP Authentication Cheat Sheet, "Account
Lockout"). Each further failure after a lock has passed doubles the lock: 15 minutes,
30, 60, … up to 24 hours. Failures are counted per account only, never per address: a
colleague behind the same hospital address is not locked out by someone else's typing,
and a password sprayed across many accounts meets the limit of each. The failures are
read from the audit log, so the count survives a restart and holds across server
processes; refused attempts are logged but not counted, so a lock ends on time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from rvlms.web.audit import AuditLog

__all__ = ["LoginThrottle", "ThrottleState"]

_MAX_LOCK = timedelta(hours=24)
_HORIZON = timedelta(hours=24)
"""Failures older than this no longer count towards a lock."""


@dataclass(frozen=True)
class ThrottleState:
    failures: int
    recent: int
    limit: int
    window_minutes: int
    retry_at: datetime | None

    @property
    def blocked(self) -> bool:
        return self.retry_at is not None

    def message(self) -> str:
        if self.retry_at is None:
            return ""
        wait = max(1, int((self.retry_at - datetime.now(UTC)).total_seconds() // 60) + 1)
        return (
            f"Too many failed sign-ins for this account: {self.recent} in the last "
            f"{self.window_minutes} minutes, {self.failures} since its last successful "
            f"sign-in (the limit is {self.limit}). The account is locked until "
            f"{self.retry_at:%H:%M} UTC (about {wait} minute{'s' if wait != 1 else ''}); "
            "each further failure doubles the wait. An administrator can check the account."
        )

    @property
    def retry_after_s(self) -> int:
        if self.retry_at is None:
            return 0
        return max(1, int((self.retry_at - datetime.now(UTC)).total_seconds()) + 1)


class LoginThrottle:
    def __init__(self, audit: AuditLog, limit: int, window_minutes: int = 15) -> None:
        self._audit = audit
        self._limit = limit
        self._window = timedelta(minutes=window_minutes)

    def state(self, username: str, client_ip: str | None = None) -> ThrottleState:
        """The lock state of the account ``username``; ``client_ip`` plays no part."""
        now = datetime.now(UTC)
        failures = self._audit.failures_of(username, now - _HORIZON)
        retry_at = None
        if len(failures) >= self._limit:
            lock = min(self._window * 2 ** (len(failures) - self._limit), _MAX_LOCK)
            candidate = failures[-1] + lock
            retry_at = candidate if candidate > now else None
        return ThrottleState(
            failures=len(failures),
            recent=sum(1 for f in failures if f >= now - self._window),
            limit=self._limit,
            window_minutes=int(self._window.total_seconds() // 60),
            retry_at=retry_at,
        )
