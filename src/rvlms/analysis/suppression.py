"""Small-cell suppression for researcher views of a rare-disease cohort.

A retroperitoneal vascular leiomyosarcoma series has a few dozen patients (24 in
Yang 2025, 4 in Zhang 2021), so a count of 1-4 in a cross-table can identify a person
when combined with centre, year, age and sex (k-anonymity argument, Sweeney 2002;
disclosure thresholds of DataSHIELD / vantage6 nodes). Counts between 1 and
``min_count - 1`` are shown as ``"<min_count"``; zero is kept, as it discloses nothing
about an individual. This is primary suppression only: totals are not adjusted, so a
suppressed cell can still be derived from its margins when only one cell in a row is
hidden.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

import pandas as pd

__all__ = ["DEFAULT_MIN_CELL", "is_small_count", "suppress_count", "suppress_small_cells"]

DEFAULT_MIN_CELL = 5


def is_small_count(value: object, min_count: int) -> bool:
    """True for a whole number between 1 and ``min_count - 1``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return False
    number = float(value)
    if not math.isfinite(number) or number != int(number):
        return False
    return 0 < int(number) < min_count


def suppress_count(value: int, min_count: int | None) -> int | str:
    """One count, or ``"<min_count"`` when it is small and suppression is on."""
    if min_count is not None and is_small_count(value, min_count):
        return f"<{min_count}"
    return value


def suppress_small_cells(
    table: pd.DataFrame,
    min_count: int = DEFAULT_MIN_CELL,
    columns: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Replace counts 1 to ``min_count - 1`` by ``"<min_count"`` in a count table.

    Args:
        table: a table of counts (e.g. ``pd.crosstab`` output).
        min_count: the smallest count shown as is (default 5).
        columns: only these columns hold counts; default every column.

    Returns:
        A copy with object dtype in the suppressed columns.
    """
    if min_count < 1:
        raise ValueError(f"min_count must be >= 1, got {min_count}")
    out = table.copy()
    targets = list(columns) if columns is not None else list(out.columns)
    for column in targets:
        out[column] = (
            out[column]
            .astype(object)
            .map(lambda v: f"<{min_count}" if is_small_count(v, min_count) else v)
        )
    return out
