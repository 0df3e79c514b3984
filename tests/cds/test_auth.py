"""The EHR's JWT (CDS Hooks 2.0 §Trusting CDS Clients), checked over real HTTP.

The whole web app runs under uvicorn on loopback with one trusted EHR (an ES384 key made
for the session, published in a JWK Set file) and the public base URL
``https://rvlms.example.org``, so the JWT's ``aud`` is that URL plus the endpoint path,
whatever address the request reached. Each refusal is a 401 problem naming the reason,
and every call, refused or answered, is in the audit log.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from rvlms.cds import read_feedback
from rvlms.errors import InputError
from rvlms.settings import CdsIssuer, Settings
from rvlms.web.audit import AuditEntry, AuditFilter, AuditLog

from .conftest import (
    EHR_KID,
    FEEDBACK_URL,
    PUBLIC_BASE_URL,
    SERVICE_URL,
    CdsClient,
    Ehr,
    Live,
    load_request,
    make_app,
    public_jwks,
)

REQUEST = load_request("zhang2021_case1_no_metanephrines")
FEEDBACK = {
    "feedback": [{"card": "c-1", "outcome": "accepted", "outcomeTimestamp": "2026-11-21T09:14:03Z"}]
}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(live: Live, path: str = SERVICE_URL, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": live.ehr.iss,
        "aud": PUBLIC_BASE_URL + path,
        "iat": now,
        "exp": now + 240,
        "jti": f"jti-{time.monotonic_ns()}",
    }
    claims.update(changes)
    return claims


def _refused(response: httpx.Response, reason: str) -> dict[str, Any]:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")
    body: dict[str, Any] = response.json()
    assert body["status"] == 401
    assert body["title"] == "The calling EHR is not authenticated"
    assert reason in body["detail"], body["detail"]
    return body


def _audited(live: Live, action: str) -> list[AuditEntry]:
    audit: AuditLog = live.app.state.rvlms.audit
    return audit.entries(AuditFilter(action=action))


def test_a_signed_call_gets_cards_and_is_audited(live: Live) -> None:
    response = live.call(SERVICE_URL, REQUEST)
    assert response.status_code == 200, response.text
    cards = response.json()["cards"]
    assert cards
    assert all(c["links"][0]["url"].startswith(PUBLIC_BASE_URL + "/cds/launch/") for c in cards)
    [entry, *_] = _audited(live, "cds.call")
    assert (entry.outcome, entry.actor, entry.via) == ("succeeded", f"ehr:{live.ehr.iss}", "api")
    assert entry.target == "Patient/zhang-case1"
    assert f"{len(cards)} cards" in (entry.detail or "")


def test_card_links_ignore_the_host_header(live: Live) -> None:
    response = live.call(SERVICE_URL, REQUEST, Host="attacker.example.net")
    assert response.status_code == 200, response.text
    links = {link["url"] for c in response.json()["cards"] for link in c["links"]}
    assert links and all(url.startswith(PUBLIC_BASE_URL + "/") for url in links)


def test_an_expired_jwt_is_refused(live: Live) -> None:
    now = int(time.time())
    token = live.ehr.token(SERVICE_URL, base=PUBLIC_BASE_URL, iat=now - 400, exp=now - 120)
    _refused(live.call(SERVICE_URL, REQUEST, token), "expired")


def test_a_jwt_for_another_service_url_is_refused(live: Live) -> None:
    token = live.ehr.token(SERVICE_URL, base="https://other.example.org")
    body = _refused(live.call(SERVICE_URL, REQUEST, token), "aud is not this endpoint")
    assert PUBLIC_BASE_URL + SERVICE_URL in body["detail"]


def test_the_feedback_jwt_may_not_be_replayed_on_the_service(live: Live) -> None:
    token = live.ehr.token("/somewhere-else", base=PUBLIC_BASE_URL)
    _refused(live.call(SERVICE_URL, REQUEST, token), "aud is not this endpoint")


def test_an_unknown_issuer_is_refused(live: Live) -> None:
    token = live.ehr.token(SERVICE_URL, base=PUBLIC_BASE_URL, iss="https://intruder.example.net")
    body = _refused(live.call(SERVICE_URL, REQUEST, token), "is not a configured EHR")
    assert live.ehr.iss in body["detail"]


def test_alg_none_is_refused(live: Live) -> None:
    header = _b64(json.dumps({"alg": "none", "typ": "JWT", "kid": EHR_KID}).encode())
    token = f"{header}.{_b64(json.dumps(_claims(live)).encode())}."
    _refused(live.call(SERVICE_URL, REQUEST, token), "alg 'none' is not accepted")


def test_hmac_signed_with_the_public_key_is_refused(live: Live) -> None:
    """The classic algorithm confusion: HS256 keyed with the EHR's public key."""
    public = live.ehr.key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": EHR_KID}).encode())
    signing_input = f"{header}.{_b64(json.dumps(_claims(live)).encode())}"
    signature = hmac.new(public, signing_input.encode(), hashlib.sha256).digest()
    token = f"{signing_input}.{_b64(signature)}"
    _refused(live.call(SERVICE_URL, REQUEST, token), "alg 'HS256' is not accepted")


