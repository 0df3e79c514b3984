"""A synthetic 24-patient cohort calibrated to the Yang 2025 abstract.

Only the abstract of Yang 2025 is available (BMC Cancer 2025, doi
10.1186/s12885-025-14287-6), so per-patient data do not exist outside the authors'
centre. This cohort is constructed - not sampled - so that every count the abstract
gives is exact and every median and quartile lands on the published value:

================================  ==========================================
published (abstract, Results)     how the cohort meets it
================================  ==========================================
types 6 / 9 / 4 / 5               exact rows per type
size median 80 mm, IQR 63–105     the 6th/7th, 12th/13th and 18th/19th
operative time median 294 min     ordered values are equal pairs at the
blood loss median 650 ml          targets, so R quantile types 6 and 7
follow-up median 12.5 months      (SPSS / numpy) give the same answer
primary repair 15, patch 2,       exact; 3 without an IVC procedure are
ligation 4                        ``none`` (24 − 21)
R1/R2 3                           exact (2 R1, 1 R2 - the split is assumed)
local 5, distant 7, both 1        exact; 11 DFS events
median DFS 19.0, IQR 7.0–59.0     event and censoring times chosen so the
                                  KM curve first falls to ≤ 0.75, ≤ 0.5 and
                                  ≤ 0.25 at exactly 7, 19 and 59 months,
                                  never touching a threshold exactly
================================  ==========================================

Between-type differences (which Yang calls significant without giving direction or
p-values) are built in as assumed in :mod:`rvlms.synth.parameters`: intermediate >
intraluminal > extraluminal > peripheral for operative time, blood loss, transfusion
and ICU admission. The seed only shuffles what the abstract does not constrain: the
order of rows, which patient of a type gets which survival course and reconstruction,
tumour sizes, and the unpublished columns (age, sex, grade, IVC level, ...).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from rvlms.analysis.cohort import COHORT_COLUMNS, IMAGING_TYPES, OPTIONAL_COLUMNS
from rvlms.synth import parameters as p
from rvlms.synth.generator import case_ids

__all__ = [
    "YANG2025_DEFAULT_SEED",
    "YANG2025_TARGETS",
    "YANG2025_TOLERANCE",
    "yang2025_cohort",
]

YANG2025_DEFAULT_SEED: Final[int] = 2025
YANG2025_TOLERANCE: Final[float] = 0.5
"""Medians and quartiles must lie within ±0.5 of the published value, in its unit."""

YANG2025_TARGETS: Final[Mapping[str, float]] = {
    "n": 24,
    "intraluminal": 6,
    "intermediate": 9,
    "extraluminal": 4,
    "peripheral": 5,
    "size_median_mm": 80.0,
    "size_q1_mm": 63.0,
    "size_q3_mm": 105.0,
    "operative_time_median_min": 294.0,
    "blood_loss_median_ml": 650.0,
    "primary_repair": 15,
    "patch": 2,
    "ligation": 4,
    "r1_r2": 3,
    "follow_up_median_months": 12.5,
    "local_recurrence": 5,
    "distant_metastasis": 7,
    "both": 1,
    "dfs_median_months": 19.0,
    "dfs_q1_months": 7.0,
    "dfs_q3_months": 59.0,
}
"""Yang 2025 abstract, Results - the numbers the cohort is calibrated to."""


@dataclass(frozen=True)
class _Course:
    """DFS time, whether it ended in an event, the pattern, follow-up and death."""

    dfs: float
    event: bool
    pattern: str
    follow_up: float
    died: bool
    margin: str = "R0"


def _event(
    dfs: float, pattern: str, follow_up: float, died: bool = False, margin: str = "R0"
) -> _Course:
    return _Course(dfs, True, pattern, follow_up, died, margin)


def _censored(months: float) -> _Course:
    return _Course(months, False, "", months, False)


_COURSES: Final[Mapping[str, Sequence[_Course]]] = {
    "intraluminal": (
        _event(2.0, "distant", 6.0, died=True, margin="R1"),
        _event(5.0, "distant", 18.0),
        _event(10.0, "both", 27.0),
        _event(30.0, "distant", 44.0),
        _censored(8.0),
        _censored(66.0),
    ),
    "intermediate": (
        _event(3.0, "distant", 9.0, died=True, margin="R1"),
        _event(6.0, "distant", 24.0, died=True, margin="R2"),
        _event(14.0, "distant", 31.0, died=True),
        _event(19.0, "local", 26.0),
        _censored(1.0),
        _censored(7.5),
        _censored(8.5),
        _censored(9.5),
        _censored(16.0),
    ),
    "extraluminal": (
        _event(4.0, "local", 13.0),
        _event(59.0, "local", 71.0),
        _censored(9.0),
        _censored(80.0),
    ),
    "peripheral": (
        _event(7.0, "local", 20.0),
        _censored(8.0),
        _censored(9.0),
        _censored(9.5),
        _censored(12.0),
    ),
}
"""Kaplan–Meier walk (at risk → S): censor 1; events 2, 3, 4, 5, 6 → 18/23 = 0.783;
7 (18 at risk) → 0.739; 8 censored in 7.5–9.5; 10 (9) → 0.657; censor 12; 14 (7) →
0.563; censor 16; 19 (5) → 0.450; 30 (4) → 0.338; 59 (3) → 0.225; censored 66, 80."""

_OPERATIVE_TIME_MIN: Final[Mapping[str, Sequence[float]]] = {
    "intraluminal": (272, 280, 294, 305, 330, 372),
    "intermediate": (294, 318, 345, 360, 385, 400, 425, 450, 490),
    "extraluminal": (195, 228, 248, 288),
    "peripheral": (165, 180, 210, 235, 260),
}
_BLOOD_LOSS_ML: Final[Mapping[str, Sequence[float]]] = {
    "intraluminal": (400, 550, 600, 650, 900, 1200),
    "intermediate": (650, 800, 1000, 1100, 1400, 1600, 1800, 2200, 3000),
    "extraluminal": (200, 300, 450, 700),
    "peripheral": (100, 150, 250, 350, 500),
}
_TRANSFUSED: Final[Mapping[str, int]] = {
    "intraluminal": 4,
    "intermediate": 8,
    "extraluminal": 1,
    "peripheral": 0,
}
"""Number transfused per type: the patients with the largest blood loss."""
_ICU: Final[Mapping[str, int]] = {
    "intraluminal": 3,
    "intermediate": 7,
    "extraluminal": 0,
    "peripheral": 0,
}
_RECONSTRUCTION: Final[Mapping[str, Sequence[str]]] = {
    "intraluminal": ("primary_repair",) * 4 + ("patch", "ligation"),
    "intermediate": ("primary_repair",) * 5 + ("patch",) + ("ligation",) * 3,
    "extraluminal": ("primary_repair",) * 4,
    "peripheral": ("none",) * 3 + ("primary_repair",) * 2,
}
_SIZES_MM: Final[tuple[float, ...]] = (
    38,
    45,
    52,
    57,
    60,
    63,
    63,
    68,
    72,
    75,
    78,
    80,
    80,
    84,
    88,
    92,
    98,
    105,
    105,
    112,
    120,
    135,
    150,
    180,
)
_SEXES: Final[tuple[str, ...]] = ("female",) * 19 + ("male",) * 5
"""About four women to one man (Zhang 2021 Background); Yang 2025 does not report sex."""
_PERIPHERAL_VESSELS: Final[tuple[str, ...]] = (
    "renal_vein",
    "renal_vein",
    "renal_vein",
    "adrenal_vein",
    "gonadal_vein",
)


def _pick(rng: np.random.Generator, probabilities: Mapping[str, float]) -> str:
    levels = list(probabilities)
    weights = np.array(list(probabilities.values()), dtype=float)
    return levels[int(rng.choice(len(levels), p=weights / weights.sum()))]


def yang2025_cohort(seed: int = YANG2025_DEFAULT_SEED) -> pd.DataFrame:
    """The 24-patient synthetic cohort calibrated to Yang 2025 (see module docstring).

    Counts are exact for every seed; medians and quartiles equal the published values
    (tolerance :data:`YANG2025_TOLERANCE`). Rows are labelled ``synthetic = 1``.
    """
    rng = np.random.default_rng(seed)
    sizes = rng.permutation(np.array(_SIZES_MM, dtype=float))
    sexes = [_SEXES[i] for i in rng.permutation(len(_SEXES))]
    rows: list[dict[str, object]] = []
    for imaging_type in IMAGING_TYPES:
        count = p.IMAGING_TYPE_COUNTS[imaging_type]
        operative = sorted(_OPERATIVE_TIME_MIN[imaging_type])
        blood = sorted(_BLOOD_LOSS_ML[imaging_type])
        courses = [_COURSES[imaging_type][i] for i in rng.permutation(count)]
        reconstruction = [_RECONSTRUCTION[imaging_type][i] for i in rng.permutation(count)]
        vessels = [_PERIPHERAL_VESSELS[i] for i in rng.permutation(len(_PERIPHERAL_VESSELS))]
        for rank in range(count):
            course = courses[rank]
            transfused = rank >= count - _TRANSFUSED[imaging_type]
            peripheral = imaging_type == "peripheral"
            approach = _pick(rng, p.APPROACH_PROBABILITIES)
            complication = rng.random() < 0.3
            rows.append(
                {
                    "imaging_type": imaging_type,
                    "ivc_level": None if peripheral else _pick(rng, p.IVC_LEVEL_PROBABILITIES),
                    "age": int(np.clip(np.rint(rng.normal(p.AGE_MEAN, p.AGE_SD)), 25, 85)),
                    "sex": sexes[len(rows)],
                    "size_mm": float(sizes[len(rows)]),
                    "operative_time_min": float(operative[rank]),
                    "blood_loss_ml": float(blood[rank]),
                    "transfused": int(transfused),
                    "icu_admission": int(rank >= count - _ICU[imaging_type]),
                    "reconstruction": reconstruction[rank],
                    "margin": course.margin,
                    "dfs_months": course.dfs,
                    "dfs_event": int(course.event),
                    "os_months": course.follow_up,
                    "os_event": int(course.died),
                    "rbc_ml": 400.0 * int(rng.integers(1, 6)) if transfused else 0.0,
                    "plasma_ml": 200.0 * int(rng.integers(0, 8)) if transfused else 0.0,
                    "los_days": float(np.clip(np.rint(9.0 * np.exp(rng.normal(0, 0.35))), 4, 60)),
                    "creatinine_1w_umol_l": float(np.round(85.0 * np.exp(rng.normal(0, 0.2)))),
                    "fnclcc_grade": _pick(rng, p.FNCLCC_PROBABILITIES),
                    "clavien_dindo": _pick(rng, {"I": 0.4, "II": 0.4, "IIIa": 0.2})
                    if complication
                    else None,
                    "approach": approach,
                    "conversion": int(approach != "open" and rng.random() < 0.2),
                    "vessel_of_origin": vessels[rank] if peripheral else "ivc",
                    "local_recurrence": int(course.event and course.pattern in ("local", "both")),
                    "distant_metastasis": int(
                        course.event and course.pattern in ("distant", "both")
                    ),
                    "follow_up_months": course.follow_up,
                    "synthetic": 1,
                    "centre": "synthetic (calibrated to yang2025)",
                }
            )
    frame = pd.DataFrame(rows).iloc[rng.permutation(len(rows))].reset_index(drop=True)
    frame.insert(0, "case_id", case_ids(len(frame)))
    return frame[list(COHORT_COLUMNS) + list(OPTIONAL_COLUMNS)]
