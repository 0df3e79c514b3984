"""Import in update mode, the basis of a periodic REDCap → rvlms sync.

Clinical oracle: zhang2021 Table 1 (operative time of case 1: 467 min, the longest of the
four; case 4: 256 min).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from rvlms.case import Case
from rvlms.interchange import ImportRejected, Outcome, export_cases, sync_file
from rvlms.interchange.redcap.sync import RecordSync
from rvlms.registry import Registry


def _exported(registry: Registry, path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        export_cases(registry.cases(), "redcap", out)
    return path


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def _save(path: Path, rows: list[dict[str, str]]) -> Path:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _main_row(rows: list[dict[str, str]], case_id: str) -> dict[str, str]:
    return next(r for r in rows if r["record_id"] == case_id and not r["redcap_repeat_instrument"])


def _versions(registry: Registry) -> dict[str, int]:
    return {s.case_id: s.version for s in registry.list()}


def test_reimporting_an_export_changes_nothing(filled: Registry, tmp_path: Path) -> None:
    path = _exported(filled, tmp_path / "records.csv")
    before = _versions(filled)
    for _ in range(2):
        report = sync_file(filled, path, user="bob")
        assert report.written
        assert report.counts == {
            "added": 0,
            "changed": 0,
            "unchanged": 4,
            "conflicted": 0,
            "refused": 0,
        }
        assert report.change_count == 0
        assert _versions(filled) == before
    assert [len(filled.history(c)) for c in before] == [1, 1, 1, 1]


def test_changes_are_applied_with_a_diff(filled: Registry, tmp_path: Path) -> None:
    """Case 1's operative time corrected in REDCap (467 → 470 min), a complication added."""
    path = _exported(filled, tmp_path / "records.csv")
    rows = _rows(path)
    main = _main_row(rows, "zhang2021-case1")
    assert main["op_time"] == "467"
    main["op_time"] = "470"
    extra = {k: "" for k in rows[0]}
    extra.update(
        record_id="zhang2021-case1",
        redcap_repeat_instrument="complications",
        redcap_repeat_instance="2",
        comp_description="wound infection",
        comp_clavien_dindo="1",
    )
    rows.append(extra)
    report = sync_file(filled, _save(path, rows), user="bob")
    (changed,) = report.of(Outcome.changed)
    assert changed.case_id == "zhang2021-case1"
    texts = [c.as_text() for c in changed.changes]
    assert "operation.operative_time_min: 467 → 470" in texts
    assert "complications.1.clavien_dindo: (blank) → 'I'" in texts
    assert (changed.version_before, changed.version_after) == (1, 2)
    stored = filled.get("zhang2021-case1")
    assert stored.version == 2 and stored.updated_by == "bob"
    assert stored.case.operation is not None
    assert stored.case.operation.operative_time_min == 470
    assert len(report.of(Outcome.unchanged)) == 3
    again = sync_file(filled, path, user="bob")
    assert again.change_count == 0 and filled.get("zhang2021-case1").version == 2
    assert "changed: zhang2021-case1" in report.as_text()


def test_new_records_are_added(filled: Registry, zhang_cases: list[Case], tmp_path: Path) -> None:
    path = _exported(filled, tmp_path / "records.csv")
    rows = _rows(path)
    copy = [dict(r, record_id="centre-b-001") for r in rows if r["record_id"] == "zhang2021-case2"]
    report = sync_file(filled, _save(path, rows + copy), user="bob")
    (added,) = report.of(Outcome.added)
    assert (added.case_id, added.version_after) == ("centre-b-001", 1)
    expected = zhang_cases[1].model_dump(mode="json", exclude_none=True)
    expected["case_id"] = "centre-b-001"
    assert filled.get("centre-b-001").case.model_dump(mode="json", exclude_none=True) == expected


