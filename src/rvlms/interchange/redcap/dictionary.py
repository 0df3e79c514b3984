"""The REDCap data dictionary of the case record: instruments, fields and the CSV file.

Each top-level section of the case record is an instrument (form); ``record_id`` (the
case_id) comes first, in the ``case`` form. Lists of records (imaging studies, involved
organs, therapies, resected organs, complications, follow-up events) are repeating
instruments, declared as such in the project XML (``rvlms.interchange.redcap.project_xml``).
Names, numeric codes, choice labels and branching logic come from the versioned name map
(``rvlms.interchange.redcap.names``); field labels and notes from the descriptions of the
case record's JSON Schema; validation ranges from ``rvlms.case.plausibility``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from functools import cache

from rvlms.case.plausibility import field_range
from rvlms.interchange.csvsafe import safe_cell
from rvlms.interchange.fields import Leaf, LeafKind, case_leaves, humanise, leaves_of
from rvlms.interchange.flat import cell_value
from rvlms.interchange.redcap.checker import HEADERS
from rvlms.interchange.redcap.names import RECORD_ID, branching_for, current_scheme, name_map

__all__ = [
    "DICTIONARY_HEADERS",
    "FIELD_NAME_RULE",
    "MAIN_FORM",
    "RedcapField",
    "RedcapForm",
    "redcap_dictionary",
    "redcap_fields",
    "redcap_forms",
]

DICTIONARY_HEADERS: tuple[str, ...] = HEADERS
"""The 18 columns of a REDCap data dictionary, in REDCap's order (one home: the checker)."""
FIELD_NAME_RULE = re.compile(r"^[a-z][a-z0-9_]{0,99}$")
MAIN_FORM = "case"

_FREE_TEXT = {"notes", "description", "reason", "management", "conversion_reason", "complication"}
_RADIO_MAX_OPTIONS = 4
_LABEL_END = re.compile(r" \(|; |, YYYY| — ")


@dataclass(frozen=True)
class RedcapForm:
    """An instrument; ``records`` is the list of records it repeats, if it repeats."""

    name: str
    leaves: tuple[Leaf, ...]
    records: Leaf | None = None

    @property
    def repeating(self) -> bool:
        return self.records is not None

    @property
    def label(self) -> str:
        return humanise(self.name)


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
    branching: str = ""
    required: bool = False
    annotation: str = ""

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
            self.branching,
            "y" if self.required else "",
            "",
            "",
            "",
            "",
            self.annotation,
        ]

    @property
    def columns(self) -> tuple[str, ...]:
        """The record-export columns of this field (checkboxes: one per option)."""
        if self.leaf is not None and self.leaf.kind is LeafKind.choices:
            return current_scheme().columns(self.leaf)
        return (self.name,)


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
            form = RedcapForm("_".join(leaf.path), items, leaf)
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
    return " | ".join(f"{c.code}, {c.label}" for c in name_map().choices_of(enum))


def _number(value: float | None) -> str:
    return "" if value is None else str(cell_value(value))


def _range(leaf: Leaf) -> tuple[float | None, float | None, bool]:
    """(low, high, low exclusive) from the plausibility range, else the model's bounds."""
    plausible = field_range(leaf.info)
    if plausible is not None:
        return plausible.low, plausible.high, plausible.low_exclusive
    low, high = leaf.bounds
    return low, high, leaf.exclusive_low


def _head(leaf: Leaf) -> str:
    chosen = name_map().labels.get(leaf.dotted)
    if chosen:
        return chosen
    text = leaf.description or humanise(leaf.path[-1], drop_unit=True)
    return _LABEL_END.split(text, maxsplit=1)[0].strip().rstrip(".")


def _note(leaf: Leaf, validation: str) -> str:
    parts: list[str] = []
    if leaf.unit:
        parts.append(f"Unit: {leaf.unit}")
    if validation in ("integer", "number"):
        low, high, exclusive = _range(leaf)
        if low is not None and high is not None:
            above = f" (above {_number(low)})" if exclusive else ""
            parts.append(f"plausible range {_number(low)}–{_number(high)}{above}")
    if leaf.kind is LeafKind.texts:
        parts.append("one entry per line")
    if leaf.description:
        parts.append(leaf.description)
    return "; ".join(parts)


def _labels(form: RedcapForm) -> dict[Leaf, str]:
    """Labels from the field descriptions, qualified by the parent section where two
    fields of a form would otherwise read the same."""
    heads = {leaf: _head(leaf) for leaf in form.leaves}
    counts: dict[str, int] = {}
    for head in heads.values():
        counts[head] = counts.get(head, 0) + 1
    labels: dict[Leaf, str] = {}
    for leaf, head in heads.items():
        if counts[head] > 1 and len(leaf.path) > 1:
            head = f"{humanise(leaf.path[-2])}: {head[0].lower()}{head[1:]}"
        unit = leaf.unit
        if unit and unit.lower() not in head.lower():
            head = f"{head} ({unit})"
        labels[leaf] = head
    return labels


def _section(leaf: Leaf, start: int) -> str:
    return ": ".join(humanise(part) for part in leaf.path[start:-1])


@cache
def redcap_fields() -> tuple[RedcapField, ...]:
    """Every dictionary row, ``record_id`` first."""
    names = name_map()
    fields: list[RedcapField] = []
    for form in redcap_forms():
        start = len(form.records.path) if form.records else 1
        previous_section = ""
        labels = _labels(form)
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
                        annotation="rvlms: case_id",
                    )
                )
                continue
            field_type, validation = _field_type(leaf)
            section = _section(leaf, start)
            low, high, _ = _range(leaf) if validation in ("integer", "number") else (None, None, 0)
            fields.append(
                RedcapField(
                    names.name(leaf),
                    form.name,
                    field_type,
                    labels[leaf],
                    leaf=leaf,
                    section_header=section if section != previous_section else "",
                    choices=_choices(leaf),
                    note=_note(leaf, validation),
                    validation=validation,
                    minimum=_number(low),
                    maximum=_number(high),
                    identifier=leaf.path[0] == "identity",
                    branching=branching_for(leaf),
                    required=form.repeating and leaf.required,
                    annotation=f"rvlms: {leaf.dotted}",
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
        writer.writerow([safe_cell(cell) for cell in field.as_row()])
    return out.getvalue()
