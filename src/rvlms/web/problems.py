"""One error shape for the REST API: RFC 9457 problem details.

Every error the API returns - rvlms's own errors, FastAPI's request validation, 404 and
405 from routing, authentication and authorization failures, and unexpected failures -
is rendered here as ``application/problem+json`` with ``type``, ``title``, ``status``,
``detail``, ``instance`` and ``errors`` ([{field, message, value, allowed}], from
:class:`rvlms.errors.FieldProblem`). The web pages render the same :class:`Problem` as
HTML (see ``rvlms.web.rendering``), so a message reads the same in both.

``type`` is a relative URI under ``/api/v1/problems/`` where each type is explained.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field, JsonValue
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rvlms.errors import (
    CaseInvalid,
    Conflict,
    FieldProblem,
    FileUnreadable,
    InputError,
    KnowledgeBaseError,
    NotFound,
    PermissionDenied,
    RvlmsError,
)

__all__ = [
    "CASE_BODY",
    "CONFLICT_RESPONSE",
    "ERROR_RESPONSES",
    "PROBLEM_JSON",
    "PROBLEM_TYPES",
    "BodyTooLarge",
    "CsrfRejected",
    "FieldError",
    "InvalidFields",
    "JsonBodyCheck",
    "LoginRequired",
    "NotAuthenticated",
    "Problem",
    "ProblemType",
    "TooManyAttempts",
    "file_response",
    "install_error_handlers",
    "problem_for",
    "problem_response",
]

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "/api/v1/problems/"
CASE_BODY = "x-rvlms-body"
"""OpenAPI extension marking operations whose JSON body is a case record."""

log = logging.getLogger("rvlms.web")


class NotAuthenticated(RvlmsError):
    status = 401
    title = "Authentication required"


class LoginRequired(NotAuthenticated):
    """Raised by web pages: the browser is sent to the sign-in page instead of a problem."""


class TooManyAttempts(RvlmsError):
    status = 429
    title = "Too many failed sign-ins"

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class BodyTooLarge(RvlmsError):
    status = 413
    title = "Request body too large"


class CsrfRejected(PermissionDenied):
    title = "Form check failed"


class InvalidFields(InputError):
    """Invalid input that is not a case record, with one problem per field."""

    def __init__(self, problems: list[FieldProblem], message: str | None = None) -> None:
        self.problems = problems
        super().__init__(message or "; ".join(p.as_text() for p in problems))


@dataclass(frozen=True)
class ProblemType:
    slug: str
    title: str
    status: int
    meaning: str
    remedy: str


PROBLEM_TYPES: dict[str, ProblemType] = {
    t.slug: t
    for t in (
        ProblemType(
            "case-invalid",
            "Invalid case record",
            422,
            "The case record failed validation; 'errors' names each field, the value given "
            "and the values allowed.",
            "Correct the listed fields; GET /api/v1/schemas/case gives the full schema.",
        ),
        ProblemType(
            "request-invalid",
            "Invalid request",
            422,
            "A parameter or the body does not match the operation's schema.",
            "Compare the request with the operation in /api/v1/openapi.json.",
        ),
        ProblemType(
            "invalid-input",
            "Invalid input",
            422,
            "A value is outside what rvlms accepts (for a score, a user name, a password).",
            "Read 'detail' and 'errors' for the accepted values.",
        ),
        ProblemType(
            "unauthenticated",
            "Authentication required",
            401,
            "No valid session cookie or bearer token came with the request.",
            "Send 'Authorization: Bearer <token>' (rvlms user token NAME) or sign in.",
        ),
        ProblemType(
            "forbidden",
            "Forbidden",
            403,
            "Your role does not allow this action; the refusal is recorded in the audit log.",
            "Ask an administrator if your role should change.",
        ),
        ProblemType(
            "csrf-failed",
            "Form check failed",
            403,
            "A form or cookie-authenticated request came without the anti-forgery token of "
            "your session (cross-site request forgery protection).",
            "Reload the page and submit again; programs use a bearer token instead.",
        ),
        ProblemType(
            "not-found",
            "Not found",
            404,
            "The case, user or address does not exist (or the case was deleted).",
            "Check the identifier; GET /api/v1/cases lists the cases.",
        ),
        ProblemType(
            "method-not-allowed",
            "Method not allowed",
            405,
            "The address exists but not with this HTTP method.",
            "The 'Allow' header lists the methods the address accepts.",
        ),
        ProblemType(
            "conflict",
            "Conflict",
            409,
            "The case was changed by someone else since the version you edited, or the "
            "identifier is taken.",
            "Reload the case, re-apply your change and send the new version.",
        ),
        ProblemType(
            "too-many-attempts",
            "Too many failed sign-ins",
            429,
            "Sign-in is paused for this account after repeated failures, from any address.",
            "Wait until the time given (Retry-After), or ask an administrator.",
        ),
        ProblemType(
            "body-too-large",
            "Request body too large",
            413,
            "The request body is larger than the server accepts (RVLMS_MAX_REQUEST_BYTES); "
            "nothing was read or stored.",
            "Send a smaller body: a case record is a few kilobytes; long notes belong in "
            "the hospital record, not in rvlms.",
        ),
        ProblemType(
            "knowledge-base",
            "Knowledge base inconsistent",
            500,
            "The packaged knowledge files of this rvlms version do not load.",
            "Reinstall rvlms; report the detail to the maintainers.",
        ),
        ProblemType(
            "server-error",
            "Internal server error",
            500,
            "An unexpected failure; details are in the server log, not in the response.",
            "Try again; report the time and address to the administrator if it persists.",
        ),
        ProblemType(
            "http-error",
            "HTTP error",
            400,
            "The request could not be served as sent.",
            "Read 'detail'.",
        ),
    )
}


class FieldError(BaseModel):
    field: str = Field(description="Dotted path of the field (list positions as numbers)")
    message: str
    value: JsonValue = Field(default=None, description="The value given, when it is a scalar")
    allowed: list[str] = Field(default_factory=list, description="Accepted values, if a list")


class Problem(BaseModel):
    """RFC 9457 problem details, with the invalid fields in ``errors``."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[FieldError] = Field(default_factory=list)


