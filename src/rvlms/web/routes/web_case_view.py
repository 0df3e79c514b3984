"""The pages of one case: its record, the plan (and its PDF), the revision history, the
follow-up calendar (and its iCalendar file) and the explanation of a rule. Registered
after the case form, whose ``/cases/new`` would otherwise be read as a case id here."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from rvlms.case import dump_case
from rvlms.deid.apply import research_centre
from rvlms.errors import NotFound
from rvlms.literature import nearest
from rvlms.pathway.explain import explain
from rvlms.web.context import ContextDep
from rvlms.web.deidentify import deidentify_case, deidentify_plan, scrub_dates
from rvlms.web.exports import plan_pdf
from rvlms.web.forms import CASE_FORM, RowGroup, value_at
from rvlms.web.policy import Action
from rvlms.web.rendering import render
from rvlms.web.reports import follow_up_ics
from rvlms.web.routes.web_case_data import stored_data
from rvlms.web.security import Grant, require_web

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _shown(value: Any) -> str | None:
    if value is None or value == [] or value == {}:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v).replace("_", " ") for v in value)
    return str(value).replace("_", " ") if isinstance(value, str) else str(value)


def _year_path(path: str) -> str:
    head, _, last = path.rpartition(".")
    name = "year" if last == "date" else last.removesuffix("_date") + "_year"
    return f"{head}.{name}" if head else name


def _summary(data: dict[str, Any], identified: bool) -> list[tuple[str, list[tuple[str, str]]]]:
    sections: list[tuple[str, list[tuple[str, str]]]] = []
    for section in CASE_FORM:
        if section.identifiers and not identified:
            continue
        rows: list[tuple[str, str]] = []
        for item in section.items:
            if isinstance(item, RowGroup):
                entries = value_at(data, item.path) or []
                for entry in entries:
                    text = " ".join(_shown(entry.get(c.path)) or "" for c in item.columns).strip()
                    rows.append((item.label, text))
                continue
            if item.kind == "date" and not identified:
                shown = _shown(value_at(data, _year_path(item.path)))
                label = f"{item.label} (year)"
            else:
                shown = _shown(value_at(data, item.path))
                label = item.label + (f" ({item.unit})" if item.unit else "")
            if shown is not None:
                rows.append((label, shown))
        if rows:
            sections.append((section.title, rows))
    return sections


@router.get("/cases/{case_id}")
def case_page(
    case_id: str,
    request: Request,
    ctx: ContextDep,
    grant: Annotated[Grant, Depends(require_web(Action.case_read))],
) -> HTMLResponse:
    stored = grant.registry.get(case_id)
    if grant.identified:
        data = stored_data(stored.case)
        text = dump_case(stored.case)
    else:
        data = deidentify_case(stored.case).model_dump(mode="json", exclude_none=True)
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    return render(
        request,
        "case_view.html",
        me=grant.principal,
        case_id=case_id,
        synthetic=stored.case.synthetic,
        version=stored.version,
        updated_at=stored.updated_at,
        updated_by=stored.updated_by,
        summary=_summary(data, grant.identified),
        record_text=text,
    )


@router.get("/cases/{case_id}/plan")
def plan_page(
    case_id: str,
    request: Request,
    ctx: ContextDep,
    grant: Annotated[Grant, Depends(require_web(Action.case_plan))],
    saved: bool = False,
) -> HTMLResponse:
    stored = grant.registry.get(case_id)
    plan = ctx.plans.plan(stored)
    centre = stored.case.centre
    pool = ((c.case_id, c) for c in grant.registry.cases(centre=centre) if not c.synthetic)
    return render(
        request,
        "plan.html",
        me=grant.principal,
        plan=plan if grant.identified else deidentify_plan(plan),
        decision_map=ctx.plans.decision_map(stored, deidentified=not grant.identified),
        our_cases=nearest(stored.case, pool, 5),
        our_centre=centre if grant.identified else research_centre(stored.case),
        explain_links=True,
        saved=saved,
        version=stored.version,
    )


@router.get("/cases/{case_id}/plan.pdf")
def plan_pdf_download(
    case_id: str,
    ctx: ContextDep,
    grant: Annotated[Grant, Depends(require_web(Action.report_plan))],
) -> Response:
    return Response(
        plan_pdf(ctx, grant, case_id),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="plan-{case_id}.pdf"'},
    )


def _compact(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return value


def _leaves(value: Any) -> int:
    if isinstance(value, dict):
        return sum(_leaves(v) for v in value.values())
    if isinstance(value, list):
        return sum(_leaves(v) for v in value) if value else 0
    return 0 if value is None else 1


@router.get("/cases/{case_id}/history")
def history_page(
    case_id: str,
    request: Request,
    ctx: ContextDep,
    grant: Annotated[Grant, Depends(require_web(Action.case_history))],
) -> HTMLResponse:
    revisions = [
        {
            "version": r.version,
            "action": r.action,
            "changed_at": r.changed_at,
            "changed_by": r.changed_by,
            "changes": [
                {"path": c.path, "old": _compact(c.old), "new": _compact(c.new)} for c in r.changes
            ],
            "field_count": _leaves(r.data),
        }
        for r in reversed(grant.registry.history(case_id))
    ]
    return render(request, "history.html", me=grant.principal, case_id=case_id, revisions=revisions)


@router.get("/cases/{case_id}/follow-up")
def follow_up_page(
    case_id: str,
    request: Request,
    ctx: ContextDep,
    grant: Annotated[Grant, Depends(require_web(Action.case_follow_up))],
) -> HTMLResponse:
    plan = ctx.plans.plan(grant.registry.get(case_id))
    dated = any(v.date is not None for v in plan.follow_up)
    return render(request, "followup.html", me=grant.principal, plan=plan, dated=dated)


@router.get("/cases/{case_id}/follow-up.ics")
def follow_up_calendar(
    case_id: str,
    ctx: ContextDep,
    grant: Annotated[Grant, Depends(require_web(Action.case_follow_up))],
) -> Response:
    plan = ctx.plans.plan(grant.registry.get(case_id))
    return Response(
        follow_up_ics(plan, datetime.now(UTC)),
        media_type="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="follow-up-{case_id}.ics"'},
    )


@router.get("/cases/{case_id}/explain/{rule_id}")
def explain_page(
    case_id: str,
    rule_id: str,
    request: Request,
    ctx: ContextDep,
    grant: Annotated[Grant, Depends(require_web(Action.case_explain))],
) -> HTMLResponse:
    stored = grant.registry.get(case_id)
    try:
        explanation = explain(stored.case, rule_id)
    except KeyError:
        raise NotFound(f"no rule {rule_id!r} in the knowledge base") from None
    if not grant.identified:
        explanation = type(explanation)(
            explanation.rule_id,
            explanation.title,
            explanation.verdict,
            [scrub_dates(line) for line in explanation.lines],
            explanation.missing,
        )
    return render(
        request, "explain.html", me=grant.principal, case_id=case_id, explanation=explanation
    )
