"""FNCLCC histological grade of leiomyosarcoma.

The French Federation of Cancer Centres (FNCLCC) grade adds three component scores
(differentiation, mitotic count, necrosis) and maps the sum to G1-G3. The AJCC 8th edition stages
soft tissue sarcoma with this grade (see :mod:`rvlms.scores.ajcc`), and zhang2021 reports it for
its four patients (Table 1: cases 1 and 3 G1, cases 2 and 4 G2).

Source: Guillou L et al., J Clin Oncol 1997;15:350-62 (after Trojani 1984), as tabulated in NCI PDQ
Adult Soft Tissue Sarcoma Treatment (HP).
"""

import math
from enum import StrEnum
from typing import Literal

from rvlms.scores._inputs import parse_choice
from rvlms.scores.citations import CITATIONS
from rvlms.scores.errors import ScoreInputError
from rvlms.scores.result import ScoreResult


class Differentiation(StrEnum):
    """Tumour differentiation, leiomyosarcoma row of the FNCLCC table.

    The differentiation score depends on histology; these are the leiomyosarcoma entries, so a
    tumour of another histology must not be graded with them.
    """

    WELL = "well"
    CONVENTIONAL = "conventional"
    POOR = "poor"

    @property
    def score(self) -> int:
        return _DIFFERENTIATION_SCORE[self]

    @property
    def description(self) -> str:
        return _DIFFERENTIATION_DESCRIPTION[self]


_DIFFERENTIATION_SCORE = {
    Differentiation.WELL: 1,
    Differentiation.CONVENTIONAL: 2,
    Differentiation.POOR: 3,
}
_DIFFERENTIATION_DESCRIPTION = {
    Differentiation.WELL: "well-differentiated leiomyosarcoma",
    Differentiation.CONVENTIONAL: "conventional leiomyosarcoma",
    Differentiation.POOR: "poorly differentiated, pleomorphic or epithelioid leiomyosarcoma",
}


class Necrosis(StrEnum):
    """Extent of tumour necrosis on microscopy: none, under half, or at least half."""

    NONE = "none"
    LT50 = "lt50"
    GE50 = "ge50"

    @property
    def score(self) -> int:
        return _NECROSIS_SCORE[self]


_NECROSIS_SCORE = {Necrosis.NONE: 0, Necrosis.LT50: 1, Necrosis.GE50: 2}


class FnclccGrade(StrEnum):
    """FNCLCC grade; GX when a component cannot be assessed."""

    GX = "GX"
    G1 = "G1"
    G2 = "G2"
    G3 = "G3"


class FnclccResult(ScoreResult):
    """A grade with the three component scores it was summed from.

    When a component is missing the grade is GX and ``missing`` names the component, so the
    grade is never guessed from two of three scores.
    """

    differentiation: Differentiation | None
    differentiation_score: int | None
    mitoses_per_10hpf: int | None
    mitosis_score: int | None
    necrosis: Necrosis | None
    necrosis_score: int | None
    total: int | None
    grade: FnclccGrade
    missing: tuple[str, ...]
    source: str = CITATIONS["fnclcc_guillou1997"]
    citation_key: Literal["fnclcc_guillou1997"] = "fnclcc_guillou1997"


def mitotic_score(mitoses_per_10hpf: int) -> int:
    """Score the mitotic count per 10 high-power fields: 0-9 -> 1, 10-19 -> 2, >= 20 -> 3.

    The count is taken in the most active area over 10 successive HPF (FNCLCC, NCI PDQ table).
    """
    if isinstance(mitoses_per_10hpf, bool) or not isinstance(mitoses_per_10hpf, int):
        raise ScoreInputError("mitoses_per_10hpf", mitoses_per_10hpf, "a whole number >= 0")
    if mitoses_per_10hpf < 0:
        raise ScoreInputError("mitoses_per_10hpf", mitoses_per_10hpf, "a whole number >= 0")
    if mitoses_per_10hpf <= 9:
        return 1
    if mitoses_per_10hpf <= 19:
        return 2
    return 3


def necrosis_from_percent(pct: float) -> Necrosis:
    """Map the percentage of necrotic tumour to the FNCLCC category (0 %, < 50 %, >= 50 %)."""
    expected = "a percentage from 0 to 100"
    if isinstance(pct, bool) or not isinstance(pct, int | float) or not math.isfinite(pct):
        raise ScoreInputError("pct", pct, expected)
    if not 0 <= pct <= 100:
        raise ScoreInputError("pct", pct, expected)
    if pct == 0:
        return Necrosis.NONE
    if pct < 50:
        return Necrosis.LT50
    return Necrosis.GE50


def _grade_for_total(total: int) -> FnclccGrade:
    if total <= 3:
        return FnclccGrade.G1
    if total <= 5:
        return FnclccGrade.G2
    return FnclccGrade.G3


def fnclcc_grade(
    differentiation: Differentiation | str | None,
    mitoses_per_10hpf: int | None,
    necrosis: Necrosis | str | None,
) -> FnclccResult:
    """Grade a leiomyosarcoma: sum 2-3 -> G1, 4-5 -> G2, 6-8 -> G3; any component unknown -> GX.

    Example: conventional LMS (2), 12 mitoses per 10 HPF (2), necrosis under 50 % (1) sums to 5,
    grade G2.
    """
    diff = (
        None
        if differentiation is None
        else parse_choice(Differentiation, differentiation, field="differentiation")
    )
    necr = None if necrosis is None else parse_choice(Necrosis, necrosis, field="necrosis")
    mit = None if mitoses_per_10hpf is None else mitotic_score(mitoses_per_10hpf)

    missing = tuple(
        name
        for name, value in (
            ("differentiation", diff),
            ("mitoses_per_10hpf", mit),
            ("necrosis", necr),
        )
        if value is None
    )
    total = None
    grade = FnclccGrade.GX
    if diff is not None and mit is not None and necr is not None:
        total = diff.score + mit + necr.score
        grade = _grade_for_total(total)

    return FnclccResult(
        differentiation=diff,
        differentiation_score=None if diff is None else diff.score,
        mitoses_per_10hpf=mitoses_per_10hpf,
        mitosis_score=mit,
        necrosis=necr,
        necrosis_score=None if necr is None else necr.score,
        total=total,
        grade=grade,
        missing=missing,
    )
