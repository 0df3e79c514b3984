"""Refusing JSON request bodies that no route should see, before any route reads them.

The bounded reading is :mod:`rvlms.jsonbody` (shared with the CDS Hooks service); this
module sets the REST API's limits, reads the body from the ASGI stream and answers
``request-invalid`` problem details (RFC 9457) naming each field.
"""

from __future__ import annotations

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rvlms.errors import FieldProblem
from rvlms.jsonbody import loads_marked, marked_problems, over_size
from rvlms.web.problems import problem_response, request_invalid

__all__ = [
    "MAX_JSON_BYTES",
    "MAX_JSON_DEPTH",
    "MAX_JSON_STRING",
    "MAX_NUMBER_DIGITS",
    "JsonBodyCheck",
    "json_problems",
]

MAX_JSON_BYTES = 4_000_000
MAX_JSON_DEPTH = 32
MAX_NUMBER_DIGITS = 30
MAX_JSON_STRING = 100_000


def json_problems(body: bytes) -> list[FieldProblem]:
    """What the API refuses in ``body``, one problem per field; none for a body that is
    not JSON at all, which the route's own validation names."""
    if not body.strip():
        return []
    try:
        document = loads_marked(body, max_number_digits=MAX_NUMBER_DIGITS)
    except RecursionError:
        return [FieldProblem("body", f"nested more than {MAX_JSON_DEPTH} levels deep")]
    except (ValueError, UnicodeDecodeError):
        return []
    return marked_problems(document, max_depth=MAX_JSON_DEPTH, max_string=MAX_JSON_STRING)


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            media = value.split(b";")[0].strip().lower()
            return bool(media == b"application/json" or media.endswith(b"+json"))
    return False


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}


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
            if over_size(size, MAX_JSON_BYTES):
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
        problems = json_problems(body)
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
    async def _refuse(scope: Scope, send: Send, status: int, problems: list[FieldProblem]) -> None:
        problem = request_invalid(problems, Request(scope), status)
        await problem_response(problem)(scope, _no_receive, send)
