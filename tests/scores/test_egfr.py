"""CKD-EPI 2021 creatinine equation and KDIGO GFR categories.

Oracle: Inker LA et al., N Engl J Med 2021;385:1737-49 (equation as given in clinical brief 4.4);
vectors of the brief recomputed by hand in Python from that equation:
142 * min(Scr/k,1)**a * max(Scr/k,1)**-1.2 * 0.9938**age * 1.012[female], Scr = umol/L / 88.4
-> 69.3059, 92.5898, 100.9435, 74.7478.
"""

import math

import pytest

from rvlms.scores import (
    CreatinineUnit,
    GfrCategory,
    ScoreInputError,
    Sex,
    ckd_epi_2021,
    gfr_category,
)


@pytest.mark.parametrize(
    ("creatinine_umol", "sex", "age", "expected"),
    [
        (85, Sex.FEMALE, 56, 69.3),
        (85, Sex.MALE, 56, 92.6),
        (70, Sex.FEMALE, 33, 100.9),
        (99, Sex.MALE, 61, 74.7),
    ],
)
def test_brief_vectors(creatinine_umol: float, sex: Sex, age: int, expected: float) -> None:
    """Clinical brief 4.4 test vectors, reproduced to 0.1 mL/min/1.73 m2."""
    result = ckd_epi_2021(creatinine_umol, age, sex, "umol/L")
    assert result.rounded == pytest.approx(expected, abs=1e-9)
    assert result.value == pytest.approx(expected, abs=0.05)


def test_full_precision_is_kept_next_to_the_rounded_value() -> None:
    result = ckd_epi_2021(85, 56, "female")
    assert result.value == pytest.approx(69.30588, abs=1e-5)
    assert result.value != result.rounded


def test_mg_dl_input_gives_the_same_egfr() -> None:
    """85 umol/L = 0.9615 mg/dL (divide by 88.4)."""
    in_mg = ckd_epi_2021(85 / 88.4, 56, "female", CreatinineUnit.MG_DL)
    in_umol = ckd_epi_2021(85, 56, "female", CreatinineUnit.UMOL_L)
    assert in_mg.value == pytest.approx(in_umol.value, rel=1e-12)
    assert in_umol.creatinine_mg_dl == pytest.approx(0.9615, abs=1e-4)


@pytest.mark.parametrize("unit", ["umol/L", "µmol/L", "UMOL/L", "mg/dL", "mg/dl"])
def test_unit_spellings(unit: str) -> None:
    ckd_epi_2021(1.0 if unit.lower() == "mg/dl" else 85, 40, "male", unit)


def test_sex_specific_coefficients_are_recorded() -> None:
    """k = 0.7 / 0.9 and a = -0.241 / -0.302 for female / male (Inker 2021)."""
    female = ckd_epi_2021(85, 56, "female")
    male = ckd_epi_2021(85, 56, "male")
    assert (female.kappa, female.alpha) == (0.7, -0.241)
    assert (male.kappa, male.alpha) == (0.9, -0.302)


@pytest.mark.parametrize("age", [17, 17.9, 0])
def test_children_are_rejected(age: float) -> None:
    """CKD-EPI 2021 is for adults (>= 18 years)."""
    with pytest.raises(ValueError, match=r"age_years.*>= 18"):
        ckd_epi_2021(85, age, "female")


def test_eighteen_is_accepted() -> None:
    assert ckd_epi_2021(85, 18, "female").value > 0


@pytest.mark.parametrize("bad", [0, -5, math.nan, math.inf])
def test_creatinine_must_be_a_positive_number(bad: float) -> None:
    with pytest.raises(ValueError, match="creatinine"):
        ckd_epi_2021(bad, 50, "male")


def test_zhang2021_first_week_creatinine_is_flagged_as_not_steady_state() -> None:
    """zhang2021 Results: median creatinine 85 umol/L one week after surgery; CKD-EPI is not
    valid in unstable creatinine (NIDDK; clinical brief 4.4)."""
    result = ckd_epi_2021(85, 56, "female", steady_state=False)
    assert len(result.caveats) == 1
    assert "steady state" in result.caveats[0]
    assert ckd_epi_2021(85, 56, "female").caveats == ()


@pytest.mark.parametrize(
    ("egfr", "category"),
    [
        (120.0, GfrCategory.G1),
        (90.0, GfrCategory.G1),
        (89.9, GfrCategory.G2),
        (60.0, GfrCategory.G2),
        (59.9, GfrCategory.G3A),
        (45.0, GfrCategory.G3A),
        (44.9, GfrCategory.G3B),
        (30.0, GfrCategory.G3B),
        (29.9, GfrCategory.G4),
        (15.0, GfrCategory.G4),
        (14.9, GfrCategory.G5),
        (0.0, GfrCategory.G5),
    ],
)
def test_kdigo_category_boundaries(egfr: float, category: GfrCategory) -> None:
    """KDIGO: G1 >= 90, G2 60-89, G3a 45-59, G3b 30-44, G4 15-29, G5 < 15."""
    assert gfr_category(egfr) is category


@pytest.mark.parametrize("bad", [-1.0, math.nan])
def test_kdigo_category_rejects_impossible_values(bad: float) -> None:
    with pytest.raises(ValueError, match="egfr"):
        gfr_category(bad)


@pytest.mark.parametrize(
    ("creatinine_umol", "sex", "age", "category"),
    [
        (85, "female", 56, GfrCategory.G2),
        (85, "male", 56, GfrCategory.G1),
        (70, "female", 33, GfrCategory.G1),
        (99, "male", 61, GfrCategory.G2),
    ],
)
def test_result_category_and_both_citations(
    creatinine_umol: float, sex: str, age: int, category: GfrCategory
) -> None:
    result = ckd_epi_2021(creatinine_umol, age, sex)
    assert result.category is category
    assert result.category is gfr_category(result.rounded)
    assert (result.citation_key, result.category_citation_key) == (
        "ckd_epi_2021",
        "kdigo_gfr_categories",
    )
    assert "N Engl J Med 2021;385:1737-49" in result.source


def test_category_is_read_from_the_shown_value() -> None:
    """A value just under 90 that displays as 90.0 is G1, so number and category agree."""
    at_18 = ckd_epi_2021(80, 18, "male").value
    age = 18 + math.log(89.97 / at_18) / math.log(0.9938)
    result = ckd_epi_2021(80, age, "male")
    assert 89.95 <= result.value < 90
    assert result.rounded == 90.0
    assert result.category is GfrCategory.G1


def test_dumped_result_loads_back() -> None:
    result = ckd_epi_2021(85, 56, "female", steady_state=False)
    assert type(result).model_validate_json(result.model_dump_json()) == result


@pytest.mark.parametrize("creatinine", [5e-324, 0.5, 4000.0])
def test_implausible_creatinine_is_refused(creatinine: float) -> None:
    """Values outside 0.1–40 mg/dL (8.8–3536 µmol/L) are typing or unit errors."""
    with pytest.raises(ScoreInputError, match=r"from 0\.1 to 40\.0 mg/dL"):
        ckd_epi_2021(creatinine, 56, "female")
