"""Which cohort columns are summarised how, with their display labels.

The continuous variables are those Zhang 2021 (Table 1 and Results) and Yang 2025
(abstract, Results) report as median (min–max) or median (IQR); the categorical ones are
those they report as counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import pandas as pd

from rvlms.analysis.cohort import ALLOWED_VALUES, BINARY_COLUMNS

__all__ = [
    "CATEGORICAL_VARIABLES",
    "CONTINUOUS_VARIABLES",
    "LABELS",
    "as_levels",
    "group_levels",
    "levels_of",
]

CONTINUOUS_VARIABLES: Final[tuple[str, ...]] = (
    "age",
    "size_mm",
    "operative_time_min",
    "blood_loss_ml",
    "rbc_ml",
    "plasma_ml",
    "los_days",
    "creatinine_1w_umol_l",
    "follow_up_months",
)

CATEGORICAL_VARIABLES: Final[tuple[str, ...]] = (
    "sex",
    "imaging_type",
    "ivc_level",
    "vessel_of_origin",
    "approach",
    "conversion",
    "transfused",
    "icu_admission",
    "reconstruction",
    "margin",
    "fnclcc_grade",
    "clavien_dindo",
    "local_recurrence",
    "distant_metastasis",
    "dfs_event",
    "os_event",
)

LABELS: Final[Mapping[str, str]] = {
    "age": "Age (years)",
    "size_mm": "Tumour size (mm)",
    "operative_time_min": "Operative time (min)",
    "blood_loss_ml": "Blood loss (ml)",
    "rbc_ml": "Red cells transfused (ml)",
    "plasma_ml": "Plasma transfused (ml)",
    "los_days": "Hospital stay (days)",
    "creatinine_1w_umol_l": "Creatinine 1 week after surgery (umol/L)",
    "follow_up_months": "Follow-up (months)",
    "sex": "Sex",
    "imaging_type": "Imaging type",
    "ivc_level": "IVC level",
    "vessel_of_origin": "Vessel of origin",
    "approach": "Approach",
    "conversion": "Conversion to open",
    "transfused": "Transfusion",
    "icu_admission": "ICU admission",
    "reconstruction": "Vascular reconstruction",
    "margin": "Resection margin",
    "fnclcc_grade": "FNCLCC grade",
    "clavien_dindo": "Clavien-Dindo grade",
    "local_recurrence": "Local recurrence",
    "distant_metastasis": "Distant metastasis",
    "dfs_event": "DFS event (recurrence, metastasis or death)",
    "os_event": "Death",
}

_BINARY_LEVELS: Final[tuple[str, ...]] = ("yes", "no")


def levels_of(column: str, values: pd.Series) -> list[str]:
    """Display levels of a categorical column: vocabulary order, then unexpected values."""
    if column in BINARY_COLUMNS:
        return list(_BINARY_LEVELS)
    present = [str(v) for v in pd.unique(values.dropna())]
    known = [v for v in ALLOWED_VALUES.get(column, ()) if v in present]
    return known + sorted(v for v in present if v not in known)


def as_levels(column: str, values: pd.Series) -> pd.Series:
    """Binary 1/0 shown as yes/no; other categorical columns as text."""
    if column in BINARY_COLUMNS:
        numeric = pd.to_numeric(values, errors="coerce")
        return numeric.map({1.0: "yes", 0.0: "no"}).astype(object)
    shown: pd.Series = values.astype(object).where(values.notna())
    return shown


def group_levels(df: pd.DataFrame, by: str) -> list[str]:
    """Groups present in ``df[by]``, in vocabulary order (e.g. the four Yang 2025 types)."""
    return [g for g in levels_of(by, df[by]) if (as_levels(by, df[by]) == g).any()]
