"""Clavien-Dindo grading of post-operative complications.

Oracle: Dindo D, Demartines N, Clavien PA, Ann Surg 2004;240:205-13, definitions as tabulated in
the clinical brief section 4.3; zhang2021 Results and Table 1 for case 1.
"""

import pytest

from rvlms.scores import (
    ClavienDindoGrade,
    Intervention,
    OrganDysfunction,
    classify,
    describe_grade,
    parse_grade,
)

G = ClavienDindoGrade


@pytest.mark.parametrize(
    ("text", "grade"),
    [
        ("1", G.I),
        ("I", G.I),
        ("i", G.I),
        ("2", G.II),
        ("II", G.II),
        ("Grade II", G.II),
        ("3a", G.IIIA),
        ("3A", G.IIIA),
        ("IIIa", G.IIIA),
        ("III a", G.IIIA),
        ("IIIA", G.IIIA),
        ("3b", G.IIIB),
        ("IIIb", G.IIIB),
        ("4a", G.IVA),
        ("IVa", G.IVA),
        ("4b", G.IVB),
        ("IVb", G.IVB),
        ("IV-b", G.IVB),
        ("5", G.V),
        ("V", G.V),
    ],
)
def test_parse_grade_accepts_roman_and_arabic(text: str, grade: ClavienDindoGrade) -> None:
    assert parse_grade(text) is grade


@pytest.mark.parametrize("text", ["VI", "6", "0", "", "IIIc", "severe"])
def test_parse_grade_rejects_unknown_grades_listing_the_allowed_ones(text: str) -> None:
    with pytest.raises(ValueError, match=r"I, II, IIIa, IIIb, IVa, IVb, V") as caught:
        parse_grade(text)
    assert "grade" in str(caught.value)


@pytest.mark.parametrize("text", ["III", "3", "IV", "4"])
def test_grades_iii_and_iv_need_their_sub_grade(text: str) -> None:
    """Dindo 2004 defines III and IV only as IIIa/IIIb and IVa/IVb; nothing is guessed."""
    with pytest.raises(ValueError, match="sub-grade a or b"):
        parse_grade(text)


@pytest.mark.parametrize(
    ("facts", "grade"),
    [
        ({}, G.I),
        ({"drugs_beyond_grade_i": True}, G.II),
        ({"blood_transfusion": True}, G.II),
        ({"parenteral_nutrition": True}, G.II),
        ({"intervention": Intervention.WITHOUT_GA}, G.IIIA),
        ({"intervention": Intervention.UNDER_GA}, G.IIIB),
        ({"organ_dysfunction": OrganDysfunction.SINGLE}, G.IVA),
        ({"organ_dysfunction": OrganDysfunction.MULTI}, G.IVB),
        ({"died": True}, G.V),
    ],
)
def test_each_grade_from_its_defining_fact(
    facts: dict[str, object], grade: ClavienDindoGrade
) -> None:
    """One defining fact per grade, per the Dindo 2004 table (clinical brief 4.3)."""
    result = classify(**facts)  # type: ignore[arg-type]
    assert result.grade is grade
    assert result.definition == grade.definition


def test_most_severe_fact_decides() -> None:
    """The grade is that of the most invasive treatment the complication needed (Dindo 2004)."""
    result = classify(intervention="under_ga", blood_transfusion=True, drugs_beyond_grade_i=True)
    assert result.grade is G.IIIB
    assert result.decisive_fact == "intervention under general anaesthesia"
    assert result.facts == (
        "intervention under general anaesthesia",
        "drugs beyond the grade-I list",
        "blood transfusion",
    )
    assert classify(died=True, organ_dysfunction="multi", intervention="under_ga").grade is G.V


def test_zhang2021_case1_bleed_treated_by_transfusion_and_compression_is_grade_ii() -> None:
    """zhang2021 Results: retroperitoneal bleeding, Hb 77 g/L on day 3, compression bandage,
    2 U red cells and 400 ml plasma, no further surgery; reported as Clavien-Dindo II
    (Table 1 writes "2")."""
    result = classify(blood_transfusion=True, intervention=Intervention.NONE)
    assert result.grade is G.II
    assert parse_grade("2") is result.grade
    assert result.citation_key == "clavien_dindo2004"
    assert "Ann Surg 2004;240:205-13" in result.source


def test_disability_suffix_is_kept_apart_from_the_grade() -> None:
    """Suffix "d": complication still present at discharge (Dindo 2004)."""
    result = classify(intervention="without_ga", disability_at_discharge=True)
    assert result.grade is G.IIIA
    assert result.disability_at_discharge is True
    assert result.label == "IIIa-d"
    assert classify(intervention="without_ga").label == "IIIa"


@pytest.mark.parametrize("grade", list(ClavienDindoGrade))
def test_describe_every_grade(grade: ClavienDindoGrade) -> None:
    result = describe_grade(grade.value)
    assert result.grade is grade
    assert result.definition == grade.definition
    assert result.facts == ()


def test_definitions_name_the_distinguishing_criterion() -> None:
    """Wording of the Dindo 2004 table (clinical brief 4.3)."""
    assert "transfusion" in G.II.definition
    assert "not under general anaesthesia" in G.IIIA.definition
    assert "under general anaesthesia" in G.IIIB.definition
    assert "single-organ" in G.IVA.definition
    assert "multi-organ" in G.IVB.definition
    assert "wound infections opened at the bedside" in G.I.definition


def test_unknown_intervention_names_the_allowed_values() -> None:
    with pytest.raises(ValueError, match=r"intervention: 'surgery'.*none, without_ga, under_ga"):
        classify(intervention="surgery")
