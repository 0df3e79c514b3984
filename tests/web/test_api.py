"""The REST API through a real HTTP client, on SQLite and on PostgreSQL.

Clinical facts come from zhang2021 Table 1 (case 4: IVC middle-segment and right renal-vein
leiomyosarcoma, operative time 256 min, blood loss 800 ml, FNCLCC G2, 10.7 cm) and
zhang2021 Methods (follow-up one month after surgery, then every three months).
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from rvlms.pathway import Plan

from .conftest import (
    CLIENT_IP,
    PATIENT_MRN,
    PATIENT_NAME,
    Client,
    case_json,
    context,
    identified_case4,
)

PROBLEM = "application/problem+json"
PROBLEM_KEYS = {"type", "title", "status", "detail", "instance", "errors"}
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def _problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert set(body) >= PROBLEM_KEYS
    assert body["status"] == status
    assert str(body["type"]).startswith("/api/v1/problems/")
    return dict(body)


def test_cases_without_login_answer_401_problem(client: Client) -> None:
    """The API contract: no session and no token, no data."""
    response = client.get("/api/v1/cases")
    body = _problem(response, 401)
    assert body["instance"] == "/api/v1/cases"
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_unknown_or_revoked_token_is_401(client: Client, app: FastAPI) -> None:
    _problem(client.get("/api/v1/cases", headers={"Authorization": "Bearer rvlms_nope"}), 401)
    _problem(client.get("/api/v1/cases", headers={"Authorization": "Basic abc"}), 401)
    accounts = context(app).accounts
    from rvlms.web import Role

    accounts.add("bot", Role.clinician, None, created_by="tests")
    issued = accounts.issue_token("bot", created_by="tests")
    headers = {"Authorization": f"Bearer {issued.token}"}
    assert client.get("/api/v1/cases", headers=headers).status_code == 200
    accounts.revoke_token(issued.info.id)
    _problem(client.get("/api/v1/cases", headers=headers), 401)


def test_crud_with_version_conflict(client: Client, clinician: dict[str, str]) -> None:
    """zhang2021 Table 1 case 4 is stored, edited once, and a stale edit is refused (409)
    with a message naming who changed the case and the version it is at now."""
    case = identified_case4()
    created = client.post("/api/v1/cases", json=case_json(case), headers=clinician)
    assert created.status_code == 201, created.text
    assert created.headers["location"] == "/api/v1/cases/zhang2021-case4"
    assert created.json()["version"] == 1

    read = client.get("/api/v1/cases/zhang2021-case4", headers=clinician).json()
    assert read["case"]["operation"]["operative_time_min"] == 256
    assert read["case"]["operation"]["blood_loss_ml"] == 800
    assert read["case"]["identity"]["name"] == PATIENT_NAME

    edited = case_json(case)
    edited["operation"]["operative_time_min"] = 260
    updated = client.put(
        "/api/v1/cases/zhang2021-case4?expected_version=1", json=edited, headers=clinician
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["version"] == 2

    stale = case_json(case)
    stale["operation"]["blood_loss_ml"] = 900
    body = _problem(
        client.put(
            "/api/v1/cases/zhang2021-case4?expected_version=1", json=stale, headers=clinician
        ),
        409,
    )
    assert body["type"] == "/api/v1/problems/conflict"
    assert "changed by dr.li" in str(body["detail"])
    assert "now version 2" in str(body["detail"])
    assert "you edited version 1" in str(body["detail"])

    history = client.get("/api/v1/cases/zhang2021-case4/history", headers=clinician).json()
    assert [r["version"] for r in history["revisions"]] == [1, 2]
    assert history["revisions"][1]["changes"] == [
        {"path": "operation.operative_time_min", "old": 256.0, "new": 260.0}
    ]

    again = client.post("/api/v1/cases", json=case_json(case), headers=clinician)
    assert "already in the registry" in str(_problem(again, 409)["detail"])

    renamed = case_json(case) | {"case_id": "other-id"}
    _problem(
        client.put(
            "/api/v1/cases/zhang2021-case4?expected_version=2", json=renamed, headers=clinician
        ),
        422,
    )

    listed = client.get("/api/v1/cases?q=case4", headers=clinician).json()
    assert listed["total"] == 1
    assert listed["items"][0]["version"] == 2
    assert client.get("/api/v1/cases?ivc_level=III", headers=clinician).json()["total"] == 0


def test_invalid_case_names_each_field_and_allowed_values(
    client: Client, clinician: dict[str, str]
) -> None:
    data = case_json(identified_case4())
    data["imaging"]["vessel_of_origin"] = "aorta"
    data["imaging"]["max_diameter_cm"] = 0
    body = _problem(client.post("/api/v1/cases", json=data, headers=clinician), 422)
    assert body["type"] == "/api/v1/problems/case-invalid"
    errors = {e["field"]: e for e in body["errors"]}
    vessel = errors["imaging.vessel_of_origin"]
    assert vessel["value"] == "aorta"
    assert "ivc" in vessel["allowed"] and "renal_vein" in vessel["allowed"]
    diameter = errors["imaging.max_diameter_cm"]
    assert diameter["message"] == "Input should be greater than 0 cm"
    assert diameter["value"] == 0


def test_request_errors_share_the_problem_shape(client: Client, clinician: dict[str, str]) -> None:
    _problem(client.get("/api/v1/no-such-thing", headers=clinician), 404)
    _problem(client.get("/api/v1/cases/unknown-case", headers=clinician), 404)
    _problem(client.request("DELETE", "/api/v1/cases", headers=clinician), 405)
    bad_query = _problem(client.get("/api/v1/cases?limit=0", headers=clinician), 422)
    assert bad_query["errors"][0]["field"] == "limit"
    not_json = client.post(
        "/api/v1/cases",
        content=b"{not json",
        headers={**clinician, "Content-Type": "application/json"},
    )
    _problem(not_json, 422)
    enum = _problem(client.get("/api/v1/cases?imaging_type=cystic", headers=clinician), 422)
    assert "intraluminal" in enum["errors"][0]["allowed"]


def test_plan_json_contract(client: Client, clinician: dict[str, str]) -> None:
    """The plan of zhang2021 case 4 (IVC middle segment, thrombus to the retrohepatic IVC):
    IVC level II, every recommendation cited, follow-up from the operation date one month
    after surgery and then every three months (zhang2021 Methods)."""
    case = identified_case4()
    client.post("/api/v1/cases", json=case_json(case), headers=clinician)
    response = client.get("/api/v1/cases/zhang2021-case4/plan", headers=clinician)
    assert response.status_code == 200
    plan = Plan.model_validate(response.json())
    assert plan.schema_version == "1.1"
    assert plan.case_id == "zhang2021-case4"
    assert plan.classification.ivc_level == "II"
    assert plan.classification.definition
    assert plan.fired
    for stage in plan.stages:
        for recommendation in stage.recommendations:
            assert recommendation.evidence and all(e.citation for e in recommendation.evidence)
    months = [v.months_after_surgery for v in plan.follow_up][:4]
    assert months == [1, 3, 6, 9]
    assert plan.follow_up[0].date is not None and plan.follow_up[0].date.isoformat() == "2020-07-10"
    assert {s.key for s in plan.sources} >= {"zhang2021"}

    adhoc = client.post("/api/v1/plan", json=case_json(case), headers=clinician)
    assert adhoc.status_code == 200
    assert Plan.model_validate(adhoc.json()).fired == plan.fired


def test_researcher_sees_no_identifiers(
    app: FastAPI, client: Client, clinician: dict[str, str], researcher: dict[str, str]
) -> None:
    """Researchers get the de-identified schema: no name, record number or exact date
    (HIPAA Safe Harbor), dates as years, and may not edit or read the history."""
    client.post("/api/v1/cases", json=case_json(identified_case4()), headers=clinician)
    secrets = (PATIENT_NAME, PATIENT_MRN, "1965-03-14", "2020-06-10", "2020-05-02", "daughter")

    case = client.get("/api/v1/cases/zhang2021-case4", headers=researcher)
    assert case.status_code == 200
    body = case.json()
    assert body["view"] == "de-identified"
    assert "identity" not in body["case"] and "notes" not in body["case"]
    assert body["case"]["presentation"]["diagnosis_year"] == 2020
    assert body["case"]["operation"]["year"] == 2020
    assert body["case"]["operation"]["operative_time_min"] == 256
    plan = client.get("/api/v1/cases/zhang2021-case4/plan", headers=researcher)
    listing = client.get("/api/v1/cases", headers=researcher)
    assert "updated_at" not in listing.json()["items"][0]
    for response in (case, plan, listing):
        assert not any(secret in response.text for secret in secrets), response.text[:500]
        assert not ISO_DATE.search(response.text)
    assert all(v["date"] is None for v in plan.json()["follow_up"])

    _problem(
        client.put(
            "/api/v1/cases/zhang2021-case4?expected_version=1",
            json=case_json(identified_case4()),
            headers=researcher,
        ),
        403,
    )
    _problem(client.get("/api/v1/cases/zhang2021-case4/history", headers=researcher), 403)
    _problem(client.get("/api/v1/cases/zhang2021-case4/follow-up.ics", headers=researcher), 403)

    client.sign_in("res.kim")
    for page in ("/cases", "/cases/zhang2021-case4", "/cases/zhang2021-case4/plan"):
        html = client.get(page)
        assert html.status_code == 200, page
        assert not any(secret in html.text for secret in secrets), page
        assert "De-identified view" in html.text
    assert client.get("/cases/zhang2021-case4/yaml").status_code == 403


def test_audit_rows_for_reads_and_writes(
    client: Client, clinician: dict[str, str], researcher: dict[str, str], admin: dict[str, str]
) -> None:
    """Every read and write of patient data is logged with who, what, case and address;
    a refused attempt is logged as denied; the admin can export the log as CSV."""
    client.post("/api/v1/cases", json=case_json(identified_case4()), headers=clinician)
    client.get("/api/v1/cases/zhang2021-case4", headers=clinician)
    client.get("/api/v1/cases/zhang2021-case4/plan", headers=clinician)
    client.put(
        "/api/v1/cases/zhang2021-case4?expected_version=1",
        json=case_json(identified_case4()) | {"centre": "renamed"},
        headers=clinician,
    )
    client.get("/api/v1/cases/zhang2021-case4/history", headers=researcher)

    _problem(client.get("/api/v1/audit", headers=clinician), 403)
    log = client.get("/api/v1/audit?case_id=zhang2021-case4&limit=50", headers=admin).json()
    seen = {(e["actor"], e["action"], e["outcome"]) for e in log["items"]}
    assert {
        ("dr.li", "case.create", "allowed"),
        ("dr.li", "case.read", "allowed"),
        ("dr.li", "case.plan", "allowed"),
        ("dr.li", "case.update", "allowed"),
        ("res.kim", "case.history", "denied"),
    } <= seen
    update = next(e for e in log["items"] if e["action"] == "case.update")
    assert update["client_ip"] == CLIENT_IP
    assert update["via"] == "api"
    assert update["version"] == 1
    assert update["target"] == "PUT /api/v1/cases/zhang2021-case4"

    exported = client.get("/api/v1/audit.csv?actor=dr.li", headers=admin)
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    lines = exported.text.strip().splitlines()
    assert lines[0].startswith("id,at,actor,role,action,outcome,case_id")
    assert len(lines) >= 5
    last = client.get("/api/v1/audit?action=audit.export", headers=admin).json()
    assert last["items"][0]["actor"] == "admin.ops"


def test_audit_table_refuses_update_and_delete(app: FastAPI, client: Client) -> None:
    """Append-only: the database triggers reject UPDATE and DELETE of audit rows."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    client.sign_in("nobody", "wrong password here")
    engine = context(app).engine
    with engine.connect() as connection:
        before = connection.execute(text("SELECT count(*) FROM audit_events")).scalar_one()
    assert before >= 1
    for statement in (
        "UPDATE audit_events SET actor = 'someone-else'",
        "DELETE FROM audit_events",
    ):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM audit_events")).scalar_one() == before
        actors = connection.execute(text("SELECT DISTINCT actor FROM audit_events")).scalars()
        assert "someone-else" not in set(actors)


