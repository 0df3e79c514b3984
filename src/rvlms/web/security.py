"""Who is asking, and may they: sessions, bearer tokens, CSRF and the one ``authorize``.

People sign in through the web form and carry a signed session cookie (HttpOnly,
SameSite=Lax, Secure behind TLS; Starlette's ``SessionMiddleware``) holding the id of a
server-side session (:mod:`rvlms.web.sessions`), which logout, a password change and the
timeouts end. Programs send ``Authorization: Bearer <token>``. Both schemes are declared
in the OpenAPI document through FastAPI's security dependencies.

Every decision about an action goes through :func:`authorize`, which consults
:mod:`rvlms.web.policy` with the caller's role *at the case's centre* and appends the
decision to the audit log whether it allows or denies. The grant it returns carries a
registry confined to the centres where the caller's role permits the action
(:meth:`rvlms.registry.Registry.scoped`), so lists, counts, exports and analyses cannot
reach another centre's cases. A case of a centre where the caller holds no role answers
404, as if it did not exist.

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

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from starlette.datastructures import FormData

from rvlms.errors import NotFound, PermissionDenied
from rvlms.registry import Membership, Registry, Scope
from rvlms.web.accounts import User
from rvlms.web.audit import AuditEvent, Via
from rvlms.web.config import SESSION_COOKIE
from rvlms.web.context import WebContext, get_context
from rvlms.web.policy import PERMISSIONS, Action, Decision, Role, decide
from rvlms.web.problems import CsrfRejected, LoginRequired, NotAuthenticated

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "Grant",
    "Principal",
    "api_principal",
    "authorize",
    "bearer_scheme",
    "checked_form",
    "client_ip",
    "cookie_scheme",
    "csrf_token",
    "require_api",
    "require_web",
    "session_principal",
    "sign_in",
    "sign_out",
    "web_principal",
]

SESSION_USER = "uid"
SESSION_ID = "sid"
SESSION_CSRF = "csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

bearer_scheme = HTTPBearer(
    scheme_name="bearerAuth",
    description="An API token: rvlms user token NAME (programs)",
    auto_error=False,
)
cookie_scheme = APIKeyCookie(
    name=SESSION_COOKIE,
    scheme_name="cookieAuth",
    description="The session cookie of the web sign-in; changes also need X-CSRF-Token",
    auto_error=False,
)


@dataclass(frozen=True)
class Principal:
    """Who is asking, with the roles they hold per centre (None: network-wide)."""

    user: User
    via: Via
    client_ip: str | None
    by_token: bool
    memberships: tuple[Membership, ...] = ()

    @property
    def role(self) -> Role:
        """The account's kind, which decides the menus; data access goes by centre."""
        return self.user.role

    def role_at(self, centre: str | None) -> Role | None:
        """The role at ``centre``: the centre's own membership first, else network-wide."""
        network: Role | None = None
        for membership in self.memberships:
            if membership.centre == centre and centre is not None:
                return Role(membership.role)
            if membership.centre is None:
                network = Role(membership.role)
        return network

    def home_centre(self, action: Action) -> str | None:
        """The one centre where ``action`` is permitted, when there is exactly one."""
        centres = self.scope_for(action).centres
        return next(iter(centres)) if centres is not None and len(centres) == 1 else None

    def roles(self) -> set[Role]:
        return {Role(m.role) for m in self.memberships}

    def scope_for(self, action: Action) -> Scope:
        """The centres where this principal's role permits ``action``."""
        network = self.role_at(None)
        if network is not None and action in PERMISSIONS[network]:
            return Scope.everything()
        return Scope.of(
            m.centre
            for m in self.memberships
            if m.centre is not None and action in PERMISSIONS[Role(m.role)]
        )

    def identified_in(self, scope: Scope) -> bool:
        """Whether every case of ``scope`` may be shown with identifiers (clinician role
        at each of its centres); a mixed scope is shown de-identified."""
        if scope.centres is None:
            return self.role_at(None) is Role.clinician and all(
                Role(m.role) is Role.clinician for m in self.memberships
            )
        return bool(scope.centres) and all(self.role_at(c) is Role.clinician for c in scope.centres)

    @property
    def identified(self) -> bool:
        """Whether this principal sees identifiers wherever it may read."""
        return self.identified_in(self.scope_for(Action.case_read))


@dataclass(frozen=True)
class Grant:
    """Permission to do one action, already written to the audit log.

    ``registry`` is the registry confined to ``scope``: what the route may reach.
    """

    principal: Principal
    action: Action
    case_id: str | None
    scope: Scope
    registry: Registry
    identified: bool
    centre: str | None = None

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


def sign_in(request: Request, ctx: WebContext, user: User) -> None:
    """A fresh server-side session for ``user`` (a new CSRF token too: no session fixation)."""
    request.session.clear()
    request.session[SESSION_USER] = user.id
    request.session[SESSION_ID] = ctx.sessions.create(user.id, client_ip(request))
    request.session[SESSION_CSRF] = secrets.token_urlsafe(32)


