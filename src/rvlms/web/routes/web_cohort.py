"""The cohort dashboard and its PDF report."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from rvlms.web.cohort import DEFAULT_SYNTHETIC, Grouping, SyntheticFilter
from rvlms.web.context import ContextDep
from rvlms.web.exports import cohort_pdf
from rvlms.web.policy import Action
from rvlms.web.rendering import render
from rvlms.web.security import Grant, require_web

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/cohort")
def cohort_page(
    request: Request,
    ctx: ContextDep,
    grant: Annotated[Grant, Depends(require_web(Action.cohort_read))],
    by: Grouping = Grouping.imaging_type,
    synthetic: SyntheticFilter = DEFAULT_SYNTHETIC,
) -> HTMLResponse:
    view = ctx.cohorts.view(by, synthetic, suppress=not grant.identified, registry=grant.registry)
    return render(
        request,
        "cohort.html",
        me=grant.principal,
        view=view,
        groupings=list(Grouping),
        synthetic_choices=list(SyntheticFilter),
    )


@router.get("/cohort/report.pdf")
def cohort_report(
    ctx: ContextDep,
    grant: Annotated[Grant, Depends(require_web(Action.report_cohort))],
    by: Grouping = Grouping.imaging_type,
    synthetic: SyntheticFilter = DEFAULT_SYNTHETIC,
) -> Response:
    return Response(
        cohort_pdf(ctx, grant, by, synthetic),
        media_type="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="cohort-report.pdf"'},
    )
