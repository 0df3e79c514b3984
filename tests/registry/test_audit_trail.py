"""The audit trail of the command line, and the writer that keeps audit writes off the
request path, on a real database.

Each command runs through Typer's runner in this process; the operating-system user and
host are those of the test run, which no variable can change.
"""

from __future__ import annotations

import getpass
import json
import socket
import threading
import time
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from rvlms.cli.registry_cmd import registry_app
from rvlms.cli.serve_cmd import register
from rvlms.examples import zhang2021_paths
from rvlms.registry import create_engine_for, init_registry
from rvlms.web.audit import AuditEvent, AuditFilter, AuditLog

app = typer.Typer()
app.add_typer(registry_app, name="registry")
register(app)
runner = CliRunner()
CASE = next(str(p) for p in zhang2021_paths())
CASE_ID = "zhang2021-case1"
OS_USER = getpass.getuser()
HOST = socket.gethostname()


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def _entries(db: str, case_id: str) -> list[dict[str, object]]:
    rows = json.loads(_run("audit", "--case", case_id, "--format", "json", "--db", db))
    assert isinstance(rows, list)
    return rows


def test_show_history_and_export_are_audited_with_the_os_user_and_host(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RVLMS_USER", "someone-else")
    _run("registry", "add", CASE, "--db", db_url)
    _run("registry", "show", CASE_ID, "--db", db_url)
    _run("registry", "history", CASE_ID, "--db", db_url)
    _run("registry", "export", "--db", db_url, "--out", str(tmp_path / "cases.csv"))
    rows = _entries(db_url, CASE_ID)
    actions = [r["action"] for r in rows]
    assert actions == ["case.export", "case.history", "case.read", "case.create"]
    for row in rows:
        assert row["actor"] == OS_USER
        assert row["host"] == HOST
        assert row["annotation"] == "someone-else"
        assert row["via"] == "cli"
        assert row["centre"] == "default"
    history = json.loads(_run("registry", "history", CASE_ID, "--format", "json", "--db", db_url))
    assert history[0]["changed_by"] == f"{OS_USER}@{HOST} (as someone-else)"
    text = _run("audit", "--case", CASE_ID, "--db", db_url)
    assert f"{OS_USER} (as someone-else)\tcase.read\tsucceeded\t{CASE_ID}\tcli from {HOST}" in text


def test_a_refused_read_is_audited_as_failed(db_url: str) -> None:
    _run("registry", "add", CASE, "--db", db_url)
    missing = runner.invoke(app, ["registry", "show", "no-such-case", "--db", db_url])
    assert missing.exit_code == 1
    rows = _entries(db_url, "no-such-case")
    assert [(r["action"], r["outcome"]) for r in rows] == [("case.read", "failed")]


def test_centres_and_grants_from_the_command_line_are_audited(db_url: str) -> None:
    _run("registry", "init", "--db", db_url)
    _run("centre", "add", "north", "--name", "North University Hospital", "--db", db_url)
    _run("registry", "add", CASE, "--centre", "north", "--db", db_url)
    listed = _run("centre", "list", "--db", db_url)
    assert "north\tNorth University Hospital\t1 case(s)" in listed
    assert "default\tDefault centre\t0 case(s)" in listed
    added = runner.invoke(
        app,
        [
            "user",
            "add",
            "res.kim",
            "--role",
            "researcher",
            "--centre",
            "north",
            "--password-stdin",
            "--db",
            db_url,
        ],
        input="a long enough passphrase\n",
    )
    assert added.exit_code == 0, added.output
    _run("user", "grant", "res.kim", "--role", "researcher", "--network", "--db", db_url)
    assert "res.kim\tresearcher@network, researcher@north" in _run("user", "roles", "--db", db_url)
    engine = create_engine_for(db_url)
    try:
        log = AuditLog(engine)
        grants = log.entries(AuditFilter(action="membership.grant"))
        assert [e.detail for e in grants] == [
            "user 'res.kim' role researcher network-wide (every centre)"
        ]
        assert grants[0].actor == OS_USER and grants[0].host == HOST
    finally:
        engine.dispose()
    wrong = runner.invoke(app, ["user", "grant", "res.kim", "--role", "researcher", "--db", db_url])
    assert wrong.exit_code == 2 and "give either --centre CODE or --network" in wrong.stderr


def test_audit_writes_do_not_wait_for_the_database_writer(tmp_path: Path) -> None:
    """While another connection holds SQLite's write lock, the server's ``record`` returns
    at once (a synchronous INSERT would wait for the lock); the entry is written as soon
    as the lock is released, and a read sees it."""
    url = f"sqlite:///{tmp_path / 'audit.sqlite3'}"
    init_registry(url)
    engine = create_engine_for(url)
    log = AuditLog(engine, background=True)
    release = threading.Event()
    locked = threading.Event()

    def hold_the_write_lock() -> None:
        with (
            engine.connect().execution_options(rvlms_write=True) as connection,
            connection.begin(),
        ):
            connection.exec_driver_sql("SELECT 1")
            locked.set()
            release.wait(10)

    holder = threading.Thread(target=hold_the_write_lock)
    holder.start()
    try:
        assert locked.wait(5)
        started = time.perf_counter()
        for number in range(50):
            log.record(AuditEvent(action="case.read", outcome="allowed", actor=f"u{number}"))
        assert time.perf_counter() - started < 0.5
    finally:
        release.set()
        holder.join()
    try:
        assert log.count(AuditFilter(action="case.read")) == 50
    finally:
        log.close()
        engine.dispose()
