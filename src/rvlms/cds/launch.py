"""What a card's link opens: the plan computed from the prefetch the card was made from.

A CDS call describes a patient the registry may not hold yet, so the link cannot point at
``/cases/{id}/plan``. Each answer with cards keeps its case record and plan in a
:class:`LaunchStore` under an unguessable id (256 random bits, ``secrets.token_urlsafe``)
for ``RVLMS_CDS_LAUNCH_TTL_MINUTES``; the card links to ``/cds/launch/{id}`` on the
configured public base URL. The web app shows the plan there to a signed-in clinician and
offers to create the registry case from it.

The store is in memory and bounded, so patient data never enter a URL (which proxies and
browser histories keep) and are forgotten when the link expires or the server stops; an
expired or unknown id gives a page saying so, never a 404.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from rvlms.cds.mapping import CaseMapping
from rvlms.pathway import Plan

__all__ = ["LAUNCH_PATH", "Launch", "LaunchStore", "launch_url"]

LAUNCH_PATH = "/cds/launch"
MAX_LAUNCHES = 1000


@dataclass(frozen=True)
class Launch:
    """One card answer: the case record read from the prefetch and its plan."""

    id: str
    mapping: CaseMapping
    plan: Plan
    patient_id: str
    actor: str
    authenticated: bool
    created_at: datetime
    expires_at: datetime


def launch_url(base_url: str, launch_id: str) -> str:
    return f"{base_url.rstrip('/')}{LAUNCH_PATH}/{quote(launch_id, safe='')}"


class LaunchStore:
    """Launches by id, each kept for ``ttl``; the oldest go first beyond ``max_entries``."""

    def __init__(
        self,
        ttl: timedelta,
        *,
        max_entries: int = MAX_LAUNCHES,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.ttl = ttl
        self._max = max_entries
        self._clock = clock
        self._items: OrderedDict[str, Launch] = OrderedDict()
        self._created: dict[str, str] = {}
        self._lock = threading.Lock()

    def put(
        self,
        mapping: CaseMapping,
        plan: Plan,
        *,
        patient_id: str,
        actor: str,
        authenticated: bool,
    ) -> Launch:
        now = self._clock()
        launch = Launch(
            id=secrets.token_urlsafe(32),
            mapping=mapping,
            plan=plan,
            patient_id=patient_id,
            actor=actor,
            authenticated=authenticated,
            created_at=now,
            expires_at=now + self.ttl,
        )
        with self._lock:
            self._items[launch.id] = launch
            self._drop_expired(now)
        return launch

    def get(self, launch_id: str) -> Launch | None:
        """The launch, or None when the id is unknown or its time is over."""
        now = self._clock()
        with self._lock:
            self._drop_expired(now)
            return self._items.get(launch_id)

    def mark_created(self, launch_id: str, case_id: str) -> None:
        """Remember that the registry case ``case_id`` was created from this launch."""
        with self._lock:
            if launch_id in self._items:
                self._created[launch_id] = case_id

    def created_case(self, launch_id: str) -> str | None:
        """The registry case created from this launch, if any."""
        with self._lock:
            return self._created.get(launch_id)

    def _drop_expired(self, now: datetime) -> None:
        while self._items:
            oldest = next(iter(self._items.values()))
            if oldest.expires_at > now:
                break
            self._items.popitem(last=False)
        while len(self._items) > self._max:
            self._items.popitem(last=False)
        for gone in self._created.keys() - self._items.keys():
            del self._created[gone]
