"""REDCap: a data dictionary generated from the case record, and flat record CSV files.

The dictionary has REDCap's 18 columns. Each top-level section of the case record is an
instrument (form); the record id ``record_id`` (the case_id) comes first. Lists of records
(imaging studies, involved organs, therapies, resected organs, complications, follow-up
events) are repeating instruments, so a flat export has one row per case plus one row per
repeat instance, keyed by ``redcap_repeat_instrument`` and ``redcap_repeat_instance``.
Values are REDCap's raw codes: coded fields hold the case record's codes, yes/no fields
1/0, checkbox options one ``field___code`` column each with 0/1, dates ``YYYY-MM-DD``.
On import, ``{form}_complete``, ``redcap_event_name`` and ``redcap_data_access_group``
columns are accepted and ignored.

Field names follow REDCap's rules: lower-case letters, digits and underscores, starting
with a letter, at most 100 characters.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any, TextIO

from rvlms.case import Case
from rvlms.interchange.fields import (
    Leaf,
    LeafKind,
    case_leaves,
    column_for_path,
    humanise,
    leaves_of,
    option_label,
)
from rvlms.interchange.flat import cell_value, get_path, set_path, unflatten
from rvlms.interchange.problems import ImportProblem, SourceRecord

__all__ = [
    "DICTIONARY_HEADERS",
    "FIELD_NAME_RULE",
    "RECORD_ID",
    "REPEAT_INSTANCE",
    "REPEAT_INSTRUMENT",
    "RedcapField",
    "RedcapForm",
    "read_redcap_csv",
    "redcap_columns",
    "redcap_dictionary",
    "redcap_fields",
    "redcap_forms",
    "write_redcap_csv",
]

DICTIONARY_HEADERS: tuple[str, ...] = (
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
)
RECORD_ID = "record_id"
REPEAT_INSTRUMENT = "redcap_repeat_instrument"
REPEAT_INSTANCE = "redcap_repeat_instance"
FIELD_NAME_RULE = re.compile(r"^[a-z][a-z0-9_]{0,99}$")
MAIN_FORM = "case"

_IGNORED_COLUMNS = {"redcap_event_name", "redcap_data_access_group", "redcap_survey_identifier"}
_FREE_TEXT = {"notes", "description", "reason", "management", "conversion_reason", "complication"}
_RADIO_MAX_OPTIONS = 4


@dataclass(frozen=True)
class RedcapForm:
    """An instrument; ``records`` is the list of records it repeats, if it repeats."""

    name: str
    leaves: tuple[Leaf, ...]
    records: Leaf | None = None

    @property
    def repeating(self) -> bool:
        return self.records is not None


@dataclass(frozen=True)
class RedcapField:
    """One row of the data dictionary."""

    name: str
    form: str
    field_type: str
    label: str
    leaf: Leaf | None = None
    section_header: str = ""
    choices: str = ""
    note: str = ""
    validation: str = ""
    minimum: str = ""
    maximum: str = ""
    identifier: bool = False
    required: bool = False

    def as_row(self) -> list[str]:
        return [
            self.name,
            self.form,
            self.section_header,
            self.field_type,
            self.label,
            self.choices,
            self.note,
            self.validation,
            self.minimum,
            self.maximum,
            "y" if self.identifier else "",
            "",
            "y" if self.required else "",
            "",
            "",
            "",
            "",
            "",
        ]

    @property
    def columns(self) -> tuple[str, ...]:
        """The record-export columns of this field (checkboxes: one per option)."""
        if self.leaf is not None and self.leaf.kind is LeafKind.choices:
            return self.leaf.columns
        return (self.name,)


def _form_name(leaf: Leaf) -> str:
    return "_".join(leaf.path)


@cache
def redcap_forms() -> tuple[RedcapForm, ...]:
    """The instruments in dictionary order; repeating ones follow their parent section."""
    main: dict[str, list[Leaf]] = {}
    nested: dict[str, list[RedcapForm]] = {}
    for leaf in case_leaves():
        owner = MAIN_FORM if len(leaf.path) == 1 else leaf.path[0]
        if leaf.kind is LeafKind.records:
            items = tuple(leaves_of(leaf.item_model, leaf.path))
            for item in items:
                if item.kind is LeafKind.records:
                    raise TypeError(f"{item.dotted}: lists inside repeated records unsupported")
            form = RedcapForm(_form_name(leaf), items, leaf)
            if len(leaf.path) == 1:
                main.setdefault(form.name, [])
                nested.setdefault(form.name, []).insert(0, form)
            else:
                main.setdefault(owner, [])
                nested.setdefault(owner, []).append(form)
            continue
        main.setdefault(owner, []).append(leaf)
    forms: list[RedcapForm] = []
    for name, leaves in main.items():
        repeated = nested.get(name, [])
        if leaves or not any(f.name == name for f in repeated):
            forms.append(RedcapForm(name, tuple(leaves)))
        forms.extend(repeated)
    return tuple(forms)


def _field_type(leaf: Leaf) -> tuple[str, str]:
    """(REDCap field type, text validation) of a leaf."""
    if leaf.kind is LeafKind.choices:
        return "checkbox", ""
    if leaf.kind is LeafKind.texts:
        return "notes", ""
    kind = leaf.value_type
    if leaf.enum is not None:
        return ("radio" if len(leaf.codes) <= _RADIO_MAX_OPTIONS else "dropdown"), ""
    if kind is bool:
        return "yesno", ""
    if kind is int:
        return "text", "integer"
    if kind is float:
        return "text", "number"
    if kind is dt.date:
        return "text", "date_ymd"
    return ("notes" if leaf.path[-1] in _FREE_TEXT else "text"), ""


def _choices(leaf: Leaf) -> str:
    enum = leaf.enum
    if enum is None:
        return ""
    return " | ".join(f"{member.value}, {option_label(enum, member)}" for member in enum)


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(cell_value(value))


def _note(leaf: Leaf) -> str:
    parts: list[str] = []
    if leaf.unit:
        parts.append(f"Unit: {leaf.unit}")
    low, _ = leaf.bounds
    if leaf.exclusive_low and low is not None:
        parts.append(f"greater than {_number(low)}")
    if leaf.kind is LeafKind.texts:
        parts.append("one entry per line")
    if leaf.description:
        parts.append(leaf.description)
    return "; ".join(parts)


def _label(leaf: Leaf) -> str:
    label = humanise(leaf.path[-1], drop_unit=True)
    return f"{label} ({leaf.unit})" if leaf.unit else label


def _section(leaf: Leaf, start: int) -> str:
    return ": ".join(humanise(part) for part in leaf.path[start:-1])


@cache
def redcap_fields() -> tuple[RedcapField, ...]:
    """Every dictionary row, ``record_id`` first."""
    fields: list[RedcapField] = []
    for form in redcap_forms():
        start = len(form.records.path) if form.records else 1
        previous_section = ""
        for leaf in form.leaves:
            if leaf.path == ("case_id",):
                fields.append(
                    RedcapField(
                        RECORD_ID,
                        form.name,
                        "text",
                        "Case ID",
                        leaf=leaf,
                        note="case_id of the case record; letters, digits, '.', '_', '-'",
                        required=True,
                    )
                )
                continue
            field_type, validation = _field_type(leaf)
            section = _section(leaf, start)
            low, high = leaf.bounds if validation in ("integer", "number") else (None, None)
            fields.append(
                RedcapField(
                    leaf.name,
                    form.name,
                    field_type,
                    _label(leaf),
                    leaf=leaf,
                    section_header=section if section != previous_section else "",
                    choices=_choices(leaf),
                    note=_note(leaf),
                    validation=validation,
                    minimum=_number(low),
                    maximum=_number(high),
                    identifier=leaf.path[0] == "identity",
                    required=form.repeating and leaf.required,
                )
            )
            previous_section = section
    return tuple(fields)


def redcap_dictionary() -> str:
    """The REDCap data dictionary of the case record as CSV text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(DICTIONARY_HEADERS)
    for field in redcap_fields():
        writer.writerow(field.as_row())
    return out.getvalue()


