"""AJCC 8th edition staging of retroperitoneal soft tissue sarcoma.

Oracle: Pollock RE et al., AJCC Cancer Staging Manual 8th ed. 2017, pp 531-7, retroperitoneum
tables as reproduced in NCI PDQ Adult STS (HP) (clinical brief section 4.2).
"""

import math

import pytest

from rvlms.scores import (
    FnclccGrade,
    MCategory,
    NCategory,
    StageGroup,
    TCategory,
    ajcc_stage,
    stage_group,
    t_category,
)

T_ALL = list(TCategory)
G_ALL = list(FnclccGrade)


@pytest.mark.parametrize(
    ("size_cm", "t"),
    [
        (0.5, TCategory.T1),
        (4.9, TCategory.T1),
        (5.0, TCategory.T1),
        (5.1, TCategory.T2),
        (9.9, TCategory.T2),
        (10.0, TCategory.T2),
        (10.1, TCategory.T3),
        (15.0, TCategory.T3),
        (15.1, TCategory.T4),
        (40.0, TCategory.T4),
    ],
)
def test_t_category_boundaries(size_cm: float, t: TCategory) -> None:
    """T1 <= 5 cm, T2 > 5 and <= 10, T3 > 10 and <= 15, T4 > 15 cm (AJCC 8th retroperitoneum)."""
    assert t_category(size_cm) is t


@pytest.mark.parametrize("bad", [0, -1.0, math.nan, math.inf])
def test_size_must_be_a_positive_number(bad: float) -> None:
    with pytest.raises(ValueError, match="size_cm"):
        t_category(bad)


N0M0_TABLE = {
    # T:            GX              G1              G2                G3
    TCategory.T1: (StageGroup.IA, StageGroup.IA, StageGroup.II, StageGroup.II),
    TCategory.T2: (StageGroup.IB, StageGroup.IB, StageGroup.IIIA, StageGroup.IIIA),
    TCategory.T3: (StageGroup.IB, StageGroup.IB, StageGroup.IIIB, StageGroup.IIIB),
    TCategory.T4: (StageGroup.IB, StageGroup.IB, StageGroup.IIIB, StageGroup.IIIB),
}


@pytest.mark.parametrize(
    ("t", "grade", "stage"),
    [(t, grade, stages[i]) for t, stages in N0M0_TABLE.items() for i, grade in enumerate(G_ALL)],
)
def test_every_n0_m0_cell_of_the_stage_table(
    t: TCategory, grade: FnclccGrade, stage: StageGroup
) -> None:
    """IA T1 GX/G1; IB T2-4 GX/G1; II T1 G2-3; IIIA T2 G2-3; IIIB T3-4 G2-3 (N0 M0)."""
    assert stage_group(t, NCategory.N0, MCategory.M0, grade).stage is stage


@pytest.mark.parametrize(("t", "grade"), [(t, g) for t in T_ALL for g in G_ALL])
def test_node_positive_is_stage_iiib_in_the_retroperitoneum(
    t: TCategory, grade: FnclccGrade
) -> None:
    """Any T, N1, M0, any G -> IIIB for the retroperitoneum (N1 is stage IV only for
    trunk/extremity; AJCC 8th retroperitoneum table)."""
    result = stage_group(t, "N1", "M0", grade)
    assert result.stage is StageGroup.IIIB
    assert "N1" in result.rule


@pytest.mark.parametrize(
    ("t", "n", "grade"), [(t, n, g) for t in T_ALL for n in NCategory for g in G_ALL]
)
def test_any_distant_metastasis_is_stage_iv(t: TCategory, n: NCategory, grade: FnclccGrade) -> None:
    """Any T, any N, M1, any G -> IV (AJCC 8th)."""
    assert stage_group(t, n, MCategory.M1, grade).stage is StageGroup.IV


@pytest.mark.parametrize(
    ("case", "size_cm", "grade", "t", "stage"),
    [
        (1, 7.2, "G1", TCategory.T2, StageGroup.IB),
        (2, 4.2, "G2", TCategory.T1, StageGroup.II),
        (3, 7.7, "G1", TCategory.T2, StageGroup.IB),
        (4, 10.7, "G2", TCategory.T3, StageGroup.IIIB),
    ],
)
def test_zhang2021_cases(
    case: int, size_cm: float, grade: str, t: TCategory, stage: StageGroup
) -> None:
    """zhang2021 Table 1 sizes and FNCLCC grades (cases 1 and 3 G1, 2 and 4 G2), all margin-
    negative without nodal or distant disease, staged as in clinical brief 4.2 worked examples."""
    result = ajcc_stage(size_cm, grade)
    assert (result.t, result.stage) == (t, stage), f"zhang2021 case {case}"
    assert result.size_cm == size_cm
    assert result.citation_key == "ajcc8_retroperitoneum"
    assert "8th" in result.source


def test_grade_gx_is_staged_with_g1_and_says_so() -> None:
    """Rows IA and IB read "GX or G1" (AJCC 8th)."""
    result = ajcc_stage(12.0, FnclccGrade.GX)
    assert result.stage is StageGroup.IB
    assert any("GX" in note for note in result.notes)


def test_unknown_nodal_status_is_staged_as_n0_and_says_so() -> None:
    """AJCC 8th: N0 = no regional nodal metastasis or unknown nodal status."""
    result = ajcc_stage(4.0, "G3", n=None)
    assert result.n is NCategory.N0
    assert result.stage is StageGroup.II
    assert any("unknown" in note for note in result.notes)


def test_known_inputs_produce_no_notes() -> None:
    assert ajcc_stage(4.0, "G3").notes == ()


def test_unknown_category_names_the_allowed_values() -> None:
    with pytest.raises(ValueError, match=r"n: 'N2'.*N0, N1"):
        ajcc_stage(4.0, "G1", n="N2")