def test_a_concurrent_edit_is_a_conflict(filled: Registry, tmp_path: Path) -> None:
    """Someone edits case 4 in rvlms between the comparison and the write: the registry's
    version check refuses the update, the case keeps that edit, the others are written."""
    path = _exported(filled, tmp_path / "records.csv")
    rows = _rows(path)
    _main_row(rows, "zhang2021-case4")["op_time"] = "260"
    _main_row(rows, "zhang2021-case3")["centre"] = "Beijing"
    _save(path, rows)

    def meanwhile(planned: list[RecordSync]) -> None:
        assert {r.case_id for r in planned if r.outcome is Outcome.changed} == {
            "zhang2021-case3",
            "zhang2021-case4",
        }
        stored = filled.get("zhang2021-case4")
        edited = stored.case.model_copy(update={"notes": "checked at the MDT"})
        filled.update("zhang2021-case4", edited, stored.version, "carol")

    report = sync_file(filled, path, user="bob", before_write=meanwhile)
    (conflicted,) = report.of(Outcome.conflicted)
    assert conflicted.case_id == "zhang2021-case4"
    assert "carol" in conflicted.reasons[0]
    assert filled.get("zhang2021-case4").case.notes == "checked at the MDT"
    assert filled.get("zhang2021-case4").version == 2
    assert [r.case_id for r in report.of(Outcome.changed)] == ["zhang2021-case3"]
    assert filled.get("zhang2021-case3").case.centre == "Beijing"


def test_an_invalid_record_means_nothing_is_written(filled: Registry, tmp_path: Path) -> None:
    path = _exported(filled, tmp_path / "records.csv")
    rows = _rows(path)
    _main_row(rows, "zhang2021-case1")["op_time"] = "230"
    _main_row(rows, "zhang2021-case2")["dem_age"] = "250"
    report = sync_file(filled, _save(path, rows), user="bob")
    assert not report.written
    (refused,) = report.of(Outcome.refused)
    assert refused.case_id == "zhang2021-case2"
    assert "dem_age" in refused.reasons[0] and "0–120" in refused.reasons[0]
    assert _versions(filled) == dict.fromkeys(_versions(filled), 1)
    assert "nothing was written" in report.as_text()
    partial = sync_file(filled, path, user="bob", skip_invalid=True)
    assert partial.written and [r.case_id for r in partial.of(Outcome.changed)] == [
        "zhang2021-case1"
    ]
    assert filled.get("zhang2021-case1").version == 2
    assert filled.get("zhang2021-case2").version == 1


def test_a_deleted_case_is_refused(filled: Registry, tmp_path: Path) -> None:
    path = _exported(filled, tmp_path / "records.csv")
    filled.delete("zhang2021-case3", "alice")
    report = sync_file(filled, path, user="bob", skip_invalid=True)
    (refused,) = report.of(Outcome.refused)
    assert refused.case_id == "zhang2021-case3"
    assert "deleted" in refused.reasons[0]
    assert filled.count() == 3


def test_dry_run_writes_nothing(filled: Registry, tmp_path: Path) -> None:
    path = _exported(filled, tmp_path / "records.csv")
    rows = _rows(path)
    _main_row(rows, "zhang2021-case1")["op_time"] = "230"
    report = sync_file(filled, _save(path, rows), user="bob", dry_run=True)
    assert not report.written and len(report.of(Outcome.changed)) == 1
    assert filled.get("zhang2021-case1").version == 1
    data = report.as_dict()
    assert data["counts"]["changed"] == 1
    assert data["records"][0]["changes"] == [
        {"path": "operation.operative_time_min", "old": 467.0, "new": 230.0}
    ]


def test_a_file_problem_refuses_the_whole_file(filled: Registry, tmp_path: Path) -> None:
    path = tmp_path / "records.csv"
    path.write_text("record_id,no_such_field\nzhang2021-case1,1\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as refused:
        sync_file(filled, path, user="bob")
    assert refused.value.problems[0].column == "no_such_field"


@pytest.mark.parametrize("fmt", ["json", "wide-csv"])
def test_update_mode_reads_the_other_formats(filled: Registry, tmp_path: Path, fmt: str) -> None:
    """``rvlms registry import --update`` uses the same function for every format."""
    path = tmp_path / ("cases.json" if fmt == "json" else "cases.csv")
    with path.open("w", encoding="utf-8", newline="") as out:
        export_cases(filled.cases(), fmt, out)
    report = sync_file(filled, path, user="bob", fmt=None)
    assert report.counts["unchanged"] == 4 and report.change_count == 0
