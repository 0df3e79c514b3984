"""Signing in and out of the web app, with throttling and an audit entry for every attempt."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from rvlms.web.audit import LOGIN_FAILURE, LOGIN_REFUSED, LOGIN_SUCCESS, LOGOUT, AuditEvent
from rvlms.web.context import ContextDep
from rvlms.web.policy import Role
from rvlms.web.rendering import render
from rvlms.web.security import checked_form, client_ip, session_principal, sign_in, sign_out

__all__ = ["home_for", "router", "safe_next"]

router = APIRouter(include_in_schema=False)

FormDep = Annotated[FormData, Depends(checked_form)]


def safe_next(value: object) -> str | None:
    """A local path to return to after signing in; anything else is ignored (open redirect)."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value.startswith("/") or value.startswith("//") or "\\" in value or "\n" in value:
        return None
    return value


def home_for(role: Role) -> str:
    return "/admin/users" if role is Role.admin else "/cases"


@router.get("/")
def home(request: Request, ctx: ContextDep) -> Response:
    principal = session_principal(request, ctx)
    if principal is None:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse(home_for(principal.role), status_code=303)


@router.get("/login")
def login_page(request: Request, ctx: ContextDep, next: str | None = None) -> Response:
    principal = session_principal(request, ctx)
    if principal is not None:
        return RedirectResponse(safe_next(next) or home_for(principal.role), status_code=303)
    return render(request, "login.html", message=None, username="", next=safe_next(next) or "")


@router.post("/login")
def login(request: Request, form: FormDep, ctx: ContextDep) -> Response:
    username = str(form.get("username") or "").strip().lower()[:200]
    password = str(form.get("password") or "")
    target = safe_next(form.get("next"))
    ip = client_ip(request)

    def event(
        action: str, outcome: str, role: str | None = None, detail: str | None = None
    ) -> None:
        ctx.audit.record(
            AuditEvent(
                action=action,
                outcome=outcome,  # type: ignore[arg-type]
                actor=username or None,
                role=role,
                client_ip=ip,
                via="web",
                target="POST /login",
                detail=detail,
            )
        )

    def page(message: str, status: int, headers: dict[str, str] | None = None) -> HTMLResponse:
        response = render(
            request,
            "login.html",
            status_code=status,
            message=message,
            username=username,
            next=target or "",
        )
        response.headers.update(headers or {})
        return response

    state = ctx.throttle.state(username)
    if state.blocked:
        event(LOGIN_REFUSED, "refused", detail=f"{state.failures} failures in the window")
        return page(state.message(), 429, {"Retry-After": str(state.retry_after_s)})
    user = ctx.accounts.authenticate(username, password) if username and password else None
    if user is None:
        event(LOGIN_FAILURE, "failed")
        after = ctx.throttle.state(username)
        if after.blocked:
            return page(after.message(), 429, {"Retry-After": str(after.retry_after_s)})
        left = after.limit - after.failures
        return page(
            "The user name or the password is not right. "
            f"{left} more failed attempt{'s' if left != 1 else ''} and sign-in pauses for "
            f"{after.window_minutes} minutes or more for this account, wherever the attempts "
            "come from.",
            401,
        )
    sign_in(request, ctx, user)
    event(LOGIN_SUCCESS, "succeeded", role=user.role.value)
    return RedirectResponse(target or home_for(user.role), status_code=303)


@router.post("/logout")
def logout(request: Request, form: FormDep, ctx: ContextDep) -> Response:
    principal = session_principal(request, ctx)
    if principal is not None:
        ctx.audit.record(
            AuditEvent(
                action=LOGOUT,
                outcome="succeeded",
                actor=principal.user.username,
                role=principal.role.value,
                client_ip=client_ip(request),
                via="web",
                target="POST /logout",
            )
        )
    sign_out(request, ctx)
    return RedirectResponse("/login", status_code=303)
