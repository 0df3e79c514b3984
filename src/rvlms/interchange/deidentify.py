"""De-identified copies of cases, for research exports.

Follows the HIPAA Safe Harbor list (45 CFR 164.514(b)(2)): names and medical record numbers
go with the ``identity`` block, every date element goes, and ages above 89 are reported as
90 ("90 or older"). The times analyses need survive as intervals, which the case record
can hold: age at diagnosis, follow-up months and the months from surgery to each event
are computed from the dates before the dates are dropped, so DFS and OS are unchanged.
The free-text ``notes`` of the case and of the MDT are dropped as well, since a narrative
may name the patient (REDCap's de-identified export offers the same for free text). A
follow-up event known only by its date, with no operation date to measure from, cannot be
placed in time and is left out.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rvlms.case import Case, parse_case
from rvlms.case.cohort import months_between
from rvlms.interchange.fields import LeafKind, case_leaves, leaves_of
from rvlms.interchange.flat import get_path

__all__ = ["deidentify"]

_FREE_TEXT_PATHS = (("notes",), ("mdt", "notes"))
OLDEST_REPORTED_AGE = 90


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else None


def _years_between(start: dt.date, end: dt.date) -> int:
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


def _drop(data: dict[str, Any], path: tuple[str, ...]) -> None:
    parent = get_path(data, path[:-1]) if len(path) > 1 else data
    if isinstance(parent, dict):
        parent.pop(path[-1], None)


def _intervals(data: dict[str, Any]) -> None:
    """Write the intervals the dates imply, where the record does not state them."""
    birth = _date(get_path(data, ("identity", "birth_date")))
    diagnosed = _date(get_path(data, ("presentation", "diagnosis_date")))
    operated = _date(get_path(data, ("operation", "date")))
    demographics = data.setdefault("demographics", {})
    anchor = diagnosed or operated
    if demographics.get("age_years") is None and birth and anchor:
        demographics["age_years"] = _years_between(birth, anchor)
    if (demographics.get("age_years") or 0) > OLDEST_REPORTED_AGE - 1:
        demographics["age_years"] = OLDEST_REPORTED_AGE
    follow_up = data.setdefault("follow_up", {})
    last = _date(follow_up.get("last_contact_date"))
    if follow_up.get("months_after_surgery") is None and operated and last:
        follow_up["months_after_surgery"] = months_between(operated, last)
    kept = []
    for event in follow_up.get("events", []):
        when = _date(event.get("date"))
        if event.get("months_after_surgery") is None:
            if not (operated and when):
                continue
            event["months_after_surgery"] = months_between(operated, when)
        kept.append(event)
    follow_up["events"] = kept


def deidentify(case: Case) -> Case:
    """A copy of ``case`` without identity, exact dates or free-text notes."""
    data = case.model_dump(mode="json", exclude_none=True)
    _intervals(data)
    data.pop("identity", None)
    for leaf in case_leaves():
        if leaf.kind is LeafKind.scalar and leaf.value_type is dt.date:
            _drop(data, leaf.path)
        elif leaf.kind is LeafKind.records:
            inner = [i for i in leaves_of(leaf.item_model) if i.value_type is dt.date]
            for item in get_path(data, leaf.path) or ():
                for date_leaf in inner:
                    _drop(item, date_leaf.path)
    for path in _FREE_TEXT_PATHS:
        _drop(data, path)
    return parse_case(data, source=f"{case.case_id} (de-identified)")
