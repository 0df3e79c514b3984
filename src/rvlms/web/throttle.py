"""Sign-in throttling per user name and client address.

After ``Settings.login_attempts_per_15_min`` failed sign-ins for one user name from one
address within 15 minutes, further attempts are refused until the oldest failure leaves
the window, even with the right password, so that guessing cannot continue (OWASP
Authentication Cheat Sheet, "Login Throttling"). The failures are read from the audit
log, so the count survives a restart and holds across server processes; refused
attempts are logged but not counted, so a locked account opens again on time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from rvlms.web.audit import AuditLog

__all__ = ["LoginThrottle", "ThrottleState"]


@dataclass(frozen=True)
class ThrottleState:
    failures: int
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
            f"Too many failed sign-ins for this user name from your address: {self.failures} "
            f"in the last {self.window_minutes} minutes (the limit is {self.limit}). "
            f"Try again after {self.retry_at:%H:%M} UTC (in about {wait} minute"
            f"{'s' if wait != 1 else ''}), or ask an administrator to check the account."
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

    def state(self, username: str, client_ip: str | None) -> ThrottleState:
        now = datetime.now(UTC)
        failures = self._audit.failures_since(username, client_ip, now - self._window)
        retry_at = None
        if len(failures) >= self._limit:
            retry_at = failures[len(failures) - self._limit] + self._window
        return ThrottleState(
            failures=len(failures),
            limit=self._limit,
            window_minutes=int(self._window.total_seconds() // 60),
            retry_at=retry_at,
        )
