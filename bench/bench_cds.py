"""CDS Hooks latency: one patient-view call against the bare discovery call, in process.

CDS Hooks 2.0.1 (§Providing FHIR Resources) asks a service to answer "on the order of
500 ms". Both calls go through FastAPI and httpx's ASGI transport in one event loop, so the
baseline (discovery: routing and a fixed JSON document) is the floor of the stack and the
ratio shows what the service itself adds: FHIR R4B validation of the prefetch, mapping to
the case record, the decision map and the cards, and the check of the EHR's JWT
(ES384, CDS Hooks 2.0 §Trusting CDS Clients), signed before each timed call. The request
is the zhang2021 case-1 patient of the test fixtures (Patient, Condition and three
Observations).

The absolute target is a p99 under 500 ms; each row's ``target_ratio`` is that bound
divided by the discovery baseline of the same run, so "ratio under target" means "under
500 ms", and the ratio itself stays informative.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import FastAPI

from run import Row
from rvlms.cds import create_router
from rvlms.settings import CdsIssuer, Settings

REQUEST = (
    Path(__file__).resolve().parent.parent
    / "tests"
    / "cds"
    / "fixtures"
    / "zhang2021_case1_no_metanephrines.json"
)
CALLS = 400
WARM_UP = 20
TARGET_SECONDS = 0.5
BASE_URL = "http://bench"
SERVICE = "/cds-services/rvlms-mdt-plan"
ISSUER = "https://ehr.bench"
KEY = ec.generate_private_key(ec.SECP384R1())


def _signed() -> dict[str, str]:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": BASE_URL + SERVICE, "iat": now, "exp": now + 120}
    token = jwt.encode({**claims, "jti": str(uuid.uuid4())}, KEY, "ES384", {"kid": "k1"})
    return {"Authorization": f"Bearer {token}"}


def _jwks(folder: Path) -> Path:
    public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(KEY.public_key()))
    path = folder / "jwks.json"
    path.write_text(json.dumps({"keys": [{**public, "kid": "k1"}]}), "utf-8")
    return path


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def _timings(app: FastAPI, request: dict[str, Any]) -> tuple[list[float], list[float]]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        for _ in range(WARM_UP):
            await client.get("/cds-services")
            await client.post(SERVICE, json=request, headers=_signed())
        discovery: list[float] = []
        service: list[float] = []
        for _ in range(CALLS):
            started = time.perf_counter()
            response = await client.get("/cds-services")
            discovery.append(time.perf_counter() - started)
            response.raise_for_status()
            headers = _signed()
            started = time.perf_counter()
            response = await client.post(SERVICE, json=request, headers=headers)
            service.append(time.perf_counter() - started)
            if response.status_code != 200 or not response.json()["cards"]:
                raise RuntimeError(f"patient-view failed: {response.status_code} {response.text}")
        return service, discovery


def run() -> list[Row]:
    request = json.loads(REQUEST.read_text("utf-8"))
    with tempfile.TemporaryDirectory(prefix="rvlms-bench-cds-") as folder:
        settings = Settings(
            data_dir=Path(folder),
            cds_public_base_url=BASE_URL,
            cds_issuers=[CdsIssuer(iss=ISSUER, jwks_file=_jwks(Path(folder)))],
        )
        app = FastAPI()
        app.include_router(create_router(settings, today=lambda: dt.date(2026, 11, 21)))
        service, discovery = asyncio.run(_timings(app, request))
    rows = []
    for label, share in (("median", 0.5), ("p99", 0.99)):
        measured = statistics.median(service) if share == 0.5 else _percentile(service, share)
        baseline = statistics.median(discovery) if share == 0.5 else _percentile(discovery, share)
        rows.append(
            Row(
                name=f"CDS patient-view {label} latency vs discovery {label} "
                f"(ASGI in process, {CALLS} calls; target {label} < 500 ms absolute)",
                measured=round(measured, 5),
                baseline=round(baseline, 5),
                unit="s",
                target_ratio=round(TARGET_SECONDS / baseline, 1),
            )
        )
    return rows


if __name__ == "__main__":
    for result in run():
        print(result)
