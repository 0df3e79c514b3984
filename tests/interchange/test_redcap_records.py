"""REDCap flat record files: round trip, repeating instruments, old exports.

Clinical oracle: zhang2021 Table 1 (case 1: one Clavien-Dindo II complication,
retroperitoneal bleeding; palpitation among the presenting complaints).
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from rvlms.case import Case
from rvlms.interchange import ImportRejected, export_cases, import_file, read_cases
from rvlms.interchange.redcap import name_map
from rvlms.registry import Registry

OLD_EXPORT = Path(__file__).parent / "fixtures" / "redcap-records-before-name-map.csv"


def _export(registry: Registry) -> str:
    out = io.StringIO()
    export_cases(registry.cases(), "redcap", out)
    return out.getvalue()


def _write(path: Path, rows: list[dict[str, str]], header: list[str] | None = None) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header or list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def test_redcap_round_trip_is_identical(filled: Registry, tmp_path: Path) -> None:
    """Export → import into an empty registry → export gives the same file."""
    first = _export(filled)
    path = tmp_path / "records.csv"
    path.write_text(first, encoding="utf-8")
    with Registry(f"sqlite:///{tmp_path / 'copy.sqlite3'}") as copy:
        report = import_file(copy, path, user="bob")
        assert report.imported == 4
        assert report.notes == []
        assert _export(copy) == first
        for original in filled.cases():
            assert copy.get(original.case_id).case.model_dump() == original.model_dump()


def test_lists_become_repeating_instrument_rows(filled: Registry) -> None:
    """zhang2021 Table 1, case 1: one complication, Clavien-Dindo grade II (code 2)."""
    rows = list(csv.DictReader(io.StringIO(_export(filled))))
    case1 = [r for r in rows if r["record_id"] == "zhang2021-case1"]
    main = [r for r in case1 if not r["redcap_repeat_instrument"]]
    assert len(main) == 1
    palpitation = name_map().fields["presentation.symptoms"] + "___6"
    assert main[0][palpitation] == "1"
    assert main[0]["pres_symptoms___16"] == "0"
    complications = [r for r in case1 if r["redcap_repeat_instrument"] == "complications"]
    graded = [(r["redcap_repeat_instance"], r["comp_clavien_dindo"]) for r in complications]
    assert graded == [("1", "2")]
    assert complications[0]["op_time"] == ""
    assert main[0]["dem_sex"] in ("1", "2")


def _with_columns(text: str, extra: dict[str, str]) -> str:
    rows = list(csv.DictReader(io.StringIO(text)))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*rows[0], *extra])
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, **extra})
    return out.getvalue()


def test_redcap_status_columns_are_tolerated(
    zhang_cases: list[Case], registry: Registry, tmp_path: Path
) -> None:
    out = io.StringIO()
    export_cases(zhang_cases, "redcap", out)
    extra = {"case_complete": "2", "imaging_complete": "1", "redcap_event_name": "event_1_arm_1"}
    path = tmp_path / "records.csv"
    path.write_text("\ufeff" + _with_columns(out.getvalue(), extra), encoding="utf-8")
    assert import_file(registry, path, user="bob").imported == 4


def test_bad_value_in_a_repeat_row_is_located(
    zhang_cases: list[Case], registry: Registry, tmp_path: Path
) -> None:
    out = io.StringIO()
    export_cases(zhang_cases[:1], "redcap", out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    number = next(
        i for i, r in enumerate(rows, start=2) if r["redcap_repeat_instrument"] == "complications"
    )
    rows[number - 2]["comp_clavien_dindo"] = "9"
    path = _write(tmp_path / "records.csv", rows)
    with pytest.raises(ImportRejected) as refused:
        import_file(registry, path, user="bob")
    (problem,) = refused.value.problems
    assert (problem.row, problem.column, problem.value) == (number, "comp_clavien_dindo", "9")
    assert "3, Grade IIIa" in problem.reason
    assert registry.count() == 0


def test_invalid_value_is_named_by_its_redcap_field(
    zhang_cases: list[Case], registry: Registry, tmp_path: Path
) -> None:
    """An implausible tumour size (85 cm: millimetres typed into a centimetre field)."""
    out = io.StringIO()
    export_cases(zhang_cases[:1], "redcap", out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    rows[0]["img_max_diam_cm"] = "85"
    path = _write(tmp_path / "records.csv", rows)
    with pytest.raises(ImportRejected) as refused:
        import_file(registry, path, user="bob")
    (problem,) = refused.value.problems
    assert (problem.row, problem.column) == (2, "img_max_diam_cm")
    assert "8.5 cm" in problem.reason


def test_old_exports_still_import_with_a_note(
    zhang_cases: list[Case], registry: Registry, tmp_path: Path
) -> None:
    """A file with the names and text codes used before the name map (version 1)."""
    header = OLD_EXPORT.read_text(encoding="utf-8").split("\n", 1)[0].split(",")
    assert "demographics__age_years" in header
    assert "presentation__symptoms___palpitation" in header
    rows = list(csv.DictReader(io.StringIO(OLD_EXPORT.read_text(encoding="utf-8"))))
    graded = [r["complications__clavien_dindo"] for r in rows if r["complications__clavien_dindo"]]
    assert graded[0] == "II"
    path = tmp_path / "old.csv"
    shutil.copy(OLD_EXPORT, path)
    report = import_file(registry, path, user="bob")
    assert report.imported == 2
    (note,) = report.notes
    assert "before the REDCap name map (version 1)" in note
    for case in zhang_cases[:2]:
        assert registry.get(case.case_id).case.model_dump() == case.model_dump()
    checked = read_cases(path)
    assert checked.notes == report.notes


def test_unknown_columns_are_refused(zhang_cases: list[Case], tmp_path: Path) -> None:
    out = io.StringIO()
    export_cases(zhang_cases[:1], "redcap", out)
    path = tmp_path / "records.csv"
    path.write_text(_with_columns(out.getvalue(), {"dem_agee": "1"}), encoding="utf-8")
    checked = read_cases(path)
    assert [(p.column, p.reason) for p in checked.file_problems] == [
        ("dem_agee", "unknown column: not a field of the case record")
    ]


def test_every_published_case_round_trips(tmp_path: Path) -> None:
    """The 62 published cases of the library: export → read back gives the same records
    (coded lists in vocabulary order), with no problem on any row."""
    from rvlms.interchange.redcap.sync import canonical
    from rvlms.literature.library import published_cases

    cases = [entry.case for entry in published_cases()]
    assert len(cases) == 62
    path = tmp_path / "library.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        export_cases(cases, "redcap", out)
    checked = read_cases(path)
    assert checked.problems == []
    back = {case.case_id: case for _, case in checked.cases}
    for case in cases:
        assert canonical(back[case.case_id]) == canonical(case), case.case_id
