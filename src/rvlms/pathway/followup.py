"""The follow-up calendar: concrete dates from the operation date.

The seed-paper schedule (zhang2021 Methods: one month after surgery, every three months in
the first two years, every six months afterwards) is the plan's calendar; a grade-based
ESMO schedule is shown beside it as the guideline alternative.
"""

from __future__ import annotations

import calendar
import datetime as dt

from rvlms.case import Case
from rvlms.pathway.conditions import Facts
from rvlms.pathway.knowledge import FollowUpScheme, KnowledgeBase
from rvlms.pathway.plan import EvidenceOut, MissingFact, Visit
from rvlms.pathway.plan import FollowUpScheme as SchemeOut

PRIMARY_SCHEME = "zhang2021"
FACTS_READ = ("fnclcc_grade",)
"""The facts :func:`follow_up_plan` reads, derived for a plan besides those of its rules."""


def visit_months(scheme: FollowUpScheme, horizon_months: int) -> list[int]:
    return list(_visit_months(scheme, horizon_months))


_MONTHS: dict[tuple[int, int], tuple[FollowUpScheme, tuple[int, ...]]] = {}


def _visit_months(scheme: FollowUpScheme, horizon_months: int) -> tuple[int, ...]:
    """The months of a scheme's visits, computed once per scheme and horizon (the same for
    every case); keyed by the scheme's identity, which is cheaper than hashing its fields."""
    known = _MONTHS.get((id(scheme), horizon_months))
    if known is None or known[0] is not scheme:
        months = [scheme.first_visit_month] if scheme.first_visit_month else []
        for start, stop, every in scheme.visits:
            months.extend(range(start, min(stop, horizon_months) + 1, every))
        found = tuple(sorted(set(m for m in months if m <= horizon_months)))
        known = _MONTHS[(id(scheme), horizon_months)] = (scheme, found)
    return known[1]


def months_after(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the last day of a shorter month (what dateutil's
    ``day + relativedelta(months=months)`` gives, at a tenth of its cost: a plan dates some
    thirty visits)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def visits(scheme: FollowUpScheme, operated_on: dt.date | None, horizon_months: int) -> list[Visit]:
    return [
        Visit(
            date=months_after(operated_on, m) if operated_on else None,
            months_after_surgery=m,
            what=scheme.what,
        )
        for m in _visit_months(scheme, horizon_months)
    ]


_EVIDENCE: dict[tuple[int, int], tuple[FollowUpScheme, KnowledgeBase, list[EvidenceOut]]] = {}


def _evidence(scheme: FollowUpScheme, kb: KnowledgeBase) -> list[EvidenceOut]:
    """A scheme's evidence resolved against the bibliography, once per scheme and knowledge
    base (the same for every case)."""
    known = _EVIDENCE.get((id(scheme), id(kb)))
    if known is None or known[0] is not scheme or known[1] is not kb:
        resolved = [
            EvidenceOut(
                source=e.source,
                locator=e.locator,
                citation=kb.sources[e.source].citation,
                verified=kb.sources[e.source].verified,
            )
            for e in scheme.evidence
        ]
        known = _EVIDENCE[(id(scheme), id(kb))] = (scheme, kb, resolved)
    return known[2]


def _alternative_for(grade: object, kb: KnowledgeBase) -> FollowUpScheme | None:
    grade = grade if isinstance(grade, str) else "GX"
    for scheme in kb.follow_up:
        if scheme.id != PRIMARY_SCHEME and grade in scheme.applies_to_grades:
            return scheme
    return None


def follow_up_plan(
    case: Case, kb: KnowledgeBase, facts: Facts, *, follow_up_years: int = 5
) -> tuple[list[Visit], str, SchemeOut | None, list[MissingFact]]:
    operated_on = case.operation.date if case.operation else None
    primary = next(s for s in kb.follow_up if s.id == PRIMARY_SCHEME)
    schedule = visits(primary, operated_on, follow_up_years * 12)
    alternative_scheme = _alternative_for(facts.get(FACTS_READ[0]), kb)
    alternative = None
    if alternative_scheme is not None:
        horizon = max(m for _, m, _ in alternative_scheme.visits)
        alternative = SchemeOut(
            id=alternative_scheme.id,
            label=alternative_scheme.label,
            evidence=_evidence(alternative_scheme, kb),
            visits=visits(alternative_scheme, operated_on, horizon),
        )
    missing = []
    if case.operation is not None and operated_on is None:
        missing.append(
            MissingFact(
                fact="operation.date",
                label="operation date",
                needed_for="turning the follow-up schedule into calendar dates",
                rules=["followup.schedule"],
            )
        )
    return schedule, primary.label, alternative, missing
