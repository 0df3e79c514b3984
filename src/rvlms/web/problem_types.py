"""The problem types the REST API answers, each explained at ``/api/v1/problems/<slug>``.

Kept apart from :mod:`rvlms.web.problems` (which renders errors as these types) because
the list is data: the explanation pages read it, and the renderer looks titles up in it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PROBLEM_TYPES", "ProblemType"]


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
