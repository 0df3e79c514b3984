"""``create_app(settings)``: the one FastAPI application of rvlms.

It serves the server-rendered MDT web app, the REST API under ``/api/v1`` (OpenAPI at
``/api/v1/openapi.json``, documentation at ``/api/v1/docs``), the CDS Hooks service
(``rvlms.cds``) and a bare ``/healthz``. Nothing is built at import time: the engine and
the services come from the settings given, and the schema is brought up to date
(``init_registry``) when the app starts.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.middleware.sessions import SessionMiddleware
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rvlms import __version__
from rvlms.settings import Settings
from rvlms.web.context import build_context
from rvlms.web.limits import BodySizeLimit
from rvlms.web.problems import install_error_handlers
from rvlms.web.rendering import render_error

__all__ = ["app_from_env", "create_app"]

API_DESCRIPTION = (
    "Cases, cited MDT plans, imaging classification, clinical scores, cohort analysis and "
    "reports for retroperitoneal vascular leiomyosarcoma. Clinicians see the full record; "
    "researchers see de-identified data only (no names, record numbers or exact dates) and "
    "suppressed small counts. Every read and write of patient data is recorded in the "
    "audit log. Errors are RFC 9457 problem details."
)

_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; "
        b"object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    ),
]


class SecurityHeaders:
    """Headers for every response (OWASP Secure Headers): no sniffing, no framing, a
    content security policy without scripts, HSTS behind TLS; pages and API answers with
    patient data are never cached (``no-store``), so a shared MDT-room computer keeps
    nothing on disk."""

    def __init__(self, app: ASGIApp, *, behind_tls: bool = False) -> None:
        self.app = app
        self.headers = list(_SECURITY_HEADERS)
        if behind_tls:
            self.headers.append((b"strict-transport-security", b"max-age=31536000"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in self.headers if h[0] not in present)
                if not static and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _static_dir() -> Path:
    return Path(str(resources.files("rvlms.web").joinpath("static")))


def create_app(settings: Settings, *, on_shutdown: Callable[[], None] | None = None) -> FastAPI:
    """The web app and REST API for the registry at ``settings.database_url``;
    ``on_shutdown`` runs when the server stops serving it."""
    from rvlms.web.routes import (
        api_cases,
        api_fhir,
        api_literature,
        api_tools,
        cds_launch,
        meta,
        web_admin,
        web_auth,
        web_case_edit,
        web_case_list,
        web_case_view,
        web_cohort,
        web_literature,
    )

    context = build_context(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(context.ensure_ready)
        try:
            yield
        finally:
            context.close()
            if on_shutdown is not None:
                on_shutdown()

    app = FastAPI(
        title="rvlms REST API",
        version=__version__,
        description=API_DESCRIPTION,
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.rvlms = context
    install_error_handlers(app, render_error)
    app.add_middleware(BodySizeLimit, limit=settings.max_request_bytes, html=render_error)
    app.add_middleware(
        SessionMiddleware,
        secret_key=context.config.session_secret,
        session_cookie=context.config.session_cookie,
        max_age=context.config.session_max_age_s,
        same_site="lax",
        https_only=context.config.secure_cookies,
    )
    app.add_middleware(SecurityHeaders, behind_tls=settings.behind_tls)
    app.mount("/static", StaticFiles(directory=_static_dir()), name="static")
    for module in (
        meta,
        api_cases,
        api_fhir,
        api_tools,
        api_literature,
        web_auth,
        web_case_list,
        web_case_edit,
        web_case_view,
        web_cohort,
        web_literature,
        web_admin,
    ):
        app.include_router(module.router)
    for cds_router in cds_launch.routers(context):
        app.include_router(cds_router, include_in_schema=False)
    return app


def app_from_env() -> FastAPI:
    """The app for the settings in the environment (``RVLMS_*``), for process managers:
    ``uvicorn --factory rvlms.web.app:app_from_env``."""
    from rvlms.settings import load_settings

    return create_app(load_settings())
