"""Plausible ranges: refused with the range, the unit and the slip that explains the value."""

from __future__ import annotations

from typing import Any

import pytest

from rvlms.case import Case, parse_case
from rvlms.case.plausibility import CREATININE_UMOL_L, LENGTH_CM, range_at
from rvlms.errors import CaseInvalid, FieldProblem
from rvlms.scores import ScoreInputError, ckd_epi_2021
from rvlms.scores.egfr import PLAUSIBLE_MG_DL, UMOL_PER_MG_DL


def _problems(data: dict[str, Any]) -> dict[str, FieldProblem]:
    with pytest.raises(CaseInvalid) as caught:
        parse_case({"case_id": "x", **data})
    return {p.path: p for p in caught.value.problems}


def test_millimetres_in_a_centimetre_field() -> None:
    problem = _problems({"imaging": {"max_diameter_cm": 85}})["imaging.max_diameter_cm"]
    assert problem.message.startswith("85 cm: did you mean 8.5 cm (85 mm)?")
    assert "0–40 cm" in problem.message


def test_pathology_size_and_thrombus_share_the_range() -> None:
    problems = _problems(
        {"pathology": {"size_cm": 107}, "imaging": {"tumour_thrombus": {"length_cm": 60}}}
    )
    assert "did you mean 10.7 cm" in problems["pathology.size_cm"].message
    assert "did you mean 6 cm" in problems["imaging.tumour_thrombus.length_cm"].message


@pytest.mark.parametrize("value", ["nan", "inf", "-Infinity", float("nan"), float("inf"), "1e400"])
def test_nan_and_infinity_are_refused_without_repeating_them(value: object) -> None:
    problem = _problems({"imaging": {"max_diameter_cm": value}})["imaging.max_diameter_cm"]
    assert problem.message == "not a finite number; give one in the range 0–40 cm"
    assert problem.value is None


def test_zero_size_keeps_the_physical_bound_message() -> None:
    problem = _problems({"imaging": {"max_diameter_cm": 0}})["imaging.max_diameter_cm"]
    assert problem.message == "Input should be greater than 0 cm"


def test_plausible_values_pass() -> None:
    case = parse_case(
        {
            "case_id": "x",
            "imaging": {"max_diameter_cm": 40},
            "labs": {"creatinine_umol_l": 85},
            "demographics": {"age_years": 120},
        }
    )
    assert case.imaging.max_diameter_cm == 40


def test_creatinine_in_mg_dl_is_refused_with_the_egfr_range() -> None:
    problem = _problems({"labs": {"creatinine_umol_l": 1.0}})["labs.creatinine_umol_l"]
    assert "did you mean 88.4 µmol/L (1 mg/dL)?" in problem.message
    assert "0.1–40 mg/dL" in problem.message
    assert "8.85–3536 µmol/L" in problem.message


def test_creatinine_range_is_the_egfr_range() -> None:
    low, high = PLAUSIBLE_MG_DL
    assert CREATININE_UMOL_L.low == pytest.approx(low * UMOL_PER_MG_DL, abs=0.01)
    assert CREATININE_UMOL_L.high == pytest.approx(high * UMOL_PER_MG_DL, abs=0.01)


@pytest.mark.parametrize(
    "umol_l", [0.5, 1.0, 8.0, 8.84, 8.85, 9.0, 85.0, 1000.0, 3536.0, 3537.0, 4999.0, 6000.0]
)
@pytest.mark.parametrize("field", ["labs.creatinine_umol_l", "postoperative.creatinine_1w_umol_l"])
def test_a_stored_creatinine_can_always_be_scored(umol_l: float, field: str) -> None:
    """What the eGFR refuses the record refuses; what the record stores the eGFR scores."""
    section, name = field.split(".")
    try:
        parse_case({"case_id": "x", section: {name: umol_l}})
        stored = True
    except CaseInvalid:
        stored = False
    try:
        ckd_epi_2021(umol_l, 50, "female", "umol/L")
        scored = True
    except ScoreInputError:
        scored = False
    assert stored == scored


@pytest.mark.parametrize(
    ("data", "path", "expected"),
    [
        ({"demographics": {"age_years": 130}}, "demographics.age_years", "0–120 years"),
        ({"demographics": {"height_cm": 1.72}}, "demographics.height_cm", "172 cm (1.72 m)"),
        ({"demographics": {"weight_kg": 70000}}, "demographics.weight_kg", "70 kg (70000 g)"),
        ({"labs": {"haemoglobin_g_l": 12.5}}, "labs.haemoglobin_g_l", "125 g/L (12.5 g/dL)"),
        (
            {"imaging": {"intraluminal_fraction": 60}},
            "imaging.intraluminal_fraction",
            "0.6 (60 %)",
        ),
        (
            {"operation": {"operative_time_min": 6}},
            "operation.operative_time_min",
            "360 min (6 h)",
        ),
    ],
)
def test_ranges_and_unit_hints(data: dict[str, Any], path: str, expected: str) -> None:
    assert expected in _problems(data)[path].message


def test_every_range_problem_at_once() -> None:
    problems = _problems(
        {
            "imaging": {"max_diameter_cm": 85},
            "labs": {"creatinine_umol_l": 1.0},
            "demographics": {"age_years": 200},
        }
    )
    assert {"imaging.max_diameter_cm", "labs.creatinine_umol_l", "demographics.age_years"} <= set(
        problems
    )


def test_schema_carries_the_ranges() -> None:
    schema = Case.model_json_schema()
    diameter = schema["$defs"]["Imaging"]["properties"]["max_diameter_cm"]["anyOf"][0]
    assert (diameter["exclusiveMinimum"], diameter["maximum"], diameter["unit"]) == (0, 40, "cm")


def test_range_lookup_by_path() -> None:
    assert range_at(Case, "imaging.max_diameter_cm") is LENGTH_CM
    assert range_at(Case, "labs.creatinine_umol_l") is CREATININE_UMOL_L
    assert range_at(Case, "imaging.side") is None
