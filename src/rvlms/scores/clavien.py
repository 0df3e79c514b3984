"""Clavien-Dindo classification of post-operative complications.

A complication is graded by the most invasive treatment it needed, not by how it looked, which
makes the grade reproducible from structured facts. zhang2021 (Results; Table 1) reports one
complication, a retroperitoneal bleed in case 1 treated with transfusion and compression without
reoperation, graded II.

Source: Dindo D, Demartines N, Clavien PA, Ann Surg 2004;240:205-13; definitions as tabulated in
the clinical brief section 4.3.
"""

from enum import StrEnum
from typing import Literal

from rvlms.scores._inputs import parse_choice
from rvlms.scores.citations import CITATIONS
from rvlms.scores.errors import ScoreInputError
from rvlms.scores.result import ScoreResult


class ClavienDindoGrade(StrEnum):
    """Clavien-Dindo grade, I (least) to V (death)."""

    I = "I"  # noqa: E741
    II = "II"
    IIIA = "IIIa"
    IIIB = "IIIb"
    IVA = "IVa"
    IVB = "IVb"
    V = "V"

    @property
    def definition(self) -> str:
        return _DEFINITIONS[self]


_DEFINITIONS = {
    ClavienDindoGrade.I: (
        "Any deviation from the normal post-operative course without the need for drugs other "
        "than antiemetics, antipyretics, analgesics, diuretics, electrolytes and physiotherapy, "
        "or for surgical, endoscopic or radiological intervention; includes wound infections "
        "opened at the bedside."
    ),
    ClavienDindoGrade.II: (
        "Requires drugs beyond those allowed for grade I; blood transfusion and total "
        "parenteral nutrition are included."
    ),
    ClavienDindoGrade.IIIA: (
        "Requires surgical, endoscopic or radiological intervention not under general anaesthesia."
    ),
    ClavienDindoGrade.IIIB: (
        "Requires surgical, endoscopic or radiological intervention under general anaesthesia."
    ),
    ClavienDindoGrade.IVA: (
        "Life-threatening complication (including CNS complications: brain haemorrhage, "
        "ischaemic stroke, subarachnoid bleeding; not TIA) requiring IC/ICU management, with "
        "single-organ dysfunction (including dialysis)."
    ),
    ClavienDindoGrade.IVB: (
        "Life-threatening complication requiring IC/ICU management, with multi-organ dysfunction."
    ),
    ClavienDindoGrade.V: "Death of the patient.",
}

_GRADE_ALIASES = {
    "1": ClavienDindoGrade.I,
    "2": ClavienDindoGrade.II,
    "3a": ClavienDindoGrade.IIIA,
    "3b": ClavienDindoGrade.IIIB,
    "4a": ClavienDindoGrade.IVA,
    "4b": ClavienDindoGrade.IVB,
    "5": ClavienDindoGrade.V,
} | {grade.value.lower(): grade for grade in ClavienDindoGrade}

_ALLOWED_TEXT = "one of I, II, IIIa, IIIb, IVa, IVb, V (or 1, 2, 3a, 3b, 4a, 4b, 5)"


class OrganDysfunction(StrEnum):
    """Organ dysfunction of a life-threatening complication managed in IC/ICU.

    ``single`` and ``multi`` both mean a life-threatening complication requiring intermediate or
    intensive care; dialysis counts as single-organ dysfunction.
    """

    NONE = "none"
    SINGLE = "single"
    MULTI = "multi"


class Intervention(StrEnum):
    """Surgical, endoscopic or radiological intervention, and whether under general anaesthesia."""

    NONE = "none"
    WITHOUT_GA = "without_ga"
    UNDER_GA = "under_ga"


class ClavienResult(ScoreResult):
    """A grade with its definition, the facts that were given and the one that decided the grade."""

    grade: ClavienDindoGrade
    label: str
    definition: str
    disability_at_discharge: bool
    facts: tuple[str, ...]
    decisive_fact: str
    source: str = CITATIONS["clavien_dindo2004"]
    citation_key: Literal["clavien_dindo2004"] = "clavien_dindo2004"