@cache
def redcap_columns() -> tuple[str, ...]:
    """Header of a flat record export: id, repeat keys, then every field's columns."""
    columns = [RECORD_ID, REPEAT_INSTRUMENT, REPEAT_INSTANCE]
    for field in redcap_fields():
        if field.name != RECORD_ID:
            columns.extend(field.columns)
    return tuple(columns)


def _text(value: Any) -> str:
    if value is None:
        return ""
    value = cell_value(value)
    return str(value)


def _cells(leaves: Iterable[Leaf], data: Any, prefix: int) -> dict[str, str]:
    cells: dict[str, str] = {}
    for leaf in leaves:
        if leaf.path == ("case_id",):
            continue
        value = get_path(data, leaf.path[prefix:])
        if leaf.kind is LeafKind.choices:
            ticked = set(value or ())
            for code in leaf.codes:
                cells[leaf.option_column(code)] = "1" if code in ticked else "0"
        elif leaf.kind is LeafKind.texts:
            cells[leaf.name] = "\n".join(value or ())
        else:
            cells[leaf.name] = _text(value)
    return cells


def _record_rows(case: Case) -> list[dict[str, str]]:
    data = case.model_dump(mode="json", exclude_none=True)
    main = {RECORD_ID: case.case_id, REPEAT_INSTRUMENT: "", REPEAT_INSTANCE: ""}
    rows = [main]
    for form in redcap_forms():
        if form.records is None:
            main.update(_cells(form.leaves, data, 0))
            continue
        for instance, item in enumerate(get_path(data, form.records.path) or (), start=1):
            row = {RECORD_ID: case.case_id, REPEAT_INSTRUMENT: form.name}
            row[REPEAT_INSTANCE] = str(instance)
            row.update(_cells(form.leaves, item, len(form.records.path)))
            rows.append(row)
    return rows