_NON_FINITE_TEXT = re.compile(r"[-+]?(?:nan|inf|infinity)", re.IGNORECASE)

ECHO_LIMIT = 200
"""Longest given value (in characters) shown back in a problem."""


def _shortened(text: str) -> str:
    return text if len(text) <= ECHO_LIMIT else text[: ECHO_LIMIT - 1] + "…"


def _json_scalar(value: object) -> JsonValue:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if abs(value) < 10**18 else None
    if isinstance(value, str):
        return None if _NON_FINITE_TEXT.fullmatch(value.strip()) else _shortened(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict | list | tuple | set | bytes):
        return None
    return _shortened(str(value))


def _safe(problem: FieldProblem) -> FieldProblem:
    """The problem with its given value fit to be shown: never NaN or infinite, never a
    huge number or string."""
    return replace(
        problem,
        path=_shortened(problem.path),
        message=_without_non_finite(_shortened(problem.message)),
        value=_json_scalar(problem.value),
        allowed=tuple(_shortened(str(a)) for a in problem.allowed[:50]),
    )


def _field_error(problem: FieldProblem) -> FieldError:
    safe = _safe(problem)
    return FieldError(
        field=safe.path,
        message=safe.message,
        value=safe.value,
        allowed=list(safe.allowed),
    )


_SLUGS: tuple[tuple[type[RvlmsError], str], ...] = (
    (CaseInvalid, "case-invalid"),
    (InvalidFields, "invalid-input"),
    (FileUnreadable, "invalid-input"),
    (InputError, "invalid-input"),
    (NotAuthenticated, "unauthenticated"),
    (CsrfRejected, "csrf-failed"),
    (PermissionDenied, "forbidden"),
    (NotFound, "not-found"),
    (Conflict, "conflict"),
    (TooManyAttempts, "too-many-attempts"),
    (BodyTooLarge, "body-too-large"),
    (KnowledgeBaseError, "knowledge-base"),
)


def _slug_for(exc: RvlmsError) -> str:
    return next((slug for kind, slug in _SLUGS if isinstance(exc, kind)), "server-error")