def sign_out(request: Request, ctx: WebContext) -> None:
    """End the server-side session: the cookie, even if copied, no longer signs anyone in."""
    token = request.session.get(SESSION_ID)
    if isinstance(token, str) and token:
        ctx.sessions.revoke(token, "logout")
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
    return Principal(
        user, _via(request), client_ip(request), True, ctx.accounts.memberships(user.id)
    )


def session_principal(request: Request, ctx: WebContext) -> Principal | None:
    """The person signed in with the session cookie, if its server-side session is still
    live (not logged out, not timed out, password unchanged, user active)."""
    user_id = request.session.get(SESSION_USER)
    token = request.session.get(SESSION_ID)
    if not isinstance(user_id, int) or not isinstance(token, str) or not token:
        if request.session:
            request.session.clear()
        return None
    if ctx.sessions.user_of(token) != user_id:
        request.session.clear()
        return None
    user = ctx.accounts.get(user_id)
    if user is None or not user.active:
        request.session.clear()
        return None
    return Principal(
        user, _via(request), client_ip(request), False, ctx.accounts.memberships(user.id)
    )


def api_principal(
    request: Request,
    ctx: Annotated[WebContext, Depends(get_context)],
    _bearer_declared: Annotated[
        HTTPAuthorizationCredentials | None, Security(bearer_scheme)
    ] = None,
    _cookie_declared: Annotated[str | None, Security(cookie_scheme)] = None,
) -> Principal:
    """The caller of an API operation: bearer token first, else the session cookie.

    The two ``Security`` parameters declare the schemes in the OpenAPI document; the
    header and cookie are read here, so that a malformed header is explained.
    """
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


def _decision(principal: Principal, action: Action, centre: str | None, known: bool) -> Decision:
    """The decision for ``action``: on a stored case by the role at its centre; otherwise
    by any role the principal holds that permits it (tools by the account's kind)."""
    if known:
        role = principal.role_at(centre)
        if role is None:
            return Decision(False, f"no role at centre {centre}")
        return decide(role, action)
    roles = principal.roles() | {principal.role}
    allowing = [r for r in roles if action in PERMISSIONS[r]]
    return decide(allowing[0] if allowing else principal.role, action)


def authorize(
    ctx: WebContext,
    principal: Principal,
    action: Action,
    case_id: str | None = None,
    *,
    request: Request | None = None,
    detail: str | None = None,
    version: int | None = None,
    centre: str | None = None,
) -> Grant:
    """Allow or deny ``action`` on ``case_id`` (or, for a new case, at ``centre``) for
    ``principal``, and record the decision.

    The audit entry is written before anything is read or changed, so a refused attempt
    is logged as well as an allowed one. A case outside the principal's centres is
    refused as not found, so its existence is not disclosed.
    """
    stored_centre = ctx.registry.centre_of(case_id) if case_id else None
    known = stored_centre is not None
    where = stored_centre if known else centre
    decision = _decision(principal, action, where, known or centre is not None)
    ctx.audit.record(
        AuditEvent(
            action=action.value,
            outcome="allowed" if decision.allowed else "denied",
            actor=principal.user.username,
            role=(principal.role_at(where) or principal.role).value,
            case_id=case_id,
            version=version,
            client_ip=principal.client_ip,
            via=principal.via,
            target=f"{request.method} {request.url.path}" if request is not None else None,
            detail=detail if decision.allowed else decision.reason,
            centre=where,
        )
    )
    if not decision.allowed:
        if known and principal.role_at(stored_centre) is None:
            raise NotFound(
                f"case {case_id!r} is not in the registry or not in your centres "
                "(the attempt is recorded in the audit log)"
            )
        raise PermissionDenied(f"{decision.reason}; the refusal is recorded in the audit log")
    scope = principal.scope_for(action)
    if where is not None:
        scope = scope.narrowed(where)
    identified = (
        principal.role_at(where) is Role.clinician
        if where is not None
        else principal.identified_in(scope)
    )
    return Grant(
        principal,
        action,
        case_id,
        scope=scope,
        registry=ctx.registry.scoped(scope),
        identified=identified,
        centre=where,
    )


def _expected_version(request: Request) -> int | None:
    raw = request.query_params.get("expected_version")
    return int(raw) if raw is not None and raw.isdigit() else None


def require_api(action: Action) -> Callable[..., Grant]:
    """Dependency: an API caller allowed to do ``action`` on the path's case (audited)."""

    def dependency(
        request: Request,
        ctx: Annotated[WebContext, Depends(get_context)],
        principal: Annotated[Principal, Depends(api_principal)],
    ) -> Grant:
        return authorize(
            ctx,
            principal,
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
