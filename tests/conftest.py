"""Fixtures shared by every test package: real databases and a real browser.

rvlms is tested against the components it runs on: a SQLite file, a PostgreSQL
server and Debian's chromium driven through Playwright. Nothing here is mocked.

- ``pg_url`` needs ``RVLMS_TEST_PG_URL`` (``scripts/test.sh`` starts a throwaway
  server and sets it). Each test gets a database of its own, dropped afterwards.
- ``chromium_path`` / ``browser`` / ``page`` need ``RVLMS_TEST_CHROMIUM`` or
  ``/usr/bin/chromium``; Playwright never downloads a browser of its own.
- Where these are missing a test is skipped, except under ``CI=true``, where it
  fails: a CI run must not pass by silently leaving PostgreSQL or the browser out.

Property tests (hypothesis) run under the ``ci`` profile when ``CI=true``: derandomised,
so a CI run tries the same examples every time and passes or fails for a reason; any
failing example found locally is kept in the test as an ``@example``.

Tests that use the browser run after all other tests. While Playwright's sync
API is alive it keeps an asyncio loop marked as running in the main thread, so
an ``asyncio.run`` (or anyio test runner) scheduled after a browser test would
fail; moving browser tests last lets one browser serve the whole session.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import psycopg
import pytest
from hypothesis import settings as hypothesis_settings
from playwright.sync_api import Browser, Page, sync_playwright
from psycopg import sql
from sqlalchemy.engine import URL, make_url

REPO_ROOT = Path(__file__).resolve().parent.parent
PG_URL_ENV = "RVLMS_TEST_PG_URL"
CHROMIUM_ENV = "RVLMS_TEST_CHROMIUM"
DEFAULT_CHROMIUM = Path("/usr/bin/chromium")

# Chromium flags for a root, headless, offline machine: the sandbox needs a
# non-root user, and the background services only produce refused connections.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


hypothesis_settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if _in_ci():
    hypothesis_settings.load_profile("ci")


def _missing(reason: str) -> NoReturn:
    """Skip locally, fail in CI, where a missing component must not go unnoticed."""
    if _in_ci():
        pytest.fail(f"{reason} (CI=true: required here)", pytrace=False)
    pytest.skip(reason)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests by the real components they use and run browser tests last."""
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "pg_url" in fixtures:
            item.add_marker(pytest.mark.postgres)
        if "browser" in fixtures:
            item.add_marker(pytest.mark.browser)
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """URL of a fresh, empty PostgreSQL database that is dropped after the test."""
    server_url = os.environ.get(PG_URL_ENV)
    if not server_url:
        _missing(f"{PG_URL_ENV} is not set; run the suite with scripts/test.sh")

    server = make_url(server_url)
    name = f"rvlms_test_{uuid.uuid4().hex[:16]}"
    with _connect(server) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with _connect(server) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def _connect(server: URL) -> psycopg.Connection[tuple[Any, ...]]:
    """An autocommit connection to the server's own database: CREATE DATABASE needs one."""
    return psycopg.connect(
        host=server.host or "localhost",
        port=server.port or 5432,
        user=server.username,
        password=server.password,
        dbname=server.database or "postgres",
        autocommit=True,
    )


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """URL of a SQLite file that does not exist yet, in the test's own tmp_path."""
    return f"sqlite:///{tmp_path / 'rvlms.sqlite3'}"


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def db_url(request: pytest.FixtureRequest) -> str:
    """The same test once on SQLite and once on PostgreSQL, the two supported backends."""
    fixture = "sqlite_url" if request.param == "sqlite" else "pg_url"
    url: str = request.getfixturevalue(fixture)
    return url


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    """Debian's chromium binary (``RVLMS_TEST_CHROMIUM`` overrides the default)."""
    path = Path(os.environ.get(CHROMIUM_ENV) or DEFAULT_CHROMIUM)
    if not (path.is_file() and os.access(path, os.X_OK)):
        _missing(f"no chromium executable at {path}; install Debian's chromium package")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path: Path) -> Iterator[Browser]:
    """One headless chromium for the whole session, driven by Playwright's sync API."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page in a fresh browser context, so cookies and storage never leak between tests."""
    context = browser.new_context()
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """``<repo>/artifacts`` (git-ignored): screenshots and files kept for inspection."""
    path = REPO_ROOT / "artifacts"
    path.mkdir(exist_ok=True)
    return path
