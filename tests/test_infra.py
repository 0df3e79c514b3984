"""The shared fixtures reach real components: PostgreSQL, SQLite and chromium.

Every other test package builds on these fixtures, so a broken server or browser
set-up shows up here first, with a plain message, instead of as odd failures
scattered through the registry and UI tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page
from sqlalchemy.engine import make_url

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _scalar(url: str, query: str) -> object:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(query)).scalar_one()
    finally:
        engine.dispose()


def test_pg_url_is_a_fresh_database_on_a_real_server(pg_url: str) -> None:
    """The URL reaches a PostgreSQL server through psycopg 3, in a database of its own."""
    url = make_url(pg_url)
    assert url.drivername == "postgresql+psycopg"
    assert str(_scalar(pg_url, "select version()")).startswith("PostgreSQL ")
    assert _scalar(pg_url, "select current_database()") == url.database
    tables = _scalar(
        pg_url, "select count(*) from information_schema.tables where table_schema = 'public'"
    )
    assert tables == 0


@pytest.mark.parametrize("attempt", [1, 2])
def test_pg_url_gives_each_test_its_own_database(pg_url: str, attempt: int) -> None:
    """Both runs create the same table: a database shared between tests would refuse the second."""
    assert (make_url(pg_url).database or "").startswith("rvlms_test_")
    engine = sa.create_engine(pg_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("create table probe (attempt integer not null)"))
            conn.execute(sa.text("insert into probe values (:attempt)"), {"attempt": attempt})
        with engine.connect() as conn:
            assert conn.execute(sa.text("select attempt from probe")).scalars().all() == [attempt]
    finally:
        engine.dispose()


def test_sqlite_url_is_a_file_sqlalchemy_can_write(sqlite_url: str, tmp_path: Path) -> None:
    """The SQLite URL points at a file in tmp_path that holds a created table."""
    engine = sa.create_engine(sqlite_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("create table probe (id integer primary key, label text)"))
            conn.execute(sa.text("insert into probe (label) values ('zhang2021')"))
        with engine.connect() as conn:
            assert conn.execute(sa.text("select label from probe")).scalar_one() == "zhang2021"
    finally:
        engine.dispose()
    database = make_url(sqlite_url).database
    assert database is not None
    assert Path(database).parent == tmp_path
    assert Path(database).is_file()


def test_db_url_supports_the_same_schema_on_both_backends(db_url: str) -> None:
    """Registry code is written once for SQLite and PostgreSQL; a Core table works on both.

    The stored value is the median operative time of Zhang 2021, Table 1 (314.5 min).
    """
    metadata = sa.MetaData()
    probe = sa.Table(
        "probe",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("operative_minutes", sa.Float, nullable=False),
    )
    engine = sa.create_engine(db_url)
    try:
        metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(sa.insert(probe), [{"operative_minutes": 314.5}])
        with engine.connect() as conn:
            assert conn.execute(sa.select(probe.c.operative_minutes)).scalar_one() == 314.5
    finally:
        engine.dispose()


def test_browser_is_debian_chromium(browser: Browser, chromium_path: Path) -> None:
    """Playwright drives the Debian package, not a browser build of its own."""
    assert chromium_path.is_file()
    assert browser.is_connected()
    assert browser.version.split(".")[0].isdigit()


def test_page_renders_and_screenshots_into_artifacts(page: Page, artifacts_dir: Path) -> None:
    """A data: URL renders in headless chromium and its screenshot lands in artifacts/."""
    target = artifacts_dir / "infra-smoke.png"
    target.unlink(missing_ok=True)
    page.goto(
        "data:text/html,<title>rvlms</title>"
        "<h1>rvlms</h1><p>Retroperitoneal vascular leiomyosarcoma</p>"
    )
    assert page.title() == "rvlms"
    assert page.inner_text("h1") == "rvlms"
    page.screenshot(path=target)
    assert target.read_bytes().startswith(PNG_SIGNATURE)
    assert target.parent == artifacts_dir
