"""Building blocks shared by the paper reproductions."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from rvlms.analysis.report import format_number
from rvlms.reproduce.model import ReproductionRow, values_match

__all__ = ["count", "median_iqr", "median_range", "not_reproducible", "numeric_row", "slash"]


def median_range(values: pd.Series) -> list[float | None]:
    """[median, min, max] of the non-missing values ([None]*3 when there are none)."""
    present = pd.to_numeric(values, errors="coerce").dropna()
    if present.empty:
        return [None, None, None]
    return [float(present.median()), float(present.min()), float(present.max())]


def median_iqr(values: pd.Series) -> list[float | None]:
    """[median, 25th, 75th percentile] (linear interpolation, R type 7)."""
    present = pd.to_numeric(values, errors="coerce").dropna()
    if present.empty:
        return [None, None, None]
    q1, median, q3 = (float(x) for x in present.quantile([0.25, 0.5, 0.75]).to_numpy())
    return [median, q1, q3]


def count(mask: pd.Series) -> float:
    """Number of rows where ``mask`` is true (missing counts as false)."""
    return float(mask.fillna(False).astype(bool).sum())


def _show(value: float | None, decimals: int | None) -> str:
    if value is None or decimals is None:
        return format_number(value)
    return f"{value:.{decimals}f}"


def slash(values: Sequence[float | None], decimals: int | None = None) -> str:
    return " / ".join(_show(v, decimals) for v in values)


def _spread(values: Sequence[float | None], decimals: int | None) -> str:
    centre, low, high = values
    return f"{_show(centre, decimals)} ({_show(low, decimals)}–{_show(high, decimals)})"


def numeric_row(
    quantity: str,
    published: str,
    published_values: Sequence[float],
    reproduced_values: Sequence[float | None],
    *,
    source: str,
    note: str = "",
    tolerance: float = 0.0,
    style: str = "slash",
    decimals: int | None = None,
) -> ReproductionRow:
    """A row compared value by value.

    ``style`` is ``slash`` (a / b) or ``spread`` (m (a–b)); ``decimals`` fixes the number
    of decimals shown (default: as the papers print, without trailing zeros).
    """
    if style == "spread":
        shown = _spread(reproduced_values, decimals)
    else:
        shown = slash(reproduced_values, decimals)
    if tolerance == 0.0:
        tolerance_note = "exact match required"
    else:
        tolerance_note = f"tolerance ±{format_number(tolerance)} in the published unit"
    return ReproductionRow(
        quantity=quantity,
        published=published,
        reproduced=shown,
        match=values_match(published_values, reproduced_values, tolerance),
        note="; ".join(part for part in (note, tolerance_note) if part),
        source=source,
        published_values=list(published_values),
        reproduced_values=list(reproduced_values),
        tolerance=tolerance,
    )


def not_reproducible(
    quantity: str, published: str, published_values: Sequence[float], *, source: str, note: str
) -> ReproductionRow:
    """A published number the available data cannot check: reproduced and match are null."""
    return ReproductionRow(
        quantity=quantity,
        published=published,
        reproduced=None,
        match=None,
        note=note,
        source=source,
        published_values=list(published_values),
        reproduced_values=None,
        tolerance=0.0,
    )
