"""Every CSV the project writes is safe to open in a spreadsheet, and still round-trips.

Oracle: OWASP "CSV Injection" (CWE-1236): a cell starting with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return is run as a formula by Excel, LibreOffice and Google Sheets; the
defence is a leading single quote. ``=HYPERLINK(...)`` is the classic payload.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from rvlms.case import Case
from rvlms.cli.main import app
from rvlms.interchange import (
    ImportRejected,
    export_cases,
    import_file,
    redcap_dictionary,
    safe_cell,
    unsafe_cell,
)
from rvlms.interchange.csvsafe import FORMULA_STARTS
from rvlms.registry import Registry

PAYLOADS = [
    '=HYPERLINK("http://example.org/x","click")',
    "+1-555-0100",
    "-2 kg in a month",
    "@SUM(A1:A9)",
    "\tindented",
    "\rcarriage",
    "'=already quoted",
]


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _dangerous(text: str) -> list[str]:
    return [c for c in _cells(text) if c.startswith(FORMULA_STARTS)]


def _tainted(case: Case) -> Case:
    return case.model_copy(
        update={"centre": PAYLOADS[0], "notes": "\n".join(PAYLOADS[1:]), "source": PAYLOADS[3]}
    )


@settings(derandomize=True, max_examples=300, database=None)
@given(st.text())
@example("=1+1")
@example("''=x")
@example("'")
@example("-1.5")
@example("'-3")
@example("''-3")
def test_quoting_round_trips(text: str) -> None:
    quoted = safe_cell(text)
    number = re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", text)
    assert number or not str(quoted).startswith(FORMULA_STARTS)
    assert unsafe_cell(quoted) == text
    assert unsafe_cell(text) == text or text.startswith("'")


def test_numbers_are_left_alone() -> None:
    assert safe_cell(-1.5) == -1.5
    assert safe_cell(None) is None
    assert safe_cell("12") == "12"
    assert safe_cell("-3") == "-3"
    assert safe_cell("-3+4") == "'-3+4"


@pytest.mark.parametrize("fmt", ["wide-csv", "redcap", "csv"])
def test_exports_have_no_formula_cells(zhang_cases: list[Case], fmt: str) -> None:
    out = io.StringIO()
    export_cases([_tainted(c) for c in zhang_cases], fmt, out)
    assert _dangerous(out.getvalue()) == []
    assert f"'{PAYLOADS[0]}" in _cells(out.getvalue())


@pytest.mark.parametrize("fmt", ["wide-csv", "redcap"])
def test_quoted_cells_import_back_unchanged(
    zhang_cases: list[Case], fmt: str, tmp_path: Path
) -> None:
    tainted = [_tainted(c) for c in zhang_cases]
    path = tmp_path / "cases.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        export_cases(tainted, fmt, out)
    with Registry(f"sqlite:///{tmp_path / 'copy.sqlite3'}") as copy:
        assert import_file(copy, path, user="bob").imported == 4
        for case in tainted:
            assert copy.get(case.case_id).case.model_dump() == case.model_dump()


def test_the_dictionary_has_no_formula_cells() -> None:
    assert _dangerous(redcap_dictionary()) == []


def test_the_rejects_file_has_no_formula_cells(zhang_cases: list[Case], tmp_path: Path) -> None:
    out = io.StringIO()
    export_cases([_tainted(c) for c in zhang_cases[:2]], "wide-csv", out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    rows[1]["demographics__age_years"] = "=1+1"
    path = tmp_path / "cases.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    with Registry(f"sqlite:///{tmp_path / 'r.sqlite3'}") as registry:
        with pytest.raises(ImportRejected):
            import_file(registry, path, user="bob")
        report = import_file(registry, path, user="bob", skip_invalid=True)
    assert report.rejects_path is not None
    rejects = report.rejects_path.read_text(encoding="utf-8")
    assert _dangerous(rejects) == []
    assert "'=1+1" in _cells(rejects)


def test_registry_export_on_the_command_line(zhang_cases: list[Case], tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cases.sqlite3'}"
    with Registry(url) as registry:
        registry.add_many([_tainted(c) for c in zhang_cases], "alice")
    for fmt in ("csv", "wide-csv", "redcap"):
        result = CliRunner().invoke(app, ["registry", "export", "--format", fmt, "--db", url])
        assert result.exit_code == 0, result.output
        assert _dangerous(result.stdout) == [], fmt
        assert f"'{PAYLOADS[0]}" in _cells(result.stdout)
