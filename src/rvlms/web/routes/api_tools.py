"""REST API: ad-hoc plans and classification, clinical scores, cohort analysis, the audit
log and the JSON schemas."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal, TypeVar

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import StreamingResponse
from pydantic import JsonValue

from rvlms.case import Case
from rvlms.errors import FieldProblem
from rvlms.imaging import Classification, classify
from rvlms.pathway import Plan
from rvlms.scores import (
    AjccResult,
    ClavienResult,
    EgfrResult,
    FnclccResult,
    ScoreInputError,
    ajcc_stage,
    ckd_epi_2021,
    describe_grade,
    fnclcc_grade,
)
from rvlms.scores import classify as clavien_classify
from rvlms.web.audit import AuditFilter
from rvlms.web.cohort import Grouping, SyntheticFilter
from rvlms.web.context import ContextDep
from rvlms.web.deidentify import deidentify_plan
from rvlms.web.exports import audit_csv_response, cohort_pdf
from rvlms.web.policy import Action
from rvlms.web.problems import CASE_BODY, ERROR_RESPONSES, InvalidFields, file_response
from rvlms.web.schemas import (
    AjccIn,
    AuditEntryOut,
    AuditPage,
    ClavienIn,
    CohortOut,
    EgfrIn,
    FnclccIn,
)
from rvlms.web.security import Grant, require_api

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)

T = TypeVar("T")
PDF_RESPONSE = file_response("application/pdf", "A PDF document")
CSV_RESPONSE = file_response("text/csv", "CSV, header first")


@router.post(
    "/plan",
    tags=["plans"],
    summary="The MDT plan of a case sent in the body (not stored)",
    openapi_extra={CASE_BODY: "case"},
)
def adhoc_plan(
    case: Case, ctx: ContextDep, grant: Annotated[Grant, Depends(require_api(Action.plan_adhoc))]
) -> Plan:
    plan = ctx.plans.adhoc(case)
    return plan if grant.identified else deidentify_plan(plan)


@router.post(
    "/classify",
    tags=["plans"],
    summary="IVC level and imaging type of a case sent in the body",
    openapi_extra={CASE_BODY: "case"},
)
def classify_case(
    case: Case, grant: Annotated[Grant, Depends(require_api(Action.classify))]
) -> Classification:
    """yang2025 imaging type and IVC level (I–III) with the reasons and the missing facts."""
    return classify(case)


def _scored(compute: Callable[[], T]) -> T:
    """The score, or a 422 problem naming the field the score refused."""
    try:
        return compute()
    except ScoreInputError as exc:
        problem = FieldProblem(
            exc.field, f"{exc.value!r} is not allowed; expected {exc.expected}", exc.value
        )
        raise InvalidFields([problem]) from None


@router.post("/scores/fnclcc", tags=["scores"], summary="FNCLCC histological grade")
def score_fnclcc(
    body: FnclccIn, grant: Annotated[Grant, Depends(require_api(Action.score))]
) -> FnclccResult:
    return _scored(
        lambda: fnclcc_grade(body.differentiation, body.mitoses_per_10hpf, body.necrosis)
    )


@router.post("/scores/ajcc", tags=["scores"], summary="AJCC 8th stage (retroperitoneum)")
def score_ajcc(
    body: AjccIn, grant: Annotated[Grant, Depends(require_api(Action.score))]
) -> AjccResult:
    return _scored(lambda: ajcc_stage(body.size_cm, body.grade, body.n, body.m))


@router.post("/scores/clavien", tags=["scores"], summary="Clavien–Dindo grade of a complication")
def score_clavien(
    body: ClavienIn, grant: Annotated[Grant, Depends(require_api(Action.score))]
) -> ClavienResult:
    if body.grade is not None:
        grade = body.grade
        return _scored(
            lambda: describe_grade(grade, disability_at_discharge=body.disability_at_discharge)
        )
    return _scored(
        lambda: clavien_classify(
            died=body.died,
            organ_dysfunction=body.organ_dysfunction,
            intervention=body.intervention,
            drugs_beyond_grade_i=body.drugs_beyond_grade_i,
            blood_transfusion=body.blood_transfusion,
            parenteral_nutrition=body.parenteral_nutrition,
            disability_at_discharge=body.disability_at_discharge,
        )
    )


@router.post("/scores/egfr", tags=["scores"], summary="eGFR by CKD-EPI 2021 with KDIGO category")
def score_egfr(
    body: EgfrIn, grant: Annotated[Grant, Depends(require_api(Action.score))]
) -> EgfrResult:
    return _scored(
        lambda: ckd_epi_2021(
            body.creatinine, body.age_years, body.sex, body.unit, steady_state=body.steady_state
        )
    )


@router.get("/cohort", tags=["cohort"], summary="Cohort analysis of the registry")
def cohort(
    ctx: ContextDep,
    grant: Annotated[Grant, Depends(require_api(Action.cohort_read))],
    by: Grouping = Grouping.imaging_type,
    synthetic: SyntheticFilter = SyntheticFilter.include,
) -> CohortOut:
    """Description, group tests, Kaplan–Meier and Cox (``rvlms.analysis``); counts below
    ``min_cell`` are suppressed for researchers."""
    return CohortOut.of(
        ctx.cohorts.view(by, synthetic, suppress=not grant.identified, registry=grant.registry)
    )


@router.get(
    "/cohort/report.pdf",
    tags=["reports"],
    summary="The cohort report as PDF",
    response_class=Response,
    responses=PDF_RESPONSE,
)
def cohort_report(
    ctx: ContextDep,
    grant: Annotated[Grant, Depends(require_api(Action.report_cohort))],
    by: Grouping = Grouping.imaging_type,
    synthetic: SyntheticFilter = SyntheticFilter.include,
) -> Response:
    return Response(
        cohort_pdf(ctx, grant, by, synthetic),
        media_type="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="cohort-report.pdf"'},
    )


def _audit_filter(
    grant: Grant,
    actor: str | None,
    action: str | None,
    case_id: str | None,
    outcome: str | None,
) -> AuditFilter:
    """The filter asked for, within the centres the admin administers (all for a
    network admin)."""
    return AuditFilter(
        actor=actor or None,
        action=action or None,
        case_id=case_id or None,
        outcome=outcome or None,
        centres=grant.scope.centres,
    )


@router.get("/audit", tags=["audit"], summary="The audit log, newest first (admin)")
def audit_log(
    ctx: ContextDep,
    grant: Annotated[Grant, Depends(require_api(Action.audit_read))],
    actor: Annotated[str | None, Query(max_length=200)] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    case_id: Annotated[str | None, Query(max_length=64)] = None,
    outcome: Annotated[str | None, Query(max_length=16)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> AuditPage:
    where = _audit_filter(grant, actor, action, case_id, outcome)
    entries = ctx.audit.entries(where, limit=limit, offset=offset)
    return AuditPage(
        items=[AuditEntryOut.of(e) for e in entries],
        total=ctx.audit.count(where),
        limit=limit,
        offset=offset,
    )


@router.get(
    "/audit.csv",
    tags=["audit"],
    summary="The audit log as CSV, oldest first (admin)",
    response_class=StreamingResponse,
    responses=CSV_RESPONSE,
)
def audit_csv(
    ctx: ContextDep,
    grant: Annotated[Grant, Depends(require_api(Action.audit_export))],
    actor: Annotated[str | None, Query(max_length=200)] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    case_id: Annotated[str | None, Query(max_length=64)] = None,
    outcome: Annotated[str | None, Query(max_length=16)] = None,
) -> StreamingResponse:
    return audit_csv_response(ctx, _audit_filter(grant, actor, action, case_id, outcome))


@router.get("/schemas/{name}", tags=["schemas"], summary="JSON Schema of the case or the plan")
def json_schema(name: Literal["case", "plan"]) -> dict[str, JsonValue]:
    from rvlms.schemas import json_schema as schema_of

    return schema_of(name)
