"""Wide CSV, Excel, JSON and cohort-table files, and all-or-nothing imports.

Clinical oracle: zhang2021 Table 1 (case 1 presented with abdominal pain, palpitation and
headache; operative times 467, 224, 373, 256 min, median 314.5 min).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import statistics
from pathlib import Path

import pytest

from rvlms.case import COHORT_COLUMNS, Case, cohort_row, parse_case
from rvlms.errors import InputError
from rvlms.interchange import (
    ExportFormat,
    ImportRejected,
    deidentify,
    export_cases,
    flatten,
    import_file,
    unflatten,
    wide_columns,
)
from rvlms.registry import Registry


def _write_wide(cases: list[Case], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as stream:
        export_cases(cases, ExportFormat.wide_csv, stream)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def _save_rows(rows: list[dict[str, str]], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_columns_are_generated_from_the_model() -> None:
    columns = wide_columns()
    assert columns[0] == "case_id"
    assert len(columns) == len(set(columns))
    assert "imaging__max_diameter_cm" in columns
    assert "labs__hormones__acth__result" in columns
    assert "presentation__symptoms___palpitation" in columns
    assert "imaging__ivc_segments___ii" in columns
    for records in ("imaging__organs", "complications", "follow_up__events", "neoadjuvant"):
        assert records in columns


def test_flatten_ticks_one_column_per_symptom(zhang_cases: list[Case]) -> None:
    """zhang2021 Table 1, case 1: abdominal pain, palpitation and headache."""
    row = flatten(zhang_cases[0])
    ticked = {c.rsplit("___", 1)[1] for c, v in row.items() if "symptoms___" in c and v == 1}
    assert ticked == {"abdominal_pain", "palpitation", "headache"}
    assert row["operation__operative_time_min"] == 467
    assert json.loads(row["complications"])[0]["clavien_dindo"] == "II"


def test_case_row_case_round_trip_is_lossless(zhang_cases: list[Case]) -> None:
    """The four zhang2021 cases survive flattening to text cells and back."""
    for case in zhang_cases:
        cells = {k: "" if v is None else str(v) for k, v in flatten(case).items()}
        data, problems = unflatten(cells)
        assert problems == []
        assert parse_case(data).model_dump() == case.model_dump()


@pytest.mark.parametrize("fmt", [ExportFormat.wide_csv, ExportFormat.excel, ExportFormat.json])
def test_file_round_trip_through_the_registry(
    fmt: ExportFormat, filled: Registry, tmp_path: Path
) -> None:
    """Export the zhang2021 cases, import them into an empty registry: nothing changes."""
    path = tmp_path / f"cases{fmt.suffix}"
    if fmt.binary:
        export_cases(filled.cases(), fmt, path)
    else:
        with path.open("w", encoding="utf-8", newline="") as stream:
            export_cases(filled.cases(), fmt, stream)
    with Registry(f"sqlite:///{tmp_path / 'copy.sqlite3'}") as copy:
        report = import_file(copy, path, user="bob")
        assert (report.imported, report.rejected) == (4, 0)
        for original in filled.cases():
            assert copy.get(original.case_id).case.model_dump() == original.model_dump()


def test_excel_has_a_cohort_sheet(filled: Registry, tmp_path: Path) -> None:
    """zhang2021 Table 1: median operative time 314.5 min, read from the cohort sheet."""
    from openpyxl import load_workbook

    path = tmp_path / "cases.xlsx"
    export_cases(filled.cases(), "excel", path)
    workbook = load_workbook(path, read_only=True)
    rows = list(workbook["cohort"].iter_rows(values_only=True))
    workbook.close()
    header = list(rows[0])
    times = [row[header.index("operative_time_min")] for row in rows[1:]]
    assert statistics.median(times) == pytest.approx(314.5)


def test_excel_never_stores_formulas(zhang_cases: list[Case], tmp_path: Path) -> None:
    """Free text starting with '=' stays text in the workbook and comes back unchanged."""
    tricky = zhang_cases[0].model_copy(update={"notes": '=HYPERLINK("x")'})
    path = tmp_path / "tricky.xlsx"
    export_cases([tricky], "excel", path)
    with Registry(f"sqlite:///{tmp_path / 'r.sqlite3'}") as registry:
        import_file(registry, path, user="bob")
        assert registry.get(tricky.case_id).case.notes == tricky.notes


def test_cohort_csv_contract_and_median_operative_time(filled: Registry) -> None:
    """``csv`` is the cohort table; zhang2021 Table 1: median operative time 314.5 min."""
    for fmt in ("csv", "cohort-csv"):
        out = io.StringIO()
        assert export_cases(filled.cases(), fmt, out) == 4
        rows = list(csv.DictReader(io.StringIO(out.getvalue())))
        assert list(rows[0])[: len(COHORT_COLUMNS)] == list(COHORT_COLUMNS)
        times = [float(r["operative_time_min"]) for r in rows]
        assert statistics.median(times) == pytest.approx(314.5)
        assert [r["margin"] for r in rows] == ["R0"] * 4


def _invalid_file(zhang_cases: list[Case], tmp_path: Path) -> Path:
    path = tmp_path / "cases.csv"
    _write_wide(zhang_cases, path)
    rows = _rows(path)
    rows[1]["imaging__max_diameter_cm"] = "-3"
    rows[3]["demographics__sex"] = "unknown"
    _save_rows(rows, path)
    return path


def test_invalid_import_writes_nothing_and_names_every_value(
    registry: Registry, zhang_cases: list[Case], tmp_path: Path
) -> None:
    path = _invalid_file(zhang_cases, tmp_path)
    with pytest.raises(ImportRejected) as refused:
        import_file(registry, path, user="bob")
    problems = {(p.row, p.column, p.value): p.reason for p in refused.value.problems}
    assert set(problems) == {
        (3, "imaging__max_diameter_cm", "-3"),
        (5, "demographics__sex", "unknown"),
    }
    assert "greater than 0 cm" in problems[(3, "imaging__max_diameter_cm", "-3")]
    assert "'female' or 'male'" in problems[(5, "demographics__sex", "unknown")]
    assert "2 of 4 case(s) are invalid; nothing was imported" in str(refused.value)
    assert registry.count() == 0


def test_skip_invalid_imports_good_rows_and_writes_rejects(
    registry: Registry, zhang_cases: list[Case], tmp_path: Path
) -> None:
    path = _invalid_file(zhang_cases, tmp_path)
    rejects = tmp_path / "rejects.csv"
    stages: set[str] = set()
    report = import_file(
        registry,
        path,
        user="bob",
        skip_invalid=True,
        rejects=rejects,
        progress=lambda stage, done, total: stages.add(stage),
    )
    assert (report.imported, report.rejected, report.total) == (2, 2, 4)
    assert stages == {"validating", "writing"}
    assert [s.case_id for s in registry.list()] == ["zhang2021-case1", "zhang2021-case3"]

    rejected = _rows(rejects)
    assert [(r["_row"], r["case_id"]) for r in rejected] == [
        ("3", "zhang2021-case2"),
        ("5", "zhang2021-case4"),
    ]
    assert "imaging__max_diameter_cm" in rejected[0]["_problems"]
    assert rejected[0]["imaging__max_diameter_cm"] == "-3"

    rejected[0]["imaging__max_diameter_cm"] = "4.2"
    rejected[1]["demographics__sex"] = "male"
    _save_rows(rejected, rejects)
    assert import_file(registry, rejects, user="bob").imported == 2
    assert registry.count() == 4


def test_unknown_column_refuses_the_file(
    registry: Registry, zhang_cases: list[Case], tmp_path: Path
) -> None:
    path = tmp_path / "cases.csv"
    _write_wide(zhang_cases[:1], path)
    rows = _rows(path)
    rows[0]["tumour_size"] = "7"
    _save_rows(rows, path)
    with pytest.raises(ImportRejected, match="column tumour_size: unknown column"):
        import_file(registry, path, user="bob", skip_invalid=True)
    assert registry.count() == 0


def test_existing_and_repeated_case_ids_are_rejected(
    registry: Registry, zhang_cases: list[Case], tmp_path: Path
) -> None:
    registry.add(zhang_cases[0], "alice")
    path = tmp_path / "cases.csv"
    _write_wide([zhang_cases[0], zhang_cases[1], zhang_cases[1]], path)
    with pytest.raises(ImportRejected) as refused:
        import_file(registry, path, user="bob")
    reasons = {p.row: p.reason for p in refused.value.problems}
    assert "already in the registry" in reasons[2]
    assert "appears again (first in row 3)" in reasons[4]


def test_json_import_reports_item_and_field_path(
    registry: Registry, zhang_cases: list[Case], tmp_path: Path
) -> None:
    documents = [c.model_dump(mode="json", exclude_none=True) for c in zhang_cases]
    documents[2]["operation"]["operative_time_min"] = 0
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(documents), encoding="utf-8")
    with pytest.raises(ImportRejected) as refused:
        import_file(registry, path, user="bob")
    (problem,) = refused.value.problems
    assert (problem.row, problem.column, problem.value) == (3, "operation.operative_time_min", 0)
    assert registry.count() == 0


def test_cohort_table_cannot_be_imported(filled: Registry, tmp_path: Path) -> None:
    path = tmp_path / "cohort.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        export_cases(filled.cases(), "csv", stream)
    with pytest.raises(InputError, match="cohort table"):
        import_file(filled, path, user="bob")


def _dated_case(case: Case) -> Case:
    data = case.model_dump(mode="json", exclude_none=True)
    data["identity"] = {
        "name": "Test Patient",
        "medical_record_number": "MRN-1",
        "birth_date": "1965-03-02",
    }
    data["demographics"].pop("age_years", None)
    data["presentation"]["diagnosis_date"] = "2020-01-10"
    data["operation"]["date"] = "2020-02-01"
    data["follow_up"] = {
        "last_contact_date": "2021-11-01",
        "status": "alive_with_disease",
        "events": [{"kind": "local_recurrence", "date": "2021-05-01"}],
    }
    data["notes"] = "seen by Dr Example"
    return parse_case(data)


def test_deidentified_copy_keeps_intervals(zhang_cases: list[Case]) -> None:
    """Identity, exact dates and notes go; age, follow-up and event months stay, so the
    cohort row (DFS, OS) is the same."""
    dated = _dated_case(zhang_cases[3])
    plain = deidentify(dated)
    dumped = json.dumps(plain.model_dump(mode="json"))
    dates = ("1965-03-02", "2020-01-10", "2020-02-01", "2021-11-01", "2021-05-01")
    for secret in ("Test Patient", "MRN-1", "Dr Example", *dates):
        assert secret not in dumped
    assert plain.demographics.age_years == 54
    assert plain.follow_up.months_after_surgery == pytest.approx(21.0, abs=0.05)
    before, after = cohort_row(dated), cohort_row(plain)
    assert after["age"] == 54
    for column in ("dfs_months", "dfs_event", "os_months", "os_event", "local_recurrence"):
        assert after[column] == pytest.approx(before[column]), column


def test_deidentified_ages_above_89_are_reported_as_90(zhang_cases: list[Case]) -> None:
    """HIPAA Safe Harbor, 45 CFR 164.514(b)(2)(i)(C): ages over 89 are aggregated."""
    data = zhang_cases[1].model_dump(mode="json", exclude_none=True)
    data["demographics"]["age_years"] = 93
    old = parse_case(data)
    assert deidentify(old).demographics.age_years == 90
    assert deidentify(zhang_cases[1]).demographics.age_years == 61


def test_deidentified_export_has_no_identity(zhang_cases: list[Case]) -> None:
    out = io.StringIO()
    export_cases([_dated_case(zhang_cases[0])], "json", out, deidentified=True)
    (document,) = json.loads(out.getvalue())
    assert not document.get("identity")
    # dates are shifted per patient (docs/deidentification.md), never exported as entered
    assert document["operation"]["date"] != "2020-02-01"
    shifted = dt.date.fromisoformat(document["operation"]["date"])
    event = dt.date.fromisoformat(document["follow_up"]["events"][0]["date"])
    assert (event - shifted).days == (dt.date(2021, 5, 1) - dt.date(2020, 2, 1)).days
    assert document["follow_up"]["events"][0]["months_after_surgery"] > 0


def test_excel_needs_a_file(zhang_cases: list[Case]) -> None:
    with pytest.raises(InputError, match="--out"):
        export_cases(zhang_cases, "excel", io.StringIO())


def test_excel_dates_typed_by_hand_are_read(zhang_cases: list[Case], tmp_path: Path) -> None:
    """A date cell typed in Excel arrives as a datetime and is accepted as a date."""
    from openpyxl import Workbook

    row = flatten(zhang_cases[0])
    row["operation__date"] = dt.datetime(2019, 4, 2)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    columns = wide_columns()
    sheet.append(columns)
    sheet.append([row.get(c) for c in columns])
    path = tmp_path / "typed.xlsx"
    workbook.save(path)
    with Registry(f"sqlite:///{tmp_path / 'r.sqlite3'}") as registry:
        import_file(registry, path, user="bob")
        stored = registry.get("zhang2021-case1").case
        assert stored.operation is not None
        assert stored.operation.date == dt.date(2019, 4, 2)
