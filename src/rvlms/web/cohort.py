"""The cohort dashboard's numbers: one analysis of the registry, cached until it changes.

The analysis is :func:`rvlms.analysis.analyze` on the registry's cohort table (description,
group tests, Kaplan–Meier with log-rank, Cox when events allow), with the Kaplan–Meier
figures of :func:`rvlms.analysis.plot_kaplan_meier`. Researchers get the same analysis
with counts below ``Settings.min_cell_count`` suppressed (tables and numbers at risk),
the disclosure control rare-disease registries need (see ``rvlms.analysis.suppression``).

Analyses run one at a time: they are CPU-bound, and the warning capture they rely on
(``warnings.catch_warnings``) is process-wide state that concurrent threads would
corrupt. A result is cached under a fingerprint of the registry (count, summed
versions, last change), so it is recomputed only after a case is added, edited or
deleted.
"""

from __future__ import annotations

import base64
import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from rvlms.analysis import CohortAnalysis, analyze, plot_kaplan_meier
from rvlms.analysis.findings import capture_warnings
from rvlms.errors import InputError
from rvlms.registry import Registry
from rvlms.registry.tables import CaseRow
from rvlms.web.plans import LruCache

__all__ = ["CohortService", "CohortView", "Grouping", "SyntheticFilter"]

MIN_CASES = 3
_ENDPOINTS: tuple[tuple[Literal["dfs", "os"], str], ...] = (
    ("dfs", "Disease-free survival"),
    ("os", "Overall survival"),
)


class Grouping(StrEnum):
    """Cohort columns the dashboard can group by."""

    imaging_type = "imaging_type"
    ivc_level = "ivc_level"
    vessel_of_origin = "vessel_of_origin"
    margin = "margin"
    reconstruction = "reconstruction"
    fnclcc_grade = "fnclcc_grade"
    sex = "sex"
    approach = "approach"


class SyntheticFilter(StrEnum):
    include = "include"
    exclude = "exclude"
    only = "only"

    @property
    def flag(self) -> bool | None:
        return {"include": None, "exclude": False, "only": True}[self.value]

    @property
    def text(self) -> str:
        return {
            "include": "all current cases",
            "exclude": "current cases, synthetic cases left out",
            "only": "synthetic cases only",
        }[self.value]


@dataclass(frozen=True)
class Figure:
    title: str
    svg_data_uri: str
    description: str


@dataclass(frozen=True)
class CohortView:
    """What the dashboard, the PDF report and the API show for one filter."""

    n: int
    by: Grouping
    synthetic: SyntheticFilter
    min_cell: int | None
    analysis: CohortAnalysis | None
    figures: Sequence[Figure]
    notes: Sequence[str]
    computed_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        return self.analysis.to_dict() if self.analysis is not None else {}


def _svg_uri(figure: Any) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


class CohortService:
    def __init__(self, registry: Registry, engine: Engine, min_cell: int, cache_size: int) -> None:
        self._registry = registry
        self._engine = engine
        self.min_cell = min_cell
        self._cache: LruCache[tuple[object, ...], CohortView] = LruCache(cache_size)
        self._lock = threading.Lock()

    def fingerprint(self) -> tuple[object, ...]:
        query = select(func.count(), func.sum(CaseRow.version), func.max(CaseRow.updated_at))
        with Session(self._engine) as session:
            count, versions, last = session.execute(query).one()
        return (int(count), int(versions or 0), str(last))

    def view(
        self,
        by: Grouping = Grouping.imaging_type,
        synthetic: SyntheticFilter = SyntheticFilter.include,
        *,
        suppress: bool,
    ) -> CohortView:
        min_cell = self.min_cell if suppress else None
        key = (self.fingerprint(), by, synthetic, min_cell)
        return self._cache.get_or_compute(key, lambda: self._compute(by, synthetic, min_cell))

    def _compute(
        self, by: Grouping, synthetic: SyntheticFilter, min_cell: int | None
    ) -> CohortView:
        with self._lock:
            frame = self._registry.cohort_frame(synthetic=synthetic.flag)
            n = len(frame)
            notes: list[str] = []
            if min_cell is not None:
                notes.append(
                    f"Counts from 1 to {min_cell - 1} are shown as '<{min_cell}' "
                    "(small-cell suppression for de-identified views)."
                )
            if n < MIN_CASES:
                notes.append(
                    f"{n} case{'s' if n != 1 else ''} match{'es' if n == 1 else ''} "
                    f"({synthetic.text}); an analysis needs at least {MIN_CASES}."
                )
                return CohortView(n, by, synthetic, min_cell, None, (), notes, None)
            try:
                analysis = analyze(frame, by.value, min_cell=min_cell, cohort_filter=synthetic.text)
            except ValueError as exc:
                raise InputError(f"the cohort cannot be analysed: {exc}") from None
            figures: list[Figure] = []
            captured: list[str] = []
            with capture_warnings(captured, "plot"):
                for endpoint, name in _ENDPOINTS:
                    figure = plot_kaplan_meier(frame, endpoint, by.value, min_cell=min_cell)
                    figures.append(
                        Figure(
                            title=f"{name} by {by.value.replace('_', ' ')}",
                            svg_data_uri=_svg_uri(figure),
                            description=(
                                f"Kaplan–Meier curves of {name.lower()} in months since "
                                f"surgery, one line per {by.value.replace('_', ' ')}, with "
                                "the numbers at risk below the time axis."
                            ),
                        )
                    )
            notes.extend(captured)
            return CohortView(
                n, by, synthetic, min_cell, analysis, figures, notes, analysis.methods.run_at
            )