def parse_grade(text: str) -> ClavienDindoGrade:
    """Read a grade written as Roman ("IIIa") or Arabic ("3a") numerals, case-insensitively.

    Grades III and IV have no meaning without their sub-grade (Dindo 2004), so "III" is rejected
    rather than guessed. zhang2021 Table 1 writes case 1's grade as "2".
    """
    key = "".join(str(text).split()).replace("-", "").lower().removeprefix("grade")
    if key in _GRADE_ALIASES:
        return _GRADE_ALIASES[key]
    expected = _ALLOWED_TEXT
    if key in {"3", "iii", "4", "iv"}:
        expected += "; grades III and IV need their sub-grade a or b"
    raise ScoreInputError("grade", text, expected)


def _label(grade: ClavienDindoGrade, disability_at_discharge: bool) -> str:
    return f"{grade.value}-d" if disability_at_discharge else grade.value


def describe_grade(
    grade: ClavienDindoGrade | str, *, disability_at_discharge: bool = False
) -> ClavienResult:
    """Result for a grade already assigned by the team, e.g. read from a discharge letter."""
    g = grade if isinstance(grade, ClavienDindoGrade) else parse_grade(grade)
    return ClavienResult(
        grade=g,
        label=_label(g, disability_at_discharge),
        definition=g.definition,
        disability_at_discharge=disability_at_discharge,
        facts=(),
        decisive_fact=f"grade {g.value} as recorded",
    )


def classify(
    *,
    died: bool = False,
    organ_dysfunction: OrganDysfunction | str = OrganDysfunction.NONE,
    intervention: Intervention | str = Intervention.NONE,
    drugs_beyond_grade_i: bool = False,
    blood_transfusion: bool = False,
    parenteral_nutrition: bool = False,
    disability_at_discharge: bool = False,
) -> ClavienResult:
    """Grade one complication from what it required; the most severe fact decides.

    Order of precedence (Dindo 2004): death (V); life-threatening with IC/ICU management and
    multi-organ (IVb) or single-organ dysfunction (IVa); intervention under general anaesthesia
    (IIIb) or without it (IIIa); drugs beyond the grade-I list, blood transfusion or total
    parenteral nutrition (II); otherwise I. A compression dressing is not a surgical,
    endoscopic or radiological intervention, which is why zhang2021 case 1 (transfusion and
    compression, no reoperation) is grade II.

    Call this only for an actual complication: an uneventful course has no grade. The suffix "d"
    (``disability_at_discharge``) marks a complication still present at discharge.
    """
    organs = parse_choice(OrganDysfunction, organ_dysfunction, field="organ_dysfunction")
    procedure = parse_choice(Intervention, intervention, field="intervention")

    ranked: list[tuple[ClavienDindoGrade, str]] = []
    if died:
        ranked.append((ClavienDindoGrade.V, "death"))
    if organs is OrganDysfunction.MULTI:
        ranked.append((ClavienDindoGrade.IVB, "IC/ICU management, multi-organ dysfunction"))
    if organs is OrganDysfunction.SINGLE:
        ranked.append((ClavienDindoGrade.IVA, "IC/ICU management, single-organ dysfunction"))
    if procedure is Intervention.UNDER_GA:
        ranked.append((ClavienDindoGrade.IIIB, "intervention under general anaesthesia"))
    if procedure is Intervention.WITHOUT_GA:
        ranked.append((ClavienDindoGrade.IIIA, "intervention without general anaesthesia"))
    if drugs_beyond_grade_i:
        ranked.append((ClavienDindoGrade.II, "drugs beyond the grade-I list"))
    if blood_transfusion:
        ranked.append((ClavienDindoGrade.II, "blood transfusion"))
    if parenteral_nutrition:
        ranked.append((ClavienDindoGrade.II, "total parenteral nutrition"))

    grade, decisive = (
        ranked[0] if ranked else (ClavienDindoGrade.I, "no treatment beyond the grade-I list")
    )
    return ClavienResult(
        grade=grade,
        label=_label(grade, disability_at_discharge),
        definition=grade.definition,
        disability_at_discharge=disability_at_discharge,
        facts=tuple(fact for _, fact in ranked),
        decisive_fact=decisive,
    )
