"""Administration pages: accounts, API tokens and the audit log (admin role only)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse
from starlette.datastructures import FormData

from rvlms.errors import Conflict, InputError, NotFound, PermissionDenied
from rvlms.registry import DEFAULT_CENTRE, NETWORK
from rvlms.web.accounts import MIN_PASSWORD_LENGTH, IssuedToken
from rvlms.web.audit import AuditEvent, AuditFilter
from rvlms.web.context import ContextDep, WebContext
from rvlms.web.exports import audit_csv_response
from rvlms.web.policy import Action, Role
from rvlms.web.rendering import render
from rvlms.web.security import Grant, Principal, authorize, checked_form, require_web, web_principal
from rvlms.web.tables import OUTCOMES

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

FormDep = Annotated[FormData, Depends(checked_form)]
Me = Annotated[Principal, Depends(web_principal)]
AUDIT_PAGE = 200
AUDIT_ACTIONS = sorted(
    {a.value for a in Action}
    | {"login.success", "login.failure", "login.throttled", "logout"}
    | {"case.export", "case.export.deidentified", "case.delete", "case.import"}
    | {"centre.create", "membership.grant", "membership.revoke"}
)


def _users_page(
    request: Request,
    ctx: WebContext,
    principal: Principal,
    *,
    message: str | None = None,
    error: str | None = None,
    issued: IssuedToken | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    tokens: dict[str, list[object]] = {}
    for token in ctx.accounts.tokens():
        tokens.setdefault(token.username, []).append(token)
    users = ctx.accounts.users()
    held = {
        u.username: ", ".join(f"{m.role}@{m.where}" for m in ctx.accounts.memberships(u.id))
        for u in users
    }
    return render(
        request,
        "admin_users.html",
        status_code=status_code,
        me=principal,
        users=users,
        held=held,
        centres=[NETWORK, *ctx.registry.centres.codes()],
        tokens=tokens,
        roles=list(Role),
        min_password=MIN_PASSWORD_LENGTH,
        message=message,
        error=error,
        issued=issued,
    )


@router.get("/admin/users")
def users_page(
    request: Request,
    ctx: ContextDep,
    grant: Annotated[Grant, Depends(require_web(Action.user_list))],
) -> HTMLResponse:
    return _users_page(request, ctx, grant.principal)


@router.post("/admin/users")
def add_user(request: Request, form: FormDep, ctx: ContextDep, me: Me) -> HTMLResponse:
    username = str(form.get("username") or "").strip()
    role_text = str(form.get("role") or "")
    centre = str(form.get("centre") or "").strip().lower()[:64] or (
        me.home_centre(Action.user_create) or DEFAULT_CENTRE
    )
    grant = authorize(
        ctx,
        me,
        Action.user_create,
        request=request,
        detail=f"user {username!r} role {role_text} at centre {centre}",
        centre=centre,
    )
    try:
        role = Role(role_text)
    except ValueError:
        return _users_page(
            request,
            ctx,
            me,
            error=f"role {role_text!r} is not one of: " + ", ".join(r.value for r in Role),
            status_code=422,
        )
    try:
        user = ctx.accounts.add(
            username,
            role,
            str(form.get("password") or ""),
            created_by=me.user.username,
            centre=grant.centre,
        )
    except (InputError, Conflict) as problem:
        status = 409 if isinstance(problem, Conflict) else 422
        return _users_page(request, ctx, me, error=str(problem), status_code=status)
    return _users_page(request, ctx, me, message=f"User {user.username} ({role.value}) added.")


@router.post("/admin/memberships")
def grant_role(request: Request, form: FormDep, ctx: ContextDep, me: Me) -> HTMLResponse:
    """Give a user a role at a centre, or network-wide (network admins only); audited."""
    username = str(form.get("username") or "").strip().lower()[:64]
    role_text = str(form.get("role") or "")
    where = str(form.get("centre") or "").strip().lower()[:64] or DEFAULT_CENTRE
    centre = None if where == NETWORK else where
    detail = f"user {username!r} role {role_text} at {where}"
    if centre is None and me.role_at(None) is not Role.admin:
        ctx.audit.record(
            AuditEvent(
                action="membership.grant",
                outcome="denied",
                actor=me.user.username,
                role=me.role.value,
                client_ip=me.client_ip,
                via="web",
                target="POST /admin/memberships",
                detail=f"{detail}: only a network admin grants network-wide roles",
            )
        )
        raise PermissionDenied(
            "centre: only a network admin may grant a network-wide role; the refusal is "
            "recorded in the audit log"
        )
    authorize(ctx, me, Action.user_update, request=request, detail=detail, centre=centre)
    try:
        role = Role(role_text)
        membership = ctx.accounts.grant(username, centre, role, granted_by=me.user.username)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        return _users_page(
            request, ctx, me, error=f"role: {role_text!r} is not one of {allowed}", status_code=422
        )
    except (InputError, NotFound) as problem:
        return _users_page(request, ctx, me, error=str(problem), status_code=problem.status)
    ctx.audit.record(
        AuditEvent(
            action="membership.grant",
            outcome="succeeded",
            actor=me.user.username,
            role=me.role.value,
            client_ip=me.client_ip,
            via="web",
            target="POST /admin/memberships",
            detail=detail + (" (network-wide: every centre)" if centre is None else ""),
            centre=centre,
        )
    )
    return _users_page(
        request, ctx, me, message=f"{username} is now {membership.role} at {membership.where}."
    )


@router.post("/admin/users/{username}/tokens")
def issue_token(
    username: str, request: Request, form: FormDep, ctx: ContextDep, me: Me
) -> HTMLResponse:
    authorize(ctx, me, Action.token_create, request=request, detail=f"token for {username!r}")
    try:
        issued = ctx.accounts.issue_token(
            username, created_by=me.user.username, label=str(form.get("label") or "") or None
        )
    except (NotFound, Conflict) as problem:
        return _users_page(request, ctx, me, error=str(problem), status_code=problem.status)
    return _users_page(request, ctx, me, issued=issued)


@router.post("/admin/users/{username}/{change}")
def change_user(
    username: str, change: str, request: Request, form: FormDep, ctx: ContextDep, me: Me
) -> HTMLResponse:
    if change not in ("activate", "deactivate"):
        raise NotFound(f"no action {change!r} for users; use activate or deactivate")
    authorize(ctx, me, Action.user_update, request=request, detail=f"{change} {username!r}")
    if change == "deactivate" and username == me.user.username:
        return _users_page(
            request, ctx, me, error="you cannot deactivate your own account", status_code=409
        )
    user = ctx.accounts.set_active(username, change == "activate")
    return _users_page(request, ctx, me, message=f"User {user.username} {change}d.")


@router.post("/admin/tokens/{token_id}/revoke")
def revoke_token(
    token_id: int, request: Request, form: FormDep, ctx: ContextDep, me: Me
) -> HTMLResponse:
    authorize(ctx, me, Action.token_revoke, request=request, detail=f"token id {token_id}")
    ctx.accounts.revoke_token(token_id)
    return _users_page(request, ctx, me, message=f"Token {token_id} revoked.")


def _filter(grant: Grant, actor: str, action: str, case_id: str, outcome: str) -> AuditFilter:
    """The filter asked for, within the centres the admin administers."""
    return AuditFilter(
        actor=actor.strip().lower() or None,
        action=action or None,
        case_id=case_id.strip() or None,
        outcome=outcome if outcome in OUTCOMES else None,
        centres=grant.scope.centres,
    )


@router.get("/admin/audit")
def audit_page(
    request: Request,
    ctx: ContextDep,
    grant: Annotated[Grant, Depends(require_web(Action.audit_read))],
    actor: Annotated[str, Query(max_length=200)] = "",
    action: Annotated[str, Query(max_length=64)] = "",
    case_id: Annotated[str, Query(max_length=64)] = "",
    outcome: Annotated[str, Query(max_length=16)] = "",
) -> HTMLResponse:
    where = _filter(grant, actor, action, case_id, outcome)
    shown = {"actor": actor, "action": action, "case_id": case_id, "outcome": outcome}
    query = urlencode({k: v for k, v in shown.items() if v})
    return render(
        request,
        "admin_audit.html",
        me=grant.principal,
        entries=ctx.audit.entries(where, limit=AUDIT_PAGE),
        total=ctx.audit.count(where),
        filters=shown,
        actions=AUDIT_ACTIONS,
        outcomes=OUTCOMES,
        csv_url="/admin/audit.csv" + (f"?{query}" if query else ""),
    )


@router.get("/admin/audit.csv")
def audit_csv(
    ctx: ContextDep,
    grant: Annotated[Grant, Depends(require_web(Action.audit_export))],
    actor: Annotated[str, Query(max_length=200)] = "",
    action: Annotated[str, Query(max_length=64)] = "",
    case_id: Annotated[str, Query(max_length=64)] = "",
    outcome: Annotated[str, Query(max_length=16)] = "",
) -> StreamingResponse:
    return audit_csv_response(ctx, _filter(grant, actor, action, case_id, outcome))