def write_redcap_csv(cases: Iterable[Case], out: TextIO) -> int:
    """Write cases as a REDCap flat record file (raw values); returns the case count."""
    writer = csv.DictWriter(out, fieldnames=redcap_columns(), restval="", lineterminator="\n")
    writer.writeheader()
    count = 0
    for case in cases:
        writer.writerows(_record_rows(case))
        count += 1
    return count


def _tolerated(column: str, form_names: set[str]) -> bool:
    if column in _IGNORED_COLUMNS or column.startswith("_"):
        return True
    for suffix in ("_complete", "_timestamp"):
        if column.endswith(suffix) and column.removesuffix(suffix) in form_names:
            return True
    return False


def read_redcap_csv(text: str) -> tuple[list[SourceRecord], list[ImportProblem]]:
    """Records of a REDCap flat CSV export (raw values) and problems with the file itself.

    Row numbers count the header as row 1, as a spreadsheet shows them.
    """
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    header = list(reader.fieldnames or [])
    file_problems: list[ImportProblem] = []
    if RECORD_ID not in header:
        file_problems.append(
            ImportProblem(1, RECORD_ID, None, "a REDCap record file needs a record_id column")
        )
        return [], file_problems
    forms = {form.name: form for form in redcap_forms()}
    known = set(redcap_columns())
    for column in header:
        if column not in known and not _tolerated(column, set(forms)):
            file_problems.append(
                ImportProblem(1, column, None, "unknown column: not a field of the case record")
            )

    grouped: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for number, row in enumerate(reader, start=2):
        record_id = (row.get(RECORD_ID) or "").strip()
        if not record_id:
            file_problems.append(ImportProblem(number, RECORD_ID, None, "record_id is empty"))
            continue
        grouped.setdefault(record_id, []).append((number, dict(row)))
    return [_record(record_id, rows, forms) for record_id, rows in grouped.items()], file_problems


def _record(
    record_id: str, rows: list[tuple[int, dict[str, Any]]], forms: dict[str, RedcapForm]
) -> SourceRecord:
    main_rows = [(n, r) for n, r in rows if not (r.get(REPEAT_INSTRUMENT) or "").strip()]
    first = main_rows[0][0] if main_rows else rows[0][0]
    instances: dict[str, dict[int, int]] = {}
    record = SourceRecord(
        row=first,
        rows=[r for _, r in rows],
        data=None,
        locate=lambda path: _locate(path, first, instances),
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
        cells = {k: v for k, v in row.items() if k != RECORD_ID}
        values, problems = unflatten(
            cells, leaves=main_leaves, strict_columns=False, text_lines=True
        )
        record.add_cell_problems(problems, number)
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
        values, problems = unflatten(row, leaves=form.leaves, strict_columns=False, text_lines=True)
        record.add_cell_problems(problems, number)
        item = get_path(values, form.records.path) or {}
        repeated.setdefault(name, []).append((int(raw_instance), number, item))

    for name, entries in repeated.items():
        form = forms[name]
        assert form.records is not None
        entries.sort()
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


def _locate(path: str, main_row: int, instances: dict[str, dict[int, int]]) -> tuple[int, str]:
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
            return row, column_for_path(inner, names) or form.name
    column = column_for_path(path)
    return main_row, RECORD_ID if column == "case_id" else column
