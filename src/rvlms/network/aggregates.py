"""The per-centre computation: a pure function from a cohort table to aggregates.

:func:`answer` takes the centre's cohort table (as ``Registry.cohort_frame`` returns
it), the centre's :class:`~rvlms.network.policy.NodePolicy` and a query, and returns a
JSON-ready dict. Nothing else leaves the centre. The small-cell rule is applied here,
before the dict exists:

- a category count of 1 to k-1 becomes ``"<k"``;
- a continuous variable is a histogram on fixed bin widths (:data:`HISTOGRAM_WIDTHS`)
  whose adjacent bins are merged until each holds at least k values; its median and
  quartiles are therefore approximate;
- a Kaplan–Meier / log-rank time table has one row per distinct follow-up time
  (``times = exact``) or per time bin of the policy's width, bins merged within a
  group until each row describes at least k patients (``times = binned``);
- a survival or Cox query over a group with 1 to k-1 cases is refused
  (:class:`~rvlms.network.policy.QueryRefused`).

The function is engine-agnostic: the Flower ClientApp calls it, and a vantage6
algorithm could wrap :func:`answer_from_registry` unchanged.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import pandas as pd

from rvlms.analysis.cohort import BINARY_COLUMNS, is_synthetic
from rvlms.analysis.report import software_versions
from rvlms.analysis.suppression import suppress_count
from rvlms.analysis.survival import ENDPOINT_COLUMNS
from rvlms.analysis.variables import as_levels
from rvlms.network.centre_cohort import load_centre_cohort
from rvlms.network.policy import NodePolicy, QueryRefused
from rvlms.network.queries import CoxQuery, Query, SummaryQuery, parse_query

__all__ = [
    "HISTOGRAM_WIDTHS",
    "answer",
    "answer_from_registry",
    "cox_pieces",
    "design",
    "group_keys",
    "load_centre_cohort",
    "release_times",
    "summarise_centre",
]

HISTOGRAM_WIDTHS: Final[dict[str, float]] = {
    "age": 5.0,
    "size_mm": 10.0,
    "operative_time_min": 30.0,
    "blood_loss_ml": 100.0,
    "rbc_ml": 200.0,
    "plasma_ml": 200.0,
    "los_days": 2.0,
    "creatinine_1w_umol_l": 10.0,
    "follow_up_months": 6.0,
}
DEFAULT_WIDTH: Final[float] = 1.0


def answer_from_registry(policy: NodePolicy, query: dict[str, Any]) -> dict[str, Any]:
    """Read the centre's registry and answer ``query`` (the JSON form of a query)."""
    return answer(load_centre_cohort(policy), policy, parse_query(query))


def answer(frame: pd.DataFrame, policy: NodePolicy, query: Query) -> dict[str, Any]:
    """The centre's reply to ``query``: aggregates only, small-cell rule applied."""
    if isinstance(query, SummaryQuery):
        body = summarise_centre(frame, policy, query)
    else:
        body = cox_pieces(frame, policy, query)
    return {"centre": policy.centre, "kind": query.kind, **body}


def group_keys(frame: pd.DataFrame, by: str | None) -> pd.Series:
    """The group label of each row as the analysis shows it (``yes``/``no`` for binary)."""
    if by is None:
        return pd.Series(["overall"] * len(frame), index=frame.index, dtype=object)
    return as_levels(by, frame[by])


def _check_groups(keys: pd.Series, policy: NodePolicy, what: str) -> None:
    counts = keys.fillna("(missing)").value_counts()
    small = sorted(str(g) for g, n in counts.items() if 0 < int(n) < policy.min_cell)
    if small:
        raise QueryRefused(
            f"centre {policy.centre} refuses {what}: group(s) {', '.join(small)} have fewer "
            f"than {policy.min_cell} cases (small-cell rule min-cell = {policy.min_cell}); "
            "ask without this grouping or with a coarser one"
        )


def release_times(times: np.ndarray, policy: NodePolicy) -> np.ndarray:
    """Each row's time as released: exact, or the end of its (merged) bin.

    Bins of ``bin_months`` end at multiples of the width; consecutive bins are merged
    until each released time carries at least ``min_cell`` rows, a short last run joining
    the run before it. A row's time never moves earlier, so the risk sets stay those of
    a life table with events and censorings at the end of each interval.
    """
    if policy.times == "exact" or times.size == 0:
        return times.astype(float)
    width = policy.bin_months
    edges = np.ceil(times / width) * width
    unique, counts = np.unique(edges, return_counts=True)
    released = np.empty_like(unique)
    start = 0
    running = 0
    groups: list[tuple[int, int]] = []
    for i, count in enumerate(counts):
        running += int(count)
        if running >= policy.min_cell:
            groups.append((start, i))
            start, running = i + 1, 0
    if start < len(unique):
        if groups:
            groups[-1] = (groups[-1][0], len(unique) - 1)
        else:
            groups.append((start, len(unique) - 1))
    for first, last in groups:
        released[first : last + 1] = unique[last]
    return released[np.searchsorted(unique, edges)]


