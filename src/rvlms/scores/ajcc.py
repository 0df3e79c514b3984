"""AJCC 8th edition stage of soft tissue sarcoma of the retroperitoneum.

Only the retroperitoneal table is encoded. It differs from trunk and extremity, where N1 is stage
IV; here any N1 without metastasis is stage IIIB. Reusing one table for the other would mis-stage
node-positive patients.

Source: Pollock RE et al., AJCC Cancer Staging Manual 8th ed., Springer 2017, pp 531-7, as
reproduced in NCI PDQ Adult Soft Tissue Sarcoma Treatment (HP), tables for the retroperitoneum.
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from rvlms.scores._inputs import parse_choice, require_positive
from rvlms.scores.citations import CITATIONS
from rvlms.scores.fnclcc import FnclccGrade
from rvlms.scores.result import ScoreResult


class TCategory(StrEnum):
    """Primary tumour by greatest dimension: T1 <= 5, T2 > 5-10, T3 > 10-15, T4 > 15 cm."""

    T1 = "T1"
    T2 = "T2"
    T3 = "T3"
    T4 = "T4"


class NCategory(StrEnum):
    """Regional nodes. AJCC 8th counts unknown nodal status as N0; there is no NX for sarcoma."""

    N0 = "N0"
    N1 = "N1"


class MCategory(StrEnum):
    """Distant metastasis."""

    M0 = "M0"
    M1 = "M1"


class StageGroup(StrEnum):
    """Anatomic stage group of the retroperitoneal table."""

    IA = "IA"
    IB = "IB"
    II = "II"
    IIIA = "IIIA"
    IIIB = "IIIB"
    IV = "IV"


class AjccResult(ScoreResult):
    """A stage group with the T, N, M and grade it was read from and the table row that fired."""

    size_cm: float | None
    t: TCategory
    n: NCategory
    m: MCategory
    grade: FnclccGrade
    stage: StageGroup
    rule: str
    notes: tuple[str, ...]
    source: str = CITATIONS["ajcc8_retroperitoneum"]
    citation_key: Literal["ajcc8_retroperitoneum"] = "ajcc8_retroperitoneum"


@dataclass(frozen=True)
class _StageRow:
    stage: StageGroup
    text: str
    t: frozenset[TCategory] | None = None
    n: frozenset[NCategory] | None = None
    m: frozenset[MCategory] | None = None
    g: frozenset[FnclccGrade] | None = None

    def matches(self, t: TCategory, n: NCategory, m: MCategory, g: FnclccGrade) -> bool:
        return all(
            allowed is None or value in allowed
            for allowed, value in ((self.t, t), (self.n, n), (self.m, m), (self.g, g))
        )


_LOW = frozenset({FnclccGrade.GX, FnclccGrade.G1})
_HIGH = frozenset({FnclccGrade.G2, FnclccGrade.G3})
_N0 = frozenset({NCategory.N0})
_M0 = frozenset({MCategory.M0})

_STAGE_TABLE = (
    _StageRow(StageGroup.IV, "IV: any T, any N, M1, any G", m=frozenset({MCategory.M1})),
    _StageRow(
        StageGroup.IIIB,
        "IIIB: any T, N1, M0, any G (retroperitoneum)",
        n=frozenset({NCategory.N1}),
        m=_M0,
    ),
    _StageRow(
        StageGroup.IA, "IA: T1, N0, M0, GX or G1", t=frozenset({TCategory.T1}), n=_N0, m=_M0, g=_LOW
    ),
    _StageRow(
        StageGroup.IB,
        "IB: T2, T3 or T4, N0, M0, GX or G1",
        t=frozenset({TCategory.T2, TCategory.T3, TCategory.T4}),
        n=_N0,
        m=_M0,
        g=_LOW,
    ),
    _StageRow(
        StageGroup.II,
        "II: T1, N0, M0, G2 or G3",
        t=frozenset({TCategory.T1}),
        n=_N0,
        m=_M0,
        g=_HIGH,
    ),
    _StageRow(
        StageGroup.IIIA,
        "IIIA: T2, N0, M0, G2 or G3",
        t=frozenset({TCategory.T2}),
        n=_N0,
        m=_M0,
        g=_HIGH,
    ),
    _StageRow(
        StageGroup.IIIB,
        "IIIB: T3 or T4, N0, M0, G2 or G3",
        t=frozenset({TCategory.T3, TCategory.T4}),
        n=_N0,
        m=_M0,
        g=_HIGH,
    ),
)


def t_category(size_cm: float) -> TCategory:
    """T category from the greatest tumour dimension in cm; a boundary value takes the lower T."""
    size = require_positive(size_cm, field="size_cm", expected="a tumour size > 0 in cm")
    if size <= 5:
        return TCategory.T1
    if size <= 10:
        return TCategory.T2
    if size <= 15:
        return TCategory.T3
    return TCategory.T4


def stage_group(
    t: TCategory | str,
    n: NCategory | str | None,
    m: MCategory | str,
    grade: FnclccGrade | str,
) -> AjccResult:
    """Stage group from T, N, M and FNCLCC grade using the retroperitoneal table.

    ``n=None`` means nodal status unknown, which AJCC 8th stages as N0; the result notes it. GX is
    grouped with G1, as rows IA and IB of the table read "GX or G1".
    """
    return _stage(t, n, m, grade, size_cm=None)


def ajcc_stage(
    size_cm: float,
    grade: FnclccGrade | str,
    n: NCategory | str | None = NCategory.N0,
    m: MCategory | str = MCategory.M0,
) -> AjccResult:
    """Stage from the tumour size in cm, e.g. zhang2021 case 4: 10.7 cm, G2 -> T3 -> IIIB."""
    return _stage(t_category(size_cm), n, m, grade, size_cm=float(size_cm))


def _stage(
    t: TCategory | str,
    n: NCategory | str | None,
    m: MCategory | str,
    grade: FnclccGrade | str,
    *,
    size_cm: float | None,
) -> AjccResult:
    t_cat = parse_choice(TCategory, t, field="t")
    m_cat = parse_choice(MCategory, m, field="m")
    g = parse_choice(FnclccGrade, grade, field="grade")
    notes: list[str] = []
    if n is None:
        n_cat = NCategory.N0
        notes.append("Nodal status unknown: staged as N0 (AJCC 8th: N0 = no nodes or unknown).")
    else:
        n_cat = parse_choice(NCategory, n, field="n")
    if g is FnclccGrade.GX:
        notes.append("Grade GX staged with G1, as the AJCC 8th table groups GX with G1.")

    row = next(r for r in _STAGE_TABLE if r.matches(t_cat, n_cat, m_cat, g))
    return AjccResult(
        size_cm=size_cm,
        t=t_cat,
        n=n_cat,
        m=m_cat,
        grade=g,
        stage=row.stage,
        rule=row.text,
        notes=tuple(notes),
    )
