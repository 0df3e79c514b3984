"""Pooled description: counts per category and approximate medians and quartiles.

Counts add up across centres. A centre's count below its small-cell threshold arrives
as ``"<k"`` and cannot be added; the pooled cell then shows the sum of the known counts
followed by ``+`` (at least that many), or ``<m`` when every part was suppressed, m − 1
being the most the suppressed parts can add up to.

Medians and interquartile ranges are **approximate**: each centre sends a histogram
whose bins hold at least k values (:func:`rvlms.network.aggregates.summarise_centre`);
the coordinator treats the values of a bin as spread evenly over it, adds the centres'
piecewise-linear cumulative counts and reads the 25th, 50th and 75th percentiles off the
sum (the grouped-data median of descriptive statistics texts, e.g. Altman DG, *Practical
Statistics for Medical Research*, 1991, §3.4). The error is at most one bin width.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

from rvlms.analysis.report import Table, format_number
from rvlms.analysis.variables import LABELS, levels_of

__all__ = ["ApproximateQuantiles", "PooledDescription", "describe_pooled", "pooled_quantiles"]


class ApproximateQuantiles(BaseModel):
    """Median and quartiles of one variable in one group, from pooled histograms."""

    model_config = ConfigDict(frozen=True)

    n: int | str
    median: float | None
    q1: float | None
    q3: float | None

    def cell(self) -> str:
        if self.median is None:
            return f"n={self.n}; suppressed" if isinstance(self.n, str) else f"n={self.n}"
        return (
            f"~{format_number(self.median, 1)} ({format_number(self.q1, 1)}–"
            f"{format_number(self.q3, 1)}), n={self.n}"
        )


class PooledDescription(BaseModel):
    """Counts per category and approximate quantiles, overall and by group."""

    model_config = ConfigDict(frozen=True)

    by: str | None
    groups: list[str]
    categorical: dict[str, dict[str, dict[str, int | str]]]
    continuous: dict[str, dict[str, ApproximateQuantiles]]

    def tables(self) -> list[Table]:
        columns = ["Variable", "Level", *self.groups]
        out: list[Table] = []
        if self.categorical:
            rows = [
                [
                    LABELS.get(variable, variable),
                    level,
                    *(str(cells.get(g, 0)) for g in self.groups),
                ]
                for variable, levels in self.categorical.items()
                for level, cells in levels.items()
            ]
            out.append(
                Table(
                    "Counts per category (pooled)",
                    columns,
                    rows,
                    align_left=2,
                    note="'n+' = at least n: a centre's count below its small-cell threshold "
                    "is not included; '<m' = every part below its centre's threshold "
                    "(at most m - 1 in all).",
                )
            )
        if self.continuous:
            quantile_rows = [
                [
                    LABELS.get(v, v),
                    "median (IQR)",
                    *(q[g].cell() if g in q else "-" for g in self.groups),
                ]
                for v, q in self.continuous.items()
            ]
            out.append(
                Table(
                    "Continuous variables (APPROXIMATE, from pooled histograms)",
                    columns,
                    quantile_rows,
                    align_left=2,
                    note="~ = approximate: medians and quartiles read from histograms whose bins "
                    "hold at least k values at each centre; error at most one bin width.",
                )
            )
        return out


def _add(cells: Sequence[int | str]) -> int | str:
    known = sum(c for c in cells if isinstance(c, int))
    hidden = [c for c in cells if isinstance(c, str)]
    if not hidden:
        return known
    if known == 0:
        return f"<{sum(int(c[1:]) - 1 for c in hidden) + 1}"
    return f"{known}+"


def pooled_quantiles(histograms: Sequence[dict[str, Any]]) -> ApproximateQuantiles:
    """Approximate quartiles from the centres' histograms of one variable and group."""
    bins = np.array([b for h in histograms for b in h["bins"]], dtype=float).reshape(-1, 3)
    n = _add([h["n"] for h in histograms])
    total = float(bins[:, 2].sum()) if bins.size else 0.0
    if total <= 0:
        return ApproximateQuantiles(n=n, median=None, q1=None, q3=None)
    points = np.unique(bins[:, :2])
    width = bins[:, 1] - bins[:, 0]
    share = np.clip((points[:, None] - bins[None, :, 0]) / width[None, :], 0.0, 1.0)
    cumulative = share @ bins[:, 2]

    def at(q: float) -> float:
        return float(np.interp(q * total, cumulative, points))

    return ApproximateQuantiles(n=n, median=at(0.5), q1=at(0.25), q3=at(0.75))


def describe_pooled(replies: Sequence[dict[str, Any]], by: str | None) -> PooledDescription:
    """Pool the centres' counts and histograms (the summary replies)."""
    groups: list[str] = ["overall"]
    if by is not None:
        seen = {g for r in replies for v in r["counts"].values() for g in v}
        seen |= {g for r in replies for v in r["histograms"].values() for g in v}
        seen.discard("overall")
        groups += levels_of(by, pd.Series(sorted(seen), dtype=object))
    categorical: dict[str, dict[str, dict[str, int | str]]] = {}
    variables = list(dict.fromkeys(v for r in replies for v in r["counts"]))
    for variable in variables:
        found = {lv for r in replies for g in r["counts"].get(variable, {}).values() for lv in g}
        found.discard("(missing)")
        levels = [*levels_of(variable, pd.Series(sorted(found), dtype=object)), "(missing)"]
        table: dict[str, dict[str, int | str]] = {}
        for level in levels:
            table[level] = {
                g: _add(
                    [
                        r["counts"][variable].get(g, {}).get(level, 0)
                        for r in replies
                        if variable in r["counts"]
                    ]
                )
                for g in groups
            }
        if table["(missing)"] and all(v == 0 for v in table["(missing)"].values()):
            del table["(missing)"]
        categorical[variable] = table
    continuous: dict[str, dict[str, ApproximateQuantiles]] = {}
    names = list(dict.fromkeys(v for r in replies for v in r["histograms"]))
    for variable in names:
        continuous[variable] = {
            g: pooled_quantiles(
                [
                    r["histograms"][variable][g]
                    for r in replies
                    if g in r["histograms"].get(variable, {})
                ]
            )
            for g in groups
        }
    return PooledDescription(by=by, groups=groups, categorical=categorical, continuous=continuous)
