"""Server-side sessions, per-account lockout, the request size limit and the declared
security schemes, through the real app and HTTP client on a real database."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

from anyio.from_thread import BlockingPortal
from fastapi import FastAPI
from sqlalchemy import update

from rvlms.web import Role
from rvlms.web.audit import LOGIN_FAILURE, AuditEvent
from rvlms.web.tables import WebSessionRow
from rvlms.web.throttle import LoginThrottle

from .conftest import PASSWORD, Client, add_user, case_json, context, identified_case4


def _cookie(client: Client) -> str:
    value = client.cookies.get("rvlms_session")
    assert value
    return value


def _with_cookie(app: FastAPI, portal: BlockingPortal, cookie: str) -> Client:
    """Another browser that replays a captured session cookie."""
    thief = Client(app, portal, client_ip="203.0.113.9")
    thief.cookies.set("rvlms_session", cookie)
    return thief


def test_a_cookie_captured_before_logout_stops_working_at_once(
    app: FastAPI, client: Client, portal: BlockingPortal
) -> None:
    add_user(app, "dr.li", Role.clinician)
    assert client.sign_in("dr.li").status_code == 303
    captured = _cookie(client)
    thief = _with_cookie(app, portal, captured)
    try:
        assert thief.get("/cases").status_code == 200
        token = client.csrf_from("/cases")
        assert client.post("/logout", data={"csrf_token": token}).status_code == 303
        assert thief.get("/cases", follow_redirects=False).status_code == 303
        assert thief.get("/api/v1/cases").status_code == 401
    finally:
        thief.close()


def test_a_password_change_ends_every_session_of_the_account(
    app: FastAPI, client: Client, portal: BlockingPortal
) -> None:
    add_user(app, "dr.li", Role.clinician)
    client.sign_in("dr.li")
    other = Client(app, portal, client_ip="192.0.2.44")
    try:
        other.sign_in("dr.li")
        assert client.get("/cases").status_code == 200
        assert other.get("/cases").status_code == 200
        context(app).accounts.set_password("dr.li", "a brand new long passphrase")
        assert client.get("/cases", follow_redirects=False).status_code == 303
        assert other.get("/cases", follow_redirects=False).status_code == 303
        assert other.sign_in("dr.li", "a brand new long passphrase").status_code == 303
        assert other.get("/cases").status_code == 200
    finally:
        other.close()


def test_idle_and_absolute_timeouts(app: FastAPI, client: Client) -> None:
    """The session's clock is moved back in the real database; the app must refuse it."""
    add_user(app, "dr.li", Role.clinician)
    ctx = context(app)
    writer = ctx.engine.execution_options(rvlms_write=True)
    client.sign_in("dr.li")
    assert client.get("/cases").status_code == 200
    idle = ctx.sessions.times.idle
    with writer.begin() as connection:
        connection.execute(
            update(WebSessionRow).values(last_seen_at=datetime.now(UTC) - idle - timedelta(1))
        )
    assert client.get("/cases", follow_redirects=False).status_code == 303

    client.sign_in("dr.li")
    assert client.get("/cases").status_code == 200
    with writer.begin() as connection:
        connection.execute(
            update(WebSessionRow)
            .where(WebSessionRow.revoked_at.is_(None))
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert client.get("/cases", follow_redirects=False).status_code == 303
    assert ctx.sessions.times.absolute == timedelta(hours=8)
    assert idle == timedelta(minutes=30)


def test_a_colleague_on_the_same_address_is_not_locked_out(
    app: FastAPI, client: Client, portal: BlockingPortal
) -> None:
    add_user(app, "dr.li", Role.clinician)
    add_user(app, "dr.wu", Role.clinician)
    for attempt in range(3):
        client.sign_in("dr.li", f"wrong password {attempt}")
    assert client.sign_in("dr.li").status_code == 429
    colleague = Client(app, portal)
    try:
        assert colleague.sign_in("dr.wu").status_code == 303
    finally:
        colleague.close()


def test_spraying_one_password_over_many_accounts_meets_each_accounts_limit(
    app: FastAPI, portal: BlockingPortal
) -> None:
    """Every attempt comes from a different address; the account still locks."""
    add_user(app, "dr.li", Role.clinician)
    for number in range(3):
        sprayer = Client(app, portal, client_ip=f"203.0.113.{number + 10}")
        try:
            sprayer.sign_in("dr.li", "Spring2026!Spring2026!")
        finally:
            sprayer.close()
    late = Client(app, portal, client_ip="203.0.113.99")
    try:
        assert late.sign_in("dr.li", PASSWORD).status_code == 429
    finally:
        late.close()


def test_the_lock_doubles_with_each_further_failure(app: FastAPI) -> None:
    """Three failures 20 minutes ago: the 15-minute lock is over. A fourth failure after
    it: the lock is now 30 minutes."""
    ctx = context(app)
    throttle = LoginThrottle(ctx.audit, limit=3, window_minutes=15)
    start = datetime.now(UTC) - timedelta(minutes=20)
    for minute in range(3):
        ctx.audit.record(
            AuditEvent(
                action=LOGIN_FAILURE,
                outcome="failed",
                actor="dr.ng",
                at=start + timedelta(seconds=minute),
            )
        )
    assert not throttle.state("dr.ng").blocked
    ctx.audit.record(
        AuditEvent(
            action=LOGIN_FAILURE,
            outcome="failed",
            actor="dr.ng",
            at=datetime.now(UTC) - timedelta(minutes=20),
        )
    )
    state = throttle.state("dr.ng")
    assert state.blocked and state.failures == 4
    assert state.retry_at is not None
    left = state.retry_at - datetime.now(UTC)
    assert timedelta(minutes=9) < left <= timedelta(minutes=10, seconds=5)


def test_every_route_refuses_a_large_body_with_413_problem_details(
    app: FastAPI, client: Client
) -> None:
    headers = add_user(app, "dr.li", Role.clinician)
    case = case_json(identified_case4())
    case["notes"] = "x" * 10_000_000
    api = client.post("/api/v1/cases", json=case, headers=headers)
    assert api.status_code == 413
    assert api.headers["content-type"].startswith("application/problem+json")
    problem = api.json()
    assert problem["type"] == "/api/v1/problems/body-too-large" and problem["status"] == 413
    assert "1048576 bytes" in problem["detail"]
    assert context(app).registry.count() == 0

    form = client.post(
        "/login",
        content=b"username=a&password=" + b"p" * 2_000_000,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert form.status_code == 413 and "text/html" in form.headers["content-type"]
    assert "1048576 bytes" in form.text

    async def unsized() -> AsyncIterator[bytes]:
        """A body without Content-Length: 64 KiB chunks, with no end in sight."""
        for _ in range(100):
            yield b" " * 65_536

    streamed = client.post(
        "/api/v1/plan", content=unsized(), headers={**headers, "content-type": "text/plain"}
    )
    assert streamed.status_code == 413
    plain = client.post("/api/v1/plan", content=b"z" * 1_100_000, headers=headers)
    assert plain.status_code == 413


def test_openapi_declares_cookie_and_bearer_schemes_per_route(client: Client) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    schemes = spec["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "An API token: rvlms user token NAME (programs)",
    }
    assert schemes["cookieAuth"]["type"] == "apiKey"
    assert schemes["cookieAuth"]["in"] == "cookie"
    assert schemes["cookieAuth"]["name"] == "rvlms_session"
    cases = spec["paths"]["/api/v1/cases"]["get"]["security"]
    assert {"bearerAuth": []} in cases and {"cookieAuth": []} in cases
    schema = spec["paths"]["/api/v1/schemas/{name}"]["get"]
    assert "security" not in schema
    assert json.dumps(spec).count("bearerAuth") > 10
