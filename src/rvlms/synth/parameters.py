"""Distribution parameters of the synthetic cohort, each with where it comes from.

Published anchors (Yang 2025 abstract, Results; 24 patients):
imaging types 6/9/4/5; tumour size median 80 mm (IQR 63–105); operative time median
294 min; blood loss median 650 ml; reconstruction primary repair 15, patch 2, IVC
ligation 4; 3 R1/R2 margins; local recurrence 5, distant metastasis 7, both 1; median
DFS 19.0 months (IQR 7.0–59.0); median follow-up 12.5 months. Significant between-type
differences in operative time, blood loss, transfusion and ICU admission - direction
not published.

Everything by imaging type below (which type bleeds more, which recurs sooner) is a
modelling assumption of this generator, not a published fact: the more of the tumour
lies inside the IVC, the more caval work is assumed (intermediate > intraluminal >
extraluminal > peripheral), in line with the registry finding that intraluminal growth
carries a worse prognosis (Mingoli 1996, clinical brief §1.2). Sex ratio (about four
women to one man) and age band (40–70) are from Zhang 2021 (Background). IVC level
shares (I 40 %, II 45 %, III 15 %) are the registry shares in the clinical brief §2.1.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from rvlms.analysis.cohort import IMAGING_TYPES

__all__ = [
    "AGE_MEAN",
    "AGE_SD",
    "APPROACH_PROBABILITIES",
    "DFS_HAZARD_RATIO",
    "DFS_MEDIAN_MONTHS",
    "DFS_WEIBULL_SHAPE",
    "FEMALE_PROBABILITY",
    "FNCLCC_PROBABILITIES",
    "FOLLOW_UP_MEDIAN_MONTHS",
    "ICU_PROBABILITY",
    "IMAGING_TYPE_COUNTS",
    "IVC_LEVEL_PROBABILITIES",
    "MARGIN_PROBABILITIES",
    "MEDIAN_BLOOD_LOSS_ML",
    "MEDIAN_OPERATIVE_TIME_MIN",
    "PERIPHERAL_VESSELS",
    "RECONSTRUCTION_PROBABILITIES",
    "RECURRENCE_PATTERN",
    "SIZE_LOG_SD",
    "SIZE_MEDIAN_MM",
    "TRANSFUSION_PROBABILITY",
]

IMAGING_TYPE_COUNTS: Final[Mapping[str, int]] = dict(zip(IMAGING_TYPES, (6, 9, 4, 5), strict=True))
"""Yang 2025 abstract, Results: intraluminal 6, intermediate 9, extraluminal 4, peripheral 5."""

SIZE_MEDIAN_MM: Final[float] = 80.0
SIZE_LOG_SD: Final[float] = 0.3787
"""log-normal spread giving IQR 63–105 mm around 80 mm: ln(105/63) / (2 × 0.6745)."""

MEDIAN_OPERATIVE_TIME_MIN: Final[Mapping[str, float]] = {
    "intraluminal": 300.0,
    "intermediate": 370.0,
    "extraluminal": 250.0,
    "peripheral": 210.0,
}
"""Assumed by type; the pooled median lands near Yang 2025's 294 min."""

MEDIAN_BLOOD_LOSS_ML: Final[Mapping[str, float]] = {
    "intraluminal": 700.0,
    "intermediate": 1100.0,
    "extraluminal": 450.0,
    "peripheral": 300.0,
}
"""Assumed by type; the pooled median lands near Yang 2025's 650 ml."""

TRANSFUSION_PROBABILITY: Final[Mapping[str, float]] = {
    "intraluminal": 0.65,
    "intermediate": 0.85,
    "extraluminal": 0.25,
    "peripheral": 0.10,
}
ICU_PROBABILITY: Final[Mapping[str, float]] = {
    "intraluminal": 0.50,
    "intermediate": 0.75,
    "extraluminal": 0.10,
    "peripheral": 0.05,
}

RECONSTRUCTION_PROBABILITIES: Final[Mapping[str, Mapping[str, float]]] = {
    "intraluminal": {"primary_repair": 0.65, "patch": 0.15, "ligation": 0.20},
    "intermediate": {"primary_repair": 0.55, "patch": 0.10, "ligation": 0.35},
    "extraluminal": {"primary_repair": 1.0},
    "peripheral": {"none": 0.6, "primary_repair": 0.4},
}
"""Pooled over Yang 2025's type mix: about 15/24 primary repair, 2/24 patch, 4/24 ligation,
3/24 none (24 − 21 with no IVC procedure listed)."""

MARGIN_PROBABILITIES: Final[Mapping[str, float]] = {"R0": 21 / 24, "R1": 2 / 24, "R2": 1 / 24}
"""Yang 2025: 3 of 24 R1/R2; the split between R1 and R2 is not published (2/1 assumed)."""

FEMALE_PROBABILITY: Final[float] = 0.8
"""Zhang 2021 Background: male to female 1:4."""

AGE_MEAN: Final[float] = 55.0
AGE_SD: Final[float] = 10.0
"""Zhang 2021 Background: mostly aged 40–70; Zhang 2021 Table 1 median 56."""

IVC_LEVEL_PROBABILITIES: Final[Mapping[str, float]] = {"I": 0.40, "II": 0.45, "III": 0.15}

PERIPHERAL_VESSELS: Final[Mapping[str, float]] = {
    "renal_vein": 0.6,
    "adrenal_vein": 0.2,
    "gonadal_vein": 0.15,
    "iliac_vein": 0.05,
}
"""Zhang 2021 Discussion: after the IVC, renal vein, then central adrenal and iliac veins."""

FNCLCC_PROBABILITIES: Final[Mapping[str, float]] = {"G1": 0.3, "G2": 0.45, "G3": 0.2, "GX": 0.05}
APPROACH_PROBABILITIES: Final[Mapping[str, float]] = {
    "open": 0.8,
    "laparoscopic": 0.15,
    "robotic": 0.05,
}

DFS_MEDIAN_MONTHS: Final[float] = 19.0
DFS_WEIBULL_SHAPE: Final[float] = 0.75
"""Shape < 1: early hazard, long tail, as Yang's DFS quartiles 7.0 / 19.0 / 59.0 suggest."""

DFS_HAZARD_RATIO: Final[Mapping[str, float]] = {
    "intraluminal": 1.4,
    "intermediate": 1.25,
    "extraluminal": 0.9,
    "peripheral": 0.6,
}
"""Assumed relative DFS hazards by type (relative to the pooled median of 19 months)."""

RECURRENCE_PATTERN: Final[Mapping[str, float]] = {
    "local_only": 4 / 11,
    "distant_only": 6 / 11,
    "both": 1 / 11,
}
"""Yang 2025: 5 local, 7 distant, 1 both → 4 local only, 6 distant only, 1 both of 11."""

FOLLOW_UP_MEDIAN_MONTHS: Final[float] = 12.5
"""Yang 2025: median follow-up 12.5 months (median of the censoring distribution here)."""
