"""Web pages of the MDT meeting: the case list, the case form and YAML editor, the plan,
the history, the follow-up calendar and the explanation of a rule."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

import yaml
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from rvlms.analysis.suppression import suppress_count
from rvlms.case import Case, dump_case, parse_case
from rvlms.case.vocab import ImagingType, IvcLevel, Sex
from rvlms.deid.apply import research_centre, research_summary
from rvlms.errors import CaseInvalid, Conflict, FieldProblem, InputError, NotFound
from rvlms.literature import nearest
from rvlms.pathway.explain import explain
from rvlms.registry.tables import CaseRow
from rvlms.web.context import ContextDep, WebContext
from rvlms.web.deidentify import deidentify_case, deidentify_plan, scrub_dates
from rvlms.web.exports import plan_pdf
from rvlms.web.forms import (
    CASE_FORM,
    FormField,
    FormInput,
    FormLayout,
    PlacedProblems,
    RowGroup,
    Section,
    form_to_data,
    layout_for,
    place_problems,
    value_at,
)
from rvlms.web.policy import Action
from rvlms.web.rendering import render
from rvlms.web.reports import follow_up_ics
from rvlms.web.security import (
    Grant,
    Principal,
    authorize,
    checked_form,
    require_web,
    web_principal,
)

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

FormDep = Annotated[FormData, Depends(checked_form)]
Me = Annotated[Principal, Depends(web_principal)]
PAGE_SIZE = 50

CASE_ID_FIELD = FormField(
    "case_id",
    "Case id",
    hint="Letters, digits, '.', '_' or '-' (e.g. MDT-2026-014); never a name or record number",
)
_CASE_ID_SECTION = Section("Case", (CASE_ID_FIELD,))
_PLACEMENT = (_CASE_ID_SECTION, *CASE_FORM)
_CHOICE_FILTERS = (
    ("imaging_type", "Imaging type", tuple(t.value for t in ImagingType)),
    ("ivc_level", "IVC level", tuple(level.value for level in IvcLevel)),
    ("sex", "Sex", tuple(s.value for s in Sex)),
)
_NEW_CASE_YAML = """\
case_id: MDT-2026-001
centre: my-centre
demographics:
  sex: female
  age_years: 56
imaging:
  vessel_of_origin: ivc
  max_diameter_cm: 8.5
