"""The dictionary checker applies REDCap's rules: each row of the table below breaks one
rule in an otherwise valid dictionary (ours), and the checker must name it.

Rule sources: REDCap's data dictionary help ("Data Dictionary" page and codebook), the
column list A–R, and REDCap's reserved variable names (``redcap_event_name``,
``redcap_repeat_instrument``, ...).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest

from rvlms.interchange import check_dictionary, redcap_dictionary

Row = dict[str, str]
NAME = "Variable / Field Name"
TYPE = "Field Type"
CHOICES = "Choices, Calculations, OR Slider Labels"
VALIDATION = "Text Validation Type OR Show Slider Number"
LOGIC = "Branching Logic (Show field only if...)"


def _rows() -> tuple[list[str], list[Row]]:
    reader = csv.DictReader(io.StringIO(redcap_dictionary()))
    return list(reader.fieldnames or []), list(reader)


def _text(header: list[str], rows: list[Row]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _field(rows: list[Row], name: str) -> Row:
    return next(row for row in rows if row[NAME] == name)


def _set(name: str, column: str, value: str) -> Callable[[list[Row]], None]:
    def change(rows: list[Row]) -> None:
        _field(rows, name)[column] = value

    return change


def _duplicate(rows: list[Row]) -> None:
    _field(rows, "dem_age")[NAME] = "dem_sex"


def _split_form(rows: list[Row]) -> None:
    moved = rows.pop(next(i for i, r in enumerate(rows) if r[NAME] == "dem_sex"))
    rows.append(moved)


def _slider(rows: list[Row]) -> None:
    _field(rows, "dem_age")[TYPE] = "slider"
    _field(rows, "dem_age")[VALIDATION] = ""
    _field(rows, "dem_age")["Text Validation Min"] = ""
    _field(rows, "dem_age")["Text Validation Max"] = ""
    _field(rows, "dem_age")[CHOICES] = "Low | Mid | High | Higher"


def _matrix(rows: list[Row]) -> None:
    _field(rows, "path_ihc_sma")["Matrix Group Name"] = "ihc"
    _field(rows, "path_ihc_desmin")["Matrix Group Name"] = "ihc"
    _field(rows, "path_ihc_desmin")[CHOICES] = "1, Positive | 2, Negative"


CASES: list[tuple[str, Callable[[list[Row]], None], str, str]] = [
    # names
    ("too long", _set("dem_age", NAME, "demographics_age_at_diagnosis"), NAME, "26"),
    ("upper case", _set("dem_age", NAME, "Dem_age"), NAME, "lower-case"),
    ("digit first", _set("dem_age", NAME, "1age"), NAME, "starting with a letter"),
    ("reserved", _set("dem_age", NAME, "redcap_event_name"), NAME, "reserved"),
    ("checkbox clash", _set("dem_age", NAME, "dem___age"), NAME, "reserved"),
    ("form status clash", _set("dem_age", NAME, "case_complete"), NAME, "reserved"),
    ("duplicate", _duplicate, NAME, "already used"),
    # forms
    ("form name", _set("dem_age", "Form Name", "Demographics"), "Form Name", "lower-case"),
    ("form split", _split_form, "Form Name", "not contiguous"),
    # types and choices
    ("field type", _set("dem_age", TYPE, "number"), TYPE, "not one of"),
    ("no choices", _set("dem_sex", CHOICES, ""), CHOICES, "empty"),
    ("choice syntax", _set("dem_sex", CHOICES, "1 Female | 2, Male"), CHOICES, "'code, label'"),
    ("duplicate code", _set("dem_sex", CHOICES, "1, Female | 1, Male"), CHOICES, "twice"),
    ("checkbox code", _set("pres_symptoms", CHOICES, "a-b, One | 2, Two"), CHOICES, "letters"),
    ("choices on text", _set("dem_age", CHOICES, "1, One"), CHOICES, "not allowed"),
    ("calc formula", _set("dem_age", TYPE, "calc"), CHOICES, "formula"),
    ("slider labels", _slider, CHOICES, "at most 3"),
    ("empty label", _set("dem_age", "Field Label", " "), "Field Label", "empty"),
    # validation
    ("validation name", _set("dem_age", VALIDATION, "int"), VALIDATION, "validation type"),
    ("validation on radio", _set("dem_sex", VALIDATION, "integer"), VALIDATION, "text field"),
    (
        "min not integer",
        _set("dem_age", "Text Validation Min", "0.5"),
        "Text Validation Min",
        "integer",
    ),
    (
        "max not date",
        _set("op_date", "Text Validation Max", "31/12/2020"),
        "Text Validation Max",
        "date_ymd",
    ),
    (
        "min above max",
        _set("dem_age", "Text Validation Min", "150"),
        "Text Validation Min",
        "greater",
    ),
    (
        "bound without type",
        _set("dem_sex", "Text Validation Min", "1"),
        "Text Validation Min/Max",
        "without",
    ),
    # flags and layout
    ("identifier flag", _set("id_name", "Identifier?", "yes"), "Identifier?", "'y'"),
    ("required flag", _set("dem_age", "Required Field?", "Y"), "Required Field?", "'y'"),
    ("alignment", _set("dem_sex", "Custom Alignment", "center"), "Custom Alignment", "LV"),
    ("matrix on text", _set("dem_age", "Matrix Group Name", "grp"), "Matrix Group Name", "radio"),
    ("matrix ranking", _set("dem_sex", "Matrix Ranking?", "y"), "Matrix Ranking?", "matrix"),
    ("matrix choices", _matrix, "Matrix Group Name", "same type and choices"),
    # branching logic
    ("unknown field", _set("dem_age", LOGIC, "[nope] = '1'"), LOGIC, "not in the dictionary"),
    ("checkbox code ref", _set("dem_age", LOGIC, "[pres_symptoms(99)] = '1'"), LOGIC, "code"),
    ("not a checkbox", _set("dem_age", LOGIC, "[dem_sex(1)] = '1'"), LOGIC, "checkbox"),
    ("unbalanced", _set("dem_age", LOGIC, "([dem_sex] = '1'"), LOGIC, "not closed"),
    ("stray paren", _set("dem_age", LOGIC, "[dem_sex] = '1')"), LOGIC, "no '('"),
    ("open quote", _set("dem_age", LOGIC, "[dem_sex] = '1"), LOGIC, "cannot read"),
    ("record id hidden", _set("record_id", LOGIC, "[dem_sex] = '1'"), TYPE, "record id"),
]


@pytest.mark.parametrize(
    ("change", "column", "words"),
    [pytest.param(c, col, w, id=name) for name, c, col, w in CASES],
)
def test_each_broken_rule_is_named(
    change: Callable[[list[Row]], None], column: str, words: str
) -> None:
    header, rows = _rows()
    change(rows)
    problems = check_dictionary(_text(header, rows))
    assert problems, "the checker accepted a broken dictionary"
    assert any(p.column == column and words in p.message for p in problems), [
        p.as_text() for p in problems
    ]


def test_header_must_be_the_18_columns_in_order() -> None:
    header, rows = _rows()
    swapped = [header[1], header[0], *header[2:]]
    text = _text(header, rows).replace(",".join(header[:2]), ",".join(swapped[:2]), 1)
    (problem,) = check_dictionary(text)
    assert problem.column == "header" and "18 REDCap columns" in problem.message


def test_rows_need_18_cells() -> None:
    text = redcap_dictionary() + "extra,case,,text\n"
    problems = check_dictionary(text)
    assert [p.message for p in problems] == ["4 cells instead of 18"]


def test_valid_logic_forms_are_accepted() -> None:
    header, rows = _rows()
    _field(rows, "dem_age")[LOGIC] = (
        "([dem_sex] = '1' and [pres_symptoms(6)] = '1') or [dem_height_cm] >= 150 "
        "or not([dem_weight_kg] <> '')"
    )
    assert check_dictionary(_text(header, rows)) == []