def test_a_replayed_jti_is_refused(live: Live) -> None:
    token = live.ehr.token(SERVICE_URL, base=PUBLIC_BASE_URL)
    assert live.call(SERVICE_URL, REQUEST, token).status_code == 200
    _refused(live.call(SERVICE_URL, REQUEST, token), "was already used")


def test_a_tampered_payload_fails_the_signature(live: Live) -> None:
    header, _, signature = live.ehr.token(SERVICE_URL, base=PUBLIC_BASE_URL).split(".")
    forged = _b64(json.dumps(_claims(live, sub="someone-else")).encode())
    token = f"{header}.{forged}.{signature}"
    _refused(live.call(SERVICE_URL, REQUEST, token), "signature does not verify")


def test_a_signature_by_another_key_fails(live: Live) -> None:
    other = ec.generate_private_key(ec.SECP384R1())
    token = jwt.encode(_claims(live), other, algorithm="ES384", headers={"kid": EHR_KID})
    _refused(live.call(SERVICE_URL, REQUEST, token), "signature does not verify")


def test_no_token_is_refused_and_audited_as_denied(live: Live) -> None:
    body = _refused(live.call(SERVICE_URL, REQUEST, ""), "no Authorization header")
    assert "Bearer <JWT>" in body["detail"]
    denied = [e for e in _audited(live, "cds.call") if e.outcome == "denied"]
    assert any("no Authorization header" in (e.detail or "") for e in denied)


def test_a_bearer_token_that_is_not_a_jwt_is_refused(live: Live) -> None:
    _refused(live.call(SERVICE_URL, REQUEST, "not.a.jwt"), "not a JWT")


def test_basic_credentials_are_refused(live: Live) -> None:
    response = live.call(SERVICE_URL, REQUEST, "", Authorization="Basic ZWhyOmVocg==")
    _refused(response, "must be 'Bearer <JWT>'")


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"jti": None}, "no jti claim"),
        ({"exp": None}, "no exp claim"),
        ({"exp": int(time.time()) + 3600}, "at most 300 s"),
        ({"iat": int(time.time()) + 600, "exp": int(time.time()) + 700}, "in the future"),
    ],
)
def test_claims_the_specification_requires(
    live: Live, changes: dict[str, Any], reason: str
) -> None:
    claims = {k: v for k, v in _claims(live, **changes).items() if v is not None}
    token = jwt.encode(claims, live.ehr.key, algorithm="ES384", headers={"kid": EHR_KID})
    _refused(live.call(SERVICE_URL, REQUEST, token), reason)


def test_an_unknown_kid_is_refused(live: Live) -> None:
    token = jwt.encode(_claims(live), live.ehr.key, algorithm="ES384", headers={"kid": "k-9"})
    _refused(live.call(SERVICE_URL, REQUEST, token), "no key with kid 'k-9'")


def test_unauthenticated_feedback_is_refused_and_writes_nothing(live: Live) -> None:
    _refused(live.call(FEEDBACK_URL, FEEDBACK, ""), "no Authorization header")
    _refused(live.call(FEEDBACK_URL, FEEDBACK, "not.a.jwt"), "not a JWT")
    assert read_feedback(live.app.state.rvlms.settings.database_url) == []
    assert {e.outcome for e in _audited(live, "cds.feedback")} >= {"denied"}


def test_signed_feedback_is_recorded_and_audited(live: Live) -> None:
    response = live.call(FEEDBACK_URL, FEEDBACK)
    assert response.status_code == 200, response.text
    [row] = read_feedback(live.app.state.rvlms.settings.database_url)
    assert row["card_uuid"] == "c-1"
    entry = next(e for e in _audited(live, "cds.feedback") if e.outcome == "succeeded")
    assert entry.actor == f"ehr:{live.ehr.iss}"
    assert entry.detail == "card c-1: accepted"


