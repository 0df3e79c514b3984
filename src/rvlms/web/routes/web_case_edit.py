"""The case form and the YAML editor: creating a case and editing a stored one, either
field by field or as the whole record in YAML. A failed save shows the page again with
the problems next to their fields (422) or the conflict (409)."""

from __future__ import annotations

from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from rvlms.case import Case, dump_case, parse_case
from rvlms.errors import CaseInvalid, Conflict, FieldProblem, InputError
from rvlms.web.context import ContextDep
from rvlms.web.forms import (
    CASE_FORM,
    FormField,
    FormInput,
    FormLayout,
    PlacedProblems,
    Section,
    form_to_data,
    layout_for,
    place_problems,
)
from rvlms.web.policy import Action
from rvlms.web.rendering import render
from rvlms.web.routes.web_case_data import new_case_centres, stored_data, target_centre
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

CASE_ID_FIELD = FormField(
    "case_id",
    "Case id",
    hint="Letters, digits, '.', '_' or '-' (e.g. MDT-2026-014); never a name or record number",
)
_CASE_ID_SECTION = Section("Case", (CASE_ID_FIELD,))
_PLACEMENT = (_CASE_ID_SECTION, *CASE_FORM)
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
        new_case_centres=new_case_centres(principal),
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
    target = target_centre(form, me)
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


@router.get("/cases/{case_id}/edit")
def edit_case_form(
    case_id: str,
    request: Request,
    ctx: ContextDep,
    grant: Annotated[Grant, Depends(require_web(Action.case_update))],
) -> HTMLResponse:
    stored = grant.registry.get(case_id)
    data = stored_data(stored.case)
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
    data, layout = form_to_data(stored_data(stored.case), entered)
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
        new_case_centres=new_case_centres(principal),
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
    target = target_centre(form, me)
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
