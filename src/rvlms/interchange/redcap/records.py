"""REDCap flat record files (raw values): one row per case plus one per repeat instance.

Rows of repeating instruments are keyed by ``redcap_repeat_instrument`` and
``redcap_repeat_instance``. Coded fields hold the numeric codes of the name map, yes/no
fields 1/0, checkbox options one ``field___code`` column each with 0/1, dates
``YYYY-MM-DD``. On import, ``{form}_complete``, ``{form}_timestamp``, ``redcap_event_name``,
``redcap_data_access_group`` and ``redcap_survey_identifier`` columns are accepted and
ignored. A file written before the name map (long names such as ``demographics__age_years``
and text codes) is recognised by its header and read with those names, with a note.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from functools import cache
from typing import Any, TextIO

from rvlms.case import Case
from rvlms.interchange.csvsafe import safe_cell, unsafe_cell
from rvlms.interchange.fields import Leaf, LeafKind, column_for_path
from rvlms.interchange.flat import CellProblem, cell_value, get_path, set_path, unflatten
from rvlms.interchange.problems import ImportProblem, SourceRecord
from rvlms.interchange.redcap.dictionary import RedcapForm, redcap_forms
from rvlms.interchange.redcap.names import (
    LEGACY_SCHEME,
    RECORD_ID,
    Scheme,
    current_scheme,
    name_map,
)

__all__ = [
    "REPEAT_INSTANCE",
    "REPEAT_INSTRUMENT",
    "legacy_note",
    "read_redcap_csv",
    "record_columns",
    "redcap_columns",
    "write_redcap_csv",
]

REPEAT_INSTRUMENT = "redcap_repeat_instrument"
REPEAT_INSTANCE = "redcap_repeat_instance"
_IGNORED_COLUMNS = {"redcap_event_name", "redcap_data_access_group", "redcap_survey_identifier"}


def record_columns(scheme: Scheme) -> tuple[str, ...]:
    """The header of a flat record file in ``scheme``."""
    columns = [RECORD_ID, REPEAT_INSTRUMENT, REPEAT_INSTANCE]
    for form in redcap_forms():
        for leaf in form.leaves:
            if leaf.path != ("case_id",):
                columns.extend(scheme.columns(leaf))
    return tuple(columns)


@cache
def redcap_columns() -> tuple[str, ...]:
    """Header of a flat record export: id, repeat keys, then every field's columns."""
    return record_columns(current_scheme())


def legacy_note() -> str:
    return (
        "this file uses the field names and text codes of rvlms exports made before the "
        f"REDCap name map (version {name_map().version}); it was read with those names. "
        "Export again to get the current names (see docs/redcap.md#names)"
    )


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(safe_cell(cell_value(value)))


def _cells(scheme: Scheme, leaves: Iterable[Leaf], data: Any, prefix: int) -> dict[str, str]:
    cells: dict[str, str] = {}
    for leaf in leaves:
        if leaf.path == ("case_id",):
            continue
        value = get_path(data, leaf.path[prefix:])
        if leaf.kind is LeafKind.choices:
            ticked = {str(v) for v in value or ()}
            for code in leaf.codes:
                cells[scheme.option_column(leaf, code)] = "1" if code in ticked else "0"
        elif leaf.kind is LeafKind.texts:
            cells[scheme.name(leaf)] = str(safe_cell("\n".join(value or ())))
        elif leaf.enum is not None:
            cells[scheme.name(leaf)] = scheme.encode(leaf, value)
        else:
            cells[scheme.name(leaf)] = _text(value)
    return cells


def _record_rows(scheme: Scheme, case: Case) -> list[dict[str, str]]:
    data = case.model_dump(mode="json", exclude_none=True)
    main = {RECORD_ID: case.case_id, REPEAT_INSTRUMENT: "", REPEAT_INSTANCE: ""}
    rows = [main]
    for form in redcap_forms():
        if form.records is None:
            main.update(_cells(scheme, form.leaves, data, 0))
            continue
        for instance, item in enumerate(get_path(data, form.records.path) or (), start=1):
            row = {RECORD_ID: case.case_id, REPEAT_INSTRUMENT: form.name}
            row[REPEAT_INSTANCE] = str(instance)
            row.update(_cells(scheme, form.leaves, item, len(form.records.path)))
            rows.append(row)
    return rows


