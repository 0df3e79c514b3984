"""The cohort dashboard's numbers: one analysis of the registry, cached until it changes.

The analysis is :func:`rvlms.analysis.analyze` on the registry's cohort table (description,
group tests, Kaplan–Meier with log-rank, Cox when events allow), with the Kaplan–Meier
figures of :func:`rvlms.analysis.plot_kaplan_meier`. The page leads with Table 1 and the
curves - who the patients are and what happened to them - and shows the tests after; it
analyses real registry cases unless synthetic cases are asked for
(:data:`DEFAULT_SYNTHETIC`). Researchers get the same analysis with counts below
``Settings.min_cell_count`` suppressed (tables and numbers at risk),
the disclosure control rare-disease registries need (see ``rvlms.analysis.suppression``).

Analyses run one at a time: they are CPU-bound, and the warning capture they rely on
(``warnings.catch_warnings``) is process-wide state that concurrent threads would
corrupt. A result is cached under a fingerprint of the registry (count, summed
versions, last change), so it is recomputed only after a case is added, edited or
deleted.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from rvlms.analysis import CohortAnalysis, analyze, plot_kaplan_meier
from rvlms.analysis.cohort_report import cohort_cox_models
from rvlms.analysis.findings import capture_warnings
from rvlms.analysis.plots import figure_svg
from rvlms.analysis.report import Table
from rvlms.analysis.table_one import build_table_one
from rvlms.analysis.table_one_writers import table_one_html
from rvlms.deid import deidentify_frame
from rvlms.deid.statistics import protect_analysis
from rvlms.errors import InputError
from rvlms.registry import Registry
from rvlms.registry.tables import CaseRow
from rvlms.web.plans import LruCache

__all__ = ["DEFAULT_SYNTHETIC", "CohortService", "CohortView", "Grouping", "SyntheticFilter"]

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
    """Which cases enter the analysis; the dashboard lists registry cases first."""

    exclude = "exclude"
    include = "include"
    only = "only"

    @property
    def flag(self) -> bool | None:
        return {"include": None, "exclude": False, "only": True}[self.value]

    @property
    def text(self) -> str:
        return {
            "include": "registry and synthetic cases",
            "exclude": "registry cases only, synthetic cases left out",
            "only": "synthetic cases only",
        }[self.value]


DEFAULT_SYNTHETIC = SyntheticFilter.exclude
"""The dashboard analyses real registry cases unless synthetic ones are asked for."""

_WEB_TABLE_ONE_LAYOUT = (False, 10.0)


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
    table_one_html: str = ""

    def later_tables(self) -> list[Table]:
        """The survival, test and model tables that follow Table 1 and the curves."""
        if self.analysis is None:
            return []
        described = self.analysis.descriptive.tables()
        return [t for t in self.analysis.tables() if t not in described]

    def to_dict(self) -> dict[str, Any]:
        return self.analysis.to_dict() if self.analysis is not None else {}


def _svg_uri(figure: Any) -> str:
    svg = figure_svg(figure).encode("utf-8")
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


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
        synthetic: SyntheticFilter = DEFAULT_SYNTHETIC,
        *,
        suppress: bool,
        registry: Registry | None = None,
    ) -> CohortView:
        """The analysis of ``registry`` (a grant's registry, confined to its centres)."""
        source = registry or self._registry
        min_cell = self.min_cell if suppress else None
        key = (self.fingerprint(), by, synthetic, min_cell, source.scope)
        return self._cache.get_or_compute(
            key, lambda: self._compute(by, synthetic, min_cell, source)
        )

    def _compute(
        self, by: Grouping, synthetic: SyntheticFilter, min_cell: int | None, source: Registry
    ) -> CohortView:
        with self._lock:
            frame = source.cohort_frame(synthetic=synthetic.flag)
            if min_cell is not None:
                frame = deidentify_frame(frame)
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
                if min_cell is not None:
                    exact = analyze(frame, by.value, cohort_filter=synthetic.text)
                    protected = protect_analysis(analysis.to_dict(), exact.to_dict(), min_cell)
                    analysis = CohortAnalysis.model_validate(protected)
            except ValueError as exc:
                raise InputError(f"the cohort cannot be analysed: {exc}") from None
            figures: list[Figure] = []
            captured: list[str] = []
            with capture_warnings(captured, "plot"):
                models = cohort_cox_models(frame, analysis, by.value)
                for endpoint, name in _ENDPOINTS:
                    figure = plot_kaplan_meier(
                        frame, endpoint, by.value, min_cell=min_cell, cox=models[endpoint]
                    )
                    figures.append(
                        Figure(
                            title=f"{name} by {by.value.replace('_', ' ')}",
                            svg_data_uri=_svg_uri(figure),
                            description=(
                                f"Kaplan–Meier curves of {name.lower()} in months since "
                                f"surgery, one line per {by.value.replace('_', ' ')}, with "
                                "the numbers at risk below the time axis and hazard ratios "
                                "against the reference group when a Cox model could be fitted."
                            ),
                        )
                    )
            notes.extend(captured)
            table = table_one_html(
                build_table_one(analysis), fragment=True, layout=_WEB_TABLE_ONE_LAYOUT
            )
            return CohortView(
                n,
                by,
                synthetic,
                min_cell,
                analysis,
                figures,
                notes,
                analysis.methods.run_at,
                table_one_html=table,
            )
