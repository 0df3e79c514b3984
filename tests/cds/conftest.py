"""Fixtures of the CDS Hooks tests: the router in a bare FastAPI app, reached over HTTP.

The app holds nothing but ``rvlms.cds.create_router``, and the requests go through httpx's
ASGI transport, so the whole stack (JWT check, routing, body parsing, FHIR validation,
case mapping, decision map, cards) runs as in production. The FHIR requests are JSON files
in ``fixtures/``; ages are computed on a fixed date.

Every call is signed as the EHR of CDS Hooks 2.0 §Trusting CDS Clients: an ES384 key pair
made for the test session, its public half in a JWK Set file named by
``RVLMS_CDS_ISSUERS``, and a fresh JWT (``aud`` the endpoint URL, a new ``jti``) per call.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib
import json
import time
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import FastAPI

from rvlms.cds import CaseMapping, create_router, map_prefetch, read_prefetch
from rvlms.settings import CdsIssuer, Settings

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = dt.date(2026, 11, 21)
BASE_URL = "http://rvlms.test"
SERVICE_URL = "/cds-services/rvlms-mdt-plan"
FEEDBACK_URL = "/cds-services/rvlms-mdt-plan/feedback"
EHR_ISS = "https://ehr.example.org/cds-client"
EHR_KID = "ehr-key-1"


@dataclass(frozen=True)
class Ehr:
    """An EHR's signing key and the JWK Set file that publishes its public half."""

    key: ec.EllipticCurvePrivateKey
    jwks_file: Path
    iss: str = EHR_ISS
    kid: str = EHR_KID

    def token(self, url: str, base: str = BASE_URL, **claims: Any) -> str:
        """A fresh JWT for a call to ``url`` (a path on ``base``); ``claims`` override or
        (given as None) remove the defaults."""
        now = int(time.time())
        payload: dict[str, Any] = {
            "iss": self.iss,
            "sub": "ehr-client-7",
            "aud": base + url,
            "iat": now,
            "exp": now + 240,
            "jti": str(uuid.uuid4()),
        }
        payload.update(claims)
        payload = {k: v for k, v in payload.items() if v is not None}
        return jwt.encode(payload, self.key, algorithm="ES384", headers={"kid": self.kid})

    def issuer(self) -> CdsIssuer:
        return CdsIssuer(iss=self.iss, jwks_file=self.jwks_file)


def public_jwks(key: ec.EllipticCurvePrivateKey, kid: str) -> dict[str, Any]:
    jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    return {"keys": [{**jwk, "kid": kid, "alg": "ES384", "use": "sig"}]}


@pytest.fixture(scope="session")
def ehr(tmp_path_factory: pytest.TempPathFactory) -> Ehr:
    key = ec.generate_private_key(ec.SECP384R1())
    path = tmp_path_factory.mktemp("ehr") / "jwks.json"
    path.write_text(json.dumps(public_jwks(key, EHR_KID)), "utf-8")
    return Ehr(key=key, jwks_file=path)


def cds_settings(data_dir: Path, db: str, ehr: Ehr, **overrides: Any) -> Settings:
    """Settings of a CDS service that trusts ``ehr`` and is reached at :data:`BASE_URL`."""
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "db": db,
        "cds_public_base_url": BASE_URL,
        "cds_issuers": [ehr.issuer()],
    }
    values.update(overrides)
    return Settings(**values)


def demo_settings(data_dir: Path, db: str) -> Settings:
    """Settings of ``rvlms serve --demo``: calls are accepted without a JWT."""
    return Settings(
        data_dir=data_dir,
        db=db,
        demo=True,
        cds_allow_unauthenticated=True,
        cds_public_base_url=BASE_URL,
    )


def load_request(name: str) -> dict[str, Any]:
    """A CDS Hooks request from ``fixtures/<name>.json``."""
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text("utf-8"))
    return data


