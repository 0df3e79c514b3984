"""Estimated GFR by the CKD-EPI 2021 creatinine equation (without race), with its KDIGO category.

Kidney function matters to the team because resection of a renal-vein or caval leiomyosarcoma may
sacrifice a kidney or its venous outflow; zhang2021 (Results) reports creatinine one week after
surgery (median 85 umol/L, range 70-99).

    eGFR = 142 x min(Scr/k, 1)^a x max(Scr/k, 1)^-1.200 x 0.9938^age x 1.012 [if female]

Scr in mg/dL (IDMS-traceable); k = 0.7 (female) or 0.9 (male); a = -0.241 (female) or -0.302 (male);
result in mL/min/1.73 m2. Source: Inker LA et al., N Engl J Med 2021;385:1737-49. Adults only, and
only for a creatinine in steady state. GFR categories: KDIGO 2012 CKD guideline.
"""

import math
from enum import StrEnum
from typing import Final, Literal

from pydantic import computed_field

from rvlms.scores._inputs import parse_choice, require_positive
from rvlms.scores.citations import CITATIONS
from rvlms.scores.errors import ScoreInputError
from rvlms.scores.result import ScoreResult

UMOL_PER_MG_DL: Final = 88.4
NOT_STEADY_STATE_CAVEAT: Final = (
    "Creatinine not in steady state (e.g. acute kidney injury or the first post-operative week): "
    "CKD-EPI is not valid and the value is indicative only."
)


class Sex(StrEnum):
    """Sex as used by the equation's coefficients."""

    FEMALE = "female"
    MALE = "male"


class CreatinineUnit(StrEnum):
    """Unit of the serum creatinine entered; 1 mg/dL = 88.4 umol/L."""

    UMOL_L = "umol/L"
    MG_DL = "mg/dL"

    @classmethod
    def _missing_(cls, value: object) -> "CreatinineUnit | None":
        text = str(value).strip().lower().replace("µ", "u").replace("μ", "u")
        return next((unit for unit in cls if unit.value.lower() == text), None)


class GfrCategory(StrEnum):
    """KDIGO GFR category, in mL/min/1.73 m2."""

    G1 = "G1"
    G2 = "G2"
    G3A = "G3a"
    G3B = "G3b"
    G4 = "G4"
    G5 = "G5"

    @property
    def description(self) -> str:
        return _CATEGORY_DESCRIPTION[self]


_CATEGORY_DESCRIPTION = {
    GfrCategory.G1: ">= 90, normal or high",
    GfrCategory.G2: "60-89, mildly decreased",
    GfrCategory.G3A: "45-59, mildly to moderately decreased",
    GfrCategory.G3B: "30-44, moderately to severely decreased",
    GfrCategory.G4: "15-29, severely decreased",
    GfrCategory.G5: "< 15, kidney failure",
}
_CATEGORY_LOWER_BOUNDS = (
    (90.0, GfrCategory.G1),
    (60.0, GfrCategory.G2),
    (45.0, GfrCategory.G3A),
    (30.0, GfrCategory.G3B),
    (15.0, GfrCategory.G4),
)


class EgfrResult(ScoreResult):
    """eGFR at full precision in ``value``, its coefficients, KDIGO category and caveats.

    ``rounded`` (one decimal) is what is shown, and the category is read from it so that the
    shown number and the category never disagree at a boundary.
    """

    creatinine: float
    unit: CreatinineUnit
    creatinine_mg_dl: float
    age_years: float
    sex: Sex
    kappa: float
    alpha: float
    value: float
    category: GfrCategory
    caveats: tuple[str, ...]
    source: str = CITATIONS["ckd_epi_2021"]
    citation_key: Literal["ckd_epi_2021"] = "ckd_epi_2021"
    category_source: str = CITATIONS["kdigo_gfr_categories"]
    category_citation_key: Literal["kdigo_gfr_categories"] = "kdigo_gfr_categories"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def rounded(self) -> float:
        return round(self.value, 1)


def gfr_category(egfr: float) -> GfrCategory:
    """KDIGO category of a GFR in mL/min/1.73 m2 (G1 >= 90 ... G5 < 15)."""
    if isinstance(egfr, bool) or not isinstance(egfr, int | float) or not math.isfinite(egfr):
        raise ScoreInputError("egfr", egfr, "a GFR >= 0 in mL/min/1.73 m2")
    if egfr < 0:
        raise ScoreInputError("egfr", egfr, "a GFR >= 0 in mL/min/1.73 m2")
    return next(
        (category for bound, category in _CATEGORY_LOWER_BOUNDS if egfr >= bound), GfrCategory.G5
    )


PLAUSIBLE_MG_DL = (0.1, 40.0)
"""Creatinine outside this range is a unit or typing error, not a measurement; the
equation is not evaluated there (and would divide by zero as creatinine approaches 0)."""


def ckd_epi_2021(
    creatinine: float,
    age_years: float,
    sex: Sex | str,
    unit: CreatinineUnit | str = CreatinineUnit.UMOL_L,
    *,
    steady_state: bool = True,
) -> EgfrResult:
    """eGFR by CKD-EPI 2021, e.g. creatinine 85 umol/L, female, 56 years -> 69.3.

    Raises ``ScoreInputError`` for age under 18 (the equation was developed in adults) and for a
    creatinine that is not a positive number. Pass ``steady_state=False`` for values taken while
    creatinine is changing, such as zhang2021's one-week post-operative creatinine; the result
    then carries a caveat.
    """
    unit_ = parse_choice(CreatinineUnit, unit, field="unit")
    sex_ = parse_choice(Sex, sex, field="sex")
    scr = require_positive(
        creatinine, field="creatinine", expected=f"a serum creatinine > 0 in {unit_.value}"
    )
    age = require_positive(age_years, field="age_years", expected="an age >= 18 years")
    if age < 18:
        raise ScoreInputError(
            "age_years", age_years, "an age >= 18 years (CKD-EPI 2021 is for adults)"
        )

    scr_mg_dl = scr / UMOL_PER_MG_DL if unit_ is CreatinineUnit.UMOL_L else scr
    if not PLAUSIBLE_MG_DL[0] <= scr_mg_dl <= PLAUSIBLE_MG_DL[1]:
        low, high = PLAUSIBLE_MG_DL
        raise ScoreInputError(
            "creatinine",
            creatinine,
            f"a serum creatinine from {low} to {high} mg/dL "
            f"({low * UMOL_PER_MG_DL:.1f} to {high * UMOL_PER_MG_DL:.0f} umol/L)",
        )
    female = sex_ is Sex.FEMALE
    kappa = 0.7 if female else 0.9
    alpha = -0.241 if female else -0.302
    ratio = scr_mg_dl / kappa
    value = (
        142.0
        * min(ratio, 1.0) ** alpha
        * max(ratio, 1.0) ** -1.200
        * 0.9938**age
        * (1.012 if female else 1.0)
    )
    return EgfrResult(
        creatinine=scr,
        unit=unit_,
        creatinine_mg_dl=scr_mg_dl,
        age_years=age,
        sex=sex_,
        kappa=kappa,
        alpha=alpha,
        value=value,
        category=gfr_category(round(value, 1)),
        caveats=() if steady_state else (NOT_STEADY_STATE_CAVEAT,),
    )
