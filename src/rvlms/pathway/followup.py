"""The follow-up calendar: concrete dates from the operation date.

The seed-paper schedule (zhang2021 Methods: one month after surgery, every three months in
the first two years, every six months afterwards) is the plan's calendar; a grade-based
ESMO schedule is shown beside it as the guideline alternative.
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta

from rvlms.case import Case
from rvlms.pathway.conditions import Facts
from rvlms.pathway.knowledge import FollowUpScheme, KnowledgeBase
from rvlms.pathway.plan import EvidenceOut, MissingFact, Visit
from rvlms.pathway.plan import FollowUpScheme as SchemeOut

PRIMARY_SCHEME = "zhang2021"


def visit_months(scheme: FollowUpScheme, horizon_months: int) -> list[int]:
    months = [scheme.first_visit_month] if scheme.first_visit_month else []
    for start, stop, every in scheme.visits:
        months.extend(range(start, min(stop, horizon_months) + 1, every))
    return sorted(set(m for m in months if m <= horizon_months))


def visits(scheme: FollowUpScheme, operated_on: dt.date | None, horizon_months: int) -> list[Visit]:
    return [
        Visit(
            date=operated_on + relativedelta(months=m) if operated_on else None,
            months_after_surgery=m,
            what=scheme.what,
        )
        for m in visit_months(scheme, horizon_months)
    ]


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
    alternative_scheme = _alternative_for(facts.get("fnclcc_grade"), kb)
    alternative = None
    if alternative_scheme is not None:
        horizon = max(m for _, m, _ in alternative_scheme.visits)
        alternative = SchemeOut(
            id=alternative_scheme.id,
            label=alternative_scheme.label,
            evidence=[
                EvidenceOut(
                    source=e.source,
                    locator=e.locator,
                    citation=kb.sources[e.source].citation,
                    verified=kb.sources[e.source].verified,
                )
                for e in alternative_scheme.evidence
            ],
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
