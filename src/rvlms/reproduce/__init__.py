"""Reproduce the published numbers of the two seed papers.

``reproduce("zhang2021")`` recomputes the Zhang 2021 summaries from its four patients
(Table 1) and must match exactly; ``reproduce("yang2025")`` checks the Yang 2025
abstract against the calibrated synthetic cohort. Each returns a :class:`Reproduction`
with rows {quantity, published, reproduced, match, note}.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

from rvlms.reproduce.model import Reproduction, ReproductionRow
from rvlms.reproduce.yang2025 import reproduce_yang2025
from rvlms.reproduce.zhang2021 import load_zhang2021_cohort, reproduce_zhang2021

__all__ = [
    "PAPERS",
    "Paper",
    "Reproduction",
    "ReproductionRow",
    "load_zhang2021_cohort",
    "reproduce",
    "reproduce_yang2025",
    "reproduce_zhang2021",
]

Paper = Literal["zhang2021", "yang2025"]
PAPERS: tuple[Paper, ...] = ("zhang2021", "yang2025")


def reproduce(paper: Paper, cohort: pd.DataFrame | None = None) -> Reproduction:
    """Published vs reproduced numbers for ``paper``.

    Args:
        paper: ``"zhang2021"`` or ``"yang2025"``.
        cohort: the cohort table to check; default: the Zhang 2021 case records, or the
            calibrated synthetic Yang 2025 cohort.
    """
    if paper == "zhang2021":
        return reproduce_zhang2021(cohort)
    if paper == "yang2025":
        return reproduce_yang2025(cohort)
    raise ValueError(f"unknown paper {paper!r}; choose one of {', '.join(PAPERS)}")
