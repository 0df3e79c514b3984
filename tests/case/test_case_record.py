"""The case record: the four zhang2021 patients load, and bad input is explained field by field."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from rvlms.case import Case, cohort_row, dump_case, parse_case
from rvlms.errors import CaseInvalid
from rvlms.examples import load_zhang2021


@pytest.fixture(scope="module")
def zhang() -> list[Case]:
    return load_zhang2021()


def _problems(data: dict[str, Any]) -> dict[str, Any]:
    with pytest.raises(CaseInvalid) as caught:
        parse_case(data)
    return {p.path: p for p in caught.value.problems}


def test_table1_values(zhang: list[Case]) -> None:
    """zhang2021 Table 1: ages 33/61/57/55, sizes 7.2/4.2/7.7/10.7 cm, FNCLCC G1/G2/G1/G2."""
    assert [c.demographics.age_years for c in zhang] == [33, 61, 57, 55]
    assert [c.pathology.size_cm for c in zhang if c.pathology] == [7.2, 4.2, 7.7, 10.7]
    assert [
        c.pathology.fnclcc_grade.value for c in zhang if c.pathology and c.pathology.fnclcc_grade
    ] == ["G1", "G2", "G1", "G2"]
    assert [c.operation.operative_time_min for c in zhang if c.operation] == [467, 224, 373, 256]
    assert zhang[2].operation is not None and zhang[2].operation.plasma_transfused_ml == 1400
    assert zhang[0].complications[0].clavien_dindo.value == "II"


def test_round_trip_through_yaml(zhang: list[Case]) -> None:
    import yaml

    for case in zhang:
        again = parse_case(yaml.safe_load(dump_case(case)))
        assert again == case


def test_size_zero_names_field_and_unit() -> None:
    problems = _problems({"case_id": "x", "pathology": {"size_cm": 0}})
    assert "pathology.size_cm" in problems
    assert "greater than 0 cm" in problems["pathology.size_cm"].message
    assert problems["pathology.size_cm"].value == 0


def test_clavien_vi_lists_allowed_grades() -> None:
    problems = _problems(
        {"case_id": "x", "complications": [{"description": "leak", "clavien_dindo": "VI"}]}
    )
    problem = problems["complications.0.clavien_dindo"]
    assert problem.value == "VI"
    assert problem.allowed == ("I", "II", "IIIa", "IIIb", "IVa", "IVb", "V")


def test_operation_before_birth() -> None:
    problems = _problems(
        {
            "case_id": "x",
            "identity": {"birth_date": "1990-01-01"},
            "operation": {"date": "1980-01-01"},
        }
    )
    assert "operation.date" in problems
    assert "before the birth date" in problems["operation.date"].message


def test_thrombus_in_vessel_marked_not_involved() -> None:
    problems = _problems(
        {"case_id": "x", "imaging": {"ivc_involved": False, "tumour_thrombus": {"vessel": "ivc"}}}
    )
    assert "imaging.tumour_thrombus.vessel" in problems
    assert "ivc_involved is false" in problems["imaging.tumour_thrombus.vessel"].message


def test_unknown_field_lists_the_known_ones() -> None:
    problems = _problems({"case_id": "x", "imaging": {"diameter": 3}})
    problem = problems["imaging.diameter"]
    assert problem.message == "unknown field"
    assert "max_diameter_cm" in problem.allowed


def test_enum_error_lists_allowed_values() -> None:
    problems = _problems({"case_id": "x", "operation": {"approach": "keyhole"}})
    assert problems["operation.approach"].allowed == ("laparoscopic", "robotic", "open")


def test_every_problem_reported_at_once() -> None:
    problems = _problems(
        {
            "case_id": "x",
            "pathology": {"size_cm": -1, "margin": "R5"},
            "operation": {"blood_loss_ml": -10},
        }
    )
    assert {"pathology.size_cm", "pathology.margin", "operation.blood_loss_ml"} <= set(problems)


def test_recurrence_after_last_contact_refused(zhang: list[Case]) -> None:
    data = zhang[0].model_dump(mode="json")
    bad = copy.deepcopy(data)
    bad["follow_up"]["events"][0]["months_after_surgery"] = 20
    problems = _problems(bad)
    assert any("after the last contact" in p.message for p in problems.values())


def test_cohort_row_case1(zhang: list[Case]) -> None:
    """Case 1: local recurrence at 15 months, alive with recurrence at 16 (Table 1, Results)."""
    row = cohort_row(zhang[0])
    assert (row["dfs_months"], row["dfs_event"], row["os_months"], row["os_event"]) == (
        15,
        1,
        16,
        0,
    )
    assert row["size_mm"] == 72.0
    assert row["transfused"] == 1
    assert row["clavien_dindo"] == "II"
    assert cohort_row(zhang[1])["transfused"] == 0


def test_case_without_follow_up_has_no_event_flags() -> None:
    row = cohort_row(parse_case({"case_id": "new"}))
    assert row["local_recurrence"] is None
    assert row["dfs_months"] is None and row["dfs_event"] is None
