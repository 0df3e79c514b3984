"""The CDS Hooks service in the web app, and the page its card links open.

:func:`routers` builds the CDS Hooks endpoints (``rvlms.cds``) with the audit log as their
event sink and one :class:`~rvlms.cds.launch.LaunchStore` shared with the launch page:
``/cds/launch/{id}`` shows a signed-in clinician the plan computed from the prefetch the
card was made from and offers to create the registry case from it. An expired or unknown
link gives a page that says so and how to get a fresh one (410), never a 404.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from rvlms.case import parse_case
from rvlms.cds import CdsEvent, Launch, LaunchStore, create_router
from rvlms.cds.launch import LAUNCH_PATH
from rvlms.cds.router import DEMO_LABEL
from rvlms.errors import CaseInvalid, Conflict, NotFound
from rvlms.web.audit import AuditEvent
from rvlms.web.context import ContextDep, WebContext
from rvlms.web.plans import draw_map
from rvlms.web.policy import Action
from rvlms.web.rendering import render
from rvlms.web.routes.web_case_data import new_case_centres, target_centre
from rvlms.web.security import Principal, authorize, checked_form, web_principal

__all__ = ["routers"]

Me = Annotated[Principal, Depends(web_principal)]
FormDep = Annotated[FormData, Depends(checked_form)]


def _audit(ctx: WebContext, event: CdsEvent) -> None:
    ctx.ensure_ready()
    ctx.audit.record(
        AuditEvent(
            action=event.action,
            outcome=event.outcome,
            actor=event.actor,
            role="ehr",
            client_ip=event.client_ip,
            via="api",
            target=event.target,
            detail=event.detail,
        )
    )


def _page(
    request: Request,
    me: Principal,
    launch: Launch | None,
    ctx: WebContext,
    *,
    created: str | None = None,
    status_code: int = 200,
    **extra: Any,
) -> HTMLResponse:
    if launch is None:
        return render(
            request,
            "cds_launch.html",
            status_code=410,
            me=me,
            launch=None,
            ttl_minutes=ctx.settings.cds_launch_ttl_minutes,
        )
    candidate = created or launch.mapping.case.case_id
    try:
        visible = ctx.registry.scoped(me.scope_for(Action.case_read))
        existing: str | None = visible.get(candidate).case_id
    except NotFound:
        existing = None
    return render(
        request,
        "cds_launch.html",
        status_code=status_code,
        me=me,
        launch=launch,
        plan=launch.plan,
        mapping=launch.mapping,
        decision_map=draw_map(launch.mapping.case),
        explain_links=False,
        existing=existing,
        new_case_centres=new_case_centres(me),
        demo_label=DEMO_LABEL,
        proposed_id=extra.pop("proposed_id", launch.mapping.case.case_id),
        problems=extra.pop("problems", []),
        **extra,
    )


def routers(ctx: WebContext) -> list[APIRouter]:
    """The CDS Hooks endpoints and the launch page, sharing one launch store."""
    launches = LaunchStore(timedelta(minutes=ctx.settings.cds_launch_ttl_minutes))
    cds = create_router(ctx.settings, launches=launches, on_event=lambda e: _audit(ctx, e))
    pages = APIRouter(include_in_schema=False)

    @pages.get(LAUNCH_PATH + "/{launch_id}")
    def launch_page(launch_id: str, request: Request, ctx: ContextDep, me: Me) -> HTMLResponse:
        launch = launches.get(launch_id)
        case_id = launch.mapping.case.case_id if launch else None
        authorize(
            ctx,
            me,
            Action.case_create,
            case_id,
            request=request,
            detail="CDS Hooks card link: plan from the EHR's prefetch"
            if launch
            else "CDS Hooks card link expired or unknown",
        )
        return _page(request, me, launch, ctx, created=launches.created_case(launch_id))

    @pages.post(LAUNCH_PATH + "/{launch_id}/case")
    def create_from_launch(
        launch_id: str, request: Request, form: FormDep, ctx: ContextDep, me: Me
    ) -> Response:
        launch = launches.get(launch_id)
        if launch is None:
            authorize(ctx, me, Action.case_create, request=request, detail="link expired")
            return _page(request, me, None, ctx)
        entered = form.get("case_id")
        case_id = entered.strip() if isinstance(entered, str) and entered.strip() else None
        case_id = case_id or launch.mapping.case.case_id
        centre = target_centre(form, me)
        grant = authorize(
            ctx,
            me,
            Action.case_create,
            case_id,
            request=request,
            detail=f"from CDS Hooks prefetch of Patient/{launch.patient_id}",
            centre=centre,
        )
        data = launch.mapping.case.model_dump(mode="json", exclude_none=True)
        try:
            stored = grant.registry.add(
                parse_case({**data, "case_id": case_id}), grant.username, centre=centre
            )
        except CaseInvalid as failure:
            problems = [p.as_text() for p in failure.problems] or [str(failure)]
            return _page(
                request, me, launch, ctx, status_code=422, problems=problems, proposed_id=case_id
            )
        except Conflict as failure:
            return _page(
                request,
                me,
                launch,
                ctx,
                status_code=409,
                problems=[f"case_id: {failure}"],
                proposed_id=case_id,
            )
        launches.mark_created(launch_id, stored.case_id)
        return RedirectResponse(f"/cases/{stored.case_id}/plan?saved=1", status_code=303)

    return [cds, pages]