def _type_uri(slug: str) -> str:
    return PROBLEM_BASE + slug


def _instance(request: Request) -> str:
    return request.url.path


def problem_for(exc: RvlmsError, request: Request) -> Problem:
    slug = _slug_for(exc)
    status = exc.status
    errors: list[FieldError] = []
    detail = str(exc)
    if isinstance(exc, CaseInvalid | InvalidFields):
        errors = [_field_error(p) for p in exc.problems]
        count = len(errors)
        detail = (
            f"{count} field{'s' if count != 1 else ''} to correct: "
            + "; ".join(_safe(p).as_text() for p in exc.problems[:5])
            + (" …" if count > 5 else "")
        )
    if status >= 500 and not isinstance(exc, KnowledgeBaseError):
        detail = PROBLEM_TYPES["server-error"].meaning
    return Problem(
        type=_type_uri(slug),
        title=exc.title,
        status=status,
        detail=_without_non_finite(detail or exc.title),
        instance=_instance(request),
        errors=errors,
    )


_NON_FINITE_WORDS = re.compile(r"(?<![\w.])[-+]?(?:nan|inf(?:inity)?)(?![\w.])", re.IGNORECASE)


def _without_non_finite(text: str) -> str:
    return _NON_FINITE_WORDS.sub("(not a finite number)", text)


