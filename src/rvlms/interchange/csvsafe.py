"""CSV cells that a spreadsheet cannot run as formulas, and back.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
Excel, LibreOffice and Google Sheets as a formula (CSV injection, OWASP "CSV Injection";
CWE-1236), so ``=HYPERLINK("http://...")`` typed into a free-text field would become a live
link in the spreadsheet of whoever opens the export. Every CSV the project writes passes its
text cells through :func:`safe_cell`, which puts a single quote in front, as OWASP
recommends; numbers, and text that is just a number (``-3``), are left alone, since a
spreadsheet reads them as the number they are.

The quote is removed again on import (:func:`unsafe_cell`). To keep the round trip exact, a
text that already starts with quotes followed by one of those characters gets one more
quote, and import removes exactly one: ``unsafe_cell(safe_cell(text)) == text`` always.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["FORMULA_STARTS", "safe_cell", "unsafe_cell"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def safe_cell(value: Any) -> Any:
    """``value`` as a CSV cell that no spreadsheet runs; non-text values unchanged."""
    if not isinstance(value, str) or _NUMBER.fullmatch(value):
        return value
    return "'" + value if value.lstrip("'").startswith(FORMULA_STARTS) else value


def unsafe_cell(value: Any) -> Any:
    """The text :func:`safe_cell` was given (a cell read back from a CSV file)."""
    if isinstance(value, str) and value.startswith("'") and safe_cell(value[1:]) == value:
        return value[1:]
    return value