"""


def _form_input(form: FormData) -> FormInput:
    return FormInput([(key, value) for key, value in form.multi_items() if isinstance(value, str)])


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


def _form_page(
    request: Request,
    principal: Principal,
    *,
    action: str,
    data: dict[str, Any],
    layout: FormLayout,
    placed: PlacedProblems | None = None,
    case_id: str | None = None,
    version: int | None = None,
    conflict: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "case_form.html",
        status_code=status_code,
        me=principal,
        new_case_centres=_new_case_centres(principal),
        action=action,
        data=data,
        layout=layout,
        placed=placed or PlacedProblems({}, []),
        sections=CASE_FORM,
        case_id_field=CASE_ID_FIELD,
        case_id=case_id,
        version=version,
        conflict=conflict,
    )


def _saved(case_id: str) -> RedirectResponse:
    return RedirectResponse(f"/cases/{case_id}/plan?saved=1", status_code=303)


def _form_failure(
    failure: CaseInvalid | Conflict, layout: FormLayout, *, new: bool, case_id: str | None = None
) -> dict[str, Any]:
    """How a failed save shows on the form: problems next to their fields (422), or the
    conflict — on the case id for a new case (duplicate id), as a banner for an edit (409)."""
    if isinstance(failure, CaseInvalid):
        return {"placed": place_problems(failure.problems, layout, _PLACEMENT), "status_code": 422}
    if new:
        problem = FieldProblem("case_id", str(failure), case_id)
        return {"placed": PlacedProblems({"case_id": [problem]}, []), "status_code": 409}
    return {"conflict": str(failure), "status_code": 409}


@router.get("/cases/new")
def new_case_form(
    request: Request, grant: Annotated[Grant, Depends(require_web(Action.case_create))]
) -> HTMLResponse:
    return _form_page(request, grant.principal, action="/cases/new", data={}, layout=layout_for({}))


@router.post("/cases/new")
def create_from_form(request: Request, form: FormDep, ctx: ContextDep, me: Me) -> Response:
    entered = _form_input(form)
    case_id = entered.get("case_id")
    target = _target_centre(form, me)
    grant = authorize(ctx, me, Action.case_create, case_id or None, request=request, centre=target)
    data, layout = form_to_data({}, entered)
    if case_id:
        data = {"case_id": case_id, **data}
    try:
        stored = grant.registry.add(parse_case(data), grant.username, centre=target)
    except (CaseInvalid, Conflict) as failure:
        return _form_page(
            request,
            me,
            action="/cases/new",
            data=data,
            layout=layout,
            **_form_failure(failure, layout, new=True, case_id=case_id),
        )
    return _saved(stored.case_id)


def _new_case_centres(principal: Principal) -> list[str]:
    """The centres a new case may go to (a choice is offered when there are several)."""
    return sorted(principal.scope_for(Action.case_create).centres or [])


def _target_centre(form: FormData, me: Principal) -> str | None:
    """The centre a new case goes to: the form's ``centre_code``, else the one centre
    where the user may add cases."""
    chosen = str(form.get("centre_code") or "").strip().lower()[:64]
    return chosen or me.home_centre(Action.case_create)


def _stored_data(case: Case) -> dict[str, Any]:
    data: dict[str, Any] = case.model_dump(mode="json", exclude_none=True)
    return data


@router.get("/cases/{case_id}/edit")
def edit_case_form(
    case_id: str,
    request: Request,
    ctx: ContextDep,
    grant: Annotated[Grant, Depends(require_web(Action.case_update))],
) -> HTMLResponse:
    stored = grant.registry.get(case_id)
    data = _stored_data(stored.case)
    return _form_page(
        request,
        grant.principal,
        action=f"/cases/{case_id}/edit",
        data=data,
        layout=layout_for(data),
        case_id=case_id,
        version=stored.version,
    )


def _version(form: FormInput) -> int:
    raw = form.get("version")
    if not raw.isdigit():
        raise InputError("version: the form lost the version it was loaded with; reload the page")
    return int(raw)


@router.post("/cases/{case_id}/edit")
def update_from_form(
    case_id: str, request: Request, form: FormDep, ctx: ContextDep, me: Me
) -> Response:
    entered = _form_input(form)
    version = _version(entered)
    grant = authorize(ctx, me, Action.case_update, case_id, request=request, version=version)
    stored = grant.registry.get(case_id)
    data, layout = form_to_data(_stored_data(stored.case), entered)
    data["case_id"] = case_id
    action = f"/cases/{case_id}/edit"
    try:
        grant.registry.update(case_id, parse_case(data), version, grant.username)
    except (CaseInvalid, Conflict) as failure:
        return _form_page(
            request,
            me,
            action=action,
            data=data,
            layout=layout,
            case_id=case_id,
            version=version,
            **_form_failure(failure, layout, new=False),
        )
    return _saved(case_id)


def _yaml_page(
    request: Request,
    principal: Principal,
    *,
    action: str,
    text: str,
    case_id: str | None = None,
    version: int | None = None,
    problems: list[FieldProblem] | None = None,
    conflict: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "case_yaml.html",
        status_code=status_code,
        me=principal,
        new_case_centres=_new_case_centres(principal),
        action=action,
        text=text,
        case_id=case_id,
        version=version,
        problems=problems or [],
        conflict=conflict,
    )


def _parse_yaml(text: str) -> Case:
    try:
        data = yaml.load(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError as exc:
        raise CaseInvalid([FieldProblem("", f"not valid YAML: {exc}")]) from None
    if not isinstance(data, dict):
        raise CaseInvalid([FieldProblem("", "the record must be a YAML mapping of fields")])
    return parse_case(data)


@router.get("/cases/new/yaml")
def new_case_yaml(
    request: Request, grant: Annotated[Grant, Depends(require_web(Action.case_create))]
) -> HTMLResponse:
    return _yaml_page(request, grant.principal, action="/cases/new/yaml", text=_NEW_CASE_YAML)


@router.post("/cases/new/yaml")
def create_from_yaml(request: Request, form: FormDep, ctx: ContextDep, me: Me) -> Response:
    text = str(form.get("yaml") or "")
    try:
        case = _parse_yaml(text)
    except CaseInvalid as invalid:
        authorize(ctx, me, Action.case_create, None, request=request, detail="invalid record")
        return _yaml_page(
            request,
            me,
            action="/cases/new/yaml",
            text=text,
            problems=invalid.problems,
            status_code=422,
        )
    target = _target_centre(form, me)
    grant = authorize(ctx, me, Action.case_create, case.case_id, request=request, centre=target)
    try:
        grant.registry.add(case, grant.username, centre=target)
    except Conflict as conflict:
        return _yaml_page(
            request,
            me,
            action="/cases/new/yaml",
            text=text,
            problems=[FieldProblem("case_id", str(conflict), case.case_id)],
            status_code=409,
        )
    return _saved(case.case_id)


@router.get("/cases/{case_id}/yaml")
def case_yaml(
    case_id: str,
    request: Request,
    ctx: ContextDep,
    grant: Annotated[Grant, Depends(require_web(Action.case_update))],
) -> HTMLResponse:
    stored = grant.registry.get(case_id)
    return _yaml_page(
        request,
        grant.principal,
        action=f"/cases/{case_id}/yaml",
        text=dump_case(stored.case),
        case_id=case_id,
        version=stored.version,
    )


@router.post("/cases/{case_id}/yaml")
def update_from_yaml(
    case_id: str, request: Request, form: FormDep, ctx: ContextDep, me: Me
) -> Response:
    entered = _form_input(form)
    version = _version(entered)
    grant = authorize(ctx, me, Action.case_update, case_id, request=request, version=version)
    text = str(form.get("yaml") or "")
    action = f"/cases/{case_id}/yaml"
    try:
        grant.registry.update(case_id, _parse_yaml(text), version, grant.username)
    except CaseInvalid as invalid:
        return _yaml_page(
            request,
            me,
            action=action,
            text=text,
            case_id=case_id,
            version=version,
            problems=invalid.problems,
            status_code=422,
        )
    except Conflict as conflict:
        return _yaml_page(
            request,
            me,
            action=action,
            text=text,
            case_id=case_id,
            version=version,
            conflict=str(conflict),
            status_code=409,
        )
    except InputError as error:
        return _yaml_page(
            request,
            me,
            action=action,
            text=text,
            case_id=case_id,
            version=version,
            problems=[FieldProblem("case_id", str(error))],
            status_code=422,
        )
    return _saved(case_id)


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
        data = _stored_data(stored.case)
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