def problem_response(problem: Problem, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        problem.model_dump(mode="json"),
        status_code=problem.status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def headers_for(exc: RvlmsError) -> dict[str, str]:
    if isinstance(exc, NotAuthenticated):
        return {"WWW-Authenticate": 'Bearer realm="rvlms"'}
    if isinstance(exc, TooManyAttempts):
        return {"Retry-After": str(exc.retry_after_s)}
    return {}


_QUOTED = re.compile(r"'([^']*)'")
_LOCATIONS = {"body", "query", "path", "header", "cookie"}


def _request_problems(errors: Sequence[Any]) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        if loc and loc[0] in _LOCATIONS:
            where, loc = loc[0], loc[1:]
        else:
            where = "body"
        path = ".".join(loc) or where
        message = str(error.get("msg", "invalid"))
        if where != "body":
            message = f"{message} ({where} parameter)"
        ctx = error.get("ctx") or {}
        expected = ctx.get("expected") if isinstance(ctx, dict) else None
        allowed = tuple(_QUOTED.findall(expected)) if isinstance(expected, str) else ()
        given = error.get("input")
        if isinstance(given, float) and not math.isfinite(given):
            message = f"{message}; only finite numbers are accepted"
        problems.append(FieldProblem(path, message, given, allowed))
    return problems


def _is_case_body(request: Request) -> bool:
    route = request.scope.get("route")
    extra = route.openapi_extra if isinstance(route, APIRoute) else None
    return bool(extra and extra.get(CASE_BODY) == "case")


def validation_problem(exc: RequestValidationError, request: Request) -> Problem:
    """FastAPI's validation errors as a problem; a case body is re-checked by ``parse_case``
    so the API names fields, units and allowed values exactly as the command line does."""
    errors = list(exc.errors())
    body_errors = [e for e in errors if tuple(e.get("loc", ()))[:1] == ("body",)]
    other = [e for e in errors if e not in body_errors]
    if body_errors and _is_case_body(request) and isinstance(exc.body, dict):
        from rvlms.case import parse_case

        try:
            parse_case(exc.body)
        except CaseInvalid as invalid:
            problems = _request_problems(other) + list(invalid.problems)
            return problem_for(CaseInvalid(problems), request)
    problems = _request_problems(errors)
    problem = problem_for(InvalidFields(problems), request)
    return problem.model_copy(
        update={
            "type": _type_uri("request-invalid"),
            "title": PROBLEM_TYPES["request-invalid"].title,
        }
    )


def http_problem(exc: StarletteHTTPException, request: Request) -> Problem:
    slug = {404: "not-found", 405: "method-not-allowed", 401: "unauthenticated"}.get(
        exc.status_code, "http-error"
    )
    detail = str(exc.detail) if exc.detail else ""
    if exc.status_code == 404 and detail in ("", "Not Found"):
        detail = f"nothing at {request.url.path}; /api/v1/docs lists the API's addresses"
    if exc.status_code == 405:
        detail = f"{request.method} is not allowed at {request.url.path}"
    title = PROBLEM_TYPES[slug].title if slug != "http-error" else _reason(exc.status_code)
    return Problem(
        type=_type_uri(slug),
        title=title,
        status=exc.status_code,
        detail=detail or title,
        instance=_instance(request),
    )


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "HTTP error"


def wants_problem(request: Request) -> bool:
    """API, CDS and health addresses answer problem+json; web pages answer HTML."""
    path = request.url.path
    return path.startswith(("/api/", "/cds-services", "/healthz"))


MAX_JSON_BYTES = 4_000_000
MAX_JSON_DEPTH = 32
MAX_NUMBER_DIGITS = 30
MAX_JSON_STRING = 100_000


class _Refused:
    """A number in a JSON body that rvlms refuses, kept in place to name its field."""

    __slots__ = ("why",)

    def __init__(self, why: str) -> None:
        self.why = why


def _number_or_refused(text: str) -> float | _Refused:
    digits = sum(c.isdigit() for c in text.split("e")[0].split("E")[0])
    if digits > MAX_NUMBER_DIGITS:
        return _Refused(f"a number with {digits} digits; at most {MAX_NUMBER_DIGITS} are accepted")
    value = float(text)
    if not math.isfinite(value):
        return _Refused("a number too large to be represented; send a finite number")
    return value


def _int_or_refused(text: str) -> int | _Refused:
    digits = len(text.lstrip("-"))
    if digits > MAX_NUMBER_DIGITS:
        return _Refused(f"a number with {digits} digits; at most {MAX_NUMBER_DIGITS} are accepted")
    return int(text)


def _constant(_name: str) -> _Refused:
    return _Refused("not a number JSON allows; send a finite number or null")


def _json_problems(document: object) -> list[FieldProblem]:
    """Refused numbers and over-deep nesting, each with the path of its field."""
    problems: list[FieldProblem] = []
    stack: list[tuple[object, tuple[str, ...]]] = [(document, ())]
    while stack and len(problems) < 20:
        node, path = stack.pop()
        where = ".".join(path) or "body"
        if isinstance(node, _Refused):
            problems.append(FieldProblem(where, node.why))
        elif isinstance(node, str) and len(node) > MAX_JSON_STRING:
            problems.append(
                FieldProblem(
                    where,
                    f"a text of {len(node)} characters; at most {MAX_JSON_STRING} are accepted",
                )
            )
        elif isinstance(node, dict | list):
            if len(path) >= MAX_JSON_DEPTH:
                problems.append(
                    FieldProblem(where, f"nested more than {MAX_JSON_DEPTH} levels deep")
                )
                continue
            items = node.items() if isinstance(node, dict) else enumerate(node)
            for key, value in items:
                name = str(key)
                if len(name) > MAX_JSON_STRING:
                    problems.append(FieldProblem(where, "a field name that long is not accepted"))
                    break
                stack.append((value, (*path, name[:64])))
    return problems


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            media = value.split(b";")[0].strip().lower()
            return bool(media == b"application/json" or media.endswith(b"+json"))
    return False


class JsonBodyCheck:
    """Refuses JSON request bodies that no route should see, with a problem naming the
    field: NaN and Infinity (which JSON does not have, but Python's parser accepts),
    numbers too long or too large to represent, texts over :data:`MAX_JSON_STRING`
    characters, nesting deeper than :data:`MAX_JSON_DEPTH` and bodies over
    :data:`MAX_JSON_BYTES`. The body is read once
    and handed on unchanged."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        if not _is_json(scope):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_JSON_BYTES:
                await self._refuse(
                    scope,
                    send,
                    413,
                    [
                        FieldProblem(
                            "body", f"the body is larger than {MAX_JSON_BYTES // 1_000_000} MB"
                        )
                    ],
                )
                return
            chunks.append(chunk)
            more = bool(message.get("more_body", False))
        body = b"".join(chunks)
        problems = self._check(body)
        if problems:
            await self._refuse(scope, send, 422, problems)
            return
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    @staticmethod
    def _check(body: bytes) -> list[FieldProblem]:
        if not body.strip():
            return []
        try:
            document = json.loads(
                body,
                parse_constant=_constant,
                parse_float=_number_or_refused,
                parse_int=_int_or_refused,
            )
        except RecursionError:
            return [FieldProblem("body", f"nested more than {MAX_JSON_DEPTH} levels deep")]
        except (ValueError, UnicodeDecodeError):
            return []
        return _json_problems(document)

    @staticmethod
    async def _refuse(scope: Scope, send: Send, status: int, problems: list[FieldProblem]) -> None:
        request = Request(scope)
        problem = problem_for(InvalidFields(problems), request).model_copy(
            update={
                "type": _type_uri("request-invalid"),
                "title": PROBLEM_TYPES["request-invalid"].title,
                "status": status,
            }
        )
        await problem_response(problem)(scope, _no_receive, send)


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}


HtmlRenderer = Callable[[Request, Problem], Response]


def install_error_handlers(app: FastAPI, html: HtmlRenderer) -> None:
    """Route every error through :class:`Problem`; ``html`` renders it for web pages."""

    def respond(request: Request, problem: Problem, headers: dict[str, str]) -> Response:
        if wants_problem(request):
            return problem_response(problem, headers)
        response = html(request, problem)
        response.headers.update(headers)
        return response

    async def on_rvlms_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RvlmsError)
        if isinstance(exc, LoginRequired) and not wants_problem(request):
            from urllib.parse import quote

            from fastapi.responses import RedirectResponse

            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
        if exc.status >= 500:
            log.error("%s at %s: %s", type(exc).__name__, request.url.path, exc)
        return respond(request, problem_for(exc, request), headers_for(exc))

    async def on_validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return respond(request, validation_problem(exc, request), {})

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        headers = dict(exc.headers or {})
        return respond(request, http_problem(exc, request), headers)

    async def on_unreadable(request: Request, exc: Exception) -> Response:
        if isinstance(exc, RecursionError):
            why = "the input is nested too deeply to be read"
        elif isinstance(exc, ValueError) and "integer string conversion" in str(exc):
            why = "a number has too many digits to be read"
        elif isinstance(exc, OverflowError):
            why = "a number is too large to be stored"
        else:
            return await on_unexpected(request, exc)
        problem = problem_for(InvalidFields([FieldProblem("body", why)]), request)
        return respond(request, problem, {})

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error at %s %s", request.method, request.url.path)
        problem = Problem(
            type=_type_uri("server-error"),
            title=PROBLEM_TYPES["server-error"].title,
            status=500,
            detail=PROBLEM_TYPES["server-error"].meaning,
            instance=_instance(request),
        )
        return respond(request, problem, {})

    handlers: list[tuple[type[Exception], Callable[[Request, Exception], Awaitable[Response]]]] = [
        (RvlmsError, on_rvlms_error),
        (RequestValidationError, on_validation_error),
        (StarletteHTTPException, on_http_error),
        (RecursionError, on_unreadable),
        (ValueError, on_unreadable),
        (OverflowError, on_unreadable),
        (Exception, on_unexpected),
    ]
    for kind, handler in handlers:
        app.add_exception_handler(kind, handler)
    app.add_middleware(JsonBodyCheck)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": description}
    for status, description in (
        (401, "No valid session or bearer token (problem details)"),
        (403, "The role may not do this, or the anti-forgery token is missing"),
        (404, "No such case or address"),
        (422, "Invalid parameters or body; 'errors' names each field"),
    )
}
"""Error responses documented on every API operation."""


CONFLICT_RESPONSE: dict[int | str, dict[str, Any]] = {
    409: {
        "model": Problem,
        "content": {PROBLEM_JSON: {}},
        "description": "Edited an old version, or the case_id exists (problem details)",
    }
}


def file_response(media_type: str, description: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI documentation of a 200 response that is a file, not JSON."""
    return {200: {"content": {media_type: {}}, "description": description}}