def map_request(request: dict[str, Any], today: dt.date = TODAY) -> CaseMapping:
    """The case record a request's prefetch maps to, without HTTP."""
    patient_id: str = request["context"]["patientId"]
    return map_prefetch(read_prefetch(request["prefetch"], patient_id), patient_id, today)


class CdsClient:
    """Plain calls over an ``httpx.AsyncClient`` on the ASGI app, one event loop per call;
    with an ``ehr`` every POST carries a fresh JWT unless ``sign=False`` or an
    ``Authorization`` header is given."""

    def __init__(self, app: FastAPI, ehr: Ehr | None = None) -> None:
        self.app = app
        self.ehr = ehr

    async def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        transport = httpx.ASGITransport(app=self.app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            return await client.request(method, url, **kwargs)

    def get(self, url: str) -> httpx.Response:
        return asyncio.run(self._send("GET", url))

    def post(self, url: str, *, sign: bool = True, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        if sign and self.ehr is not None and "authorization" not in {h.lower() for h in headers}:
            headers["Authorization"] = f"Bearer {self.ehr.token(url)}"
        return asyncio.run(self._send("POST", url, headers=headers, **kwargs))

    def cards(self, request: dict[str, Any]) -> list[dict[str, Any]]:
        response = self.post(SERVICE_URL, json=request)
        assert response.status_code == 200, response.text
        cards: list[dict[str, Any]] = response.json()["cards"]
        return cards


def make_app(settings: Settings) -> FastAPI:
    app = FastAPI()
    app.include_router(create_router(settings, today=lambda: TODAY))
    return app


@pytest.fixture
def settings(tmp_path: Path, sqlite_url: str, ehr: Ehr) -> Settings:
    return cds_settings(tmp_path, sqlite_url, ehr)


@pytest.fixture
def cds(settings: Settings, ehr: Ehr) -> CdsClient:
    return CdsClient(make_app(settings), ehr)


@pytest.fixture
def demo_cds(tmp_path: Path, sqlite_url: str) -> CdsClient:
    """The service as ``rvlms serve --demo`` runs it, called without a JWT."""
    return CdsClient(make_app(demo_settings(tmp_path, sqlite_url)))


PUBLIC_BASE_URL = "https://rvlms.example.org"
"""What the EHR calls: a name behind a reverse proxy, not the loopback address served."""


@dataclass(frozen=True)
class Live:
    """The whole web app under uvicorn on loopback, trusting ``ehr``."""

    url: str
    app: FastAPI
    ehr: Ehr

    def call(
        self, path: str, body: Any, token: str | None = None, **headers: str
    ) -> httpx.Response:
        """POST ``body`` to ``path`` with ``token`` (default: a fresh valid JWT)."""
        if token is None:
            token = self.ehr.token(path, base=PUBLIC_BASE_URL)
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return httpx.post(self.url + path, json=body, headers=headers, timeout=30)

    def local(self, public_url: str) -> str:
        """A link on the public base URL, as the proxy forwards it to the server."""
        assert public_url.startswith(PUBLIC_BASE_URL + "/"), public_url
        return self.url + public_url.removeprefix(PUBLIC_BASE_URL)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, ehr: Ehr) -> Iterator[Live]:
    from rvlms.web import create_app
    from rvlms.web.server import background_server

    with warnings.catch_warnings():
        # uvicorn imports websockets' legacy module (deprecated in websockets 14) in the
        # server thread; imported here first, the warning cannot fail the test from there.
        warnings.simplefilter("ignore", DeprecationWarning)
        importlib.import_module("uvicorn.protocols.websockets.auto")
    folder = tmp_path_factory.mktemp("live")
    settings = cds_settings(
        folder,
        f"sqlite:///{folder / 'live.sqlite3'}",
        ehr,
        cds_public_base_url=PUBLIC_BASE_URL,
        secret_key="cds-tests-secret-key-0123456789",
    )
    app = create_app(settings)
    try:
        with background_server(app) as url:
            yield Live(url=url, app=app, ehr=ehr)
    finally:
        app.state.rvlms.close()
