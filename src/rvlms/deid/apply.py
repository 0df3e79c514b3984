"""One de-identification for every researcher-facing output.

:func:`scrubbed_case` applies the field policy (identity and narrative text dropped, short
texts scrubbed, ages top-coded) and is the base of both views:

* :func:`deidentify_record` for exports: the case id becomes a keyed pseudonym and every
  date is shifted per patient (or cut to year and month), after the intervals the
  analyses need (age, follow-up and event months) are written from the exact dates;
* :func:`rvlms.deid.research.research_case` for the web pages and the REST API: dates as
  years, the registry id kept to link the pages;
* :func:`deidentify_frame` for cohort tables: ages top-coded, case ids pseudonymised,
  typed centres left out, so statistics cannot show an age above 89.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rvlms.case import Case, parse_case
from rvlms.case.cohort import months_between
from rvlms.deid.dates import DatePolicy, DateShifter
from rvlms.deid.policy import (
    OLDEST_REPORTED_AGE,
    REMOVED,
    Treatment,
    paths_with,
    required_paths,
)
from rvlms.deid.pseudonym import PseudonymKey, pseudonym
from rvlms.deid.scrub import KnownIdentifiers, scrub_text

if TYPE_CHECKING:
    import pandas as pd

    from rvlms.registry import CaseSummary
    from rvlms.settings import Settings

__all__ = [
    "DeidPolicy",
    "deidentify_frame",
    "deidentify_record",
    "known_identifiers",
    "research_centre",
    "research_summary",
    "scrubbed_case",
    "scrubbed_data",
    "top_code_age",
]


@dataclass(frozen=True)
class DeidPolicy:
    """The configured key and date treatment of de-identified exports."""

    key: PseudonymKey
    dates: DatePolicy = DatePolicy.shift
    max_shift_days: int = 182

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> DeidPolicy:
        """From ``Settings`` (``RVLMS_DEID_KEY``, ``RVLMS_DEID_DATES``,
        ``RVLMS_DEID_SHIFT_MAX_DAYS``); loaded from the environment when not given."""
        if settings is None:
            from rvlms.settings import load_settings

            settings = load_settings()
        configured = settings.deid_key.get_secret_value() if settings.deid_key else None
        return cls(
            key=PseudonymKey.of(configured, settings.secret_key.get_secret_value()),
            dates=DatePolicy(settings.deid_dates),
            max_shift_days=settings.deid_shift_max_days,
        )

    def shifter(self, case_id: str) -> DateShifter:
        return DateShifter.for_patient(self.key, case_id, self.dates, self.max_shift_days)

    def case_pseudonym(self, case_id: str) -> str:
        return pseudonym(self.key, case_id)


def top_code_age(age: Any) -> Any:
    """``age``, or 90 when it is above 89 (45 CFR 164.514(b)(2)(i)(C))."""
    if age is None or age != age:
        return age
    return min(age, OLDEST_REPORTED_AGE)


def known_identifiers(case: Case) -> KnownIdentifiers:
    """The case's own name, record number and birth date, for the scrubber."""
    identity = case.identity
    return KnownIdentifiers.of(identity.name, identity.medical_record_number, identity.birth_date)


def _visit(data: Any, parts: list[str], action: Callable[[dict[str, Any], str], None]) -> None:
    if not isinstance(data, dict) or not parts:
        return
    head, rest = parts[0], parts[1:]
    if head.endswith("[]"):
        for item in data.get(head[:-2]) or ():
            _visit(item, rest, action)
    elif not rest:
        if head in data:
            action(data, head)
    else:
        _visit(data.get(head), rest, action)


def visit_paths(
    data: dict[str, Any], paths: frozenset[str], action: Callable[[dict[str, Any], str], None]
) -> None:
    """Call ``action(parent, key)`` for each present field of ``paths`` in a case dump."""
    for path in sorted(paths):
        _visit(data, path.replace("[].", "[]\x00").replace(".", "\x00").split("\x00"), action)