def test_discovery_needs_no_token(live: Live) -> None:
    response = httpx.get(live.url + "/cds-services", timeout=30)
    assert response.status_code == 200
    assert response.json()["services"][0]["id"] == "rvlms-mdt-plan"


# --- keys from a URL, RSA keys, and an unconfigured service -----------------------------


class _JwksHandler(BaseHTTPRequestHandler):
    body = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def rsa_ehr_by_url() -> Iterator[tuple[rsa.RSAPrivateKey, str]]:
    """An EHR with an RSA key whose JWK Set is served over HTTP on loopback."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    handler = type(
        "Handler", (_JwksHandler,), {"body": json.dumps({"keys": [{**jwk, "kid": "r1"}]}).encode()}
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield key, f"http://127.0.0.1:{server.server_address[1]}/jwks.json"
    finally:
        server.shutdown()
        server.server_close()


def test_keys_fetched_from_a_jwks_url_verify_rs384(
    rsa_ehr_by_url: tuple[rsa.RSAPrivateKey, str], tmp_path: Path, sqlite_url: str
) -> None:
    key, url = rsa_ehr_by_url
    settings = Settings(
        data_dir=tmp_path,
        db=sqlite_url,
        cds_public_base_url="http://rvlms.test",
        cds_issuers=[CdsIssuer(iss="https://rsa-ehr.example.org", jwks_url=url)],
    )
    client = CdsClient(make_app(settings))
    claims = {
        "iss": "https://rsa-ehr.example.org",
        "aud": "http://rvlms.test" + SERVICE_URL,
        "iat": int(time.time()),
        "exp": int(time.time()) + 60,
        "jti": "rsa-1",
    }
    token = jwt.encode(claims, key, algorithm="RS384", headers={"kid": "r1"})
    response = client.post(SERVICE_URL, json=REQUEST, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    es_token = jwt.encode(
        {**claims, "jti": "rsa-2"},
        ec.generate_private_key(ec.SECP384R1()),
        algorithm="ES384",
        headers={"kid": "r1"},
    )
    response = client.post(
        SERVICE_URL, json=REQUEST, headers={"Authorization": f"Bearer {es_token}"}
    )
    assert response.status_code == 401
    assert "is a RSA key" in response.json()["detail"]


def test_without_a_public_base_url_the_service_says_what_to_set(
    tmp_path: Path, sqlite_url: str, ehr: Ehr
) -> None:
    settings = Settings(data_dir=tmp_path, db=sqlite_url, cds_issuers=[ehr.issuer()])
    response = CdsClient(make_app(settings), ehr).post(SERVICE_URL, json=REQUEST)
    assert response.status_code == 503
    assert "RVLMS_CDS_PUBLIC_BASE_URL" in response.json()["detail"]


def test_without_configured_ehrs_every_call_is_refused(
    tmp_path: Path, sqlite_url: str, ehr: Ehr
) -> None:
    settings = Settings(data_dir=tmp_path, db=sqlite_url, cds_public_base_url="http://rvlms.test")
    response = CdsClient(make_app(settings), ehr).post(SERVICE_URL, json=REQUEST)
    assert response.status_code == 401
    assert "none (set RVLMS_CDS_ISSUERS)" in response.json()["detail"]


def test_an_unreadable_jwks_file_is_named(tmp_path: Path, sqlite_url: str) -> None:
    broken = tmp_path / "jwks.json"
    broken.write_text("{not json", "utf-8")
    settings = Settings(
        data_dir=tmp_path,
        db=sqlite_url,
        cds_public_base_url="http://rvlms.test",
        cds_issuers=[CdsIssuer(iss="https://ehr.example.org", jwks_file=broken)],
    )
    with pytest.raises(InputError, match=r"RVLMS_CDS_ISSUERS: the JWK Set file .*jwks\.json"):
        make_app(settings)


def test_jwks_of_the_fixture_holds_only_the_public_key(ehr: Ehr) -> None:
    [key] = json.loads(ehr.jwks_file.read_text("utf-8"))["keys"]
    assert "d" not in key
    assert key == public_jwks(ehr.key, EHR_KID)["keys"][0]