def test_scores_and_classification(client: Client, clinician: dict[str, str]) -> None:
    """Scores as the papers and guidelines give them: zhang2021 case 4 (10.7 cm, G2) is
    T3 stage IIIB (AJCC 8th retroperitoneum); case 1's bleed treated by transfusion is
    Clavien-Dindo II (zhang2021 Results); conventional LMS with 12 mitoses and <50 %
    necrosis sums to 5, FNCLCC G2 (Guillou 1997)."""
    ajcc = client.post(
        "/api/v1/scores/ajcc", json={"size_cm": 10.7, "grade": "G2"}, headers=clinician
    ).json()
    assert (ajcc["t"], ajcc["stage"]) == ("T3", "IIIB")
    clavien = client.post(
        "/api/v1/scores/clavien", json={"blood_transfusion": True}, headers=clinician
    ).json()
    assert clavien["grade"] == "II"
    recorded = client.post("/api/v1/scores/clavien", json={"grade": "2"}, headers=clinician)
    assert recorded.json()["grade"] == "II"
    fnclcc = client.post(
        "/api/v1/scores/fnclcc",
        json={"differentiation": "conventional", "mitoses_per_10hpf": 12, "necrosis": "lt50"},
        headers=clinician,
    ).json()
    assert (fnclcc["total"], fnclcc["grade"]) == (5, "G2")
    egfr = client.post(
        "/api/v1/scores/egfr",
        json={"creatinine": 85, "age_years": 56, "sex": "female"},
        headers=clinician,
    ).json()
    assert egfr["rounded"] == 69.3
    bad = client.post("/api/v1/scores/clavien", json={"grade": "III"}, headers=clinician)
    assert _problem(bad, 422)["errors"][0]["field"] == "grade"

    classified = client.post(
        "/api/v1/classify", json=case_json(identified_case4()), headers=clinician
    ).json()
    assert classified["ivc_level"] == "II"


def test_openapi_describes_the_api_only(client: Client) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    paths = set(spec["paths"])
    assert {"/api/v1/cases", "/api/v1/cases/{case_id}/plan", "/api/v1/cohort"} <= paths
    assert all(p.startswith("/api/v1/") for p in paths)
    assert "Problem" in spec["components"]["schemas"]
    assert "ResearchCase" in spec["components"]["schemas"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200 and "/api/v1/cases" in docs.text
    assert client.get("/api/v1/problems/conflict").status_code == 200
    assert client.get("/healthz").json()["status"] == "ok"
