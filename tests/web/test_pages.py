"""Web pages beyond the browser flow: editing with a stale version, the YAML editor,
the history with its diffs, the explanation of a rule, and error pages."""

from __future__ import annotations

import re

from fastapi import FastAPI

from rvlms.web import Role

from .conftest import Client, add_user, context, identified_case4


def _form_of(page: str) -> dict[str, str]:
    """The text inputs and selected options of a rendered case form."""
    fields: dict[str, str] = {}
    for name, value in re.findall(
        r'<input type="(?:text|date|hidden)"[^>]*?name="([^"]+)" value="([^"]*)"', page
    ):
        fields[name] = value
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page):
        fields[name] = value
    for select in re.finditer(r'<select id="[^"]+" name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', select.group(2))
        fields[select.group(1)] = chosen.group(1) if chosen else ""
    return fields


def test_stale_form_edit_shows_who_changed_the_case(app: FastAPI, client: Client) -> None:
    """Two clinicians open zhang2021 case 4 (operative time 256 min, Table 1) at version 1;
    the second save is refused with the name of the first and the entries kept."""
    add_user(app, "dr.li", Role.clinician)
    context(app).registry.add(identified_case4(), "dr.li")
    client.sign_in("dr.li")
    page = client.get("/cases/zhang2021-case4/edit").text
    form = _form_of(page)
    assert form["operation.operative_time_min"] == "256"
    assert form["identity.name"] == "Testpatient Alpha"
    assert form["version"] == "1"

    first = client.post(
        "/cases/zhang2021-case4/edit",
        data=form | {"operation.operative_time_min": "260"},
        follow_redirects=False,
    )
    assert first.status_code == 303
    second = client.post(
        "/cases/zhang2021-case4/edit", data=form | {"operation.blood_loss_ml": "900"}
    )
    assert second.status_code == 409
    assert "Someone else changed this case" in second.text
    assert "changed by dr.li" in second.text and "now version 2" in second.text
    assert 'value="900"' in second.text
    stored = context(app).registry.get("zhang2021-case4")
    assert stored.version == 2 and stored.case.operation is not None
    assert stored.case.operation.operative_time_min == 260
    assert stored.case.operation.blood_loss_ml == 800

    history = client.get("/cases/zhang2021-case4/history").text
    assert "operation.operative_time_min" in history
    assert "<del>256.0</del>" in history and "<ins>260.0</ins>" in history


def test_yaml_editor_reports_problems_and_saves(app: FastAPI, client: Client) -> None:
    add_user(app, "dr.li", Role.clinician)
    client.sign_in("dr.li")
    token = client.csrf_from("/cases/new/yaml")
    broken = client.post(
        "/cases/new/yaml", data={"yaml": "case_id: [unclosed", "csrf_token": token}
    )
    assert broken.status_code == 422 and "not valid YAML" in broken.text
    invalid = client.post(
        "/cases/new/yaml",
        data={"yaml": "case_id: y-1\nimaging:\n  vessel_of_origin: aorta\n", "csrf_token": token},
    )
    assert invalid.status_code == 422
    assert "imaging.vessel_of_origin" in invalid.text and "renal_vein" in invalid.text
    saved = client.post(
        "/cases/new/yaml",
        data={
            "yaml": "case_id: y-1\nimaging:\n  vessel_of_origin: renal_vein\n",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert saved.headers["location"] == "/cases/y-1/plan?saved=1"
    assert context(app).registry.get("y-1").case.imaging.vessel_of_origin == "renal_vein"


def test_explanation_and_error_pages(app: FastAPI, client: Client) -> None:
    add_user(app, "dr.li", Role.clinician)
    add_user(app, "res.kim", Role.researcher)
    context(app).registry.add(identified_case4(), "dr.li")
    client.sign_in("dr.li")
    plan = client.get("/cases/zhang2021-case4/plan").text
    rule = re.search(r'href="/cases/zhang2021-case4/explain/([^"]+)"', plan)
    assert rule
    explained = client.get(f"/cases/zhang2021-case4/explain/{rule.group(1)}")
    assert explained.status_code == 200 and "fired" in explained.text
    missing = client.get("/cases/no-such-case/plan")
    assert missing.status_code == 404 and "not in the registry" in missing.text
    assert client.get("/cases/zhang2021-case4/explain/no.such.rule").status_code == 404

    client.sign_in("res.kim")
    refused = client.get("/cases/zhang2021-case4/history")
    assert refused.status_code == 403
    assert "researchers see de-identified data only" in refused.text
