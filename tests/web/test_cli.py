"""``rvlms user add / token / list`` and ``rvlms serve`` wiring, through Typer's runner."""

from __future__ import annotations

from pathlib import Path

import typer
from anyio.from_thread import BlockingPortal
from typer.testing import CliRunner

from rvlms.cli.serve_cmd import register
from rvlms.web import create_app

from .conftest import Client, context, settings_for


def _cli() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """rvlms"""

    register(app)
    return app


def test_user_add_and_token_then_the_api_accepts_the_token(
    tmp_path: Path, portal: BlockingPortal
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    runner = CliRunner()
    cli = _cli()
    added = runner.invoke(
        cli,
        ["user", "add", "nurse.ko", "--role", "clinician", "--password-stdin", "--db", url],
        input="a passphrase long enough\n",
    )
    assert added.exit_code == 0, added.output
    short = runner.invoke(
        cli,
        ["user", "add", "x.y", "--role", "admin", "--password-stdin", "--db", url],
        input="short\n",
    )
    assert short.exit_code != 0 and "at least 12" in short.output
    again = runner.invoke(
        cli,
        ["user", "add", "nurse.ko", "--role", "researcher", "--no-password", "--db", url],
    )
    assert again.exit_code != 0 and "exists already" in again.output

    issued = runner.invoke(cli, ["user", "token", "nurse.ko", "--label", "lab", "--db", url])
    assert issued.exit_code == 0, issued.output
    token = next(line for line in issued.output.splitlines() if line.startswith("rvlms_"))
    listed = runner.invoke(cli, ["user", "list", "--db", url])
    assert "nurse.ko\tclinician\tactive" in listed.output

    app = create_app(settings_for(url, tmp_path))
    client = Client(app, portal)
    try:
        response = client.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200
        assert client.sign_in("nurse.ko", "a passphrase long enough").status_code == 303
        actions = {(e.action, e.via) for e in context(app).audit.entries()}
        assert {("user.create", "cli"), ("token.create", "cli")} <= actions
    finally:
        client.close()
        context(app).close()


def test_serve_is_registered_with_its_options() -> None:
    result = CliRunner().invoke(_cli(), ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--db", "--demo"):
        assert option in result.output


SERVE = """
import typer
from rvlms.cli.serve_cmd import register
app = typer.Typer()
@app.callback()
def main() -> None:
    pass
register(app)
app()
"""


def test_serve_demo_prints_a_login_that_works(tmp_path: Path) -> None:
    """``rvlms serve --demo`` loads the 4 zhang2021 cases and 60 synthetic ones and prints a
    one-time clinician login for the address it serves."""
    import os
    import re
    import socket
    import subprocess
    import sys
    import time

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "XDG_DATA_HOME": str(tmp_path),
        "TMPDIR": str(tmp_path),
        "RVLMS_LOG_LEVEL": "warning",
    }
    process = subprocess.Popen(
        [sys.executable, "-c", SERVE, "serve", "--demo", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        line = ""
        deadline = time.monotonic() + 120
        while "sign in as" not in line and time.monotonic() < deadline:
            line = process.stdout.readline()
        found = re.search(r"open (http://127\.0\.0\.1:\d+/) and sign in as (\S+) / (\S+)", line)
        assert found, line
        base, username, password = found.groups()
        with httpx.Client(base_url=base, timeout=10, follow_redirects=True) as http:
            for _ in range(100):
                try:
                    if http.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            page = http.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            assert token
            signed_in = http.post(
                "/login",
                data={"username": username, "password": password, "csrf_token": token.group(1)},
            )
            assert signed_in.status_code == 200 and "64 cases" in signed_in.text
        assert list(tmp_path.glob("rvlms-demo-*")), "the demo registry is a temporary folder"
    finally:
        process.terminate()
        process.communicate(timeout=15)
    assert not list(tmp_path.glob("rvlms-demo-*")), "the demo registry goes with the server"
