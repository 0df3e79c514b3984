"""What the CDS service answers when it cannot give cards, as RFC 9457 problem details.

    RvlmsError
    ├── InputError
    │   ├── BodyNotJson          status 400: the body is not a JSON object
    │   ├── BodyRefused          status 400: too deep, a number too long, NaN or Infinity
    │   ├── BodyTooLarge         status 413: more bytes than the service reads
    │   ├── RequestInvalid       status 422: the CDS Hooks envelope is wrong (hook, context, ...)
    │   └── FhirInvalid          status 422: a prefetched FHIR resource is malformed
    ├── EhrNotAuthenticated      status 401: no valid JWT from a configured EHR
    ├── PrefetchMissing          status 412: required prefetch data were not sent
    ├── FeedbackUnavailable      status 503: the feedback table does not exist yet
    └── CdsNotConfigured         status 503: no public base URL is configured

CDS Hooks 2.0.1 (§Prefetch Template) asks for 412 Precondition Failed when a service cannot
obtain the data it needs; the service never queries the FHIR server itself. Every problem
names the field (``prefetch.observations.entry[2](Observation/size).valueQuantity.value``)
and what is allowed, never a stack trace (style lesson 7).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import ValidationError

from rvlms.errors import FieldProblem, InputError, RvlmsError

__all__ = [
    "BodyNotJson",
    "BodyRefused",
    "BodyTooLarge",
    "CdsNotConfigured",
    "EhrNotAuthenticated",
    "FeedbackUnavailable",
    "FhirInvalid",
    "PrefetchMissing",
    "RequestInvalid",
    "problem_response",
    "validation_problems",
]

PROBLEM_JSON = "application/problem+json"


class _WithProblems(InputError):
    def __init__(self, message: str, problems: Iterable[FieldProblem] = ()) -> None:
        self.problems = list(problems)
        super().__init__(message)


class BodyNotJson(_WithProblems):
    status = 400
    title = "Request body is not a JSON object"


class BodyRefused(_WithProblems):
    status = 400
    title = "Request body refused before parsing"


class BodyTooLarge(_WithProblems):
    status = 413
    title = "Request body too large"


class EhrNotAuthenticated(RvlmsError):
    """CDS Hooks 2.0 §Trusting CDS Clients: the EHR signs a JWT that the service verifies."""

    status = 401
    title = "The calling EHR is not authenticated"


class CdsNotConfigured(RvlmsError):
    status = 503
    title = "The CDS Hooks service is not configured"


class RequestInvalid(_WithProblems):
    title = "Invalid CDS Hooks request"


class FhirInvalid(_WithProblems):
    title = "Invalid FHIR resource in prefetch"


class PrefetchMissing(RvlmsError):
    status = 412
    title = "Precondition Failed: required prefetch data missing"

    def __init__(self, message: str, missing: list[str]) -> None:
        self.missing = missing
        super().__init__(message)


class FeedbackUnavailable(RvlmsError):
    status = 503
    title = "Feedback cannot be recorded"


_VALUE_ERROR = re.compile(r"^(?:Value error, |Assertion failed, )")


def _primitive(value: Any) -> Any:
    """A value safe to echo in a problem: NaN and Infinity are not JSON and are never echoed."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value if isinstance(value, str | int | float | bool) else None


def validation_problems(exc: ValidationError, prefix: str = "") -> list[FieldProblem]:
    """pydantic errors as field problems with a dotted path under ``prefix``."""
    problems: list[FieldProblem] = []
    for error in exc.errors(include_url=False):
        parts = [prefix] if prefix else []
        for item in error["loc"]:
            if isinstance(item, int):
                label = f"[{item}]"
                parts[-1:] = [(parts[-1] if parts else "") + label]
            else:
                parts.append(str(item))
        message = _VALUE_ERROR.sub("", str(error["msg"])).replace("\n", " ")
        message = re.sub(r"\s{2,}", " ", message)
        allowed: tuple[str, ...] = ()
        ctx = error.get("ctx") or {}
        if error["type"] == "literal_error" and "expected" in ctx:
            allowed = tuple(re.findall(r"'([^']*)'", str(ctx["expected"])))
        problems.append(
            FieldProblem(
                path=".".join(p for p in parts if p),
                message=message,
                value=_primitive(error.get("input")),
                allowed=allowed,
            )
        )
    return problems


def problem_response(error: RvlmsError, instance: str | None = None) -> JSONResponse:
    """The error as an RFC 9457 problem-details document."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": error.title,
        "status": error.status,
        "detail": str(error),
    }
    if instance:
        body["instance"] = instance
    problems = getattr(error, "problems", None)
    if problems:
        body["errors"] = [p.as_dict() for p in problems]
    if isinstance(error, PrefetchMissing):
        body["missing"] = error.missing
    headers = {}
    if isinstance(error, EhrNotAuthenticated):
        headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return JSONResponse(
        body, status_code=error.status, media_type=PROBLEM_JSON, headers=headers or None
    )
