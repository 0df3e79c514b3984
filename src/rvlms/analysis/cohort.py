"""The cohort table: one row per patient, the contract every analysis builds on.

CSV files with these headers come from ``rvlms synth --format csv`` and
``rvlms registry export --format csv``. Missing values are empty cells (NaN once read);
nothing is imputed, because a guessed value in a rare-disease series of a few dozen
patients changes the published medians.

Vocabularies follow the seed papers: the four imaging types are those of Yang 2025
(abstract, Results: intraluminal, intermediate, extraluminal, peripheral); the IVC
levels I–III are the lower / middle / upper segments used by Zhang 2021 (Discussion)
and the registry literature summarised in the clinical brief §2.1; FNCLCC grade and the
Clavien–Dindo grade are the systems Zhang 2021 reports in Table 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from rvlms.case.cohort import COHORT_COLUMNS, OPTIONAL_COLUMNS
from rvlms.case.vocab import Approach, ImagingType, IvcLevel, Reconstruction, Sex, Vessel
from rvlms.scores import ClavienDindoGrade, FnclccGrade, ResidualTumour

__all__ = [
    "ALLOWED_VALUES",
    "BINARY_COLUMNS",
    "COHORT_COLUMNS",
    "IMAGING_TYPES",
    "NUMERIC_COLUMNS",
    "OPTIONAL_COLUMNS",
    "CohortValidationError",
    "is_synthetic",
    "read_cohort_csv",
    "validate_cohort",
]

IMAGING_TYPES: Final[tuple[str, ...]] = tuple(t.value for t in ImagingType)

ALLOWED_VALUES: Final[Mapping[str, tuple[str, ...]]] = {
    name: tuple(member.value for member in vocabulary)
    for name, vocabulary in (
        ("imaging_type", ImagingType),
        ("ivc_level", IvcLevel),
        ("sex", Sex),
        ("reconstruction", Reconstruction),
        ("margin", ResidualTumour),
        ("fnclcc_grade", FnclccGrade),
        ("clavien_dindo", ClavienDindoGrade),
        ("approach", Approach),
        ("vessel_of_origin", Vessel),
    )
}

BINARY_COLUMNS: Final[tuple[str, ...]] = (
    "transfused",
    "icu_admission",
    "dfs_event",
    "os_event",
    "conversion",
    "local_recurrence",
    "distant_metastasis",
    "synthetic",
)

NUMERIC_COLUMNS: Final[tuple[str, ...]] = (
    "age",
    "size_mm",
    "operative_time_min",
    "blood_loss_ml",
    "dfs_months",
    "os_months",
    "rbc_ml",
    "plasma_ml",
    "los_days",
    "creatinine_1w_umol_l",
    "follow_up_months",
)

_TEXT_COLUMNS: Final[tuple[str, ...]] = ("case_id", "centre")
_TIME_SLACK_MONTHS: Final[float] = 1e-9


class CohortValidationError(ValueError):
    """A cohort table breaks the column contract.

    The message names the row (0-based position and ``case_id``), the column, the value
    found and what is allowed, so a registry export can be corrected without a debugger.
    """

    def __init__(self, message: str, *, row: int | None = None, column: str | None = None):
        super().__init__(message)
        self.row = row
        self.column = column


def _is_blank(series: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(series.dtype):
        return series.isna()
    return series.map(lambda v: pd.isna(v) or (isinstance(v, str) and not v.strip())).astype(bool)


def _row_label(df: pd.DataFrame, position: int) -> str:
    if "case_id" in df.columns:
        case_id = df["case_id"].iloc[position]
        if not pd.isna(case_id) and str(case_id).strip():
            return f"row {position} (case_id {str(case_id).strip()})"
    return f"row {position}"


def _fail(df: pd.DataFrame, mask: pd.Series, column: str, expected: str) -> None:
    positions = np.flatnonzero(mask.to_numpy(dtype=bool))
    if positions.size == 0:
        return
    first = int(positions[0])
    value = df[column].iloc[first]
    more = f" ({positions.size - 1} more rows like it)" if positions.size > 1 else ""
    raise CohortValidationError(
        f"{_row_label(df, first)}, column '{column}': {value!r} is not allowed; "
        f"expected {expected}{more}",
        row=first,
        column=column,
    )


def _clean_text(value: object) -> object:
    if isinstance(value, str):
        stripped = value.strip()
        return stripped if stripped else np.nan
    if pd.isna(value):  # type: ignore[call-overload]
        return np.nan
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _normalise_text(df: pd.DataFrame, column: str) -> pd.Series:
    codes, uniques = pd.factorize(df[column], use_na_sentinel=True)
    cleaned = np.array([_clean_text(u) for u in uniques] + [np.nan], dtype=object)
    return pd.Series(cleaned[codes], index=df.index, dtype=object)


def _normalise_vocabulary(df: pd.DataFrame, column: str, allowed: tuple[str, ...]) -> pd.Series:
    values = _normalise_text(df, column)
    bad = values.notna() & ~values.isin(allowed)
    _fail(df, bad, column, "one of " + ", ".join(allowed) + " or empty")
    return values


def _normalise_numeric(df: pd.DataFrame, column: str) -> pd.Series:
    series = df[column]
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        numbers = series.astype(float)
        blank = numbers.isna()
    else:
        blank = _is_blank(series)
        numbers = pd.to_numeric(series.where(~blank, np.nan), errors="coerce").astype(float)
    _fail(df, ~blank & numbers.isna(), column, "a number or empty")
    _fail(df, numbers < 0, column, "a number >= 0 or empty")
    _fail(df, numbers.abs() == np.inf, column, "a finite number or empty")
    return numbers


def _normalise_binary(df: pd.DataFrame, column: str) -> pd.Series:
    numbers = _normalise_numeric(df, column)
    _fail(df, numbers.notna() & ~numbers.isin([0.0, 1.0]), column, "1, 0 or empty")
    return numbers


def validate_cohort(df: pd.DataFrame) -> pd.DataFrame:
    """Check a cohort table against the contract and return a normalised copy.

    Checks: every column of :data:`COHORT_COLUMNS` is present; ``case_id`` is filled and
    unique; categorical columns use the vocabularies in :data:`ALLOWED_VALUES`; numbers
    are numbers >= 0; binary columns are 1/0; ``age`` is a whole number; a time to an
    event is never longer than overall survival (DFS ends at recurrence or death, so
    ``dfs_months <= os_months``).

    The copy has text columns as ``object`` (NaN where empty) and numeric and binary
    columns as ``float64`` (NaN where empty), ready for scipy and lifelines. Columns
    outside the contract are kept unchanged.

    Raises:
        CohortValidationError: naming row, column, value and what is allowed.
    """
    missing = [c for c in COHORT_COLUMNS if c not in df.columns]
    if missing:
        raise CohortValidationError(
            "cohort table is missing required column(s): "
            + ", ".join(missing)
            + "; required columns are "
            + ", ".join(COHORT_COLUMNS),
            column=missing[0],
        )
    out = df.reset_index(drop=True).copy()
    for column in _TEXT_COLUMNS:
        if column in out.columns:
            out[column] = _normalise_text(out, column)
    _fail(out, out["case_id"].isna(), "case_id", "a non-empty identifier")
    _fail(out, out["case_id"].duplicated(), "case_id", "a case_id not used by an earlier row")
    for column, allowed in ALLOWED_VALUES.items():
        if column in out.columns:
            out[column] = _normalise_vocabulary(out, column, allowed)
    for column in NUMERIC_COLUMNS:
        if column in out.columns:
            out[column] = _normalise_numeric(out, column)
    for column in BINARY_COLUMNS:
        if column in out.columns:
            out[column] = _normalise_binary(out, column)
    age = out["age"]
    _fail(out, age.notna() & (age != np.floor(age)), "age", "whole years or empty")
    too_long = out["dfs_months"] > out["os_months"] + _TIME_SLACK_MONTHS
    _fail(
        out,
        too_long,
        "dfs_months",
        "a time no longer than os_months (disease-free survival ends at or before death "
        "or last follow-up)",
    )
    return out


def read_cohort_csv(path: str | Path) -> pd.DataFrame:
    """Read a cohort CSV (empty cells stay missing) and validate it.

    Every cell is read as text first so that identifiers such as ``007`` and
    vocabulary codes survive unchanged; :func:`validate_cohort` then converts numbers.

    Raises:
        CohortValidationError: the file is empty, has a header but no patient rows, or
            breaks the column contract.
    """
    source = Path(path)
    try:
        raw = pd.read_csv(
            source,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            encoding="utf-8",
        )
    except pd.errors.EmptyDataError as error:
        raise CohortValidationError(
            f"{source.name} is empty; expected a header line with the columns "
            + ", ".join(COHORT_COLUMNS)
            + " and one row per patient"
        ) from error
    if raw.empty:
        raise CohortValidationError(
            f"{source.name} has a header but no patient rows; expected one row per patient "
            "below the header"
        )
    return validate_cohort(raw)


def is_synthetic(df: pd.DataFrame) -> bool:
    """True when any row of the cohort is flagged ``synthetic = 1``."""
    if "synthetic" not in df.columns:
        return False
    flags = pd.to_numeric(df["synthetic"], errors="coerce")
    return bool((flags == 1).any())