def _survival_table(frame: pd.DataFrame, endpoint: str, by: str | None, policy: NodePolicy) -> Any:
    time_col, event_col = ENDPOINT_COLUMNS[endpoint]
    complete = frame[time_col].notna() & frame[event_col].notna()
    data = frame[complete]
    keys = group_keys(data, by)
    if by is not None:
        _check_groups(keys, policy, f"survival by {by}")
    times = data[time_col].to_numpy(dtype=float)
    events = data[event_col].to_numpy(dtype=float)
    released = np.empty_like(times)
    labels = keys.fillna("\0").to_numpy(dtype=object)
    for label in pd.unique(labels):
        mask = labels == label
        released[mask] = release_times(times[mask], policy)
    table = pd.DataFrame({"time": released, "group": labels, "event": events})
    cells = table.groupby(["time", "group"], sort=True)["event"].agg(["sum", "size"])
    rows: list[list[Any]] = [
        [float(time), None if label == "\0" else str(label), int(d), int(n) - int(d)]
        for (time, label), d, n in zip(
            cells.index, cells["sum"].tolist(), cells["size"].tolist(), strict=True
        )
    ]
    return {
        "rows": rows,
        "left_out": suppress_count(int((~complete).sum()), policy.min_cell),
    }


def _histogram(values: np.ndarray, width: float, min_cell: int) -> list[list[float]]:
    lows = np.floor(values / width) * width
    unique, counts = np.unique(lows, return_counts=True)
    bins: list[list[float]] = []
    start: float | None = None
    running = 0
    for low, count in zip(unique.tolist(), counts.tolist(), strict=True):
        start = low if start is None else start
        running += int(count)
        if running >= min_cell:
            bins.append([float(start), float(low + width), float(running)])
            start, running = None, 0
    if running:
        if bins:
            bins[-1][1] = float(unique[-1] + width)
            bins[-1][2] += running
        else:
            bins.append([float(start or 0.0), float(unique[-1] + width), float(running)])
    return bins


def summarise_centre(
    frame: pd.DataFrame, policy: NodePolicy, query: SummaryQuery
) -> dict[str, Any]:
    """Round one: counts, histograms, survival time tables and Cox design counts."""
    asked = [*query.categorical, *query.continuous, *query.cox_covariates]
    asked += [c for e in query.endpoints for c in ENDPOINT_COLUMNS[e]]
    if query.by is not None:
        asked.append(query.by)
    for variable in dict.fromkeys(asked):
        policy.require_variable(variable)
        if variable not in frame.columns:
            raise QueryRefused(f"centre {policy.centre}: {variable!r} is not a cohort column")
    k = policy.min_cell
    if 0 < len(frame) < k:
        raise QueryRefused(
            f"centre {policy.centre} refuses the summary: it has fewer than {k} cases "
            f"(small-cell rule min-cell = {k})"
        )
    keys = group_keys(frame, query.by)
    groups: dict[str, pd.Series] = {"overall": pd.Series(True, index=frame.index)}
    if query.by is not None:
        for label in pd.unique(keys.dropna()):
            groups[str(label)] = keys == label
    counts: dict[str, dict[str, dict[str, int | str]]] = {}
    for variable in query.categorical:
        shown = as_levels(variable, frame[variable])
        per_group: dict[str, dict[str, int | str]] = {}
        for name, mask in groups.items():
            values = shown[mask]
            cells = {str(lv): suppress_count(int(n), k) for lv, n in values.value_counts().items()}
            cells["(missing)"] = suppress_count(int(values.isna().sum()), k)
            per_group[name] = cells
        counts[variable] = per_group
    histograms: dict[str, dict[str, Any]] = {}
    for variable in query.continuous:
        numeric = pd.to_numeric(frame[variable], errors="coerce")
        width = HISTOGRAM_WIDTHS.get(variable, DEFAULT_WIDTH)
        per: dict[str, Any] = {}
        for name, mask in groups.items():
            present = numeric[mask].dropna().to_numpy(dtype=float)
            if 0 < present.size < k:
                per[name] = {"n": suppress_count(int(present.size), k), "bins": []}
            else:
                per[name] = {"n": int(present.size), "bins": _histogram(present, width, k)}
        histograms[variable] = per
    survival = {e: _survival_table(frame, e, query.by, policy) for e in query.endpoints}
    return {
        "n": suppress_count(len(frame), k),
        "synthetic": is_synthetic(frame),
        "policy": policy.public(),
        "inclusion": policy.inclusion(),
        "software": software_versions(),
        "counts": counts,
        "histograms": histograms,
        "survival": survival,
        "cox_levels": _cox_levels(frame, query, k),
    }


