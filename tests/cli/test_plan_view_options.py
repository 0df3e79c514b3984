"""The key decisions as the meeting room reads them in the terminal and in Markdown: the
patient first, every decision with its choice or UNDECIDED and the facts that would decide
it, and under each decision its options with their conditions."""

from __future__ import annotations

import re

from rich.console import Console
from typer.testing import CliRunner

from rvlms.case import load_case
from rvlms.cli.main import app
from rvlms.cli.plan_view import render_plan
from rvlms.examples import zhang2021_paths
from rvlms.pathway import build_plan
from rvlms.pathway.plan import Plan
from rvlms.pathway.render import PatientLine, decision_views, to_markdown

runner = CliRunner()
CASE1, _, _, CASE4 = zhang2021_paths()


def _flat(text: str) -> str:
    """The text without box drawing and with every run of blanks as one space."""
    return re.sub(r"\s+", " ", re.sub(r"[│┃┆┊║╎╏]", " ", text))


def _screen(plan: Plan, patient: PatientLine) -> str:
    console = Console(record=True, width=400, color_system=None)
    render_plan(plan, console, patient)
    return console.export_text()


def _row(screen: str, title: str, next_title: str) -> str:
    start = screen.index(title)
    return _flat(screen[start : screen.index(next_title, start)])


def test_case1_before_surgery_reconstruction_is_undecided_with_its_options() -> None:
    """zhang2021 case 1 before surgery: the imaging did not report IVC patency or the share
    of the circumference involved, so the reconstruction is UNDECIDED; primary repair is
    one of its options, with the condition that would choose it."""
    case = load_case(CASE1)
    plan = build_plan(case, timepoint="preoperative")
    screen = _screen(plan, PatientLine.of(case))
    head = _flat(screen[: screen.index("Key decisions")])
    assert "zhang2021-case1 · 33 years · female · centre zhang2021" in head
    assert "Paraganglioma not excluded" in head

    reconstruction = plan.decisions.reconstruction
    assert reconstruction.undecided
    row = _row(screen, "Reconstruction", "Organ resection")
    assert "UNDECIDED" in row
    assert f"deciding facts: {reconstruction.deciding_facts[0].label}" in row
    repair = next(o for o in reconstruction.options if o.option == "primary_repair")
    assert repair.status == "unknown"
    assert f"? unknown primary repair ({repair.role})" in row
    assert _flat(repair.condition) in row
    assert "open — missing" not in screen


def test_case4_plan_shows_the_open_approach_and_the_operation_of_record() -> None:
    """zhang2021 case 4 (tumour wrapping the right renal artery, thrombus to the
    retrohepatic IVC): before surgery the approach is open; the operated record shows the
    open operation and the right nephrectomy as done at surgery."""
    case = load_case(CASE4)
    before = _screen(build_plan(case, timepoint="preoperative"), PatientLine.of(case))
    approach = _row(before, "Approach", "Vascular control")
    assert approach.split()[:2] == ["Approach", "open"]
    assert "✓ met open (preferred)" in approach
    assert "✗ not met: laparoscopic" in approach

    after = _screen(build_plan(case), PatientLine.of(case))
    assert "open — done at surgery" in _row(after, "Approach", "Vascular control")
    organs = _row(after, "Organ resection", "Adjuvant therapy")
    assert "nephrectomy (right) — done at surgery" in organs


def test_plan_command_names_the_patient_and_lists_every_decision() -> None:
    result = runner.invoke(app, ["plan", str(CASE1), "--as-of", "preoperative"])
    assert result.exit_code == 0, result.output
    text = _flat(result.stdout)
    assert "Patient: zhang2021-case1 · 33 years · female · centre zhang2021" in text
    for title in ("Resectability", "Neoadjuvant therapy", "Approach", "Vascular control"):
        assert title in text
    for title in ("Reconstruction", "Organ resection", "Adjuvant therapy", "Systemic therapy"):
        assert title in text
    assert text.index("Key decisions") < text.index("Rule trace by stage")


def test_markdown_marks_undecided_decisions_and_gives_each_option_its_condition() -> None:
    case = load_case(CASE1)
    plan = build_plan(case, timepoint="preoperative")
    markdown = to_markdown(plan, PatientLine.of(case))
    assert "**Patient:** zhang2021-case1 · 33 years · female · centre zhang2021" in markdown
    assert "| Reconstruction | **UNDECIDED** | deciding facts: " in markdown
    repair = next(o for o in plan.decisions.reconstruction.options if o.option == "primary_repair")
    assert f"- ? unknown — **primary repair** ({repair.role}): {repair.condition}" in markdown
    assert "open — missing" not in markdown
    assert markdown.index("## Key decisions") < markdown.index("## Rule trace by stage")
    citation = next(s.citation for s in plan.sources if s.key == "zhang2021")
    assert markdown.count(citation) == 1


def test_every_decision_has_one_row_in_mdt_order() -> None:
    views = decision_views(build_plan(load_case(CASE4), timepoint="preoperative"))
    assert [v.name for v in views] == [
        "resectability",
        "neoadjuvant",
        "approach",
        "vascular_control",
        "reconstruction",
        "organ_resection",
        "adjuvant",
        "systemic_therapy",
    ]
    organ = next(v for v in views if v.name == "organ_resection")
    assert organ.state == "decided" and organ.choice.startswith("nephrectomy (right)")
