"""Caveats become data: library warnings are captured into a result's ``warnings`` list.

lifelines signals convergence problems and approximations with Python warnings
(``ConvergenceWarning``, ``StatisticalWarning``, ``ApproximationWarning``); a clinical
report must show them next to the numbers they qualify rather than on stderr, and the
analysis layer itself never emits Python warnings. :class:`AnalysisWarning` exists for
callers (the command line) that want to re-emit the findings as warnings.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["AnalysisWarning", "capture_warnings"]


class AnalysisWarning(UserWarning):
    """A caveat about an analysis result (small n, too few events, non-convergence)."""


@contextmanager
def capture_warnings(sink: list[str], source: str) -> Iterator[None]:
    """Record every warning raised inside the block as ``"<source>: <message>"``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            seen: set[str] = set()
            for item in caught:
                text = f"{source}: {item.category.__name__}: {str(item.message).strip()}"
                if text not in seen:
                    seen.add(text)
                    sink.append(text)
