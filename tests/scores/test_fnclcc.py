"""FNCLCC grade: component scores, sum-to-grade boundaries and the GX outcome.

Oracle: FNCLCC table as reproduced in NCI PDQ Adult Soft Tissue Sarcoma Treatment (HP) after
Guillou L et al., J Clin Oncol 1997;15:350-62 (clinical brief section 4.1).
"""

import math

import pytest
from pydantic import ValidationError

from rvlms.scores import (
    Differentiation,
    FnclccGrade,
    Necrosis,
    fnclcc_grade,
    mitotic_score,
    necrosis_from_percent,
)


@pytest.mark.parametrize(
    ("mitoses", "score"),
    [(0, 1), (9, 1), (10, 2), (19, 2), (20, 3), (150, 3)],
)
def test_mitotic_score_boundaries(mitoses: int, score: int) -> None:
    """Mitoses per 10 HPF 0-9 -> 1, 10-19 -> 2, >= 20 -> 3 (NCI PDQ FNCLCC table)."""
    assert mitotic_score(mitoses) == score


@pytest.mark.parametrize("bad", [-1, -20])
def test_negative_mitotic_count_is_rejected(bad: int) -> None:
    with pytest.raises(ValueError, match="mitoses_per_10hpf"):
        mitotic_score(bad)


@pytest.mark.parametrize(
    ("pct", "category"),
    [
        (0, Necrosis.NONE),
        (0.1, Necrosis.LT50),
        (49.9, Necrosis.LT50),
        (50, Necrosis.GE50),
        (100, Necrosis.GE50),
    ],
)
def test_necrosis_from_percent_boundaries(pct: float, category: Necrosis) -> None:
    """Necrosis none -> 0, < 50 % -> 1, >= 50 % -> 2 (NCI PDQ FNCLCC table)."""
    assert necrosis_from_percent(pct) is category


@pytest.mark.parametrize("bad", [-0.1, 100.1, math.nan, math.inf])
def test_necrosis_percent_outside_0_to_100_is_rejected(bad: float) -> None:
    with pytest.raises(ValueError, match="percentage from 0 to 100"):
        necrosis_from_percent(bad)


def test_component_scores_follow_the_leiomyosarcoma_row() -> None:
    """LMS differentiation: well 1, conventional 2, poorly differentiated/pleomorphic/epithelioid 3;
    necrosis none 0, < 50 % 1, >= 50 % 2 (clinical brief 4.1, NCI PDQ)."""
    assert [d.score for d in Differentiation] == [1, 2, 3]
    assert [n.score for n in Necrosis] == [0, 1, 2]
    assert "epithelioid" in Differentiation.POOR.description


@pytest.mark.parametrize(
    ("differentiation", "mitoses", "necrosis", "total", "grade"),
    [
        (Differentiation.WELL, 0, Necrosis.NONE, 2, FnclccGrade.G1),
        (Differentiation.WELL, 10, Necrosis.NONE, 3, FnclccGrade.G1),
        (Differentiation.CONVENTIONAL, 10, Necrosis.NONE, 4, FnclccGrade.G2),
        (Differentiation.CONVENTIONAL, 12, Necrosis.LT50, 5, FnclccGrade.G2),
        (Differentiation.POOR, 10, Necrosis.LT50, 6, FnclccGrade.G3),
        (Differentiation.POOR, 25, Necrosis.GE50, 8, FnclccGrade.G3),
    ],
)
def test_sum_to_grade_boundaries(
    differentiation: Differentiation, mitoses: int, necrosis: Necrosis, total: int, grade: str
) -> None:
    """Sum 2-3 -> G1, 4-5 -> G2, 6-8 -> G3 (NCI PDQ FNCLCC grade definition)."""
    result = fnclcc_grade(differentiation, mitoses, necrosis)
    assert result.total == total
    assert result.grade is grade
    assert result.missing == ()


def test_result_carries_components_and_citation() -> None:
    result = fnclcc_grade("conventional", 12, "lt50")
    assert (result.differentiation_score, result.mitosis_score, result.necrosis_score) == (2, 2, 1)
    assert result.mitoses_per_10hpf == 12
    assert result.citation_key == "fnclcc_guillou1997"
    assert "Guillou" in result.source
    assert "1997;15:350-62" in result.source


@pytest.mark.parametrize(
    ("differentiation", "mitoses", "necrosis", "missing"),
    [
        (None, 12, Necrosis.LT50, ("differentiation",)),
        (Differentiation.WELL, None, Necrosis.LT50, ("mitoses_per_10hpf",)),
        (Differentiation.WELL, 12, None, ("necrosis",)),
        (None, None, None, ("differentiation", "mitoses_per_10hpf", "necrosis")),
    ],
)
def test_any_missing_component_gives_gx_and_names_it(
    differentiation: Differentiation | None,
    mitoses: int | None,
    necrosis: Necrosis | None,
    missing: tuple[str, ...],
) -> None:
    """GX = grade cannot be assessed (NCI PDQ); the grade is never guessed from two scores."""
    result = fnclcc_grade(differentiation, mitoses, necrosis)
    assert result.grade is FnclccGrade.GX
    assert result.total is None
    assert result.missing == missing


def test_unknown_category_names_the_allowed_values() -> None:
    with pytest.raises(ValueError, match=r"differentiation: 'moderate'.*well, conventional, poor"):
        fnclcc_grade("moderate", 3, "none")


def test_result_is_immutable() -> None:
    result = fnclcc_grade("well", 3, "none")
    with pytest.raises(ValidationError):
        result.grade = FnclccGrade.G3  # type: ignore[misc]
