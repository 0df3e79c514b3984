"""The MDT web app in Debian's chromium, against a real uvicorn server on 127.0.0.1.

A clinician signs in, enters zhang2021 Table 1 case 4's tumour (10.7 cm, IVC origin,
intraluminal and extraluminal components) with one invalid field, sees the message next
to that field, corrects it, reads the plan and downloads it as PDF. A researcher then
finds no name on the same case. Screenshots are kept in artifacts/.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from playwright.sync_api import Page, expect

from rvlms.web import Role, create_app
from rvlms.web.server import background_server

from .conftest import (
    PASSWORD,
    PATIENT_MRN,
    PATIENT_NAME,
    add_user,
    context,
    identified_case4,
    settings_for,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[str, FastAPI]]:
    app = create_app(settings_for(f"sqlite:///{tmp_path / 'live.sqlite3'}", tmp_path))
    add_user(app, "dr.li", Role.clinician)
    add_user(app, "res.kim", Role.researcher)
    try:
        with background_server(app) as base_url:
            yield base_url, app
    finally:
        context(app).close()


def sign_in(page: Page, base_url: str, username: str, target: str) -> None:
    page.goto(base_url + target)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_clinician_enters_a_case_fixes_an_error_and_downloads_the_plan(
    page: Page, live: tuple[str, FastAPI], artifacts_dir: Path, tmp_path: Path
) -> None:
    base_url, _ = live
    sign_in(page, base_url, "dr.li", "/cases/new")
    expect(page.get_by_role("heading", name="New case")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Case id")).to_be_focused()
    page.get_by_label("Case id").fill("MDT-2026-014")
    page.get_by_label("Sex").select_option("male")
    page.get_by_label("Age at diagnosis (years)").fill("55")
    page.get_by_label("Vessel of origin").select_option("ivc")
    page.get_by_label("Maximum diameter (cm)").fill("0")
    page.get_by_label("IVC involved").select_option("true")
    page.get_by_label("Intraluminal component").select_option("true")
    page.get_by_label("Extraluminal component").select_option("true")
    page.get_by_label("Organ (row 1)").select_option("kidney")
    page.get_by_label("Side (row 1)").select_option("right")
    page.get_by_label("Extent (row 1)").select_option("adhesion")
    page.get_by_role("button", name="Save and show the plan").click()

    expect(page.get_by_role("heading", name="1 problem to correct")).to_be_visible()
    diameter = page.locator(".field.invalid", has=page.get_by_label("Maximum diameter (cm)"))
    expect(diameter).to_contain_text("Input should be greater than 0 cm")
    expect(page.get_by_label("Maximum diameter (cm)")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Organ (row 1)")).to_have_value("kidney")
    page.screenshot(path=str(artifacts_dir / "web-case-form-inline-error.png"), full_page=True)

    page.get_by_label("Maximum diameter (cm)").fill("10.7")
    page.get_by_role("button", name="Save and show the plan").click()
    expect(page.get_by_role("heading", name="MDT plan — MDT-2026-014")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Saved as version 1")
    expect(page.get_by_role("heading", name="Classification")).to_be_visible()
    expect(page.get_by_role("heading", name="Key decisions")).to_be_visible()
    expect(page.get_by_role("heading", name="Missing facts")).to_be_visible()
    expect(page.locator("figure.map svg, pre.mermaid").first).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "web-plan.png"), full_page=False)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    pdf = Path(download_info.value.path())
    content = pdf.read_bytes()
    assert content.startswith(b"%PDF-") and len(content) > 10_000
    shutil.copy(pdf, artifacts_dir / "web-plan-MDT-2026-014.pdf")
    pdftotext = shutil.which("pdftotext")
    if pdftotext:
        text = subprocess.run(
            [pdftotext, str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "MDT-2026-014" in text


def test_researcher_cannot_see_a_name(
    page: Page, live: tuple[str, FastAPI], artifacts_dir: Path
) -> None:
    base_url, app = live
    context(app).registry.add(identified_case4(), "dr.li")
    sign_in(page, base_url, "res.kim", "/cases")
    expect(page.get_by_text("De-identified view")).to_be_visible()
    page.get_by_role("link", name="zhang2021-case4", exact=True).click()
    expect(page.get_by_role("heading", name="Case zhang2021-case4")).to_be_visible()
    for shown in (page.content(),):
        assert PATIENT_NAME not in shown and PATIENT_MRN not in shown
        assert "1965-03-14" not in shown and "2020-06-10" not in shown
    page.screenshot(path=str(artifacts_dir / "web-researcher-case.png"), full_page=True)
    page.get_by_role("link", name="MDT plan").click()
    expect(page.get_by_role("heading", name="MDT plan — zhang2021-case4")).to_be_visible()
    assert PATIENT_NAME not in page.content()
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)
