"""Sessions, forgery protection and sign-in throttling of the web app."""

from __future__ import annotations

from pathlib import Path

from anyio.from_thread import BlockingPortal
from fastapi import FastAPI

from rvlms.web import Role, create_app

from .conftest import PASSWORD, Client, add_user, case_json, context, identified_case4, settings_for


def test_session_cookie_is_httponly_lax_and_secure_behind_tls(
    app: FastAPI, client: Client, portal: BlockingPortal, tmp_path: Path
) -> None:
    add_user(app, "dr.li", Role.clinician)
    signed_in = client.sign_in("dr.li")
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/cases"
    cookie = signed_in.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie

    tls_url = f"sqlite:///{tmp_path / 'tls.sqlite3'}"
    tls_app = create_app(settings_for(tls_url, tmp_path / "tls", behind_tls=True))
    try:
        add_user(tls_app, "dr.li", Role.clinician)
        tls = Client(tls_app, portal)
        signed_in_tls = tls.sign_in("dr.li")
        assert "secure" in signed_in_tls.headers["set-cookie"].lower()
        assert signed_in_tls.headers["strict-transport-security"].startswith("max-age=")
        tls.close()
    finally:
        context(tls_app).close()


def test_pages_need_a_session_and_send_no_store(client: Client) -> None:
    response = client.get("/cases/zhang2021-case4/plan", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=%2Fcases%2Fzhang2021-case4")
    page = client.get("/login")
    assert page.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


def test_missing_csrf_token_is_403(app: FastAPI, client: Client) -> None:
    """Every form needs the session's synchronizer token; without it nothing happens."""
    add_user(app, "dr.li", Role.clinician)
    refused_login = client.post("/login", data={"username": "dr.li", "password": PASSWORD})
    assert refused_login.status_code == 403
    assert client.sign_in("dr.li").status_code == 303

    form = {"case_id": "csrf-test", "demographics.sex": "female"}
    assert client.post("/cases/new", data=form).status_code == 403
    assert client.post("/cases/new", data=form | {"csrf_token": "forged"}).status_code == 403
    assert client.post("/logout", data={}).status_code == 403
    assert context(app).registry.count() == 0

    cookie_api = client.post("/api/v1/cases", json=case_json(identified_case4()))
    assert cookie_api.status_code == 403
    assert cookie_api.json()["type"] == "/api/v1/problems/csrf-failed"
    token = client.csrf_from("/cases/new")
    with_header = client.post(
        "/api/v1/cases", json=case_json(identified_case4()), headers={"X-CSRF-Token": token}
    )
    assert with_header.status_code == 201
    assert client.get("/api/v1/cases").json()["total"] == 1

    created = client.post("/cases/new", data=form | {"csrf_token": token}, follow_redirects=False)
    assert created.status_code == 303
    assert created.headers["location"] == "/cases/csrf-test/plan?saved=1"


def test_sign_in_is_locked_per_account_from_every_address(
    app: FastAPI, client: Client, portal: BlockingPortal
) -> None:
    """After ``login_attempts_per_15_min`` (3 here) failures of one account, even the
    right password is refused until the lock has passed, from this address and from any
    other (a password guessed from many addresses meets the same limit)."""
    add_user(app, "dr.li", Role.clinician)
    first = client.sign_in("dr.li", "wrong password one")
    assert first.status_code == 401
    assert "2 more failed attempts" in first.text
    assert client.sign_in("dr.li", "wrong password two").status_code == 401
    third = client.sign_in("dr.li", "wrong password three")
    assert third.status_code == 429
    refused = client.sign_in("dr.li", PASSWORD)
    assert refused.status_code == 429
    assert "Too many failed sign-ins" in refused.text
    assert "3 in the last 15 minutes" in refused.text
    assert int(refused.headers["retry-after"]) > 0
    assert client.get("/cases", follow_redirects=False).status_code == 303

    elsewhere = Client(app, portal, client_ip="203.0.113.50")
    try:
        assert elsewhere.sign_in("dr.li").status_code == 429
    finally:
        elsewhere.close()

    events = context(app).audit.entries()
    outcomes = [(e.action, e.outcome) for e in events if e.actor == "dr.li"]
    assert outcomes.count(("login.failure", "failed")) == 3
    assert ("login.throttled", "refused") in outcomes
    assert ("login.success", "succeeded") not in outcomes


def test_deactivated_user_loses_session_and_tokens(app: FastAPI, client: Client) -> None:
    headers = add_user(app, "dr.li", Role.clinician)
    client.sign_in("dr.li")
    assert client.get("/cases").status_code == 200
    context(app).accounts.set_active("dr.li", False)
    assert client.get("/cases", follow_redirects=False).status_code == 303
    assert client.get("/api/v1/cases", headers=headers).status_code == 401


def test_admin_manages_users_and_tokens_in_the_browser(app: FastAPI, client: Client) -> None:
    add_user(app, "admin.ops", Role.admin)
    client.sign_in("admin.ops")
    token = client.csrf_from("/admin/users")
    added = client.post(
        "/admin/users",
        data={
            "username": "new.researcher",
            "role": "researcher",
            "password": "a long enough passphrase",
            "csrf_token": token,
        },
    )
    assert added.status_code == 200 and "User new.researcher (researcher) added." in added.text
    short = client.post(
        "/admin/users",
        data={"username": "x.y", "role": "clinician", "password": "short", "csrf_token": token},
    )
    assert short.status_code == 422 and "at least 12" in short.text
    issued = client.post(
        "/admin/users/new.researcher/tokens", data={"label": "stats", "csrf_token": token}
    )
    assert issued.status_code == 200
    import re

    value = re.search(r'id="new-token">(rvlms_[^<]+)<', issued.text)
    assert value
    api = client.get("/api/v1/cases", headers={"Authorization": f"Bearer {value.group(1)}"})
    assert api.status_code == 200 and api.json()["view"] == "de-identified"
    assert client.get("/cases").status_code == 403
    audit = client.get("/admin/audit?action=user.create")
    assert "new.researcher" in audit.text
    csv = client.get("/admin/audit.csv")
    assert csv.status_code == 200 and "token.create" in csv.text
