"""Clinical grades, stages and scores used by the team, each result carrying its citation.

FNCLCC grade, AJCC 8th stage (retroperitoneum), Clavien-Dindo grade, CKD-EPI 2021 eGFR with its
KDIGO category, residual tumour (R) class and ASA physical status. Every function is pure and
returns either an enum or a frozen result object (a ``ScoreResult``) with ``source`` and
``citation_key``.
"""

from rvlms.scores.ajcc import (
    AjccResult,
    MCategory,
    NCategory,
    StageGroup,
    TCategory,
    ajcc_stage,
    stage_group,
    t_category,
)
from rvlms.scores.asa import AsaClass, AsaStatus, asa_status, parse_asa
from rvlms.scores.citations import CITATIONS, CitationKey
from rvlms.scores.clavien import (
    ClavienDindoGrade,
    ClavienResult,
    Intervention,
    OrganDysfunction,
    classify,
    describe_grade,
    parse_grade,
)
from rvlms.scores.egfr import (
    CreatinineUnit,
    EgfrResult,
    GfrCategory,
    Sex,
    ckd_epi_2021,
    gfr_category,
)
from rvlms.scores.errors import ScoreInputError
from rvlms.scores.fnclcc import (
    Differentiation,
    FnclccGrade,
    FnclccResult,
    Necrosis,
    fnclcc_grade,
    mitotic_score,
    necrosis_from_percent,
)
from rvlms.scores.resection import ResidualTumour, macroscopically_complete
from rvlms.scores.result import ScoreResult

__all__ = [
    "CITATIONS",
    "AjccResult",
    "AsaClass",
    "AsaStatus",
    "CitationKey",
    "ClavienDindoGrade",
    "ClavienResult",
    "CreatinineUnit",
    "Differentiation",
    "EgfrResult",
    "FnclccGrade",
    "FnclccResult",
    "GfrCategory",
    "Intervention",
    "MCategory",
    "NCategory",
    "Necrosis",
    "OrganDysfunction",
    "ResidualTumour",
    "ScoreInputError",
    "ScoreResult",
    "Sex",
    "StageGroup",
    "TCategory",
    "ajcc_stage",
    "asa_status",
    "ckd_epi_2021",
    "classify",
    "describe_grade",
    "fnclcc_grade",
    "gfr_category",
    "macroscopically_complete",
    "mitotic_score",
    "necrosis_from_percent",
    "parse_asa",
    "parse_grade",
    "stage_group",
    "t_category",
]