def write_redcap_csv(cases: Iterable[Case], out: TextIO, *, scheme: Scheme | None = None) -> int:
    """Write cases as a REDCap flat record file (raw values); returns the case count.

    ``scheme`` defaults to the current name map; ``LEGACY_SCHEME`` writes the names and text
    codes of exports made before it.
    """
    scheme = scheme or current_scheme()
    writer = csv.DictWriter(out, fieldnames=record_columns(scheme), restval="", lineterminator="\n")
    writer.writeheader()
    count = 0
    for case in cases:
        writer.writerows(_record_rows(scheme, case))
        count += 1
    return count


def _tolerated(column: str, form_names: set[str]) -> bool:
    if column in _IGNORED_COLUMNS or column.startswith("_"):
        return True
    for suffix in ("_complete", "_timestamp"):
        if column.endswith(suffix) and column.removesuffix(suffix) in form_names:
            return True
    return False


def _scheme_of(header: list[str]) -> Scheme:
    current = current_scheme()
    known = set(redcap_columns())
    legacy = set(record_columns(LEGACY_SCHEME)) - known
    return LEGACY_SCHEME if any(column in legacy for column in header) else current


def read_redcap_csv(
    text: str, notes: list[str] | None = None
) -> tuple[list[SourceRecord], list[ImportProblem]]:
    """Records of a REDCap flat CSV export (raw values) and problems with the file itself.

    Row numbers count the header as row 1, as a spreadsheet shows them. A note about the
    file (an old naming scheme) is appended to ``notes``.
    """
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    header = list(reader.fieldnames or [])
    file_problems: list[ImportProblem] = []
    if RECORD_ID not in header:
        file_problems.append(
            ImportProblem(1, RECORD_ID, None, "a REDCap record file needs a record_id column")
        )
        return [], file_problems
    scheme = _scheme_of(header)
    if scheme.legacy and notes is not None:
        notes.append(legacy_note())
    forms = {form.name: form for form in redcap_forms()}
    known = set(record_columns(scheme))
    for column in header:
        if column not in known and not _tolerated(column, set(forms)):
            file_problems.append(
                ImportProblem(1, column, None, "unknown column: not a field of the case record")
            )

    grouped: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for number, row in enumerate(reader, start=2):
        cells = {k: unsafe_cell(v) for k, v in row.items() if k is not None}
        record_id = (cells.get(RECORD_ID) or "").strip()
        if not record_id:
            file_problems.append(ImportProblem(number, RECORD_ID, None, "record_id is empty"))
            continue
        grouped.setdefault(record_id, []).append((number, cells))
    records = [_record(scheme, rid, rows, forms) for rid, rows in grouped.items()]
    return records, file_problems


def _stored_row(
    scheme: Scheme, leaves: Iterable[Leaf], row: dict[str, Any]
) -> tuple[dict[str, Any], list[CellProblem]]:
    """A row in ``scheme`` as the case-record columns and stored codes ``unflatten`` reads."""
    stored: dict[str, Any] = {}
    problems: list[CellProblem] = []
    for leaf in leaves:
        if leaf.kind is LeafKind.choices:
            for code in leaf.codes:
                column = scheme.option_column(leaf, code)
                if column in row:
                    stored[leaf.option_column(code)] = row[column]
            continue
        column = scheme.name(leaf)
        if column not in row:
            continue
        value = row[column]
        if leaf.enum is not None and isinstance(value, str) and value.strip():
            decoded = scheme.decode(leaf, value)
            if decoded is None:
                allowed = " | ".join(
                    f"{c.code}, {c.label}" for c in name_map().choices_of(leaf.enum)
                )
                problems.append(CellProblem(column, value, f"not one of the codes {allowed}"))
                continue
            value = decoded
        stored[leaf.name] = value
    return stored, problems


