"""REDCap's own rules for a data dictionary, applied before a file reaches REDCap.

REDCap refuses a data dictionary upload, or accepts one that then misbehaves, when a rule
below is broken. The rules follow REDCap's data dictionary documentation (the "Data
Dictionary" help page and the codebook): the 18 columns A–R in that order; variable names of
lower-case letters, digits and underscores starting with a letter (REDCap warns above 26
characters, which rvlms treats as an error), unique and not reserved; instruments whose
fields are contiguous; a known field type; "code, label | code, label" choices with unique
codes for radio, dropdown and checkbox fields (checkbox codes letters, digits and
underscores only); calculations for calc fields and at most three labels for sliders;
validation types from REDCap's list, only on text fields, with a minimum and maximum that
parse for the type; "y" or blank in the Identifier and Required columns; matrix groups of
radio or checkbox fields with identical choices; branching logic whose ``[field]`` and
``[field(code)]`` references exist, with balanced parentheses and quotes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass

__all__ = ["DictionaryProblem", "check_dictionary"]

HEADERS: tuple[str, ...] = (
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
FIELD_TYPES = frozenset(
    {
        "text",
        "notes",
        "dropdown",
        "radio",
        "checkbox",
        "yesno",
        "truefalse",
        "calc",
        "file",
        "slider",
        "descriptive",
        "sql",
    }
)
CHOICE_TYPES = frozenset({"dropdown", "radio", "checkbox"})
NO_CHOICES = frozenset({"text", "notes", "yesno", "truefalse", "file", "descriptive"})
VALIDATION_TYPES = frozenset(
    {
        "date_dmy",
        "date_mdy",
        "date_ymd",
        "datetime_dmy",
        "datetime_mdy",
        "datetime_ymd",
        "datetime_seconds_dmy",
        "datetime_seconds_mdy",
        "datetime_seconds_ymd",
        "email",
        "integer",
        "alpha_only",
        "number",
        "number_1dp",
        "number_2dp",
        "number_3dp",
        "number_4dp",
        "number_comma_decimal",
        "number_1dp_comma_decimal",
        "number_2dp_comma_decimal",
        "number_3dp_comma_decimal",
        "number_4dp_comma_decimal",
        "phone",
        "phone_australia",
        "postalcode_australia",
        "postalcode_canada",
        "postalcode_french",
        "postalcode_germany",
        "ssn",
        "time",
        "time_hh_mm_ss",
        "time_mm_ss",
        "vmrn",
        "zipcode",
        "mrn_10d",
        "mrn_generic",
    }
)
RESERVED_NAMES = frozenset(
    {
        "redcap_event_name",
        "redcap_csrf_token",
        "redcap_data_access_group",
        "redcap_survey_identifier",
        "redcap_survey_timestamp",
        "redcap_survey_return_code",
        "redcap_repeat_instrument",
        "redcap_repeat_instance",
        "redcap_arm",
        "redcap_event",
        "hidden_edit_flag",
    }
)
ALIGNMENTS = frozenset({"", "LV", "LH", "RV", "RH"})
MAX_NAME = 26
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_CHECKBOX_CODE = re.compile(r"^[A-Za-z0-9_]+$")
_MATRIX = re.compile(r"^[a-z0-9_]+$")
_TOKEN = re.compile(
    r"\s*(?:(?P<ref>\[[^\]]*\])|(?P<str>'[^']*'|\"[^\"]*\")|(?P<num>-?\d+(?:\.\d+)?)"
    r"|(?P<op><>|!=|<=|>=|=|<|>)|(?P<word>and|or|not)\b|(?P<open>\()|(?P<close>\)))",
    re.IGNORECASE,
)
_REF = re.compile(r"^\[([a-z][a-z0-9_]*)(?:\(([^)]*)\))?\]$")


@dataclass(frozen=True)
class DictionaryProblem:
    """One broken rule: the row (the header is row 1), the variable, the column and why."""

    row: int
    field: str
    column: str
    message: str

    def as_text(self) -> str:
        where = f"row {self.row}" + (f" ({self.field})" if self.field else "")
        return f"{where}, {self.column}: {self.message}"


def _choices(text: str) -> tuple[list[tuple[str, str]], str | None]:
    pairs: list[tuple[str, str]] = []
    for part in text.split("|"):
        code, comma, label = part.strip().partition(",")
        if not comma or not code.strip() or not label.strip():
            return [], f"{part.strip()!r} is not 'code, label'"
        pairs.append((code.strip(), label.strip()))
    return pairs, None


def _bound(kind: str, text: str) -> bool:
    if text in ("today", "now"):
        return kind.startswith(("date", "datetime"))
    try:
        if kind == "integer":
            int(text)
        elif kind.startswith("number"):
            float(text.replace(",", ".") if "comma" in kind else text)
        elif kind == "date_ymd":
            dt.date.fromisoformat(text)
        elif kind.startswith(("date", "datetime", "time")):
            return bool(text.strip())
    except ValueError:
        return False
    return True


def _logic_problem(logic: str, checkboxes: dict[str, set[str]], names: set[str]) -> str | None:
    """Why branching logic is not valid REDCap logic, or None."""
    position, depth, tokens = 0, 0, 0
    text = logic.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            return f"cannot read the logic at {text[position : position + 20]!r}"
        position = match.end()
        tokens += 1
        if match.group("open"):
            depth += 1
        elif match.group("close"):
            depth -= 1
            if depth < 0:
                return "a ')' has no '('"
        elif ref := match.group("ref"):
            parsed = _REF.match(ref)
            if parsed is None:
                return f"{ref} is not a [field] or [field(code)] reference"
            name, code = parsed.groups()
            if name not in names:
                return f"{ref} refers to a field that is not in the dictionary"
            if code is not None and code not in checkboxes.get(name, set()):
                return f"{ref}: {name} is not a checkbox field with the code {code!r}"
    if depth:
        return "a '(' is not closed"
    return None if tokens else "the logic is empty"


def _row_problems(number: int, row: dict[str, str], seen: dict[str, int]) -> list[str]:
    """(column: message) of the per-row rules."""
    found: list[str] = []
    name = row["Variable / Field Name"]
    kind = row["Field Type"]
    if not _NAME.match(name):
        found.append(
            "Variable / Field Name: lower-case letters, digits and underscores, "
            "starting with a letter"
        )
    if len(name) > MAX_NAME:
        found.append(f"Variable / Field Name: longer than {MAX_NAME} characters")
    if "___" in name or name in RESERVED_NAMES or name.endswith("_complete"):
        found.append("Variable / Field Name: reserved by REDCap (or clashes with a form status)")
    if name in seen:
        found.append(f"Variable / Field Name: already used in row {seen[name]}")
    if not _NAME.match(row["Form Name"]):
        found.append(
            "Form Name: lower-case letters, digits and underscores, starting with a letter"
        )
    if kind not in FIELD_TYPES:
        found.append(f"Field Type: {kind!r} is not one of {', '.join(sorted(FIELD_TYPES))}")
    if not row["Field Label"].strip():
        found.append("Field Label: empty")
    choices = row["Choices, Calculations, OR Slider Labels"]
    if kind in CHOICE_TYPES:
        pairs, problem = _choices(choices) if choices.strip() else ([], "empty")
        codes = [code for code, _ in pairs]
        if problem:
            found.append(f"Choices, Calculations, OR Slider Labels: {problem}")
        elif len(set(codes)) != len(codes):
            found.append("Choices, Calculations, OR Slider Labels: a code is used twice")
        elif kind == "checkbox" and not all(_CHECKBOX_CODE.match(c) for c in codes):
            found.append(
                "Choices, Calculations, OR Slider Labels: checkbox codes are letters, "
                "digits and underscores only"
            )
    elif kind in NO_CHOICES and choices.strip():
        found.append(f"Choices, Calculations, OR Slider Labels: not allowed for {kind} fields")
    elif kind == "calc" and not choices.strip():
        found.append("Choices, Calculations, OR Slider Labels: a calc field needs its formula")
    elif kind == "slider" and len(choices.split("|")) > 3:
        found.append("Choices, Calculations, OR Slider Labels: a slider has at most 3 labels")
    validation = row["Text Validation Type OR Show Slider Number"]
    low, high = row["Text Validation Min"], row["Text Validation Max"]
    if kind == "slider":
        if validation not in ("", "number"):
            found.append("Text Validation Type OR Show Slider Number: 'number' or blank")
    elif validation and (kind != "text" or validation not in VALIDATION_TYPES):
        found.append(
            f"Text Validation Type OR Show Slider Number: {validation!r} is not a REDCap "
            "validation type of a text field"
        )
    if (low or high) and not validation:
        found.append("Text Validation Min/Max: given without a validation type")
    for column, bound in (("Text Validation Min", low), ("Text Validation Max", high)):
        if bound and validation and not _bound(validation, bound):
            found.append(f"{column}: {bound!r} is not a {validation} value")
    numeric = validation in ("integer", "number") and _bound(validation, low)
    if low and high and numeric and _bound(validation, high) and float(low) > float(high):
        found.append("Text Validation Min: greater than the maximum")
    for column in ("Identifier?", "Required Field?", "Matrix Ranking?"):
        if row[column] not in ("", "y"):
            found.append(f"{column}: 'y' or blank")
    if row["Custom Alignment"] not in ALIGNMENTS:
        found.append("Custom Alignment: one of LV, LH, RV, RH or blank")
    group = row["Matrix Group Name"]
    if group and (not _MATRIX.match(group) or kind not in ("radio", "checkbox")):
        found.append("Matrix Group Name: only radio or checkbox fields, [a-z0-9_]")
    if row["Matrix Ranking?"] and not group:
        found.append("Matrix Ranking?: only in a matrix group")
    return found


def check_dictionary(text: str) -> list[DictionaryProblem]:
    """Every way the data dictionary CSV ``text`` breaks REDCap's rules (empty if none)."""
    table = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    if not table:
        return [DictionaryProblem(1, "", "header", "the file is empty")]
    problems: list[DictionaryProblem] = []
    if tuple(table[0]) != HEADERS:
        problems.append(
            DictionaryProblem(
                1,
                "",
                "header",
                "expected the 18 REDCap columns A–R in order: " + ", ".join(HEADERS),
            )
        )
        return problems
    rows: list[tuple[int, dict[str, str]]] = []
    for number, cells in enumerate(table[1:], start=2):
        if len(cells) != len(HEADERS):
            problems.append(
                DictionaryProblem(number, "", "row", f"{len(cells)} cells instead of 18")
            )
            continue
        rows.append((number, dict(zip(HEADERS, cells, strict=True))))
    if not rows:
        return [*problems, DictionaryProblem(1, "", "row", "no fields")]
    names = {row["Variable / Field Name"] for _, row in rows}
    checkboxes = {
        row["Variable / Field Name"]: {
            code for code, _ in _choices(row["Choices, Calculations, OR Slider Labels"])[0]
        }
        for _, row in rows
        if row["Field Type"] == "checkbox"
    }
    first = rows[0][1]
    if first["Field Type"] != "text" or first["Branching Logic (Show field only if...)"]:
        problems.append(
            DictionaryProblem(
                rows[0][0],
                first["Variable / Field Name"],
                "Field Type",
                "the record id (first field) must be a text field, always shown",
            )
        )
    seen: dict[str, int] = {}
    forms_done: set[str] = set()
    current_form = ""
    groups: dict[str, tuple[int, str, str]] = {}
    last_group = ""
    for number, row in rows:
        name = row["Variable / Field Name"]
        for found in _row_problems(number, row, seen):
            column, _, message = found.partition(": ")
            problems.append(DictionaryProblem(number, name, column, message))
        seen.setdefault(name, number)
        form = row["Form Name"]
        if form != current_form:
            if form in forms_done:
                problems.append(
                    DictionaryProblem(
                        number, name, "Form Name", f"the fields of form {form!r} are not contiguous"
                    )
                )
            forms_done.add(current_form)
            current_form = form
        logic = row["Branching Logic (Show field only if...)"]
        if logic.strip():
            problem = _logic_problem(logic, checkboxes, names)
            if problem:
                problems.append(
                    DictionaryProblem(
                        number, name, "Branching Logic (Show field only if...)", problem
                    )
                )
        group = row["Matrix Group Name"]
        if group:
            signature = (row["Field Type"], row["Choices, Calculations, OR Slider Labels"])
            if group in groups and group != last_group:
                problems.append(
                    DictionaryProblem(
                        number,
                        name,
                        "Matrix Group Name",
                        f"the fields of matrix group {group!r} are not contiguous",
                    )
                )
            elif group in groups and groups[group][1:] != signature:
                problems.append(
                    DictionaryProblem(
                        number,
                        name,
                        "Matrix Group Name",
                        "fields of one matrix group need the same type and choices",
                    )
                )
            groups.setdefault(group, (number, *signature))
        last_group = group
    return problems
