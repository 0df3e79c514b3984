"""The planted corpus through every research export format and the cohort table."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from rvlms.case import cohort_row
from rvlms.cli.main import app as cli
from rvlms.deid import DatePolicy, DeidPolicy, PseudonymKey, deidentify_frame, deidentify_record
from rvlms.interchange import export_cases
from rvlms.registry import Registry

from .conftest import DEID_KEY
from .corpus import EXACT_DATES, leaks, planted_cases

POLICY = DeidPolicy(PseudonymKey(DEID_KEY.encode()))


def test_record_keeps_intervals_and_loses_identifiers() -> None:
    """Age at diagnosis (zhang2021 case 4: 55), DFS and OS are those of the identified
    record; the case id is the keyed pseudonym; the 93-year-old is reported as 90."""
    cases = planted_cases()
    for case in cases:
        plain = deidentify_record(case, POLICY)
        text = plain.model_dump_json()
        assert leaks(text) == [], case.case_id
        assert not any(d in text for d in EXACT_DATES)
        assert plain.case_id == POLICY.case_pseudonym(case.case_id) != case.case_id
        before, after = cohort_row(case), cohort_row(plain)
        for column in ("dfs_months", "dfs_event", "os_months", "os_event", "follow_up_months"):
            assert after[column] == pytest.approx(before[column]), column
        assert plain.operation is not None and case.operation is not None
        assert plain.operation.date != case.operation.date
        assert plain.mdt is not None and plain.mdt.notes is None
        assert plain.complications[0].description == "[removed]"
    assert deidentify_record(cases[3], POLICY).demographics.age_years == 55
    assert deidentify_record(cases[4], POLICY).demographics.age_years == 90


def test_same_patient_same_pseudonym_and_shift_across_exports() -> None:
    case = planted_cases()[0]
    first, second = deidentify_record(case, POLICY), deidentify_record(case, POLICY)
    assert first == second
    month = deidentify_record(case, DeidPolicy(POLICY.key, DatePolicy.year_month))
    assert month.operation is not None and month.operation.date == dt.date(2020, 6, 1)
    assert month.case_id == first.case_id


@pytest.mark.parametrize("fmt", ["csv", "wide-csv", "json", "redcap"])
def test_text_exports(fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RVLMS_DEID_KEY", DEID_KEY)
    out = io.StringIO()
    assert export_cases(planted_cases(), fmt, out, deidentified=True) == 5
    text = out.getvalue()
    assert leaks(text) == []
    assert "planted-" not in text and POLICY.case_pseudonym("planted-1") in text
    assert not any(d in text for d in EXACT_DATES)
    assert "93" not in text.replace(POLICY.case_pseudonym("planted-5"), "")


def test_excel_export(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RVLMS_DEID_KEY", DEID_KEY)
    target = tmp_path / "research.xlsx"
    export_cases(planted_cases(), "excel", target, deidentified=True)
    book = openpyxl.load_workbook(target, read_only=True)
    cells = [str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row]
    text = " ".join(cells)
    assert leaks(text) == [] and "planted-" not in text
    assert not any(d in text for d in EXACT_DATES)


def test_cli_export_with_a_real_registry(tmp_path: Path) -> None:
    """`rvlms registry export --deidentified` on a real SQLite file."""
    url = f"sqlite:///{tmp_path / 'registry.sqlite3'}"
    with Registry(url) as registry:
        for case in planted_cases():
            registry.add(case, "dr.li")
    result = CliRunner().invoke(
        cli,
        ["registry", "export", "--format", "json", "--deidentified", "--db", url],
        env={"RVLMS_DEID_KEY": DEID_KEY, "RVLMS_USER": "res.kim"},
    )
    assert result.exit_code == 0, result.output
    documents = json.loads(result.stdout)
    assert {d["case_id"] for d in documents} == {
        POLICY.case_pseudonym(f"planted-{i}") for i in range(1, 6)
    }
    assert leaks(result.stdout) == []


def test_cohort_table_for_researchers_tops_ages() -> None:
    frame = pd.DataFrame([cohort_row(c) for c in planted_cases()])
    assert frame["age"].max() == 93
    shown = deidentify_frame(frame, POLICY)
    assert shown["age"].max() == 90
    assert leaks(shown.to_csv()) == []
    assert set(shown["case_id"]) == {POLICY.case_pseudonym(c) for c in frame["case_id"]}
    assert list(deidentify_frame(frame)["case_id"])[:2] == ["row-1", "row-2"]


def test_fhir_ndjson_for_researchers() -> None:
    """The de-identified FHIR bulk export (mCODE resources, one NDJSON file per type)."""
    from rvlms.fhir import cohort_ndjson

    files = cohort_ndjson(planted_cases(), deidentified=True)
    text = "\n".join(line for lines in files.values() for line in lines)
    assert "Patient" in files and leaks(text) == []
    assert not any(d in text for d in EXACT_DATES)
