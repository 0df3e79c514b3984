"""What a card's link opens, over real HTTP: the plan from the prefetch, for a patient the
registry does not hold yet, and the offer to create the case from it; never a 404."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from rvlms.cds import LaunchStore
from rvlms.pathway import build_plan
from rvlms.web import Role
from rvlms.web.audit import AuditFilter

from .conftest import SERVICE_URL, Live, load_request, map_request

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def users(live: Live) -> None:
    ctx = live.app.state.rvlms
    ctx.ensure_ready()
    ctx.accounts.add("dr.cds", Role.clinician, PASSWORD, created_by="tests")
    ctx.accounts.add("res.cds", Role.researcher, PASSWORD, created_by="tests")


def _browser(live: Live, username: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.url, timeout=30) as browser:
        login = browser.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
        assert token, login.text[:500]
        signed = browser.post(
            "/login",
            data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)},
        )
        assert signed.status_code in (200, 303), signed.text[:500]
        yield browser


@pytest.fixture
def clinician(live: Live, users: None) -> Iterator[httpx.Client]:
    yield from _browser(live, "dr.cds")


@pytest.fixture
def researcher(live: Live, users: None) -> Iterator[httpx.Client]:
    yield from _browser(live, "res.cds")


def _card_link(live: Live, patient_id: str) -> str:
    request = load_request("zhang2021_case1_no_metanephrines")
    old = request["context"]["patientId"]
    text = json.dumps(request).replace(old, patient_id)
    response = live.call(SERVICE_URL, json.loads(text))
    assert response.status_code == 200, response.text
    [url] = {link["url"] for card in response.json()["cards"] for link in card["links"]}
    return live.local(url)


def test_the_link_asks_for_sign_in_first(live: Live) -> None:
    link = _card_link(live, "ehr-launch-0")
    response = httpx.get(link, timeout=30)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=%2Fcds%2Flaunch%2F")


def test_the_link_shows_the_plan_and_creates_the_case(live: Live, clinician: httpx.Client) -> None:
    """zhang2021 case 1 from the EHR: the plan warns that metanephrines are missing
    (Lenders 2014) before the case exists; one click stores it, and the link then
    points at the registry case."""
    link = _card_link(live, "ehr-launch-1")
    page = clinician.get(link)
    assert page.status_code == 200, page.text[:500]
    assert "MDT plan from the EHR record — ehr-launch-1" in page.text
    assert "The case is not in the registry yet." in page.text
    assert "metanephrines" in page.text.lower()
    assert "Create the registry case from this record" in page.text
    assert all(c.case_id != "ehr-launch-1" for c in live.app.state.rvlms.registry.cases())
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf
    created = clinician.post(
        link.removeprefix(live.url) + "/case",
        data={"csrf_token": csrf.group(1), "case_id": "MDT-2026-101"},
    )
    assert created.status_code == 303, created.text[:500]
    assert created.headers["location"] == "/cases/MDT-2026-101/plan?saved=1"
    stored = live.app.state.rvlms.registry.get("MDT-2026-101")
    assert stored.created_by == "dr.cds"
    assert stored.case.demographics.sex is not None
    again = clinician.get(link)
    assert "The registry already holds this case." in again.text
    assert 'href="/cases/MDT-2026-101/plan"' in again.text
    assert clinician.get("/cases/MDT-2026-101/plan").status_code == 200
    audit = live.app.state.rvlms.audit
    [made] = audit.entries(AuditFilter(action="case.create", case_id="MDT-2026-101"))
    assert made.outcome == "allowed" and made.actor == "dr.cds"


def test_a_case_already_in_the_registry_is_linked(live: Live, clinician: httpx.Client) -> None:
    link = _card_link(live, "ehr-launch-2")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', clinician.get(link).text)
    assert csrf
    path = link.removeprefix(live.url) + "/case"
    assert clinician.post(path, data={"csrf_token": csrf.group(1)}).status_code == 303
    page = clinician.get(link)
    assert "The registry already holds this case." in page.text
    assert 'href="/cases/ehr-launch-2/plan"' in page.text
    twice = clinician.post(path, data={"csrf_token": csrf.group(1)})
    assert twice.status_code == 409
    assert "case_id:" in twice.text


def test_an_invalid_case_id_is_named(live: Live, clinician: httpx.Client) -> None:
    link = _card_link(live, "ehr-launch-3")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', clinician.get(link).text)
    assert csrf
    response = clinician.post(
        link.removeprefix(live.url) + "/case",
        data={"csrf_token": csrf.group(1), "case_id": "Smith, John"},
    )
    assert response.status_code == 422
    assert "case_id" in response.text


def test_an_unknown_or_expired_link_is_explained_not_404(
    live: Live, clinician: httpx.Client
) -> None:
    response = clinician.get("/cds/launch/no-such-launch-id")
    assert response.status_code == 410
    assert "This plan link has expired" in response.text
    assert "Open the patient again in the EHR" in response.text


def test_a_researcher_may_not_open_identified_ehr_data(
    live: Live, researcher: httpx.Client
) -> None:
    response = researcher.get(_card_link(live, "ehr-launch-4"))
    assert response.status_code == 403
    assert "ehr-launch-4" not in response.text


def test_launches_expire_and_the_oldest_go_first() -> None:
    """A link lives for the configured time; beyond the bound the oldest answers go first."""
    mapping = map_request(load_request("zhang2021_case1_no_metanephrines"))
    plan = build_plan(mapping.case)
    now = [datetime(2026, 11, 21, 9, 0, tzinfo=UTC)]
    store = LaunchStore(timedelta(minutes=60), max_entries=2, clock=lambda: now[0])

    def put() -> str:
        launch = store.put(mapping, plan, patient_id="p", actor="ehr:x", authenticated=True)
        return launch.id

    first, second = put(), put()
    assert len(first) == 43 and first != second
    store.mark_created(first, "MDT-1")
    assert store.created_case(first) == "MDT-1"
    now[0] += timedelta(minutes=59)
    assert store.get(first) is not None
    third = put()
    assert store.get(first) is None and store.created_case(first) is None
    assert store.get(second) is not None and store.get(third) is not None
    now[0] += timedelta(minutes=2)
    assert store.get(second) is None
    assert store.get(third) is not None


def test_a_clinician_of_two_centres_chooses_the_new_case_s_centre(live: Live) -> None:
    """The launch page offers the centres where the user may add cases, as the case form
    does, and stores the case at the chosen one: with two centres, none is guessed."""
    ctx = live.app.state.rvlms
    ctx.ensure_ready()
    ctx.registry.centres.add("east", "East Hospital", created_by="tests")
    ctx.registry.centres.add("west", "West Hospital", created_by="tests")
    ctx.accounts.add("dr.two", Role.clinician, PASSWORD, created_by="tests", centre="east")
    ctx.accounts.grant("dr.two", "west", Role.clinician, granted_by="tests")
    link = _card_link(live, "ehr-launch-two")
    for browser in _browser(live, "dr.two"):
        page = browser.get(link)
        assert page.status_code == 200, page.text[:500]
        assert '<select id="centre_code" name="centre_code"' in page.text
        assert '<option value="east">' in page.text and '<option value="west">' in page.text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert csrf
        created = browser.post(
            link.removeprefix(live.url) + "/case",
            data={"csrf_token": csrf.group(1), "case_id": "MDT-2026-two", "centre_code": "west"},
        )
        assert created.status_code == 303, created.text[:500]
    assert ctx.registry.get("MDT-2026-two").centre == "west"
