"""Numbers as journals print them, and the data-source label every page carries.

p-values follow the reporting guidance most clinical journals adopt (e.g. the NEJM and
BMJ author instructions; Assel M et al., "Guidelines for reporting of statistics for
clinical research in urology", Eur Urol 2019;75:358-67): below 0.001 the p-value is
printed as "< 0.001", otherwise with three significant digits, never in scientific
notation ("5.67e-28" tells a reader nothing a "< 0.001" does not, and reads as noise
in a table). Test statistics follow the same rule so that a column never mixes
notations.

The data-source label (synthetic or literature data) is computed once here so that
tables, figures and every page of a PDF print the same words.
"""

from __future__ import annotations

import math
from typing import Final

__all__ = [
    "LITERATURE_BANNER",
    "P_FLOOR",
    "SYNTHETIC_BANNER",
    "data_label",
    "format_ci",
    "format_number",
    "format_p",
    "format_statistic",
    "p_clause",
]

SYNTHETIC_BANNER: Final[str] = "SYNTHETIC DATA - generated cohort, not patient data"
LITERATURE_BANNER: Final[str] = (
    "LITERATURE DATA - published cases, selection-biased, not a registry cohort"
)
P_FLOOR: Final[float] = 0.001


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(float(value))


def format_number(value: float | None, digits: int = 2) -> str:
    """Format like the papers: 314.5, 7.45, 56 - no trailing zeros; '-' when missing."""
    if value is None or not math.isfinite(float(value)):
        return "-"
    rounded = round(float(value), digits)
    if rounded == int(rounded):
        return str(int(rounded))
    return f"{rounded:.{digits}f}".rstrip("0").rstrip(".")


def _significant(value: float, digits: int = 3) -> str:
    """``value`` to ``digits`` significant digits in fixed-point notation; a rounding
    that carries into the next power of ten (0.99999 -> 1.00) keeps ``digits`` digits."""
    if value == 0:
        return "0"
    exponent = math.floor(math.log10(abs(value)))
    rounded = round(value, digits - 1 - exponent)
    if rounded != 0 and math.floor(math.log10(abs(rounded))) > exponent:
        exponent += 1
        rounded = round(value, digits - 1 - exponent)
    decimals = max(digits - 1 - exponent, 0)
    return f"{rounded:.{decimals}f}"


def format_p(value: float | None) -> str:
    """'<0.001' below 0.001, otherwise three significant digits ('0.0457', '0.317',
    '1.00'); '-' when no test was run."""
    if not _finite(value):
        return "-"
    assert value is not None
    if value < P_FLOOR:
        return f"<{P_FLOOR:g}"
    return _significant(float(value))


def p_clause(value: float | None) -> str:
    """'p = 0.0213', 'p < 0.001' or 'p not computed' for use inside a sentence."""
    if not _finite(value):
        return "p not computed"
    shown = format_p(value)
    return f"p < {shown[1:]}" if shown.startswith("<") else f"p = {shown}"


def format_statistic(value: float | None) -> str:
    """A test statistic to three significant digits in fixed-point notation; values below
    0.001 in absolute size as '<0.001'; '-' when no test was run."""
    if not _finite(value):
        return "-"
    assert value is not None
    number = float(value)
    if number != 0 and abs(number) < P_FLOOR:
        return f"<{P_FLOOR:g}" if number > 0 else f"-<{P_FLOOR:g}"
    if abs(number) >= 1000:
        return f"{number:,.0f}".replace(",", "")
    return _significant(number)


def format_ci(lower: float | None, upper: float | None, digits: int = 2) -> str:
    """'1.23–4.56'; a limit that is not estimable prints as 'NE' (R prints NA)."""

    def limit(value: float | None) -> str:
        return format_number(value, digits) if _finite(value) else "NE"

    return f"{limit(lower)}–{limit(upper)}"


def data_label(*, synthetic: bool, literature: bool = False) -> str | None:
    """The banner a rendering of this data must carry, or None for registry data."""
    if synthetic:
        return SYNTHETIC_BANNER
    if literature:
        return LITERATURE_BANNER
    return None
