"""Every researcher-facing output of the real app, read with a real HTTP client and a
researcher's login, holds none of the planted identifiers; ages above 89 read 90, in the
cohort statistics too; case-list totals of 1 to 4 read '<5'."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from fastapi import FastAPI

from rvlms.web import Role

from .conftest import Client, headers_for
from .corpus import EXACT_DATES, leaks

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def _pdf_text(content: bytes, tmp_path: Path) -> str:
    assert content.startswith(b"%PDF-")
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "out.pdf"
    path.write_bytes(content)
    return subprocess.run(
        [pdftotext, "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _ages(document: object) -> list[float]:
    """Every number under an 'age' key of the cohort analysis."""
    found: list[float] = []
    if isinstance(document, dict):
        for key, value in document.items():
            if key == "age" and isinstance(value, dict):
                found += [
                    v
                    for stats in value.values()
                    if isinstance(stats, dict)
                    for k, v in stats.items()
                    if k in ("median", "q1", "q3", "min", "max") and isinstance(v, int | float)
                ]
            found += _ages(value)
    elif isinstance(document, list):
        for item in document:
            found += _ages(item)
    return found


def test_researcher_api_has_no_planted_identifier(planted_app: FastAPI, client: Client) -> None:
    researcher = headers_for(planted_app, "res.kim", Role.researcher)
    clinician = headers_for(planted_app, "dr.li", Role.clinician)
    urls = ["/api/v1/cases", "/api/v1/cohort"]
    for index in range(1, 6):
        urls += [f"/api/v1/cases/planted-{index}{tail}" for tail in ("", "/plan", "/fhir")]
    for url in urls:
        response = client.get(url, headers=researcher)
        assert response.status_code == 200, url
        assert leaks(response.text) == [], url
        assert not ISO_DATE.search(response.text), url
    full = client.get("/api/v1/cases/planted-1", headers=clinician).text
    assert "Okonkwo" in full and "Blackwood" in full

    old = client.get("/api/v1/cases/planted-5", headers=researcher).json()["case"]
    assert old["demographics"]["age_years"] == 90
    view = old["pathology"]["histology"]
    assert view.startswith("leiomyosarcoma [NAME] seen by [NAME] on [DATE]")
    assert old["operation"]["year"] == 2020 and "notes" not in old["mdt"]


def test_researcher_cohort_statistics_top_code_ages(planted_app: FastAPI, client: Client) -> None:
    """The clinician's statistics show the 93-year-old; the researcher's show 90 at most."""
    researcher = headers_for(planted_app, "res.kim", Role.researcher)
    clinician = headers_for(planted_app, "dr.li", Role.clinician)
    full = client.get("/api/v1/cohort", headers=clinician).json()
    assert max(_ages(full["analysis"])) == 93
    shown = client.get("/api/v1/cohort", headers=researcher).json()
    ages = _ages(shown["analysis"])
    assert ages and max(ages) == 90
    assert "planted-" not in json.dumps(shown)


def test_case_list_totals_of_one_to_four_are_suppressed(
    planted_app: FastAPI, client: Client
) -> None:
    researcher = headers_for(planted_app, "res.kim", Role.researcher)
    clinician = headers_for(planted_app, "dr.li", Role.clinician)
    exact = client.get("/api/v1/cases?sex=male", headers=clinician).json()["total"]
    assert 1 <= exact <= 4
    listing = client.get("/api/v1/cases?sex=male", headers=researcher).json()
    assert listing["total"] == "<5"
    assert client.get("/api/v1/cases", headers=researcher).json()["total"] == 5
    assert all(item["centre"] != "Zhongshan Hospital" for item in listing["items"])


def test_researcher_pages_and_pdfs_have_no_planted_identifier(
    planted_app: FastAPI, client: Client, tmp_path: Path
) -> None:
    headers_for(planted_app, "res.kim", Role.researcher)
    client.sign_in("res.kim")
    pages = ["/cases", "/cases?sex=male", "/cohort"]
    for index in (1, 5):
        pages += [f"/cases/planted-{index}", f"/cases/planted-{index}/plan"]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert leaks(response.text) == [], page
        assert not any(d in response.text for d in EXACT_DATES), page
    assert "<5 case" in client.get("/cases?sex=male").text.replace("&lt;", "<")
    for pdf in ("/cases/planted-5/plan.pdf", "/cohort/report.pdf"):
        response = client.get(pdf)
        assert response.status_code == 200, pdf
        text = _pdf_text(response.content, tmp_path)
        assert leaks(text) == [], pdf
        assert not any(d in text for d in EXACT_DATES), pdf
    plan = _pdf_text(client.get("/cases/planted-5/plan.pdf").content, tmp_path)
    assert "90 years or older" in plan and not re.search(r"\b93\b", plan)
