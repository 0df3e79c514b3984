"""Cohort dashboard numbers, PDF reports, the follow-up calendar and the demo data."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from fastapi import FastAPI

from rvlms.case import cohort_row
from rvlms.synth import synthesize
from rvlms.web import load_demo
from rvlms.web.demo import synthetic_cases

from .conftest import OPERATION_DATE, Client, case_json, context, identified_case4


def pdf_text(content: bytes, tmp_path: Path) -> str:
    """The text of a PDF (pdftotext from poppler-utils), or '' when poppler is missing."""
    assert content.startswith(b"%PDF-")
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        return ""
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    result = subprocess.run(
        [pdftotext, "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return result.stdout


def test_synthetic_demo_cases_reproduce_the_generated_cohort() -> None:
    """The demo stores ``synthesize(60, seed)`` as case records; the registry's cohort table
    of those records is the generated table again (imaging type, IVC level, survival)."""
    generated = synthesize(60, seed=2025)
    rows = [cohort_row(case) for case in synthetic_cases(60, 2025)]
    for column in ("imaging_type", "ivc_level", "dfs_months", "dfs_event", "os_event", "margin"):
        expected = [None if v != v else v for v in generated[column].tolist()]
        assert [row[column] for row in rows] == expected, column
    assert all(case.synthetic for case in synthetic_cases(5, 1))


def test_cohort_small_cells_suppressed_for_researchers(
    app: FastAPI, client: Client, clinician: dict[str, str], researcher: dict[str, str]
) -> None:
    """The demo cohort (4 zhang2021 patients + 60 synthetic) analysed for both roles:
    clinicians see every count, researchers see counts 1-4 as '<5'."""
    ctx = context(app)
    assert load_demo(ctx.registry, ctx.accounts).cases_added == 64
    login = load_demo(ctx.registry, ctx.accounts)
    assert login.cases_added == 0

    full = client.get("/api/v1/cohort", headers=clinician).json()
    assert full["n"] == 64 and full["min_cell"] is None
    assert full["analysis"]["methods"]["n"] == 64
    assert full["analysis"]["synthetic"] is True
    assert "<5" not in json.dumps(full["analysis"])

    suppressed = client.get("/api/v1/cohort", headers=researcher).json()
    assert suppressed["min_cell"] == 5
    assert "<5" in json.dumps(suppressed["analysis"])
    assert "zhang2021-case" not in json.dumps(suppressed)

    only_real = client.get("/api/v1/cohort?synthetic=exclude", headers=clinician).json()
    assert only_real["n"] == 4

    client.sign_in(login.username, login.password)
    page = client.get("/cohort?synthetic=include")
    assert page.status_code == 200
    assert page.text.count("data:image/svg+xml;base64,") == 2
    assert "Synthetic data are part of this cohort" in page.text

    default = client.get("/cohort")
    assert "4 cases (registry cases only, synthetic cases left out)" in default.text
    assert "Synthetic data are part of this cohort" not in default.text
    text = default.text
    assert text.index("Table 1. Patient characteristics") < text.index("data:image/svg+xml")
    assert text.index("data:image/svg+xml") < text.index("Log-rank across")


def test_plan_and_cohort_pdfs(
    app: FastAPI,
    client: Client,
    clinician: dict[str, str],
    researcher: dict[str, str],
    tmp_path: Path,
) -> None:
    client.post("/api/v1/cases", json=case_json(identified_case4()), headers=clinician)
    plan = client.get("/api/v1/cases/zhang2021-case4/plan.pdf", headers=clinician)
    assert plan.status_code == 200
    assert plan.headers["content-type"] == "application/pdf"
    text = pdf_text(plan.content, tmp_path)
    if text:
        assert "zhang2021-case4" in text
        assert "Testpatient Alpha" not in text

    deidentified = client.get("/api/v1/cases/zhang2021-case4/plan.pdf", headers=researcher)
    text = pdf_text(deidentified.content, tmp_path)
    if text:
        assert "2020-07-10" not in text and "de-identified" in text

    ctx = context(app)
    load_demo(ctx.registry, ctx.accounts, n_synthetic=20)
    cohort = client.get("/api/v1/cohort/report.pdf?synthetic=include", headers=researcher)
    assert cohort.status_code == 200
    text = pdf_text(cohort.content, tmp_path)
    if text:
        assert "Cohort report" in text and "counts below 5 suppressed" in text


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_follow_up_calendar(client: Client, clinician: dict[str, str]) -> None:
    """zhang2021 Methods: a visit one month after surgery, then every three months for two
    years, then every six months; the calendar dates them from the operation (2020-06-10)."""
    from icalendar import Calendar

    client.post("/api/v1/cases", json=case_json(identified_case4()), headers=clinician)
    response = client.get("/api/v1/cases/zhang2021-case4/follow-up.ics", headers=clinician)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    starts = [event.decoded("dtstart") for event in events]
    assert starts[:3] == [dt.date(2020, 7, 10), dt.date(2020, 9, 10), dt.date(2020, 12, 10)]
    assert starts[-1] == dt.date(OPERATION_DATE.year + 5, OPERATION_DATE.month, 10)
    assert all("zhang2021-case4" in str(event["summary"]) for event in events)
    assert not any("Testpatient" in str(event["description"]) for event in events)
