"""Facts of the kidneys: which kidney is at risk and whether the other one works."""

from __future__ import annotations

from typing import Any

from rvlms.case import Case
from rvlms.case.vocab import KidneyFunction, Side
from rvlms.imaging import Classification
from rvlms.pathway.conditions import MISSING
from rvlms.pathway.facts.catalogue import fact, known
from rvlms.pathway.facts.organs import kidney_side
from rvlms.scores import ckd_epi_2021

_NOT_WORKING = (KidneyFunction.absent, KidneyFunction.non_functioning)
_REDUCED = (KidneyFunction.impaired, KidneyFunction.hydronephrosis)
_OTHER = {Side.right: Side.left, Side.left: Side.right}


def _other_kidney(case: Case, c: Classification) -> KidneyFunction | None:
    """The kidney that is not at risk: opposite the invaded kidney or renal vein, else
    opposite the tumour side (``contralateral_kidney``)."""
    at_risk = kidney_side(case, c)
    if at_risk in ("right", "left"):
        other = _OTHER[Side(at_risk)]
        per_side = case.imaging.left_kidney if other is Side.left else case.imaging.right_kidney
        if per_side is not None:
            return per_side
        if case.imaging.side is not None and _OTHER.get(case.imaging.side) is other:
            return case.imaging.contralateral_kidney
        return None
    return case.imaging.contralateral_kidney


@fact(
    "solitary kidney (the other kidney absent or not functioning)",
    "imaging.contralateral_kidney",
    "imaging.right_kidney",
    "imaging.left_kidney",
)
def solitary_kidney(case: Case, c: Classification) -> Any:
    other = _other_kidney(case, c)
    return MISSING if other is None else other in _NOT_WORKING


@fact("contralateral kidney impaired", "imaging.contralateral_kidney")
def contralateral_impaired(case: Case, c: Classification) -> Any:
    other = _other_kidney(case, c)
    return MISSING if other is None else other in _REDUCED


@fact(
    "eGFR before surgery (CKD-EPI 2021)",
    "labs.creatinine_umol_l",
    "demographics.age_years",
    "demographics.sex",
)
def egfr(case: Case, _: Classification) -> Any:
    creatinine, years, sex = (
        case.labs.creatinine_umol_l,
        case.demographics.age_years,
        case.demographics.sex,
    )
    if creatinine is None or years is None or sex is None or years < 18:
        return MISSING
    try:
        return ckd_epi_2021(creatinine, years, sex).rounded
    except ValueError:
        return MISSING


@fact("patient wishes to keep the kidney", "preferences.wishes_kidney_preservation")
def wishes_kidney_preservation(case: Case, _: Classification) -> Any:
    return known(case.preferences.wishes_kidney_preservation)