def scrubbed_data(case: Case) -> dict[str, Any]:
    """The case dump with the policy's drops, scrubs and age top-coding applied (dates and
    the case id untouched)."""
    data: dict[str, Any] = case.model_dump(mode="json", exclude_none=True)
    known = known_identifiers(case)

    def drop(parent: dict[str, Any], key: str) -> None:
        parent.pop(key, None)

    def blank(parent: dict[str, Any], key: str) -> None:
        parent[key] = REMOVED

    def scrub(parent: dict[str, Any], key: str) -> None:
        value = parent[key]
        if isinstance(value, str):
            parent[key] = scrub_text(value, known)
        elif isinstance(value, list):
            parent[key] = [scrub_text(v, known) if isinstance(v, str) else v for v in value]

    dropped = paths_with(Treatment.drop)
    visit_paths(data, dropped - required_paths(), drop)
    visit_paths(data, dropped & required_paths(), blank)
    visit_paths(data, paths_with(Treatment.scrub), scrub)
    data.pop("identity", None)
    demographics = data.get("demographics") or {}
    if "age_years" in demographics:
        demographics["age_years"] = top_code_age(demographics["age_years"])
    return data


def scrubbed_case(case: Case) -> Case:
    """:func:`scrubbed_data` as a validated case."""
    return parse_case(scrubbed_data(case), source=f"{case.case_id} (de-identified)")


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else None


def _years_between(start: dt.date, end: dt.date) -> int:
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


def _write_intervals(case: Case, data: dict[str, Any]) -> None:
    """Write the intervals the exact dates imply where the record does not state them, so
    DFS and OS are the same before and after the dates move."""
    birth = case.identity.birth_date
    diagnosed = case.presentation.diagnosis_date
    operated = case.operation.date if case.operation else None
    demographics = data.setdefault("demographics", {})
    anchor = diagnosed or operated
    if case.demographics.age_years is None and birth and anchor:
        demographics["age_years"] = top_code_age(_years_between(birth, anchor))
    follow_up = data.setdefault("follow_up", {})
    last = case.follow_up.last_contact_date
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


def deidentify_record(case: Case, policy: DeidPolicy | None = None) -> Case:
    """The case for a research export: no identity, narrative text dropped, short texts
    scrubbed, age top-coded, dates shifted (or cut to year and month), keyed pseudonym."""
    chosen = policy or DeidPolicy.from_settings()
    data = scrubbed_data(case)
    _write_intervals(case, data)
    shift = chosen.shifter(case.case_id)

    def move(parent: dict[str, Any], key: str) -> None:
        when = _date(parent[key])
        if when is not None:
            parent[key] = shift(when).isoformat()

    visit_paths(data, paths_with(Treatment.shift_date), move)
    data["case_id"] = chosen.case_pseudonym(case.case_id)
    return parse_case(data, source=f"{data['case_id']} (de-identified)")


def deidentify_frame(frame: pd.DataFrame, policy: DeidPolicy | None = None) -> pd.DataFrame:
    """A cohort table for researchers: ages top-coded, the typed centre left out (a row
    has no identity to scrub it against) and case ids replaced by keyed pseudonyms (or
    row numbers when no policy is given)."""
    out = frame.copy()
    if "age" in out.columns:
        out["age"] = out["age"].map(top_code_age)
    if "centre" in out.columns:
        out["centre"] = None
    if "case_id" in out.columns:
        if policy is not None:
            out["case_id"] = out["case_id"].map(policy.case_pseudonym)
        else:
            out["case_id"] = [f"row-{i + 1}" for i in range(len(out))]
    return out


def research_centre(case: Case) -> str | None:
    """The case's free-text centre as researchers see it (scrubbed)."""
    return scrub_text(case.centre, known_identifiers(case)) if case.centre else None


def research_summary(summary: CaseSummary) -> CaseSummary:
    """A case-list line for researchers: the registered centre code replaces the typed
    centre, which can hold anything."""
    return summary.model_copy(update={"centre": summary.centre_code})
