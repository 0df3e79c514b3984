"""The web case form's number fields show the record's units and plausible ranges."""

from __future__ import annotations

from rvlms.case import Case
from rvlms.case.plausibility import range_at
from rvlms.web.forms import CASE_FORM, FormField, FormInput, form_to_data


def _numbers() -> list[FormField]:
    return [
        item
        for section in CASE_FORM
        for item in section.items
        if isinstance(item, FormField) and item.kind in ("number", "integer")
    ]


def test_every_number_field_has_the_record_range_and_unit() -> None:
    fields = _numbers()
    assert len(fields) > 10
    for field in fields:
        plausible = range_at(Case, field.path)
        assert plausible is not None, field.path
        assert (field.minimum, field.maximum) == (plausible.low, plausible.high), field.path
        assert field.unit == (plausible.unit or None), field.path
        assert field.hint is not None and plausible.text in field.hint, field.path


def test_diameter_and_creatinine_ranges() -> None:
    by_path = {f.path: f for f in _numbers()}
    assert (
        by_path["imaging.max_diameter_cm"].minimum,
        by_path["imaging.max_diameter_cm"].maximum,
    ) == (
        0,
        40,
    )
    creatinine = by_path["labs.creatinine_umol_l"]
    assert creatinine.unit == "µmol/L" and creatinine.minimum == 8.85


def test_ecog_choices_follow_the_range() -> None:
    ecog = next(
        item
        for section in CASE_FORM
        for item in section.items
        if isinstance(item, FormField) and item.path == "presentation.ecog"
    )
    assert ecog.choices == ("0", "1", "2", "3", "4")


def test_form_values_keep_their_case_for_the_record() -> None:
    data, _ = form_to_data({"case_id": "x"}, FormInput([("demographics.sex", "Female")]))
    from rvlms.case import parse_case

    case = parse_case(data)
    assert case.demographics.sex is not None and case.demographics.sex.value == "female"