def _cox_levels(frame: pd.DataFrame, query: SummaryQuery, k: int) -> dict[str, Any]:
    """Per categorical Cox covariate: which levels occur (over all rows, as the single-site
    design does) and how many complete rows each level has, suppressed."""
    time_col, event_col = ENDPOINT_COLUMNS[query.cox_endpoint]
    complete = frame[time_col].notna() & frame[event_col].notna()
    for column in query.cox_covariates:
        complete &= frame[column].notna()
    out: dict[str, Any] = {}
    for column in query.cox_covariates:
        if column in BINARY_COLUMNS or pd.api.types.is_numeric_dtype(frame[column].dtype):
            continue
        shown = as_levels(column, frame[column])
        out[column] = {
            "all": {str(lv): suppress_count(int(n), k) for lv, n in shown.value_counts().items()},
            "complete": {
                str(lv): suppress_count(int(n), k)
                for lv, n in shown[complete].value_counts().items()
            },
        }
    return out


def design(frame: pd.DataFrame, query: CoxQuery) -> tuple[np.ndarray, pd.Series]:
    """The Cox design matrix in the coordinator's coding, and the complete-row mask.

    Categorical covariates become indicators of every level but the first (the
    reference); numeric and binary ones enter as they are, as in
    :func:`rvlms.analysis.cox.design_matrix`.
    """
    columns: dict[str, pd.Series] = {}
    for covariate in query.covariates:
        if not covariate.levels:
            columns[covariate.name] = pd.to_numeric(frame[covariate.name], errors="coerce")
            continue
        shown = as_levels(covariate.name, frame[covariate.name])
        for level in covariate.levels[1:]:
            indicator = (shown == level).astype(float).where(shown.notna())
            columns[f"{covariate.name}[{level}]"] = indicator
    matrix = pd.DataFrame(columns, index=frame.index)
    time_col, event_col = ENDPOINT_COLUMNS[query.endpoint]
    complete = matrix.notna().all(axis=1) & frame[time_col].notna() & frame[event_col].notna()
    return matrix.loc[complete, list(query.terms)].to_numpy(dtype=float), complete


def cox_pieces(frame: pd.DataFrame, policy: NodePolicy, query: CoxQuery) -> dict[str, Any]:
    """Risk-set and tied-event sums at ``query.beta`` for each released time.

    For each distinct time u: S0 = Σ exp(xβ), S1 = Σ x exp(xβ), S2 = Σ x xᵀ exp(xβ) over
    the patients still at risk (time ≥ u); at each event time the same sums over the
    patients with an event there, their count d and Σ x. The coordinator sums them over
    centres and forms the Efron (or Breslow) score and information of the pooled model.
    """
    for covariate in query.covariates:
        policy.require_variable(covariate.name)
    time_col, event_col = ENDPOINT_COLUMNS[query.endpoint]
    policy.require_variable(time_col)
    x, complete = design(frame, query)
    data = frame[complete]
    for covariate in query.covariates:
        if covariate.levels:
            _check_groups(
                group_keys(data, covariate.name), policy, f"the Cox model ({covariate.name})"
            )
    if 0 < len(data) < policy.min_cell:
        raise QueryRefused(
            f"centre {policy.centre} refuses the Cox model: fewer than {policy.min_cell} "
            f"complete cases (small-cell rule min-cell = {policy.min_cell})"
        )
    times = release_times(data[time_col].to_numpy(dtype=float), policy)
    events = data[event_col].to_numpy(dtype=float) == 1.0
    beta = np.asarray(query.beta, dtype=float)
    p = beta.size
    weights = np.exp(x @ beta) if p else np.ones(len(data))
    order = np.argsort(times, kind="stable")
    times, events, weights, x = times[order], events[order], weights[order], x[order]
    outer = x[:, :, None] * x[:, None, :]
    unique, first = np.unique(times, return_index=True)
    s0 = np.cumsum((weights)[::-1])[::-1][first]
    s1 = np.cumsum((x * weights[:, None])[::-1], axis=0)[::-1][first]
    s2 = np.cumsum((outer * weights[:, None, None])[::-1], axis=0)[::-1][first]
    ev_times, inverse = np.unique(times[events], return_inverse=True)
    m = ev_times.size

    def tied(values: np.ndarray) -> np.ndarray:
        out = np.zeros((m, *values.shape[1:]))
        np.add.at(out, inverse, values[events])
        return out

    return {
        "n": len(data),
        "events": int(events.sum()),
        "times": unique.tolist(),
        "S0": s0.tolist(),
        "S1": s1.tolist(),
        "S2": s2.tolist(),
        "event_times": ev_times.tolist(),
        "d": tied(np.ones(len(data))).astype(int).tolist(),
        "T0": tied(weights).tolist(),
        "T1": tied(x * weights[:, None]).tolist(),
        "T2": tied(outer * weights[:, None, None]).tolist(),
        "Xd": tied(x).tolist(),
    }
