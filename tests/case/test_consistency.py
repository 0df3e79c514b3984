"""Cross-field checks: every contradiction is reported at once, dates included."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from rvlms.case import Case, parse_case
from rvlms.case.record import Chronology, chronology_problems
from rvlms.errors import CaseInvalid, FieldProblem


def _problems(data: dict[str, Any]) -> list[FieldProblem]:
    with pytest.raises(CaseInvalid) as caught:
        parse_case({"case_id": "x", **data})
    return caught.value.problems


def test_every_imaging_contradiction_at_once() -> None:
    problems = _problems(
        {
            "imaging": {
                "vessel_of_origin": "ivc",
                "ivc_involved": False,
                "intraluminal_component": False,
                "extraluminal_component": False,
                "distant_metastasis": False,
                "metastasis_sites": ["lung"],
            }
        }
    )
    paths = [p.path for p in problems]
    assert "imaging.ivc_involved" in paths
    assert "imaging.metastasis_sites" in paths
    assert any("cannot both be false" in p.message for p in problems)
    assert len(problems) >= 3


def test_every_date_contradiction_at_once() -> None:
    problems = _problems(
        {
            "identity": {"birth_date": "1990-01-01"},
            "presentation": {"diagnosis_date": "2024-03-14"},
            "operation": {"date": "2024-01-10"},
            "biopsy": {"done": True, "date": "1980-05-05"},
            "follow_up": {"last_contact_date": "2023-12-01"},
        }
    )
    by_path: dict[str, list[str]] = {}
    for p in problems:
        by_path.setdefault(p.path, []).append(p.message)
    assert any("before the birth date" in m for m in by_path["biopsy.date"])
    assert any("before the diagnosis" in m for m in by_path["operation.date"])
    assert any("before the diagnosis" in m for m in by_path["follow_up.last_contact_date"])
    assert any("before the operation" in m for m in by_path["follow_up.last_contact_date"])


def test_operation_before_diagnosis() -> None:
    (problem,) = _problems(
        {"presentation": {"diagnosis_date": "2024-03-14"}, "operation": {"date": "2024-03-01"}}
    )
    assert problem.path == "operation.date"
    assert "before the diagnosis on 2024-03-14" in problem.message


def test_age_against_birth_and_diagnosis_dates() -> None:
    (problem,) = _problems(
        {
            "identity": {"birth_date": "1968-06-30"},
            "presentation": {"diagnosis_date": "2024-03-14"},
            "demographics": {"age_years": 61},
        }
    )
    assert problem.path == "demographics.age_years"
    assert "(55 years)" in problem.message
    case = parse_case(
        {
            "case_id": "x",
            "identity": {"birth_date": "1968-06-30"},
            "presentation": {"diagnosis_date": "2024-03-14"},
            "demographics": {"age_years": 55},
        }
    )
    assert case.demographics.age_years == 55


def test_age_without_diagnosis_date_is_bounded_by_the_first_later_date() -> None:
    (problem,) = _problems(
        {
            "identity": {"birth_date": "1990-01-01"},
            "operation": {"date": "2020-01-01"},
            "demographics": {"age_years": 45},
        }
    )
    assert problem.path == "demographics.age_years"
    assert "older than the birth date 1990-01-01 allows on 2020-01-01" in problem.message


def test_age_bound_uses_today_when_nothing_else_is_dated() -> None:
    dates = Chronology(birth=dt.date(2000, 1, 1), age_years=30, dated={}, events=[])
    assert chronology_problems(dates, today=dt.date(2025, 1, 1))
    assert not chronology_problems(dates, today=dt.date(2031, 1, 1))


def test_dates_are_checked_while_another_section_is_invalid() -> None:
    """A wrong size elsewhere does not hide the chronology problem until it is fixed."""
    problems = _problems(
        {
            "pathology": {"size_cm": -1},
            "presentation": {"diagnosis_date": "2024-03-14"},
            "operation": {"date": "2024-03-01", "blood_loss_ml": -5},
        }
    )
    paths = {p.path for p in problems}
    assert {"pathology.size_cm", "operation.blood_loss_ml", "operation.date"} <= paths


def test_cross_field_and_field_problems_together() -> None:
    problems = _problems(
        {
            "imaging": {"max_diameter_cm": 85},
            "operation": {"approach": "open", "converted_to_open": True, "date": "14/03/2024"},
            "follow_up": {
                "months_after_surgery": 10,
                "status": "alive_without_disease",
                "events": [
                    {"kind": "local_recurrence", "months_after_surgery": 12},
                    {"kind": "death", "months_after_surgery": 3},
                ],
            },
        }
    )
    paths = {p.path for p in problems}
    assert {
        "imaging.max_diameter_cm",
        "operation.date",
        "follow_up.events.0.months_after_surgery",
        "follow_up.status",
    } <= paths


def test_operation_checks_together() -> None:
    problems = _problems(
        {
            "operation": {
                "approach": "open",
                "converted_to_open": True,
                "vascular_control": ["none", "partial_clamp"],
            }
        }
    )
    assert {p.path for p in problems} == {
        "operation.converted_to_open",
        "operation.vascular_control",
    }


def test_direct_model_validation_lists_every_problem() -> None:
    from pydantic import ValidationError

    from rvlms.case import field_problems

    with pytest.raises(ValidationError) as caught:
        Case.model_validate(
            {
                "case_id": "x",
                "identity": {"birth_date": "2000-01-01"},
                "presentation": {"diagnosis_date": "1999-01-01"},
                "operation": {"date": "1998-01-01"},
            }
        )
    problems = field_problems(caught.value, Case)
    assert [p.path for p in problems].count("operation.date") == 2
    assert "presentation.diagnosis_date" in {p.path for p in problems}


def test_contradictions_beside_an_invalid_value_of_the_same_section() -> None:
    """pydantic skips a section's cross-field checks while one of its fields is invalid;
    the problems are still reported together."""
    problems = _problems(
        {
            "imaging": {
                "max_diameter_cm": 85,
                "side": "Lfet",
                "vessel_of_origin": "ivc",
                "ivc_involved": False,
                "tumour_thrombus": {"vessel": "ivc"},
            }
        }
    )
    paths = {p.path for p in problems}
    assert {
        "imaging.max_diameter_cm",
        "imaging.side",
        "imaging.ivc_involved",
        "imaging.tumour_thrombus.vessel",
    } <= paths


def test_left_out_value_does_not_create_a_problem_of_its_own() -> None:
    problems = _problems({"follow_up": {"events": [{"kind": "death", "date": "31/12/2024"}]}})
    assert [p.path for p in problems] == ["follow_up.events.0.date"]
    assert "write it as 2024-12-31" in problems[0].message