def _record(
    scheme: Scheme,
    record_id: str,
    rows: list[tuple[int, dict[str, Any]]],
    forms: dict[str, RedcapForm],
) -> SourceRecord:
    main_rows = [(n, r) for n, r in rows if not (r.get(REPEAT_INSTRUMENT) or "").strip()]
    first = main_rows[0][0] if main_rows else rows[0][0]
    instances: dict[str, dict[int, int]] = {}
    record = SourceRecord(
        row=first,
        rows=[r for _, r in rows],
        data=None,
        locate=lambda path: _locate(scheme, path, first, instances),
        row_numbers=[n for n, _ in rows],
    )
    data: dict[str, Any] = {"case_id": record_id}
    main_leaves = tuple(
        leaf for form in forms.values() if not form.repeating for leaf in form.leaves
    )
    if len(main_rows) > 1:
        record.problems.append(
            ImportProblem(
                main_rows[1][0],
                REPEAT_INSTRUMENT,
                None,
                f"record {record_id} has more than one row without a repeat instrument",
                record_id,
            )
        )
    for number, row in main_rows[:1]:
        stored, problems = _stored_row(scheme, main_leaves, row)
        values, more = unflatten(stored, leaves=main_leaves, strict_columns=False, text_lines=True)
        record.add_cell_problems([*problems, *_renamed(scheme, more, main_leaves)], number)
        data.update({k: v for k, v in values.items() if k != "case_id"})

    repeated: dict[str, list[tuple[int, int, dict[str, Any]]]] = {}
    for number, row in rows:
        name = (row.get(REPEAT_INSTRUMENT) or "").strip()
        if not name:
            continue
        form = forms.get(name)
        if form is None or form.records is None:
            allowed = ", ".join(f.name for f in forms.values() if f.repeating)
            record.problems.append(
                ImportProblem(
                    number,
                    REPEAT_INSTRUMENT,
                    name,
                    f"not a repeating instrument; allowed: {allowed}",
                    record_id,
                )
            )
            continue
        raw_instance = (row.get(REPEAT_INSTANCE) or "").strip()
        if not raw_instance.isdigit() or int(raw_instance) < 1:
            record.problems.append(
                ImportProblem(
                    number,
                    REPEAT_INSTANCE,
                    raw_instance,
                    "expected a whole number from 1",
                    record_id,
                )
            )
            continue
        stored, problems = _stored_row(scheme, form.leaves, row)
        values, more = unflatten(stored, leaves=form.leaves, strict_columns=False, text_lines=True)
        record.add_cell_problems([*problems, *_renamed(scheme, more, form.leaves)], number)
        item = get_path(values, form.records.path) or {}
        repeated.setdefault(name, []).append((int(raw_instance), number, item))

    for name, entries in repeated.items():
        form = forms[name]
        assert form.records is not None
        entries.sort(key=lambda entry: entry[:2])
        numbers = [instance for instance, _, _ in entries]
        if len(set(numbers)) != len(numbers):
            record.problems.append(
                ImportProblem(
                    entries[0][1],
                    REPEAT_INSTANCE,
                    None,
                    f"{name}: a repeat instance number is used twice",
                    record_id,
                )
            )
        instances[name] = {index: number for index, (_, number, _) in enumerate(entries)}
        set_path(data, form.records.path, [item for _, _, item in entries])
    record.data = data
    return record


def _renamed(
    scheme: Scheme, problems: list[CellProblem], leaves: Iterable[Leaf]
) -> list[CellProblem]:
    """Cell problems named by the file's own columns."""
    columns: dict[str, str] = {}
    for leaf in leaves:
        columns[leaf.name] = scheme.name(leaf)
        if leaf.kind is LeafKind.choices:
            for code in leaf.codes:
                columns[leaf.option_column(code)] = scheme.option_column(leaf, code)
    return [CellProblem(columns.get(p.column, p.column), p.value, p.reason) for p in problems]


def _locate(
    scheme: Scheme, path: str, main_row: int, instances: dict[str, dict[int, int]]
) -> tuple[int, str]:
    """Row and REDCap field of a dotted case path (``complications.1.clavien_dindo``)."""
    parts = path.split(".")
    for form in redcap_forms():
        records = form.records
        if records is None:
            continue
        size = len(records.path)
        if tuple(parts[:size]) == records.path and len(parts) > size and parts[size].isdigit():
            row = instances.get(form.name, {}).get(int(parts[size]), main_row)
            names = {leaf.name: leaf for leaf in form.leaves}
            inner = ".".join(p for i, p in enumerate(parts) if i != size)
            column = column_for_path(inner, names)
            return row, scheme.name(names[column]) if column else form.name
    column = column_for_path(path)
    if column == "case_id" or not column:
        return main_row, RECORD_ID if column == "case_id" else column
    from rvlms.interchange.fields import leaf_by_name

    return main_row, scheme.name(leaf_by_name()[column])
