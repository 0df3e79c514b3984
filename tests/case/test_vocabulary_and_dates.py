"""Vocabulary words read without regard to case, near misses answered with a suggestion,
and dates explained in YYYY-MM-DD."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from rvlms.case import parse_case
from rvlms.case.base import date_hint
from rvlms.errors import CaseInvalid, FieldProblem


def _problems(data: dict[str, Any]) -> dict[str, FieldProblem]:
    with pytest.raises(CaseInvalid) as caught:
        parse_case({"case_id": "x", **data})
    return {p.path: p for p in caught.value.problems}


def test_capitalised_words_are_read() -> None:
    case = parse_case(
        {
            "case_id": "x",
            "demographics": {"sex": "Female"},
            "imaging": {
                "side": "Left",
                "vessel_of_origin": "Renal vein",
                "renal_veins_involved": ["LEFT"],
                "studies": [{"modality": "CECT", "phases": ["Portal-venous"]}],
            },
            "operation": {"approach": "Open"},
            "pathology": {"margin": "r0", "fnclcc_grade": "g2"},
            "complications": [{"description": "leak", "clavien_dindo": "iiia"}],
        }
    )
    assert case.demographics.sex is not None and case.demographics.sex.value == "female"
    assert case.imaging.side is not None and case.imaging.side.value == "left"
    assert case.imaging.vessel_of_origin is not None
    assert case.imaging.vessel_of_origin.value == "renal_vein"
    assert [s.value for s in case.imaging.renal_veins_involved] == ["left"]
    assert [p.value for p in case.imaging.studies[0].phases] == ["portal_venous"]
    assert case.operation is not None and case.operation.approach is not None
    assert case.operation.approach.value == "open"
    assert case.pathology is not None and case.pathology.margin is not None
    assert case.pathology.margin.value == "R0"
    assert case.complications[0].clavien_dindo.value == "IIIa"


def test_near_miss_gets_a_suggestion() -> None:
    problems = _problems({"imaging": {"side": "lfet"}, "demographics": {"sex": "femal"}})
    assert problems["imaging.side"].message.endswith("did you mean 'left'?")
    assert problems["imaging.side"].allowed == ("right", "left", "bilateral", "midline")
    assert problems["demographics.sex"].message.endswith("did you mean 'female'?")


def test_far_miss_gets_no_suggestion() -> None:
    problem = _problems({"operation": {"approach": "keyhole"}})["operation.approach"]
    assert "did you mean" not in problem.message
    assert problem.allowed == ("laparoscopic", "robotic", "open")


def test_iso_dates_are_accepted() -> None:
    case = parse_case(
        {
            "case_id": "x",
            "presentation": {"diagnosis_date": "2024-03-14"},
            "operation": {"date": dt.date(2024, 4, 2)},
        }
    )
    assert case.presentation.diagnosis_date == dt.date(2024, 3, 14)


def test_unambiguous_day_month_year() -> None:
    problem = _problems({"presentation": {"diagnosis_date": "14/03/2024"}})[
        "presentation.diagnosis_date"
    ]
    assert "write it as 2024-03-14" in problem.message
    assert "invalid character" not in problem.message


def test_ambiguous_date_asks_for_iso() -> None:
    problem = _problems({"operation": {"date": "03/04/2024"}})["operation.date"]
    assert "ambiguous" in problem.message
    assert "YYYY-MM-DD" in problem.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-14", None),
        ("14.03.2024", "write it as 2024-03-14"),
        ("03/14/2024", "write it as 2024-03-14"),
        ("2024/03/14", "write it as 2024-03-14"),
        ("05/05/2024", "write it as 2024-05-05"),
        ("March 2024", "YYYY-MM-DD"),
        ("31/02/2024", "YYYY-MM-DD"),
    ],
)
def test_date_hints(text: str, expected: str | None) -> None:
    hint = date_hint(text)
    if expected is None:
        assert hint is None
    else:
        assert hint is not None and expected in hint


def test_impossible_iso_date_says_the_format() -> None:
    problem = _problems({"operation": {"date": "2024-02-30"}})["operation.date"]
    assert "YYYY-MM-DD" in problem.message


def test_a_records_own_json_is_read_back_whole_without_rereading_its_words() -> None:
    from pydantic import ValidationError

    from rvlms.case import parse_own_json
    from rvlms.examples import load_zhang2021

    for case in load_zhang2021():
        text = case.model_dump_json(exclude_none=True)
        assert parse_own_json(text) == parse_case(case.model_dump(mode="json")) == case
    spelt_by_hand = '{"case_id": "x", "demographics": {"sex": "Female"}}'
    assert parse_case({"case_id": "x", "demographics": {"sex": "Female"}}).demographics.sex
    with pytest.raises(ValidationError):
        parse_own_json(spelt_by_hand)
    with pytest.raises(ValidationError):
        parse_own_json('{"case_id": "x", "demographics": {"age": 300}}')
