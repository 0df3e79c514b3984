"""The REDCap data dictionary as REDCap users expect it.

Header oracle: REDCap's 18 data-dictionary columns (A-R), as listed in the REDCap
knowledge base (RC-FD-08) and in PyCap's metadata export. Range oracle:
``rvlms.case.plausibility`` (the one home of the case record's ranges). Name oracle: the
versioned name map ``redcap_names.yaml`` (version 1), whose published names must not move.
"""

from __future__ import annotations

import csv
import io
import re

from rvlms.case import Case
from rvlms.case.plausibility import AGE_YEARS, CREATININE_UMOL_L, LENGTH_CM, field_range
from rvlms.interchange import (
    DICTIONARY_HEADERS,
    FIELD_NAME_RULE,
    check_dictionary,
    redcap_columns,
    redcap_dictionary,
    redcap_fields,
    redcap_forms,
)
from rvlms.interchange.fields import LeafKind
from rvlms.interchange.redcap import MAX_NAME_LENGTH, name_map
from rvlms.interchange.redcap.names import all_leaves

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


def _by_path() -> dict[str, dict[str, str]]:
    return {row["Field Annotation"].removeprefix("rvlms: "): row for row in _dictionary().values()}


def test_dictionary_passes_the_redcap_checker() -> None:
    problems = check_dictionary(redcap_dictionary())
    assert problems == [], "\n".join(p.as_text() for p in problems)


def test_dictionary_has_the_18_standard_columns() -> None:
    header = next(csv.reader(io.StringIO(redcap_dictionary())))
    assert header == REDCAP_HEADERS == list(DICTIONARY_HEADERS)
    for row in csv.reader(io.StringIO(redcap_dictionary())):
        assert len(row) == 18


def test_field_names_follow_redcap_rules() -> None:
    """Lower-case letters, digits, underscores; a letter first; at most 26 characters (REDCap
    warns above that); unique. Checkbox export columns (``field___code``) too."""
    names = [field.name for field in redcap_fields()]
    assert len(names) == len(set(names))
    columns = list(redcap_columns())
    assert len(columns) == len(set(columns))
    for name in [*names, *(form.name for form in redcap_forms())]:
        assert FIELD_NAME_RULE.match(name), name
        assert name == name.lower() and len(name) <= MAX_NAME_LENGTH == 26, name
    for column in columns:
        assert FIELD_NAME_RULE.match(column), column


def test_every_case_record_field_has_one_row() -> None:
    paths = {leaf.dotted for leaf in all_leaves()}
    assert set(_by_path()) == paths


def test_published_names_are_stable() -> None:
    """Version 1 of the name map; these names are in REDCap projects and must not move."""
    names = name_map()
    assert names.version == 1
    expected = {
        "demographics.age_years": "dem_age",
        "demographics.sex": "dem_sex",
        "imaging.max_diameter_cm": "img_max_diam_cm",
        "imaging.tumour_thrombus.length_cm": "img_thromb_length_cm",
        "imaging.no_tumour_thrombus": "img_no_thromb",
        "operation.operative_time_min": "op_time",
        "pathology.margin": "path_margin",
        "complications.clavien_dindo": "comp_clavien_dindo",
        "labs.hormones.plasma_free_metanephrines.upper_limit_of_normal": "lab_pmn_uln",
    }
    assert {path: names.fields[path] for path in expected} == expected


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
    repeated = {
        "imaging_studies",
        "imaging_organs",
        "neoadjuvant",
        "operation_organs_resected",
        "complications",
        "adjuvant",
        "follow_up_events",
    }
    assert {name for name, form in forms.items() if form.repeating} == repeated
    order = [form.name for form in redcap_forms()]
    assert order.index("imaging_organs") > order.index("imaging")
    seen: list[str] = []
    for field in redcap_fields():
        if not seen or seen[-1] != field.form:
            assert field.form not in seen, f"{field.form} is split"
            seen.append(field.form)


