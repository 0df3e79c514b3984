"""The request size limit of every route: 413 with problem details, before a body fills memory."""

from __future__ import annotations

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rvlms.web.problems import (
    BodyTooLarge,
    HtmlRenderer,
    problem_for,
    problem_response,
    wants_problem,
)

__all__ = ["BodySizeLimit"]


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}


class BodySizeLimit:
    """Refuses every request whose body exceeds ``limit`` bytes, on every route and for
    every content type (JSON, forms, uploads), with 413 and problem details (HTML for
    web pages). A declared ``Content-Length`` is refused before anything is read; a body
    sent without one is counted as it arrives: once it passes the limit the 413 is sent
    and the application is told the client went away, so an endless body never fills
    memory and no route sees a truncated body."""

    def __init__(self, app: ASGIApp, *, limit: int, html: HtmlRenderer) -> None:
        self.app = app
        self.limit = limit
        self.html = html

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = next((v for k, v in scope.get("headers", []) if k == b"content-length"), None)
        if declared is not None and declared.strip().isdigit() and int(declared) > self.limit:
            await self._refuse(scope, send, int(declared))
            return
        seen = 0
        refused = False
        started = False

        async def counted() -> Message:
            nonlocal seen, refused, started
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    refused = True
                    if not started:
                        started = True
                        await self._refuse(scope, send, seen)
                    return {"type": "http.disconnect"}
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if refused:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except Exception:
            if not refused:
                raise

    def _detail(self, size: int) -> str:
        return (
            f"body: {size} bytes or more were sent; at most {self.limit} bytes "
            f"({self.limit / 1_048_576:.1f} MiB) are accepted"
        )

    async def _refuse(self, scope: Scope, send: Send, size: int) -> None:
        request = Request(scope)
        error = BodyTooLarge(self._detail(size))
        problem = problem_for(error, request)
        response = (
            problem_response(problem) if wants_problem(request) else self.html(request, problem)
        )
        response.headers["connection"] = "close"
        await response(scope, _no_receive, send)
