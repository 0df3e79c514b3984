"""Wide CSV, Excel and JSON files of case records, and the cohort-table CSV.

Writers take an iterable of cases and stream; readers return one ``SourceRecord`` per case
with the original row kept for a rejects file, and problems with the file itself (an
unknown or repeated column) separately, because those concern every row.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from rvlms.case import COHORT_COLUMNS, OPTIONAL_COLUMNS, Case, cohort_row
from rvlms.errors import FileUnreadable
from rvlms.interchange.csvsafe import safe_cell, unsafe_cell
from rvlms.interchange.fields import column_for_path
from rvlms.interchange.flat import flatten, unflatten, wide_columns
from rvlms.interchange.problems import ImportProblem, Locator, SourceRecord

__all__ = [
    "CASES_SHEET",
    "COHORT_SHEET",
    "cohort_columns",
    "read_excel",
    "read_json",
    "read_wide_csv",
    "write_cohort_csv",
    "write_excel",
    "write_json",
    "write_wide_csv",
]

CASES_SHEET = "cases"
COHORT_SHEET = "cohort"


def cohort_columns() -> list[str]:
    return [*COHORT_COLUMNS, *OPTIONAL_COLUMNS]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _csv_cell(value: Any) -> str:
    """A cell of a CSV file, neutralised against formulas (``rvlms.interchange.csvsafe``)."""
    return _text(safe_cell(value))


def write_cohort_csv(cases: Iterable[Case], out: TextIO) -> int:
    """The cohort table: one row per patient, columns ``COHORT_COLUMNS + OPTIONAL_COLUMNS``."""
    columns = cohort_columns()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    count = 0
    for case in cases:
        row = cohort_row(case)
        writer.writerow([_csv_cell(row.get(c)) for c in columns])
        count += 1
    return count


def write_wide_csv(cases: Iterable[Case], out: TextIO) -> int:
    """Every field of every case, one row per case (see ``rvlms.interchange.flat``)."""
    columns = wide_columns()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    count = 0
    for case in cases:
        row = flatten(case)
        writer.writerow([_csv_cell(row.get(c)) for c in columns])
        count += 1
    return count


def write_json(cases: Iterable[Case], out: TextIO) -> int:
    """A JSON list of full case documents, one case per line."""
    out.write("[")
    count = 0
    for case in cases:
        out.write(",\n" if count else "\n")
        out.write(json.dumps(case.model_dump(mode="json", exclude_none=True), ensure_ascii=False))
        count += 1
    out.write("\n]\n")
    return count


def _excel_cell(sheet: Any, value: Any) -> Any:
    """A cell; text that starts with '=' is stored as text, never run as a formula."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    return cell


def write_excel(cases: Iterable[Case], path: Path) -> int:
    """An .xlsx workbook: sheet ``cases`` (every field) and sheet ``cohort`` (cohort table)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    wide = workbook.create_sheet(CASES_SHEET)
    cohort = workbook.create_sheet(COHORT_SHEET)
    columns = wide_columns()
    cohort_cols = cohort_columns()
    wide.append(columns)
    cohort.append(cohort_cols)
    count = 0
    for case in cases:
        row = flatten(case)
        wide.append([_excel_cell(wide, row.get(c)) for c in columns])
        derived = cohort_row(case)
        cohort.append([_excel_cell(cohort, derived.get(c)) for c in cohort_cols])
        count += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return count


def _header_problems(header: Sequence[Any]) -> list[ImportProblem]:
    problems: list[ImportProblem] = []
    seen: set[str] = set()
    for column in header:
        name = _text(column).strip()
        if not name:
            problems.append(ImportProblem(1, "", None, "a column has no name in the header"))
        elif name in seen:
            problems.append(ImportProblem(1, name, None, "column appears twice in the header"))
        seen.add(name)
    return problems


def _wide_record(number: int, row: dict[str, Any]) -> SourceRecord:
    data, problems = unflatten(row)
    record = SourceRecord(
        row=number,
        rows=[row],
        data=data,
        locate=lambda path: (number, column_for_path(path)),
    )
    record.add_cell_problems([p for p in problems if not p.reason.startswith("unknown column")])
    return record


def _unknown_columns(header: Sequence[str]) -> list[ImportProblem]:
    _, problems = unflatten(dict.fromkeys(header))
    return [ImportProblem(1, p.column, None, p.reason) for p in problems]


def _records(
    header: list[str], rows: Iterator[tuple[int, list[Any]]]
) -> tuple[list[SourceRecord], list[ImportProblem]]:
    file_problems = _header_problems(header) + _unknown_columns(header)
    records: list[SourceRecord] = []
    for number, cells in rows:
        if all(c is None or _text(c).strip() == "" for c in cells):
            continue
        if len(cells) > len(header) and any(_text(c).strip() for c in cells[len(header) :]):
            file_problems.append(
                ImportProblem(number, "", None, "the row has more cells than the header")
            )
        records.append(_wide_record(number, dict(zip(header, cells, strict=False))))
    return records, file_problems


def read_wide_csv(text: str) -> tuple[list[SourceRecord], list[ImportProblem]]:
    """Records of a wide CSV (the ``wide-csv`` export); the header is row 1."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return [], [ImportProblem(1, "", None, "the file is empty")]
    rows = ((n, [unsafe_cell(c) for c in r]) for n, r in enumerate(reader, start=2))
    return _records(header, rows)


def read_excel(path: Path) -> tuple[list[SourceRecord], list[ImportProblem]]:
    """Records of the ``cases`` sheet (else the first sheet) of an .xlsx workbook."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (OSError, ValueError, KeyError) as exc:
        raise FileUnreadable(f"{path}: not a readable .xlsx workbook ({exc})") from None
    try:
        sheet = (
            workbook[CASES_SHEET] if CASES_SHEET in workbook.sheetnames else workbook.worksheets[0]
        )
        rows = sheet.iter_rows(values_only=True)
        first = next(rows, None)
        if first is None:
            return [], [ImportProblem(1, "", None, "the sheet is empty")]
        header = [_text(h).strip() for h in first]
        while header and not header[-1]:
            header.pop()
        return _records(header, ((n, list(r)) for n, r in enumerate(rows, start=2)))
    finally:
        workbook.close()


def _json_locator(number: int) -> Locator:
    def locate(path: str) -> tuple[int, str]:
        return number, path

    return locate


def read_json(text: str) -> tuple[list[SourceRecord], list[ImportProblem]]:
    """Records of a JSON file: a list of case documents, ``{"cases": [...]}`` or one case.

    The "row" of a case is its position in the list, from 1; columns are field paths.
    """
    try:
        loaded = json.loads(text)
    except json.JSONDecodeError as exc:
        return [], [ImportProblem(exc.lineno, "", None, f"not valid JSON: {exc.msg}")]
    if isinstance(loaded, dict) and isinstance(loaded.get("cases"), list):
        items = loaded["cases"]
    elif isinstance(loaded, dict):
        items = [loaded]
    elif isinstance(loaded, list):
        items = loaded
    else:
        return [], [ImportProblem(1, "", None, "expected a list of case documents")]
    records: list[SourceRecord] = []
    for number, item in enumerate(items, start=1):
        record = SourceRecord(
            row=number,
            rows=[item] if isinstance(item, dict) else [{"value": item}],
            data=item if isinstance(item, dict) else None,
            locate=_json_locator(number),
        )
        if not isinstance(item, dict):
            record.problems.append(ImportProblem(number, "", None, "not a case document {...}"))
        records.append(record)
    return records, []