def test_every_choice_field_has_numeric_codes() -> None:
    coded = [f for f in redcap_fields() if f.field_type in ("radio", "dropdown", "checkbox")]
    assert len(coded) > 50
    for field in coded:
        for part in field.choices.split(" | "):
            code, _, label = part.partition(", ")
            assert code.isdigit(), (field.name, part)
            assert label and label != code


def test_field_types_units_and_identifiers() -> None:
    d = _by_path()
    age = d["demographics.age_years"]
    assert (age["Field Type"], age["Text Validation Type OR Show Slider Number"]) == (
        "text",
        "integer",
    )
    assert (age["Text Validation Min"], age["Text Validation Max"]) == ("0", "120")
    size = d["imaging.max_diameter_cm"]
    assert size["Text Validation Type OR Show Slider Number"] == "number"
    assert "Unit: cm" in size["Field Note"]
    assert size["Field Label"] == "Maximum tumour diameter on imaging (cm)"
    assert d["operation.operative_time_min"]["Field Note"].startswith("Unit: min")
    assert d["operation.date"]["Text Validation Type OR Show Slider Number"] == "date_ymd"
    assert d["operation.converted_to_open"]["Field Type"] == "yesno"
    assert d["notes"]["Field Type"] == "notes"
    symptoms = d["presentation.symptoms"]
    assert symptoms["Field Type"] == "checkbox"
    assert "6, Palpitation" in symptoms["Choices, Calculations, OR Slider Labels"]
    sex = d["demographics.sex"]
    assert sex["Choices, Calculations, OR Slider Labels"] == "1, Female | 2, Male"
    margin = d["pathology.margin"]
    assert margin["Field Type"] == "radio"
    assert margin["Choices, Calculations, OR Slider Labels"] == (
        "1, RX (cannot be assessed) | 2, R0 (no residual tumour) | "
        "3, R1 (microscopic residual tumour) | 4, R2 (macroscopic residual tumour)"
    )
    necrosis = d["pathology.necrosis"]["Choices, Calculations, OR Slider Labels"]
    assert necrosis == "1, No necrosis | 2, Necrosis < 50 % | 3, Necrosis ≥ 50 %"
    assert d["imaging.vessel_of_origin"]["Field Type"] == "dropdown"
    assert d["preoperative.asa"]["Choices, Calculations, OR Slider Labels"].startswith(
        "1, Healthy | 2, Mild systemic disease"
    )
    identifiers = {path for path, row in d.items() if row["Identifier?"] == "y"}
    assert identifiers == {
        "identity.name",
        "identity.medical_record_number",
        "identity.birth_date",
    }
    assert d["complications.clavien_dindo"]["Required Field?"] == "y"


def test_labels_are_written_for_people() -> None:
    """Labels come from the case record's descriptions (or a written label of the name
    map), none is a machine-made word ("Lt50"), and none repeats within a form."""
    per_form: dict[str, list[str]] = {}
    written = name_map().labels
    for field in redcap_fields()[1:]:
        per_form.setdefault(field.form, []).append(field.label)
        leaf = field.leaf
        assert leaf is not None and leaf.description, field.name
        head = field.label.split(": ")[-1].split(" (")[0]
        from_description = head.lower() in leaf.description.lower()
        assert from_description or leaf.dotted in written, (field.name, field.label)
    for form, labels in per_form.items():
        assert len(labels) == len(set(labels)), form
    d = _by_path()
    result = d["labs.hormones.plasma_free_metanephrines.result"]["Field Label"]
    assert result == "Plasma free metanephrines: result"
    for row in d.values():
        for part in filter(None, row["Choices, Calculations, OR Slider Labels"].split(" | ")):
            label = part.partition(", ")[2]
            assert not re.fullmatch(r"[A-Z][a-z]+\d+", label), label


