"""Everything a request handler needs, built once per app by ``create_app``.

Nothing here exists at import time: the engine, the registry and the services are made
from the :class:`~rvlms.settings.Settings` handed to ``create_app``, so one process can
serve a SQLite file in one test and a PostgreSQL database in the next.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine

from rvlms.registry import Registry, create_engine_for, init_registry
from rvlms.settings import Settings
from rvlms.web.accounts import Accounts
from rvlms.web.audit import AuditLog
from rvlms.web.cohort import CohortService
from rvlms.web.config import WebConfig, web_config
from rvlms.web.plans import PlanService
from rvlms.web.sessions import SessionStore, SessionTimes
from rvlms.web.throttle import LoginThrottle

__all__ = ["ContextDep", "WebContext", "build_context", "get_context"]


@dataclass
class WebContext:
    settings: Settings
    config: WebConfig
    engine: Engine
    registry: Registry
    accounts: Accounts
    audit: AuditLog
    throttle: LoginThrottle
    plans: PlanService
    cohorts: CohortService
    sessions: SessionStore
    _ready: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def ensure_ready(self) -> None:
        """Bring the database schema up to date once (``init_registry``)."""
        if self._ready:
            return
        with self._lock:
            if not self._ready:
                init_registry(self.engine.url, engine=self.engine)
                self._ready = True

    def close(self) -> None:
        self.audit.close()
        self.engine.dispose()


def build_context(settings: Settings) -> WebContext:
    config = web_config(settings)
    engine = create_engine_for(settings.database_url)
    registry = Registry(engine=engine, migrate=False)
    audit = AuditLog(engine, background=True)
    return WebContext(
        settings=settings,
        config=config,
        engine=engine,
        registry=registry,
        accounts=Accounts(engine),
        audit=audit,
        throttle=LoginThrottle(audit, config.login_attempts, config.throttle_window_minutes),
        plans=PlanService(
            registry, config.follow_up_years, config.plan_cache_size, config.map_cache_size
        ),
        cohorts=CohortService(registry, engine, config.min_cell_count, config.cohort_cache_size),
        sessions=SessionStore(
            engine,
            SessionTimes(
                idle=timedelta(minutes=settings.session_idle_minutes),
                absolute=timedelta(hours=settings.session_hours),
            ),
        ),
    )


async def get_context(request: Request) -> WebContext:
    """The app's context (async: it does no I/O once the schema is current, and an async
    dependency runs on the event loop instead of taking a worker thread)."""
    ctx = request.app.state.rvlms
    assert isinstance(ctx, WebContext)
    ctx.ensure_ready()
    return ctx


ContextDep = Annotated[WebContext, Depends(get_context)]
