"""Web settings that :class:`rvlms.settings.Settings` does not (yet) hold.

Everything the operator sets lives in ``Settings``; the values here are derived from it
or are fixed policy of the web app, gathered in one frozen object so that ``create_app``
reads configuration in exactly one place.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from rvlms.settings import PLACEHOLDER_SECRET, Settings

__all__ = ["WebConfig", "web_config"]

SESSION_COOKIE = "rvlms_session"
THROTTLE_WINDOW_MINUTES = 15
PLAN_CACHE_SIZE = 512
MAP_CACHE_SIZE = 64
COHORT_CACHE_SIZE = 16


@dataclass(frozen=True)
class WebConfig:
    """How the web app runs, derived from the settings."""

    session_secret: str
    session_cookie: str
    session_max_age_s: int
    secure_cookies: bool
    login_attempts: int
    throttle_window_minutes: int
    min_cell_count: int
    follow_up_years: int
    plan_cache_size: int
    map_cache_size: int
    cohort_cache_size: int
    ephemeral_secret: bool


def web_config(settings: Settings) -> WebConfig:
    """The web configuration for ``settings``.

    With the placeholder secret (allowed only outside production) each app signs its
    session cookies with a fresh random key: sessions then end when the server stops,
    which is safer than signing with a key printed in the source code.
    """
    secret = settings.secret_key.get_secret_value()
    ephemeral = secret == PLACEHOLDER_SECRET
    return WebConfig(
        session_secret=secrets.token_urlsafe(32) if ephemeral else secret,
        session_cookie=SESSION_COOKIE,
        session_max_age_s=settings.session_hours * 3600,
        secure_cookies=settings.behind_tls,
        login_attempts=settings.login_attempts_per_15_min,
        throttle_window_minutes=THROTTLE_WINDOW_MINUTES,
        min_cell_count=settings.min_cell_count,
        follow_up_years=settings.follow_up_years,
        plan_cache_size=PLAN_CACHE_SIZE,
        map_cache_size=MAP_CACHE_SIZE,
        cohort_cache_size=COHORT_CACHE_SIZE,
        ephemeral_secret=ephemeral,
    )
