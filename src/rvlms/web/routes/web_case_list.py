"""The case list of the MDT meeting: search by case id, filters on centre, imaging,
IVC level, sex and synthetic cases, and paging."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from rvlms.analysis.suppression import suppress_count
from rvlms.case.vocab import ImagingType, IvcLevel, Sex
from rvlms.deid.apply import research_summary
from rvlms.registry.tables import CaseRow
from rvlms.web.context import ContextDep, WebContext
from rvlms.web.policy import Action
from rvlms.web.rendering import render
from rvlms.web.security import Grant, require_web

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
_CHOICE_FILTERS = (
    ("imaging_type", "Imaging type", tuple(t.value for t in ImagingType)),
    ("ivc_level", "IVC level", tuple(level.value for level in IvcLevel)),
    ("sex", "Sex", tuple(s.value for s in Sex)),
)


def _centres(ctx: WebContext, grant: Grant) -> list[str]:
    """The free-text centre names of the cases the grant reaches (for the filter)."""
    within = grant.scope.condition()
    query = (
        select(CaseRow.centre)
        .where(
            CaseRow.centre.is_not(None),
            CaseRow.deleted_at.is_(None),
            *([] if within is None else [within]),
        )
        .distinct()
        .order_by(CaseRow.centre)
    )
    with Session(ctx.engine) as session:
        return [c for c in session.scalars(query) if c]


@router.get("/cases")
def case_list(
    request: Request,
    ctx: ContextDep,
    grant: Annotated[Grant, Depends(require_web(Action.case_list))],
    q: Annotated[str, Query(max_length=64)] = "",
    centre: Annotated[str, Query(max_length=200)] = "",
    imaging_type: str = "",
    ivc_level: str = "",
    sex: str = "",
    synthetic: str = "include",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    chosen = {"imaging_type": imaging_type, "ivc_level": ivc_level, "sex": sex}
    for name, _, allowed in _CHOICE_FILTERS:
        if chosen[name] not in allowed:
            chosen[name] = ""
    flag = {"include": None, "exclude": False, "only": True}.get(synthetic)
    if synthetic not in ("include", "exclude", "only"):
        synthetic = "include"
    filters: dict[str, Any] = {
        "centre": centre or None,
        "imaging_type": chosen["imaging_type"] or None,
        "ivc_level": chosen["ivc_level"] or None,
        "sex": chosen["sex"] or None,
        "synthetic": flag,
    }
    offset = (page - 1) * PAGE_SIZE
    if q:
        found = [s for s in grant.registry.list(**filters) if q.lower() in s.case_id.lower()]
        total, cases = len(found), found[offset : offset + PAGE_SIZE]
    else:
        total = grant.registry.count(**filters)
        cases = grant.registry.list(**filters, limit=PAGE_SIZE, offset=offset)
    shown = {"q": q, "centre": centre, **chosen, "synthetic": synthetic}
    if not grant.identified:
        cases = [research_summary(s) for s in cases]

    def page_url(number: int) -> str:
        return "/cases?" + urlencode({**{k: v for k, v in shown.items() if v}, "page": number})

    return render(
        request,
        "cases.html",
        me=grant.principal,
        cases=cases,
        total=total,
        total_shown=total if grant.identified else suppress_count(total, ctx.cohorts.min_cell),
        offset=offset,
        filters=shown,
        centres=_centres(ctx, grant) if grant.identified else [],
        choice_filters=_CHOICE_FILTERS,
        previous_url=page_url(page - 1) if page > 1 else None,
        next_url=page_url(page + 1) if offset + PAGE_SIZE < total else None,
    )
