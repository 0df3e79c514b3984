"""Importing case files into the registry: everything or nothing, unless told otherwise.

All rows are read and validated before anything is written. By default one bad value
refuses the whole file and every problem is reported (row, column, value, reason). With
``skip_invalid`` the valid cases are imported and the others are written to a rejects
file: the original rows plus ``_row`` and ``_problems`` columns; once corrected, the
rejects file can be imported as it is, since columns starting with ``_`` are ignored.
Only new cases are imported: a case_id already in the registry is a problem of its row.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rvlms.case import COHORT_COLUMNS, Case
from rvlms.errors import FileUnreadable, InputError
from rvlms.interchange.csvsafe import safe_cell
from rvlms.interchange.problems import (
    ImportProblem,
    ImportRejected,
    SourceRecord,
    validate_record,
)
from rvlms.interchange.redcap import RECORD_ID, read_redcap_csv
from rvlms.interchange.tabular import read_excel, read_json, read_wide_csv

if TYPE_CHECKING:
    from rvlms.registry import Registry

__all__ = [
    "ImportFormat",
    "ImportProgress",
    "ImportReport",
    "detect_format",
    "import_file",
    "read_cases",
]

ImportProgress = Callable[[str, int, int], None]
"""Called with (stage, done, total); stages are "validating" and "writing"."""

ROW_COLUMN = "_row"
PROBLEMS_COLUMN = "_problems"


class ImportFormat(StrEnum):
    csv = "csv"
    excel = "excel"
    json = "json"
    redcap = "redcap"


@dataclass(frozen=True)
class ImportReport:
    source: str
    total: int
    imported: int
    rejected: int
    rejects_path: Path | None = None
    problems: list[ImportProblem] = field(default_factory=list)
    case_ids: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """About the file as a whole, e.g. that it uses an older REDCap naming scheme."""


@dataclass
class CheckedFile:
    """A file read and validated, nothing written yet."""

    source: str
    fmt: ImportFormat
    records: list[SourceRecord]
    cases: list[tuple[SourceRecord, Case]]
    file_problems: list[ImportProblem]
    notes: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> list[SourceRecord]:
        return [r for r in self.records if r.problems]

    @property
    def problems(self) -> list[ImportProblem]:
        return self.file_problems + [p for r in self.records for p in r.problems]


def _read_text(path: Path) -> str:
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            return stream.read()
    except OSError as exc:
        raise FileUnreadable(f"{path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise FileUnreadable(f"{path}: not UTF-8 text; save the file as UTF-8 CSV") from None


def _first_line_cells(text: str) -> list[str]:
    first = next(csv.reader([text.split("\n", 1)[0]]), [])
    return [cell.strip() for cell in first]


def detect_format(path: Path, text: str | None = None) -> ImportFormat:
    """The format of a file from its suffix; a CSV whose first column is ``record_id`` is a
    REDCap export."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return ImportFormat.excel
    if suffix == ".json":
        return ImportFormat.json
    if suffix in (".csv", ".txt", ".tsv", ""):
        header = _first_line_cells(text if text is not None else _read_text(path))
        return ImportFormat.redcap if header[:1] == [RECORD_ID] else ImportFormat.csv
    raise InputError(
        f"{path}: cannot tell the format from the suffix {suffix!r}; "
        "give --format csv, excel, json or redcap"
    )


def _refuse_cohort_table(path: Path, text: str) -> None:
    header = _first_line_cells(text)
    if header[: len(COHORT_COLUMNS)] == list(COHORT_COLUMNS):
        raise InputError(
            f"{path}: this is a cohort table (derived analysis columns), which cannot be "
            "turned back into case records; import a wide-csv, excel, json or redcap export"
        )


def read_cases(
    path: Path | str,
    fmt: ImportFormat | str | None = None,
    *,
    progress: ImportProgress | None = None,
) -> CheckedFile:
    """Read and validate every case of a file; nothing is written."""
    path = Path(path)
    if not path.exists():
        raise FileUnreadable(f"{path}: no such file")
    given = ImportFormat(fmt) if fmt is not None else None
    excel = given is ImportFormat.excel or (
        given is None and path.suffix.lower() in (".xlsx", ".xlsm")
    )
    text = None if excel else _read_text(path)
    chosen = given or detect_format(path, text)
    notes: list[str] = []
    if chosen is ImportFormat.excel:
        records, file_problems = read_excel(path)
    else:
        assert text is not None
        if chosen is ImportFormat.csv:
            _refuse_cohort_table(path, text)
            records, file_problems = read_wide_csv(text)
        elif chosen is ImportFormat.json:
            records, file_problems = read_json(text)
        else:
            records, file_problems = read_redcap_csv(text, notes)
    cases: list[tuple[SourceRecord, Case]] = []
    first_row: dict[str, int] = {}
    total = len(records)
    for done, record in enumerate(records, start=1):
        case = validate_record(record)
        if case is not None:
            earlier = first_row.setdefault(case.case_id, record.row)
            if earlier != record.row:
                record.problems.append(
                    ImportProblem(
                        record.row,
                        _id_column(chosen),
                        case.case_id,
                        f"case_id appears again (first in row {earlier})",
                        case.case_id,
                    )
                )
            else:
                cases.append((record, case))
        if progress and (done % 500 == 0 or done == total):
            progress("validating", done, total)
    return CheckedFile(str(path), chosen, records, cases, file_problems, notes)


