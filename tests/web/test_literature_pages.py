"""The published-case library on the web and in the API, and similar cases of a registry case."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from fastapi import FastAPI

from rvlms.literature import published_cases, similar_cases
from rvlms.web import Role

from .conftest import Client, add_user, context, identified_case4


def test_library_pages_link_every_case_to_its_source(app: FastAPI, client: Client) -> None:
    add_user(app, "dr.li", Role.clinician)
    client.sign_in("dr.li")
    page = client.get("/literature")
    assert page.status_code == 200
    assert "selection-biased" in page.text
    entry = next(e for e in published_cases() if e.citation.doi)
    assert f'href="/literature/{entry.id}"' in page.text
    one = client.get(f"/literature/{entry.id}")
    assert one.status_code == 200
    assert f"https://doi.org/{entry.citation.doi}" in one.text
    assert entry.quote[:40] in one.text.replace("&#39;", "'").replace("&quot;", '"')
    assert client.get("/literature/no-such-case").status_code == 404


def test_api_lists_the_library_and_the_cases_like_a_registry_case(
    app: FastAPI, client: Client
) -> None:
    """Zhang 2021 case 4 (IVC level II, 10.7 cm): its published neighbours are level II IVC
    tumours, each with the features that matched."""
    headers = add_user(app, "dr.li", Role.clinician)
    context(app).registry.add(identified_case4(), "dr.li")
    listed = client.get("/api/v1/literature", headers=headers).json()
    assert len(listed) == len(published_cases())
    ivc = client.get("/api/v1/literature?vessel_of_origin=ivc", headers=headers).json()
    assert ivc and len(ivc) < len(listed)
    similar = client.get("/api/v1/cases/zhang2021-case4/similar?k=3", headers=headers).json()
    assert len(similar) == 3
    assert all("IVC level: II" in s["matched"] for s in similar)
    plan = client.get("/api/v1/cases/zhang2021-case4/plan", headers=headers).json()
    assert [s["id"] for s in plan["similar_cases"]][:3] == [s["id"] for s in similar]


def test_our_cases_like_this_one_stay_within_the_centre(app: FastAPI, client: Client) -> None:
    """Zhang 2021 cases 1 and 3 are both level II IVC tumours of the same centre: each is the
    other's nearest registry case; a case of another centre is never listed."""
    from rvlms.examples import load_zhang2021

    headers = add_user(app, "dr.li", Role.clinician)
    registry = context(app).registry
    cases = load_zhang2021()
    for case in cases:
        registry.add(case, "dr.li")
    elsewhere = cases[2].model_copy(update={"case_id": "other-centre", "centre": "elsewhere"})
    registry.add(elsewhere, "dr.li")
    found = client.get("/api/v1/cases/zhang2021-case1/similar/registry", headers=headers).json()
    ids = [f["case_id"] for f in found]
    assert ids[0] == "zhang2021-case3"
    assert "other-centre" not in ids and "zhang2021-case1" not in ids
    assert "IVC level: II" in found[0]["matched"]


def test_plan_page_and_pdf_list_the_published_cases_like_this_one(
    app: FastAPI, client: Client, tmp_path: Path
) -> None:
    """Zhang 2021 case 4: the plan page and the plan PDF name its nearest published
    neighbours (level II IVC tumours) and what their teams did."""
    headers = add_user(app, "dr.li", Role.clinician)
    context(app).registry.add(identified_case4(), "dr.li")
    nearest = similar_cases(identified_case4(), published_cases(), 5)
    client.sign_in("dr.li")
    page = client.get("/cases/zhang2021-case4/plan").text
    assert "Published cases like this one" in page
    assert f'href="/literature/{nearest[0].id}"' in page
    pdf = client.get("/api/v1/cases/zhang2021-case4/plan.pdf", headers=headers)
    path = tmp_path / "plan.pdf"
    path.write_bytes(pdf.content)
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run(
        [pdftotext, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Published cases like this one" in text
    assert nearest[0].id in text


def test_plan_page_lists_our_cases_like_this_one(app: FastAPI, client: Client) -> None:
    """The plan page of Zhang 2021 case 1 names case 3 (same centre, IVC level II) among our
    cases like this one, and never the case itself."""
    from rvlms.examples import load_zhang2021

    add_user(app, "dr.li", Role.clinician)
    for case in load_zhang2021():
        context(app).registry.add(case, "dr.li")
    client.sign_in("dr.li")
    page = client.get("/cases/zhang2021-case1/plan").text
    ours = page[page.index("Our cases like this one") :]
    assert 'href="/cases/zhang2021-case3/plan"' in ours
    assert 'href="/cases/zhang2021-case1/plan"' not in ours
