"""Who is asking, and may they: sessions, bearer tokens, CSRF and the one ``authorize``.

People sign in through the web form and carry a signed session cookie (HttpOnly,
SameSite=Lax, Secure behind TLS; Starlette's ``SessionMiddleware``). Programs send
``Authorization: Bearer <token>``. Every decision about an action goes through
:func:`authorize`, which consults :mod:`rvlms.web.policy` and appends the decision to the
audit log whether it allows or denies, so access to patient data is never decided or
recorded anywhere else.

Forgery protection follows the synchronizer-token pattern (OWASP CSRF Prevention Cheat
Sheet): a random token lives in the session, every form carries it in a hidden field,
and a cookie-authenticated API call that changes something must send it in the
``X-CSRF-Token`` header. Bearer-token calls carry no cookie and need no token.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

from rvlms.errors import PermissionDenied
from rvlms.web.accounts import User
from rvlms.web.audit import AuditEvent, Via
from rvlms.web.context import WebContext, get_context
from rvlms.web.policy import Action, Role, decide
from rvlms.web.problems import CsrfRejected, LoginRequired, NotAuthenticated

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "Grant",
    "Principal",
    "api_principal",
    "authorize",
    "checked_form",
    "client_ip",
    "csrf_token",
    "require_api",
    "require_web",
    "session_principal",
    "sign_in",
    "sign_out",
    "web_principal",
]

SESSION_USER = "uid"
SESSION_CSRF = "csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Principal:
    user: User
    via: Via
    client_ip: str | None
    by_token: bool

    @property
    def role(self) -> Role:
        return self.user.role

    @property
    def identified(self) -> bool:
        """Clinicians see identifiers; everyone else sees the de-identified schema."""
        return self.user.role is Role.clinician


@dataclass(frozen=True)
class Grant:
    """Permission to do one action, already written to the audit log."""

    principal: Principal
    action: Action
    case_id: str | None

    @property
    def identified(self) -> bool:
        return self.principal.identified

    @property
    def username(self) -> str:
        return self.principal.user.username


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def _via(request: Request) -> Via:
    return "api" if request.url.path.startswith("/api/") else "web"


def csrf_token(request: Request) -> str:
    token = request.session.get(SESSION_CSRF)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session[SESSION_CSRF] = token
    return token


def _same_token(given: object, request: Request) -> bool:
    expected = request.session.get(SESSION_CSRF)
    return (
        isinstance(given, str)
        and isinstance(expected, str)
        and bool(expected)
        and hmac.compare_digest(given.encode(), expected.encode())
    )


def sign_in(request: Request, user: User) -> None:
    """A fresh session for ``user`` (a new CSRF token too: no session fixation)."""
    request.session.clear()
    request.session[SESSION_USER] = user.id
    request.session[SESSION_CSRF] = secrets.token_urlsafe(32)


def sign_out(request: Request) -> None:
    request.session.clear()


def _bearer(request: Request, ctx: WebContext) -> Principal | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated(
            "the Authorization header must read 'Bearer <token>'; create a token with "
            "'rvlms user token NAME' or ask an administrator"
        )
    user = ctx.accounts.user_for_token(token.strip())
    if user is None:
        raise NotAuthenticated("the bearer token is unknown, expired or revoked")
    return Principal(user, _via(request), client_ip(request), by_token=True)


def session_principal(request: Request, ctx: WebContext) -> Principal | None:
    """The person signed in with the session cookie, if any (deactivated users are signed out)."""
    user_id = request.session.get(SESSION_USER)
    if not isinstance(user_id, int):
        return None
    user = ctx.accounts.get(user_id)
    if user is None or not user.active:
        request.session.clear()
        return None
    return Principal(user, _via(request), client_ip(request), by_token=False)


def api_principal(request: Request, ctx: Annotated[WebContext, Depends(get_context)]) -> Principal:
    """The caller of an API operation: bearer token first, else the session cookie."""
    principal = _bearer(request, ctx)
    if principal is not None:
        return principal
    principal = session_principal(request, ctx)
    if principal is None:
        raise NotAuthenticated(
            "sign in, or send 'Authorization: Bearer <token>' (rvlms user token NAME)"
        )
    if request.method not in _SAFE_METHODS and not _same_token(
        request.headers.get(CSRF_HEADER), request
    ):
        raise CsrfRejected(
            "a request authenticated by the session cookie must send the session's "
            "anti-forgery token in the X-CSRF-Token header; programs should use a bearer token"
        )
    return principal


def web_principal(request: Request, ctx: Annotated[WebContext, Depends(get_context)]) -> Principal:
    """The signed-in person of a web page; otherwise the browser is sent to sign in."""
    principal = session_principal(request, ctx)
    if principal is None:
        raise LoginRequired("sign in to continue")
    return principal


async def checked_form(request: Request) -> FormData:
    """The submitted form, once its anti-forgery token matches the session's."""
    form = await request.form()
    if not _same_token(form.get(CSRF_FIELD), request):
        raise CsrfRejected(
            "the form's anti-forgery token is missing or does not match your session "
            "(the page may be older than your last sign-in); reload the page and try again"
        )
    return form


def authorize(
    ctx: WebContext,
    principal: Principal,
    action: Action,
    case_id: str | None = None,
    *,
    request: Request | None = None,
    detail: str | None = None,
    version: int | None = None,
) -> Grant:
    """Allow or deny ``action`` on ``case_id`` for ``principal`` and record the decision.

    The audit entry is written before anything is read or changed, so a refused attempt
    is logged as well as an allowed one.
    """
    decision = decide(principal.role, action)
    ctx.audit.record(
        AuditEvent(
            action=action.value,
            outcome="allowed" if decision.allowed else "denied",
            actor=principal.user.username,
            role=principal.role.value,
            case_id=case_id,
            version=version,
            client_ip=principal.client_ip,
            via=principal.via,
            target=f"{request.method} {request.url.path}" if request is not None else None,
            detail=detail if decision.allowed else decision.reason,
        )
    )
    if not decision.allowed:
        raise PermissionDenied(f"{decision.reason}; the refusal is recorded in the audit log")
    return Grant(principal, action, case_id)


def _expected_version(request: Request) -> int | None:
    raw = request.query_params.get("expected_version")
    return int(raw) if raw is not None and raw.isdigit() else None


def require_api(action: Action) -> Callable[..., Grant]:
    """Dependency: an API caller allowed to do ``action`` on the path's case (audited)."""

    def dependency(request: Request, ctx: Annotated[WebContext, Depends(get_context)]) -> Grant:
        return authorize(
            ctx,
            api_principal(request, ctx),
            action,
            request.path_params.get("case_id"),
            request=request,
            version=_expected_version(request),
        )

    return dependency


def require_web(action: Action) -> Callable[..., Grant]:
    """Dependency: a signed-in person allowed to do ``action`` on the path's case (audited)."""

    def dependency(request: Request, ctx: Annotated[WebContext, Depends(get_context)]) -> Grant:
        return authorize(
            ctx,
            web_principal(request, ctx),
            action,
            request.path_params.get("case_id"),
            request=request,
        )

    return dependency
