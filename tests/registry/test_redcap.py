"""REDCap: the data dictionary generated from the case record, and flat record files.

Header oracle: REDCap's 18 data-dictionary columns (A-R), as listed in the REDCap
knowledge base (RC-FD-08) and in PyCap's metadata export. Clinical oracle: zhang2021
Table 1 (case 1: one Clavien-Dindo II complication, retroperitoneal bleeding).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from rvlms.case import Case
from rvlms.interchange import (
    DICTIONARY_HEADERS,
    FIELD_NAME_RULE,
    ImportRejected,
    export_cases,
    import_file,
    redcap_columns,
    redcap_dictionary,
    redcap_fields,
    redcap_forms,
)
from rvlms.registry import Registry

REDCAP_HEADERS = [
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
]


def _dictionary() -> dict[str, dict[str, str]]:
    rows = list(csv.DictReader(io.StringIO(redcap_dictionary())))
    return {row["Variable / Field Name"]: row for row in rows}


def test_dictionary_has_the_18_standard_columns() -> None:
    header = next(csv.reader(io.StringIO(redcap_dictionary())))
    assert header == REDCAP_HEADERS == list(DICTIONARY_HEADERS)
    for row in csv.reader(io.StringIO(redcap_dictionary())):
        assert len(row) == 18


def test_field_names_follow_redcap_rules() -> None:
    """Lower-case letters, digits, underscores; a letter first; at most 100 characters;
    unique. Checkbox export columns (``field___code``) too."""
    names = [field.name for field in redcap_fields()]
    assert len(names) == len(set(names))
    columns = list(redcap_columns())
    assert len(columns) == len(set(columns))
    for name in [*names, *columns, *(form.name for form in redcap_forms())]:
        assert FIELD_NAME_RULE.match(name), name
        assert name == name.lower() and len(name) <= 100, name


def test_record_id_comes_first() -> None:
    first = redcap_fields()[0]
    assert (first.name, first.form, first.required) == ("record_id", "case", True)
    assert redcap_columns()[:3] == (
        "record_id",
        "redcap_repeat_instrument",
        "redcap_repeat_instance",
    )


def test_forms_are_the_sections_of_the_case_record() -> None:
    forms = {form.name: form for form in redcap_forms()}
    for section in ("demographics", "presentation", "imaging", "operation", "pathology"):
        assert not forms[section].repeating
    assert not forms["follow_up"].repeating
    for repeated in (
        "imaging_studies",
        "imaging_organs",
        "neoadjuvant",
        "operation_organs_resected",
        "complications",
        "adjuvant",
        "follow_up_events",
    ):
        assert forms[repeated].repeating, repeated
    order = [form.name for form in redcap_forms()]
    assert order.index("imaging_organs") > order.index("imaging")
    seen: list[str] = []
    for field in redcap_fields():
        if not seen or seen[-1] != field.form:
            assert field.form not in seen, f"{field.form} is split"
            seen.append(field.form)


def test_field_types_units_and_identifiers() -> None:
    d = _dictionary()
    age = d["demographics__age_years"]
    assert (age["Field Type"], age["Text Validation Type OR Show Slider Number"]) == (
        "text",
        "integer",
    )
    assert (age["Text Validation Min"], age["Text Validation Max"]) == ("0", "120")
    size = d["imaging__max_diameter_cm"]
    assert size["Text Validation Type OR Show Slider Number"] == "number"
    assert "Unit: cm" in size["Field Note"]
    assert d["operation__operative_time_min"]["Field Note"].startswith("Unit: min")
    assert d["operation__date"]["Text Validation Type OR Show Slider Number"] == "date_ymd"
    assert d["operation__converted_to_open"]["Field Type"] == "yesno"
    assert d["notes"]["Field Type"] == "notes"
    symptoms = d["presentation__symptoms"]
    assert symptoms["Field Type"] == "checkbox"
    assert "palpitation, Palpitation" in symptoms["Choices, Calculations, OR Slider Labels"]
    margin = d["pathology__margin"]
    assert margin["Field Type"] == "radio"
    assert margin["Choices, Calculations, OR Slider Labels"] == "RX, RX | R0, R0 | R1, R1 | R2, R2"
    assert d["imaging__vessel_of_origin"]["Field Type"] == "dropdown"
    assert d["preoperative__asa"]["Choices, Calculations, OR Slider Labels"].startswith(
        "1, Healthy | 2, Mild systemic disease"
    )
    identifiers = {name for name, row in d.items() if row["Identifier?"] == "y"}
    assert identifiers == {
        "identity__name",
        "identity__medical_record_number",
        "identity__birth_date",
    }
    assert d["complications__clavien_dindo"]["Required Field?"] == "y"


def _export(registry: Registry) -> str:
    out = io.StringIO()
    export_cases(registry.cases(), "redcap", out)
    return out.getvalue()


def test_redcap_round_trip_is_identical(filled: Registry, tmp_path: Path) -> None:
    """Export → import into an empty registry → export gives the same file."""
    first = _export(filled)
    path = tmp_path / "records.csv"
    path.write_text(first, encoding="utf-8")
    with Registry(f"sqlite:///{tmp_path / 'copy.sqlite3'}") as copy:
        report = import_file(copy, path, user="bob")
        assert report.imported == 4
        assert _export(copy) == first
        for original in filled.cases():
            assert copy.get(original.case_id).case.model_dump() == original.model_dump()


def test_lists_become_repeating_instrument_rows(filled: Registry) -> None:
    """zhang2021 Table 1, case 1: one complication, Clavien-Dindo grade II."""
    rows = list(csv.DictReader(io.StringIO(_export(filled))))
    case1 = [r for r in rows if r["record_id"] == "zhang2021-case1"]
    main = [r for r in case1 if not r["redcap_repeat_instrument"]]
    assert len(main) == 1
    assert main[0]["presentation__symptoms___palpitation"] == "1"
    assert main[0]["presentation__symptoms___fever"] == "0"
    complications = [r for r in case1 if r["redcap_repeat_instrument"] == "complications"]
    graded = [
        (r["redcap_repeat_instance"], r["complications__clavien_dindo"]) for r in complications
    ]
    assert graded == [("1", "II")]
    assert complications[0]["operation__operative_time_min"] == ""


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
    rows[number - 2]["complications__clavien_dindo"] = "VI"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "records.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    with pytest.raises(ImportRejected) as refused:
        import_file(registry, path, user="bob")
    (problem,) = refused.value.problems
    assert (problem.row, problem.column, problem.value) == (
        number,
        "complications__clavien_dindo",
        "VI",
    )
    assert "IIIa" in problem.reason
    assert registry.count() == 0
