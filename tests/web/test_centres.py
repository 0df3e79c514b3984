"""Centres as data access groups, across two centres, through the real app and client.

North holds zhang2021 case 4 (with invented identifiers), South holds case 1. Each role
is checked on every case route of the API and the web app, on lists, exports, the cohort
analysis and the audit log, once on SQLite and once on PostgreSQL.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass

import pytest
from anyio.from_thread import BlockingPortal
from fastapi import FastAPI
from fastapi.routing import APIRoute

from rvlms.examples import load_zhang2021
from rvlms.web import Role

from .conftest import (
    PASSWORD,
    PATIENT_MRN,
    PATIENT_NAME,
    Client,
    case_json,
    context,
    identified_case4,
)

NORTH_CASE = "zhang2021-case4"
SOUTH_CASE = "zhang2021-case1"
CASE_MODULES = (
    "rvlms.web.routes.api_cases",
    "rvlms.web.routes.web_cases",
    "rvlms.web.routes.api_literature",
)


@dataclass(frozen=True)
class Network:
    app: FastAPI
    tokens: dict[str, dict[str, str]]


def _user(app: FastAPI, name: str, role: Role, centre: str | None) -> dict[str, str]:
    accounts = context(app).accounts
    accounts.add(name, role, PASSWORD, created_by="tests", centre=centre)
    return {"Authorization": f"Bearer {accounts.issue_token(name, created_by='tests').token}"}


@pytest.fixture
def network(app: FastAPI) -> Network:
    ctx = context(app)
    ctx.registry.centres.add("north", "North University Hospital", created_by="tests")
    ctx.registry.centres.add("south", "South General", created_by="tests")
    ctx.registry.add(identified_case4(), "tests", centre="north")
    ctx.registry.add(load_zhang2021()[0], "tests", centre="south")
    tokens = {
        "dr.north": _user(app, "dr.north", Role.clinician, "north"),
        "dr.south": _user(app, "dr.south", Role.clinician, "south"),
        "res.north": _user(app, "res.north", Role.researcher, "north"),
        "res.net": _user(app, "res.net", Role.researcher, "north"),
        "adm.north": _user(app, "adm.north", Role.admin, "north"),
        "adm.net": _user(app, "adm.net", Role.admin, None),
    }
    ctx.accounts.grant("res.net", None, Role.researcher, granted_by="adm.net")
    return Network(app, tokens)


def _case_routes() -> list[str]:
    """Every GET address about one case in the case, plan and literature modules."""
    found = []
    for name in CASE_MODULES:
        for route in importlib.import_module(name).router.routes:
            if not isinstance(route, APIRoute) or "{case_id}" not in route.path:
                continue
            if "GET" in route.methods:
                found.append(route.path.replace("{rule_id}", "workup.metanephrines-first"))
    return sorted(found)


def test_clinicians_reach_only_their_centres_cases_on_every_route(
    network: Network, client: Client
) -> None:
    routes = _case_routes()
    assert len(routes) >= 15, routes
    north, south = network.tokens["dr.north"], network.tokens["dr.south"]
    for template in routes:
        own = template.replace("{case_id}", NORTH_CASE)
        other = template.replace("{case_id}", SOUTH_CASE)
        if template.startswith("/api/"):
            assert client.get(own, headers=north).status_code == 200, own
            refused = client.get(other, headers=north)
            assert refused.status_code == 404, other
            assert refused.headers["content-type"].startswith("application/problem+json")
            assert client.get(other, headers=south).status_code == 200, other
    api = client.get("/api/v1/cases", headers=north).json()
    assert [c["case_id"] for c in api["items"]] == [NORTH_CASE]
    assert api["total"] == 1
    assert api["items"][0]["case_id"] == NORTH_CASE
    read = client.get(f"/api/v1/cases/{NORTH_CASE}", headers=north).json()
    assert read["case"]["identity"]["medical_record_number"] == PATIENT_MRN

    client.sign_in("dr.north")
    for template in routes:
        if template.startswith("/api/"):
            continue
        own = client.get(template.replace("{case_id}", NORTH_CASE), follow_redirects=False)
        assert own.status_code == 200, template
        other = client.get(template.replace("{case_id}", SOUTH_CASE), follow_redirects=False)
        assert other.status_code == 404, template
        assert SOUTH_CASE not in other.text or "not in your centres" in other.text
    listing = client.get("/cases")
    assert NORTH_CASE in listing.text and SOUTH_CASE not in listing.text


def test_writes_stay_inside_the_clinicians_centres(network: Network, client: Client) -> None:
    north = network.tokens["dr.north"]
    ctx = context(network.app)
    south_case = case_json(load_zhang2021()[0])
    south_case["notes"] = "edited from the north"
    edit = client.put(
        f"/api/v1/cases/{SOUTH_CASE}?expected_version=1", json=south_case, headers=north
    )
    assert edit.status_code == 404
    assert ctx.registry.get(SOUTH_CASE).version == 1
    assert client.get(f"/api/v1/cases/{SOUTH_CASE}", headers=north).status_code == 404

    new = case_json(load_zhang2021()[1])
    elsewhere = client.post("/api/v1/cases?centre=south", json=new, headers=north)
    assert elsewhere.status_code == 403
    assert ctx.registry.centre_of("zhang2021-case2") is None
    created = client.post("/api/v1/cases", json=new, headers=north)
    assert created.status_code == 201
    assert ctx.registry.centre_of("zhang2021-case2") == "north"

    denied = [
        e
        for e in ctx.audit.entries()
        if e.actor == "dr.north" and e.outcome == "denied" and e.case_id == SOUTH_CASE
    ]
    assert {e.action for e in denied} >= {"case.update", "case.read"}
    assert all(e.centre == "south" for e in denied)


def test_researchers_see_deidentified_data_of_granting_centres_only(
    network: Network, client: Client
) -> None:
    local, wide = network.tokens["res.north"], network.tokens["res.net"]
    mine = client.get("/api/v1/cases", headers=local).json()
    assert [c["case_id"] for c in mine["items"]] == [NORTH_CASE]
    assert client.get(f"/api/v1/cases/{SOUTH_CASE}", headers=local).status_code == 404
    both = client.get("/api/v1/cases", headers=wide).json()
    assert sorted(c["case_id"] for c in both["items"]) == [SOUTH_CASE, NORTH_CASE]
    for token in (local, wide):
        record = client.get(f"/api/v1/cases/{NORTH_CASE}", headers=token)
        assert record.status_code == 200
        assert PATIENT_NAME not in record.text and PATIENT_MRN not in record.text
        plan = client.get(f"/api/v1/cases/{NORTH_CASE}/plan", headers=token)
        assert PATIENT_NAME not in plan.text
    assert (
        client.put(
            f"/api/v1/cases/{NORTH_CASE}?expected_version=1",
            json=case_json(identified_case4()),
            headers=local,
        ).status_code
        == 403
    )


def test_cohort_analysis_and_reports_count_only_reachable_cases(
    network: Network, client: Client
) -> None:
    tokens = network.tokens
    assert client.get("/api/v1/cohort", headers=tokens["dr.north"]).json()["n"] == 1
    assert client.get("/api/v1/cohort", headers=tokens["dr.south"]).json()["n"] == 1
    assert client.get("/api/v1/cohort", headers=tokens["res.net"]).json()["n"] == 2
    pdf = client.get("/api/v1/cohort/report.pdf", headers=tokens["res.north"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    client.sign_in("dr.south")
    page = client.get("/cohort")
    assert page.status_code == 200
    assert re.search(r"\b1 case", page.text)


def test_admins_read_the_audit_of_their_own_centres_cases(
    network: Network, client: Client, portal: BlockingPortal
) -> None:
    tokens = network.tokens
    client.get(f"/api/v1/cases/{NORTH_CASE}", headers=tokens["dr.north"])
    client.get(f"/api/v1/cases/{SOUTH_CASE}", headers=tokens["dr.south"])
    north_view = client.get(
        f"/api/v1/audit?case_id={NORTH_CASE}", headers=tokens["adm.north"]
    ).json()
    assert {e["actor"] for e in north_view["items"]} >= {"dr.north"}
    hidden = client.get(f"/api/v1/audit?case_id={SOUTH_CASE}", headers=tokens["adm.north"])
    assert hidden.json()["total"] == 0
    network_view = client.get(
        f"/api/v1/audit?case_id={SOUTH_CASE}", headers=tokens["adm.net"]
    ).json()
    assert "dr.south" in {e["actor"] for e in network_view["items"]}
    assert client.get("/api/v1/cases", headers=tokens["adm.net"]).status_code == 403

    client.sign_in("adm.net")
    page = client.get(f"/admin/audit?case_id={NORTH_CASE}")
    assert page.status_code == 200 and "dr.north" in page.text


def test_only_a_network_admin_grants_network_wide_access_and_it_is_audited(
    network: Network, client: Client
) -> None:
    ctx = context(network.app)
    _user(network.app, "res.new", Role.researcher, "south")
    client.sign_in("adm.north")
    token = client.csrf_from("/admin/users")
    refused = client.post(
        "/admin/memberships",
        data={
            "username": "res.new",
            "role": "researcher",
            "centre": "network",
            "csrf_token": token,
        },
    )
    assert refused.status_code == 403
    assert "only a network admin" in refused.text
    north_only = client.get("/api/v1/cases", headers=network.tokens["res.north"]).json()
    assert [c["case_id"] for c in north_only["items"]] == [NORTH_CASE]

    client.sign_in("adm.net")
    token = client.csrf_from("/admin/users")
    granted = client.post(
        "/admin/memberships",
        data={
            "username": "res.new",
            "role": "researcher",
            "centre": "network",
            "csrf_token": token,
        },
    )
    assert granted.status_code == 200 and "res.new is now researcher at network" in granted.text
    assert "researcher@network, researcher@south" in granted.text
    outcomes = [
        (e.actor, e.outcome, e.detail)
        for e in ctx.audit.entries()
        if e.action == "membership.grant"
    ]
    assert (
        "adm.net",
        "succeeded",
        "user 'res.new' role researcher at network (network-wide: every centre)",
    ) in outcomes
    assert any(actor == "adm.north" and outcome == "denied" for actor, outcome, _ in outcomes)
    new_token = ctx.accounts.issue_token("res.new", created_by="tests").token
    wide = client.get("/api/v1/cases", headers={"Authorization": f"Bearer {new_token}"})
    assert sorted(c["case_id"] for c in wide.json()["items"]) == [SOUTH_CASE, NORTH_CASE]


def test_a_clinician_of_two_centres_chooses_the_centre_of_a_new_case(
    network: Network, client: Client
) -> None:
    ctx = context(network.app)
    ctx.accounts.grant("dr.north", "south", Role.clinician, granted_by="tests")
    client.sign_in("dr.north")
    form = client.get("/cases/new")
    assert '<select id="centre_code" name="centre_code"' in form.text
    assert '<option value="south">south</option>' in form.text
    token = client.csrf_from("/cases/new/yaml")
    saved = client.post(
        "/cases/new/yaml",
        data={"yaml": "case_id: two-centre-1\n", "centre_code": "south", "csrf_token": token},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert ctx.registry.centre_of("two-centre-1") == "south"
    listing = client.get("/cases")
    assert NORTH_CASE in listing.text and SOUTH_CASE in listing.text