def test_ranges_match_the_case_record_plausibility() -> None:
    """Every measured field's min/max is its plausibility range, so REDCap's check and the
    case record can never disagree."""
    d = _by_path()
    checked = 0
    for leaf in all_leaves():
        plausible = field_range(leaf.info)
        if plausible is None or leaf.kind is not LeafKind.scalar:
            continue
        row = d[leaf.dotted]
        low = float(row["Text Validation Min"])
        high = float(row["Text Validation Max"])
        assert (low, high) == (plausible.low, plausible.high), leaf.dotted
        checked += 1
    assert checked >= 20
    assert d["labs.creatinine_umol_l"]["Text Validation Max"] == str(
        int(CREATININE_UMOL_L.high)
        if CREATININE_UMOL_L.high.is_integer()
        else CREATININE_UMOL_L.high
    )
    assert d["demographics.age_years"]["Text Validation Max"] == str(int(AGE_YEARS.high))
    thrombus = d["imaging.tumour_thrombus.length_cm"]
    assert float(thrombus["Text Validation Max"]) == LENGTH_CM.high
    assert "plausible range 0–40 (above 0)" in thrombus["Field Note"]


def test_dependent_fields_have_branching_logic() -> None:
    """Thrombus details only when a thrombus is present; conversion reason only after a
    conversion; radiotherapy dose only for radiotherapy."""
    d = _by_path()
    logic = "Branching Logic (Show field only if...)"
    for path in (
        "imaging.tumour_thrombus.length_cm",
        "imaging.tumour_thrombus.vessel",
        "imaging.tumour_thrombus.upper_extent",
    ):
        assert d[path][logic] == "[img_no_thromb] = '0'", path
    assert d["imaging.no_tumour_thrombus"][logic] == ""
    assert d["operation.conversion_reason"][logic] == "[op_converted] = '1'"
    assert d["neoadjuvant.dose_gy"][logic] == "[neo_kind] = '2'"
    assert d["imaging.metastasis_sites"][logic] == "[img_dist_met] = '1'"
    assert d["biopsy.date"][logic] == "[bx_done] <> '0'"
    assert d["biopsy.done"][logic] == ""
    assert sum(1 for row in d.values() if row[logic]) >= 40


def _visible(logic: str, values: dict[str, str]) -> bool:
    """Evaluates the subset of REDCap logic the dictionary uses ([f] = 'v', <>, or)."""
    if not logic:
        return True
    terms = re.findall(r"\[([a-z0-9_]+)\] (=|<>) '([^']*)'", logic)
    assert " or ".join(f"[{n}] {o} '{v}'" for n, o, v in terms) == logic
    return any((values.get(n, "") == v) == (o == "=") for n, o, v in terms)


def test_branching_never_hides_recorded_data(zhang_cases: list[Case]) -> None:
    """For the zhang2021 cases and the 62 published cases of the library, no value
    recorded in an export sits in a field its branching logic hides (REDCap would then warn
    on every save, or erase the value)."""
    from rvlms.interchange import export_cases
    from rvlms.literature.library import published_cases

    cases = zhang_cases + [entry.case for entry in published_cases()]
    out = io.StringIO()
    export_cases(cases, "redcap", out)
    fields = {f.name: f for f in redcap_fields()}
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len({row["record_id"] for row in rows}) == len(cases) == 66
    checked = 0
    for row in rows:
        for field in fields.values():
            values = [row.get(c, "") for c in field.columns]
            unticked = ("", "0") if field.field_type == "checkbox" else ("",)
            filled = any(v not in unticked for v in values)
            if field.branching and filled:
                assert _visible(field.branching, row), (row["record_id"], field.name)
                checked += 1
    assert checked > 50


def test_the_documented_names_are_the_name_map() -> None:
    """docs/redcap.md ends with the generated name table; regenerate it after editing
    redcap_names.yaml (``rvlms.interchange.redcap.names.mapping_table``)."""
    from pathlib import Path

    from rvlms.interchange.redcap.names import mapping_table

    docs = Path(__file__).resolve().parents[2] / "docs" / "redcap.md"
    text = docs.read_text(encoding="utf-8")
    assert text.endswith(mapping_table())
    for row in _dictionary().values():
        if row["Branching Logic (Show field only if...)"].startswith("[img_no_thromb]"):
            assert f"`{row['Branching Logic (Show field only if...)']}`" in text
