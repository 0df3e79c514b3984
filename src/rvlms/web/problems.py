"""One error shape for the REST API: RFC 9457 problem details.

Every error the API returns - rvlms's own errors, FastAPI's request validation, 404 and
405 from routing, authentication and authorization failures, and unexpected failures -
is rendered here as ``application/problem+json`` with ``type``, ``title``, ``status``,
``detail``, ``instance`` and ``errors`` ([{field, message, value, allowed}], from
:class:`rvlms.errors.FieldProblem`). The web pages render the same :class:`Problem` as
HTML (see ``rvlms.web.rendering``), so a message reads the same in both.

``type`` is a relative URI under ``/api/v1/problems/`` where each type is explained
(the types themselves are listed in :mod:`rvlms.web.problem_types`). JSON bodies are
bounded before any route reads them by :mod:`rvlms.web.json_bodies`, which this module
installs.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field, JsonValue
from starlette.exceptions import HTTPException as StarletteHTTPException

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
from rvlms.web.problem_types import PROBLEM_TYPES, ProblemType

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
    "LoginRequired",
    "NotAuthenticated",
    "Problem",
    "ProblemType",
    "TooManyAttempts",
    "file_response",
    "install_error_handlers",
    "problem_for",
    "problem_response",
    "request_invalid",
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


def request_invalid(problems: list[FieldProblem], request: Request, status: int) -> Problem:
    """The problem for a request refused before any route read it (``request-invalid``)."""
    return problem_for(InvalidFields(problems), request).model_copy(
        update={
            "type": _type_uri("request-invalid"),
            "title": PROBLEM_TYPES["request-invalid"].title,
            "status": status,
        }
    )


def wants_problem(request: Request) -> bool:
    """API, CDS and health addresses answer problem+json; web pages answer HTML."""
    path = request.url.path
    return path.startswith(("/api/", "/cds-services", "/healthz"))


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
    from rvlms.web.json_bodies import JsonBodyCheck  # it renders its refusals with this module

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
