"""REST API: cases, their history, plans, reports and follow-up calendars."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status

from rvlms.analysis.suppression import suppress_count
from rvlms.case import Case
from rvlms.case.vocab import ImagingType, IvcLevel, Sex
from rvlms.pathway import Plan
from rvlms.web.context import ContextDep
from rvlms.web.exports import plan_pdf
from rvlms.web.policy import Action
from rvlms.web.problems import CASE_BODY, CONFLICT_RESPONSE, ERROR_RESPONSES, file_response
from rvlms.web.reports import follow_up_ics
from rvlms.web.schemas import (
    CaseListItem,
    CaseOut,
    CasePage,
    HistoryOut,
    ResearchCaseListItem,
    ResearchCaseOut,
    ResearchCasePage,
)
from rvlms.web.security import Grant, Principal, api_principal, authorize, require_api

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)

CaseIdPath = Annotated[str, Path(min_length=1, max_length=64, description="The case_id")]
PDF_RESPONSE = file_response("application/pdf", "A PDF document")
ICS_RESPONSE = file_response("text/calendar", "An iCalendar file (RFC 5545)")


def _attachment(content: bytes, media_type: str, filename: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/cases", tags=["cases"], summary="List cases with filters")
def list_cases(
    ctx: ContextDep,
    grant: Annotated[Grant, Depends(require_api(Action.case_list))],
    q: Annotated[str | None, Query(max_length=64, description="Part of the case_id")] = None,
    centre: Annotated[str | None, Query(max_length=200)] = None,
    imaging_type: ImagingType | None = None,
    ivc_level: IvcLevel | None = None,
    sex: Sex | None = None,
    synthetic: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> CasePage | ResearchCasePage:
    """Current cases in case_id order. Researchers get the de-identified list."""
    filters: dict[str, Any] = {
        "centre": centre,
        "imaging_type": imaging_type.value if imaging_type else None,
        "ivc_level": ivc_level.value if ivc_level else None,
        "sex": sex.value if sex else None,
        "synthetic": synthetic,
    }
    if q:
        needle = q.lower()
        found = [s for s in grant.registry.list(**filters) if needle in s.case_id.lower()]
        total, summaries = len(found), found[offset : offset + limit]
    else:
        total = grant.registry.count(**filters)
        summaries = grant.registry.list(**filters, limit=limit, offset=offset)
    if grant.identified:
        return CasePage(
            items=[CaseListItem.of(s) for s in summaries], total=total, limit=limit, offset=offset
        )
    return ResearchCasePage(
        items=[ResearchCaseListItem.of(s) for s in summaries],
        total=suppress_count(total, ctx.cohorts.min_cell),
        limit=limit,
        offset=offset,
    )


@router.post(
    "/cases",
    tags=["cases"],
    summary="Create a case",
    status_code=status.HTTP_201_CREATED,
    responses=CONFLICT_RESPONSE,
    openapi_extra={CASE_BODY: "case"},
)
def create_case(
    case: Case,
    request: Request,
    response: Response,
    ctx: ContextDep,
    principal: Annotated[Principal, Depends(api_principal)],
    centre: Annotated[
        str | None,
        Query(
            max_length=64,
            description="The centre the case belongs to; needed when you are a clinician "
            "at more than one centre",
        ),
    ] = None,
) -> CaseOut:
    """Store a new case as version 1 at ``centre``; an existing case_id is a 409 conflict."""
    target = centre or principal.home_centre(Action.case_create)
    grant = authorize(
        ctx, principal, Action.case_create, case.case_id, request=request, centre=target
    )
    stored = grant.registry.add(case, grant.username, centre=target)
    response.headers["Location"] = f"/api/v1/cases/{stored.case_id}"
    return CaseOut.of(stored)


@router.get("/cases/{case_id}", tags=["cases"], summary="Read a case")
def read_case(
    case_id: CaseIdPath,
    ctx: ContextDep,
    grant: Annotated[Grant, Depends(require_api(Action.case_read))],
) -> CaseOut | ResearchCaseOut:
    """The current version; researchers get the de-identified record."""
    stored = grant.registry.get(case_id)
    return CaseOut.of(stored) if grant.identified else ResearchCaseOut.of(stored)


@router.put(
    "/cases/{case_id}",
    tags=["cases"],
    summary="Replace a case (optimistic locking)",
    responses=CONFLICT_RESPONSE,
    openapi_extra={CASE_BODY: "case"},
)
def update_case(
    case_id: CaseIdPath,
    case: Case,
    ctx: ContextDep,
    grant: Annotated[Grant, Depends(require_api(Action.case_update))],
    expected_version: Annotated[
        int, Query(ge=1, le=1_000_000_000, description="The version the edit was made from")
    ],
) -> CaseOut:
    """Save a new version if the case is still at ``expected_version``; otherwise 409 names
    who changed it and when, and nothing is written."""
    stored = grant.registry.update(case_id, case, expected_version, grant.username)
    return CaseOut.of(stored)


@router.get("/cases/{case_id}/history", tags=["cases"], summary="Every version of a case")
def case_history(
    case_id: CaseIdPath,
    ctx: ContextDep,
    grant: Annotated[Grant, Depends(require_api(Action.case_history))],
) -> HistoryOut:
    return HistoryOut.of(case_id, grant.registry.history(case_id))


@router.get(
    "/cases/{case_id}/plan",
    tags=["plans"],
    summary="The MDT plan of a stored case",
    response_model=Plan,
)
def case_plan(
    case_id: CaseIdPath,
    ctx: ContextDep,
    grant: Annotated[Grant, Depends(require_api(Action.case_plan))],
) -> Response:
    """The cited plan (schema ``Plan`` 1.0); researchers get visits without calendar dates.

    The document is serialised once per case version and view and then served as is.
    """
    document = ctx.plans.current_plan_json(case_id, deidentified=not grant.identified)
    return Response(document, media_type="application/json")


@router.get(
    "/cases/{case_id}/plan.pdf",
    tags=["reports"],
    summary="The MDT plan as PDF",
    response_class=Response,
    responses=PDF_RESPONSE,
)
def case_plan_pdf(
    case_id: CaseIdPath,
    ctx: ContextDep,
    grant: Annotated[Grant, Depends(require_api(Action.report_plan))],
) -> Response:
    return _attachment(plan_pdf(ctx, grant, case_id), "application/pdf", f"plan-{case_id}.pdf")


@router.get(
    "/cases/{case_id}/follow-up.ics",
    tags=["reports"],
    summary="The follow-up visits as an iCalendar file",
    response_class=Response,
    responses=ICS_RESPONSE,
)
def case_follow_up_ics(
    case_id: CaseIdPath,
    ctx: ContextDep,
    grant: Annotated[Grant, Depends(require_api(Action.case_follow_up))],
) -> Response:
    plan = ctx.plans.plan(grant.registry.get(case_id))
    return _attachment(
        follow_up_ics(plan, datetime.now(UTC)), "text/calendar", f"follow-up-{case_id}.ics"
    )
