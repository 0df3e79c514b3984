"""Descriptive statistics in the form the seed papers print them.

Zhang 2021 (Abstract, Results) reports continuous variables as median (min–max), e.g.
operative time 314.5 (224–467) min; Yang 2025 (abstract) reports median (IQR), e.g.
tumour size 80 mm (IQR 63–105). Both forms are computed, overall and by group, with the
number of missing values. Quartiles use linear interpolation between order statistics
(numpy/pandas default, R ``quantile`` type 7); neither paper names its method.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from pydantic import BaseModel, ConfigDict

from rvlms.analysis.cohort import is_synthetic
from rvlms.analysis.report import Methods, ResultBase, Table, finite_or_none, format_number
from rvlms.analysis.suppression import suppress_count
from rvlms.analysis.variables import (
    CATEGORICAL_VARIABLES,
    CONTINUOUS_VARIABLES,
    LABELS,
    as_levels,
    group_levels,
    levels_of,
)

__all__ = [
    "OVERALL",
    "CategoricalStats",
    "ContinuousStats",
    "DescriptiveTable",
    "describe",
    "summarise_continuous",
]

OVERALL = "overall"
QUANTILE_METHOD = "linear interpolation between order statistics (R quantile type 7)"


class ContinuousStats(BaseModel):
    """median, quartiles and range of one variable in one group."""

    model_config = ConfigDict(frozen=True)

    n: int | str
    missing: int | str
    median: float | None
    q1: float | None
    q3: float | None
    min: float | None
    max: float | None

    def median_iqr(self) -> str:
        if self.median is None:
            return "-"
        return f"{format_number(self.median)} ({format_number(self.q1)}–{format_number(self.q3)})"

    def median_range(self) -> str:
        if self.median is None:
            return "-"
        return f"{format_number(self.median)} ({format_number(self.min)}–{format_number(self.max)})"


class CategoricalStats(BaseModel):
    """counts and percentages of non-missing values of one variable in one group."""

    model_config = ConfigDict(frozen=True)

    n: int | str
    missing: int | str
    counts: dict[str, int | str]
    percents: dict[str, float | None]

    def cell(self, level: str) -> str:
        count = self.counts.get(level, 0)
        percent = self.percents.get(level)
        if isinstance(count, str) or percent is None:
            return str(count)
        return f"{count} ({percent:.1f}%)"


def summarise_continuous(values: pd.Series, min_cell: int | None = None) -> ContinuousStats:
    """median, quartiles (type 7), min and max of the non-missing values.

    With ``min_cell`` set, a group with fewer values than ``min_cell`` shows no
    statistics: a median of three patients is close to a patient's own value.
    """
    numbers = pd.to_numeric(values, errors="coerce")
    present = numbers.dropna()
    missing = int(numbers.isna().sum())
    too_few = min_cell is not None and present.size < min_cell
    if present.empty or too_few:
        return ContinuousStats(
            n=suppress_count(int(present.size), min_cell),
            missing=suppress_count(missing, min_cell),
            median=None,
            q1=None,
            q3=None,
            min=None,
            max=None,
        )
    q1, median, q3 = (float(x) for x in present.quantile([0.25, 0.5, 0.75]).to_numpy())
    return ContinuousStats(
        n=suppress_count(int(present.size), min_cell),
        missing=suppress_count(missing, min_cell),
        median=finite_or_none(median),
        q1=finite_or_none(q1),
        q3=finite_or_none(q3),
        min=finite_or_none(float(present.min())),
        max=finite_or_none(float(present.max())),
    )


def _summarise_categorical(
    column: str, values: pd.Series, levels: Sequence[str], min_cell: int | None
) -> CategoricalStats:
    shown = as_levels(column, values)
    present = shown.dropna()
    total = int(present.size)
    counts_raw = present.value_counts()
    counts: dict[str, int | str] = {}
    percents: dict[str, float | None] = {}
    for level in levels:
        count = int(counts_raw.get(level, 0))
        shown_count = suppress_count(count, min_cell)
        counts[level] = shown_count
        hidden = isinstance(shown_count, str) or total == 0
        percents[level] = None if hidden else round(100.0 * count / total, 1)
    return CategoricalStats(
        n=suppress_count(total, min_cell),
        missing=suppress_count(int(shown.isna().sum()), min_cell),
        counts=counts,
        percents=percents,
    )


class DescriptiveTable(ResultBase):
    """Table 1 of a cohort: overall and by group, continuous and categorical."""

    by: str | None
    groups: list[str]
    group_sizes: dict[str, int | str]
    continuous: dict[str, dict[str, ContinuousStats]]
    categorical: dict[str, dict[str, CategoricalStats]]
    levels: dict[str, list[str]]
    methods: Methods
    warnings: list[str]

    def heading(self) -> str:
        suffix = f" by {LABELS.get(self.by, self.by)}" if self.by else ""
        return f"Cohort description{suffix}"

    def result_methods(self) -> Methods:
        return self.methods

    def result_warnings(self) -> list[str]:
        return self.warnings

    def tables(self) -> list[Table]:
        columns = ["Variable"] + [f"{g} (n={self.group_sizes[g]})" for g in self.groups]
        continuous_rows: list[list[str]] = []
        for variable, by_group in self.continuous.items():
            label = LABELS.get(variable, variable)
            continuous_rows.append(
                [f"{label}, median (IQR)"] + [by_group[g].median_iqr() for g in self.groups]
            )
            continuous_rows.append(
                ["  median (min–max)"] + [by_group[g].median_range() for g in self.groups]
            )
            continuous_rows.append(["  missing"] + [str(by_group[g].missing) for g in self.groups])
        categorical_rows: list[list[str]] = []
        for variable, cat_by_group in self.categorical.items():
            categorical_rows.append(
                [f"{LABELS.get(variable, variable)}, n (%)"] + [""] * len(self.groups)
            )
            for level in self.levels[variable]:
                categorical_rows.append(
                    [f"  {level}"] + [cat_by_group[g].cell(level) for g in self.groups]
                )
            categorical_rows.append(
                ["  missing"] + [str(cat_by_group[g].missing) for g in self.groups]
            )
        return [
            Table(
                "Continuous variables",
                columns,
                continuous_rows,
                note=f"Quartiles: {QUANTILE_METHOD}.",
            ),
            Table(
                "Categorical variables",
                columns,
                categorical_rows,
                note="Percentages of non-missing values.",
            ),
        ]


def describe(
    df: pd.DataFrame,
    by: str | None = "imaging_type",
    *,
    continuous: Sequence[str] | None = None,
    categorical: Sequence[str] | None = None,
    min_cell: int | None = None,
    cohort_filter: str = "all rows",
) -> DescriptiveTable:
    """Describe a validated cohort overall and by ``by`` (default the Yang 2025 imaging type).

    Variables default to every summarisable column present with at least one value;
    rows without a group value are counted in the overall column only, and a warning
    says how many there were.
    """
    continuous_vars = [
        c for c in (continuous or CONTINUOUS_VARIABLES) if c in df.columns and df[c].notna().any()
    ]
    categorical_vars = [
        c
        for c in (categorical or CATEGORICAL_VARIABLES)
        if c in df.columns and df[c].notna().any() and c != by
    ]
    groups = [OVERALL]
    frames: dict[str, pd.DataFrame] = {OVERALL: df}
    warnings: list[str] = []
    if by is not None:
        shown = as_levels(by, df[by])
        for level in group_levels(df, by):
            groups.append(level)
            frames[level] = df[shown == level]
        ungrouped = int(shown.isna().sum())
        if ungrouped:
            warnings.append(f"{ungrouped} row(s) without {by} appear in the overall column only")
    continuous_out = {
        v: {g: summarise_continuous(frames[g][v], min_cell) for g in groups}
        for v in continuous_vars
    }
    levels = {v: levels_of(v, df[v]) for v in categorical_vars}
    categorical_out = {
        v: {g: _summarise_categorical(v, frames[g][v], levels[v], min_cell) for g in groups}
        for v in categorical_vars
    }
    methods = Methods(
        test="descriptive statistics: median (IQR), median (min–max), n (%) of non-missing values",
        n=len(df),
        cohort_filter=cohort_filter,
        synthetic=is_synthetic(df),
        notes=[f"quartiles by {QUANTILE_METHOD}"]
        + ([f"counts 1-{min_cell - 1} suppressed as '<{min_cell}'"] if min_cell else []),
    )
    return DescriptiveTable(
        by=by,
        groups=groups,
        group_sizes={g: suppress_count(len(frames[g]), min_cell) for g in groups},
        continuous=continuous_out,
        categorical=categorical_out,
        levels=levels,
        methods=methods,
        warnings=warnings,
    )
