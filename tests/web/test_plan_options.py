"""The plan page and the plan PDF as the MDT reads them: the patient, the warnings and the
key decisions first, UNDECIDED decisions with the facts that would decide them, each
decision's options with their conditions, rule cards collapsed by stage, each source cited
once, and a printed decision map at the type size of the text."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from fastapi import FastAPI
from markupsafe import escape
from playwright.sync_api import Page, expect

from rvlms.case import Case
from rvlms.examples import load_zhang2021
from rvlms.pathway import build_plan
from rvlms.pathway.engine import preoperative_view
from rvlms.web import Role
from rvlms.web.plans import print_map
from rvlms.web.server import background_server

from .conftest import PASSWORD, Client, add_user, context, settings_for

on_sqlite = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)

A4_CONTENT_WIDTH_PT = (210 - 24) / 25.4 * 72
"""The printed plan's text width: A4 less 12 mm margins on either side."""


def _case1_before_surgery() -> Case:
    return preoperative_view(load_zhang2021()[0])


def _row(page: str, name: str) -> str:
    match = re.search(rf'<tr class="decision[^"]*" id="decision-{name}">(.*?)</tr>', page, re.S)
    assert match, f"no row for the {name} decision"
    return match.group(1)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _plan_page(app: FastAPI, client: Client, case: Case) -> str:
    add_user(app, "dr.li", Role.clinician)
    context(app).registry.add(case, "dr.li")
    client.sign_in("dr.li")
    response = client.get(f"/cases/{case.case_id}/plan")
    assert response.status_code == 200
    return response.text


@on_sqlite
def test_case1_before_surgery_reconstruction_is_undecided_with_primary_repair(
    app: FastAPI, client: Client
) -> None:
    """zhang2021 case 1 as the MDT saw it before surgery: the reconstruction is UNDECIDED
    until IVC patency and the share of the circumference are known; primary repair is
    listed with the condition that would choose it."""
    case = _case1_before_surgery()
    page = _plan_page(app, client, case)
    plan = build_plan(case)

    assert "zhang2021-case1</strong> · 33 years · female · centre zhang2021" in page
    row = _row(page, "reconstruction")
    assert 'class="verdict undecided">UNDECIDED<' in row
    deciding = plan.decisions.reconstruction.deciding_facts
    assert f"Deciding facts:</strong> {escape(deciding[0].label)}" in row
    repair = next(o for o in plan.decisions.reconstruction.options if o.option == "primary_repair")
    assert repair.status == "unknown"
    item = re.search(r'<li class="option unknown">(?:(?!</li>).)*primary repair.*?</li>', row, re.S)
    assert item, "primary repair is not listed as an unknown option"
    assert "? unknown" in item.group(0) and str(escape(repair.condition)) in item.group(0)
    assert "open — missing" not in page

    assert 'class="verdict undecided">UNDECIDED</strong> Reconstruction' in page
    order = [page.index(marker) for marker in ("warnings-title", "decisions-title", "stages-title")]
    assert order == sorted(order)


@on_sqlite
def test_case4_plan_shows_the_open_approach_done_at_surgery(app: FastAPI, client: Client) -> None:
    """zhang2021 case 4 was operated open with a right nephrectomy; the plan of the record
    shows both as done at surgery, and nothing as undecided among the surgical choices."""
    page = _plan_page(app, client, load_zhang2021()[3])
    approach = _text(_row(page, "approach"))
    assert "open ✓ done at surgery" in approach
    organs = _text(_row(page, "organ_resection"))
    assert "nephrectomy (right)" in organs and "done at surgery" in organs
    for name in ("approach", "vascular_control", "reconstruction"):
        assert "UNDECIDED" not in _row(page, name)


@on_sqlite
def test_rule_cards_collapse_by_stage_and_cite_each_source_once(
    app: FastAPI, client: Client
) -> None:
    case = _case1_before_surgery()
    page = _plan_page(app, client, case)
    plan = build_plan(case)
    stages = [s for s in plan.stages if s.recommendations]
    assert page.count('<details class="stage"') == len(stages)
    for source in plan.sources:
        assert page.count(str(escape(source.citation))) == 1, source.key
        assert f'id="src-{source.key}"' in page


def test_printed_map_is_drawn_at_the_size_of_the_text() -> None:
    """The screen map is thousands of points wide; on paper each stage is its own figure,
    no wider than the text, so its 9 pt type prints at 8 pt or more."""
    if shutil.which("dot") is None:
        pytest.skip("Graphviz 'dot' is not installed")
    figures = print_map(load_zhang2021()[3])
    assert len(figures) >= 5
    for figure in figures:
        size = re.search(r'<svg width="([\d.]+)pt"', figure.svg)
        assert size, figure.title
        assert 9 * min(1.0, A4_CONTENT_WIDTH_PT / float(size.group(1))) >= 8, figure.title


def _pdf_pages(content: bytes, tmp_path: Path) -> list[str]:
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "plan.pdf"
    path.write_bytes(content)
    text = subprocess.run(
        [pdftotext, "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")


@on_sqlite
def test_plan_pdf_puts_the_decisions_first_and_the_rule_trace_in_an_appendix(
    app: FastAPI, client: Client, clinician: dict[str, str], tmp_path: Path
) -> None:
    case = _case1_before_surgery()
    context(app).registry.add(case, "dr.li")
    response = client.get(f"/api/v1/cases/{case.case_id}/plan.pdf", headers=clinician)
    assert response.status_code == 200
    pages = _pdf_pages(response.content, tmp_path)
    appendix = next(i for i, page in enumerate(pages) if "Appendix A" in page)
    summary = " ".join(" ".join(pages[:appendix]).split())
    assert appendix <= 3, "patient, warnings, decisions, missing facts and follow-up"
    assert "zhang2021-case1 · 33 years · female · centre zhang2021" in summary
    assert "UNDECIDED" in summary and "primary repair" in summary
    assert "Paraganglioma not excluded" in summary
    assert summary.index("Key decisions") < summary.index("Missing facts")
    assert "Follow-up" in summary
    assert any("Appendix C" in page and "Decision map" in page for page in pages[appendix:])


@on_sqlite
@pytest.mark.browser
def test_the_projector_view_of_an_undecided_plan(
    page: Page, db_url: str, tmp_path: Path, artifacts_dir: Path
) -> None:
    from rvlms.web import create_app

    app = create_app(settings_for(db_url, tmp_path))
    add_user(app, "dr.li", Role.clinician)
    context(app).registry.add(_case1_before_surgery(), "dr.li")
    try:
        with background_server(app) as base_url:
            page.set_viewport_size({"width": 1366, "height": 768})
            page.goto(base_url + "/cases/zhang2021-case1/plan")
            page.get_by_label("User name").fill("dr.li")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_text("33 years · female · centre zhang2021")).to_be_visible()
            row = page.locator("#decision-reconstruction")
            expect(row.locator(".verdict.undecided")).to_have_text("UNDECIDED")
            expect(row.locator("li.option.unknown", has_text="primary repair")).to_be_visible()
            unmet = row.locator("details.unmet li.option").first
            expect(unmet).to_be_hidden()
            row.locator("details.unmet summary").click()
            expect(unmet).to_be_visible()
            stage = page.locator("details.stage").first
            expect(stage.locator("article").first).to_be_hidden()
            stage.locator("summary").click()
            expect(stage.locator("article").first).to_be_visible()
            page.screenshot(path=str(artifacts_dir / "web-plan-options.png"), full_page=False)
    finally:
        context(app).close()