def _id_column(fmt: ImportFormat) -> str:
    return RECORD_ID if fmt is ImportFormat.redcap else "case_id"


def _mark_existing(checked: CheckedFile, registry: Registry) -> None:
    taken = registry.existing(case.case_id for _, case in checked.cases)
    if not taken:
        return
    kept: list[tuple[SourceRecord, Case]] = []
    for record, case in checked.cases:
        current = taken.get(case.case_id)
        if current is None:
            kept.append((record, case))
            continue
        reason = (
            "case_id is already in the registry; change it with rvlms registry edit"
            if current
            else "case_id belonged to a case that was deleted; case ids are not reused"
        )
        record.problems.append(
            ImportProblem(record.row, _id_column(checked.fmt), case.case_id, reason, case.case_id)
        )
    checked.cases = kept


def import_file(
    registry: Registry,
    path: Path | str,
    *,
    user: str,
    fmt: ImportFormat | str | None = None,
    skip_invalid: bool = False,
    rejects: Path | str | None = None,
    progress: ImportProgress | None = None,
) -> ImportReport:
    """Import the cases of a file as new cases (see the module docstring)."""
    checked = read_cases(path, fmt, progress=progress)
    total = len(checked.records)
    if checked.file_problems:
        raise ImportRejected(checked.file_problems, total, total, checked.source, whole_file=True)
    _mark_existing(checked, registry)
    rejected = checked.rejected
    if rejected and not skip_invalid:
        raise ImportRejected(checked.problems, len(rejected), total, checked.source)

    def writing(done: int, count: int) -> None:
        if progress:
            progress("writing", done, count)

    cases = [case for _, case in checked.cases]
    if cases:
        registry.add_many(cases, user, progress=writing)
    rejects_path: Path | None = None
    if rejected:
        rejects_path = Path(rejects) if rejects else default_rejects_path(Path(path), checked.fmt)
        write_rejects(rejected, checked.fmt, rejects_path)
    return ImportReport(
        source=checked.source,
        total=total,
        imported=len(cases),
        rejected=len(rejected),
        rejects_path=rejects_path,
        problems=checked.problems,
        case_ids=[c.case_id for c in cases],
        notes=checked.notes,
    )


def default_rejects_path(source: Path, fmt: ImportFormat) -> Path:
    suffix = ".json" if fmt is ImportFormat.json else ".csv"
    return source.with_name(f"{source.stem}.rejects{suffix}")


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    return value


def write_rejects(records: list[SourceRecord], fmt: ImportFormat, path: Path) -> None:
    """The rejected records as they were read, each row with its problems."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt is ImportFormat.json:
        payload = [
            {
                "row": r.row,
                "problems": [p.as_dict() for p in r.problems],
                "case": r.rows[0] if r.rows else None,
            }
            for r in records
        ]
        path.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n")
        return
    columns: list[str] = []
    for record in records:
        for row in record.rows:
            columns.extend(str(c) for c in row if str(c) not in columns)
    columns = [c for c in columns if c not in (ROW_COLUMN, PROBLEMS_COLUMN)]
    table: list[list[Any]] = []
    for record in records:
        numbers = _row_numbers(record)
        for index, row in enumerate(record.rows):
            number = numbers[index]
            mine = [p for p in record.problems if p.row == number]
            if index == 0:
                mine += [p for p in record.problems if p.row not in numbers]
            cells = [_cell(row.get(c)) for c in columns]
            table.append([number, "; ".join(_problem_text(p) for p in mine), *cells])
    header = [ROW_COLUMN, PROBLEMS_COLUMN, *columns]
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("rejects")
        sheet.append(header)
        for line in table:
            sheet.append(line)
        workbook.save(path)
        return
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([safe_cell(cell) for cell in line] for line in table)


def _row_numbers(record: SourceRecord) -> list[int]:
    """The file row of each of the record's rows (consecutive unless the format says)."""
    if len(record.row_numbers) == len(record.rows):
        return record.row_numbers
    return [record.row + i for i in range(len(record.rows))]


def _problem_text(problem: ImportProblem) -> str:
    text = f"{problem.column or '(row)'}: {problem.reason}"
    if problem.value is not None and not isinstance(problem.value, dict | list):
        text += f" (given: {problem.value!r})"
    return text
