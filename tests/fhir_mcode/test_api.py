"""GET /api/v1/cases/{id}/fhir over HTTP against the app on a real SQLite registry."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI

from rvlms.fhir import cases_from_resources
from rvlms.web import Role
from web.conftest import Client, add_user, case_json, identified_case4

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def _entries(body: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(f"entry[{i}]", e["resource"]) for i, e in enumerate(body["entry"])]


def test_clinicians_get_the_identified_bundle_and_researchers_the_deidentified_one(
    app: FastAPI, client: Client, clinician: dict[str, str], researcher: dict[str, str]
) -> None:
    case = identified_case4()
    assert client.post("/api/v1/cases", json=case_json(case), headers=clinician).status_code == 201

    full = client.get("/api/v1/cases/zhang2021-case4/fhir", headers=clinician)
    assert full.status_code == 200
    assert full.headers["content-type"].startswith("application/fhir+json")
    [back] = cases_from_resources(_entries(full.json()), "api")
    assert back.identity == case.identity
    assert back.imaging == case.imaging

    research = client.get("/api/v1/cases/zhang2021-case4/fhir", headers=researcher)
    assert research.status_code == 200
    assert case.identity.name and case.identity.name not in research.text
    assert case.identity.medical_record_number not in research.text
    assert not ISO_DATE.search(research.text)
    [seen] = cases_from_resources(_entries(research.json()), "api")
    assert seen.identity.name is None and seen.pathology == case.pathology

    admin = add_user(app, "ops", Role.admin)
    log = client.get("/api/v1/audit?case_id=zhang2021-case4&limit=50", headers=admin).json()
    reads = {
        (e["actor"], e["action"], e["outcome"])
        for e in log["items"]
        if e["target"] == "GET /api/v1/cases/zhang2021-case4/fhir"
    }
    assert reads == {("dr.li", "case.read", "allowed"), ("res.kim", "case.read", "allowed")}


def test_unknown_case_anonymous_and_admin_callers_are_refused(
    app: FastAPI, client: Client, clinician: dict[str, str]
) -> None:
    missing = client.get("/api/v1/cases/nobody/fhir", headers=clinician)
    assert missing.status_code == 404
    assert client.get("/api/v1/cases/nobody/fhir").status_code == 401
    admin = add_user(app, "ops", Role.admin)
    assert client.get("/api/v1/cases/nobody/fhir", headers=admin).status_code == 403
