"""Pooled Kaplan–Meier and log-rank from the centres' time tables.

A centre's time table (:func:`rvlms.network.aggregates.summarise_centre`) lists, per
released time and group, the number of events and of censorings. Summed over centres,
these counts are the pooled life table; the coordinator turns them back into one
(time, event, group) record per count and hands that table to the single-site
:func:`rvlms.analysis.summarise_survival`, so that the pooled curves, medians, their
confidence intervals and the log-rank test follow exactly the conventions of
``rvlms analyze``. With exact times the table is the union's own (time, event, group)
data and every number equals the single-site one; with binned times events and
censorings sit at the end of their interval and the results are approximate.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from rvlms.analysis.cohort import BINARY_COLUMNS
from rvlms.analysis.survival import ENDPOINT_COLUMNS, Endpoint, SurvivalSummary, summarise_survival

__all__ = ["left_out_rows", "pooled_survival", "pseudo_records"]


def _as_column_value(by: str | None, label: str | None) -> object:
    if label is None:
        return np.nan
    if by in BINARY_COLUMNS:
        return {"yes": 1.0, "no": 0.0}.get(label, np.nan)
    return label


def pseudo_records(
    replies: Sequence[dict[str, Any]], endpoint: Endpoint, by: str | None
) -> pd.DataFrame:
    """One row per pooled event and censoring: time, event indicator and group."""
    time_col, event_col = ENDPOINT_COLUMNS[endpoint]
    times: list[float] = []
    flags: list[float] = []
    labels: list[object] = []
    for reply in replies:
        for time, label, events, censored in reply["survival"][endpoint]["rows"]:
            value = _as_column_value(by, label)
            for flag, count in ((1.0, events), (0.0, censored)):
                times.extend([float(time)] * int(count))
                flags.extend([flag] * int(count))
                labels.extend([value] * int(count))
    frame = pd.DataFrame({time_col: times, event_col: flags})
    if by is not None:
        frame[by] = pd.Series(labels, dtype=float if by in BINARY_COLUMNS else object)
    return frame


def left_out_rows(replies: Sequence[dict[str, Any]], endpoint: Endpoint) -> tuple[int, bool]:
    """Rows without time or event over all centres, and whether a count was suppressed."""
    total = 0
    suppressed = False
    for reply in replies:
        value = reply["survival"][endpoint]["left_out"]
        if isinstance(value, str):
            suppressed = True
        else:
            total += int(value)
    return total, suppressed


def pooled_survival(
    replies: Sequence[dict[str, Any]],
    endpoint: Endpoint,
    by: str | None,
    *,
    synthetic: bool,
    approximate: bool,
    cohort_filter: str,
) -> SurvivalSummary:
    """The single-site Kaplan–Meier summary and log-rank test of the pooled time tables."""
    records = pseudo_records(replies, endpoint, by)
    if synthetic:
        records["synthetic"] = 1
    summary = summarise_survival(records, endpoint, by, cohort_filter=cohort_filter)
    warnings = list(summary.warnings)
    dropped, suppressed = left_out_rows(replies, endpoint)
    time_col, event_col = ENDPOINT_COLUMNS[endpoint]
    if dropped or suppressed:
        more = " (plus counts below a centre's small-cell threshold)" if suppressed else ""
        warnings.insert(0, f"{dropped} row(s) without {time_col} or {event_col} left out{more}")
    notes = list(summary.methods.notes)
    if approximate:
        notes.append(
            "APPROXIMATE: at least one centre releases binned times; events and censorings "
            "are placed at the end of their time bin"
        )
    methods = summary.methods.model_copy(update={"notes": notes})
    return summary.model_copy(update={"warnings": warnings, "methods": methods})
