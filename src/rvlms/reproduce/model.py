"""The result of reproducing a paper: published number next to the recomputed one.

JSON contract: ``{"rows": [{"quantity", "published", "reproduced", "match"}, ...]}``
plus ``note``, the numeric values behind each string, and the methods block.
``reproduced`` and ``match`` are null where the paper's data do not allow a check
(e.g. per-patient values not published) - such numbers are never invented.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from rvlms.analysis.report import Methods, ResultBase, Table

__all__ = ["Reproduction", "ReproductionRow", "values_match"]


def values_match(
    published: Sequence[float], reproduced: Sequence[float | None], tolerance: float
) -> bool:
    """Every reproduced value present and within ``tolerance`` of the published one."""
    if len(published) != len(reproduced):
        return False
    for want, got in zip(published, reproduced, strict=True):
        if got is None or not math.isclose(want, got, rel_tol=0.0, abs_tol=tolerance + 1e-9):
            return False
    return True


class ReproductionRow(BaseModel):
    """One published quantity and its recomputed counterpart."""

    model_config = ConfigDict(frozen=True)

    quantity: str
    published: str
    reproduced: str | None
    match: bool | None
    note: str
    source: str
    published_values: list[float]
    reproduced_values: list[float | None] | None
    tolerance: float


class Reproduction(ResultBase):
    """All rows for one paper; ``all_match`` ignores rows that cannot be checked."""

    paper: str
    citation: str
    synthetic: bool
    rows: list[ReproductionRow]
    all_match: bool
    methods: Methods
    warnings: list[str]

    def heading(self) -> str:
        return f"Reproduction of {self.paper}: {self.citation}"

    def result_methods(self) -> Methods:
        return self.methods

    def result_warnings(self) -> list[str]:
        return self.warnings

    def tables(self) -> list[Table]:
        rows = [
            [
                r.quantity,
                r.published,
                r.reproduced if r.reproduced is not None else "not reproducible",
                {True: "yes", False: "NO", None: "n/a"}[r.match],
                r.note,
            ]
            for r in self.rows
        ]
        return [
            Table(
                "Published vs reproduced",
                ["Quantity", "Published", "Reproduced", "Match", "Note"],
                rows,
                align_left=5,
            )
        ]
