"""Health check, the API's documentation pages and the problem-type pages.

The documentation page is rendered on the server from the OpenAPI description, so it
works without loading Swagger UI or ReDoc from a CDN (rvlms makes no network requests).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

from rvlms import __version__
from rvlms.errors import NotFound
from rvlms.web.problems import PROBLEM_TYPES
from rvlms.web.rendering import render

__all__ = ["Health", "router"]

router = APIRouter()


class Health(BaseModel):
    status: str
    version: str


@router.get("/healthz", tags=["health"], summary="Liveness check", include_in_schema=False)
async def healthz() -> Health:
    """Answers without touching the database: the process is up and serving."""
    return Health(status="ok", version=__version__)


@dataclass(frozen=True)
class _Parameter:
    name: str
    where: str
    required: bool
    description: str


@dataclass(frozen=True)
class _Operation:
    id: str
    method: str
    path: str
    summary: str
    description: str
    parameters: list[_Parameter]
    body: str | None
    responses: list[tuple[str, str]]


def _ref_name(schema: dict[str, Any]) -> str | None:
    ref = schema.get("$ref")
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None


def _operations(spec: dict[str, Any]) -> list[tuple[str, list[_Operation]]]:
    groups: dict[str, list[_Operation]] = {}
    for path, item in spec.get("paths", {}).items():
        for method, op in item.items():
            parameters = [
                _Parameter(p["name"], p["in"], bool(p.get("required")), p.get("description", ""))
                for p in op.get("parameters", [])
            ]
            body = None
            content = op.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                body = _ref_name(content["application/json"].get("schema", {})) or "JSON"
            responses = [
                (str(code), r.get("description", "")) for code, r in op.get("responses", {}).items()
            ]
            operation = _Operation(
                id=op.get("operationId", f"{method}-{path}"),
                method=method.upper(),
                path=path,
                summary=op.get("summary", ""),
                description=(op.get("description") or "").strip(),
                parameters=parameters,
                body=body,
                responses=responses,
            )
            groups.setdefault((op.get("tags") or ["other"])[0], []).append(operation)
    return list(groups.items())


@router.get("/api/v1/docs", include_in_schema=False)
def api_docs(request: Request) -> HTMLResponse:
    spec = request.app.openapi()
    info = spec.get("info", {})
    return render(
        request,
        "api_docs.html",
        title=info.get("title", "rvlms API"),
        version_label=info.get("version", ""),
        description=info.get("description", ""),
        openapi_version=spec.get("openapi", ""),
        groups=_operations(spec),
    )


@router.get("/api/v1/problems", include_in_schema=False)
def problem_types(request: Request) -> HTMLResponse:
    return render(request, "problems.html", types=list(PROBLEM_TYPES.values()))


@router.get("/api/v1/problems/{slug}", include_in_schema=False)
def problem_type(slug: str, request: Request) -> HTMLResponse:
    if slug not in PROBLEM_TYPES:
        raise NotFound(f"no problem type {slug!r}; /api/v1/problems lists them")
    return render(request, "problems.html", types=[PROBLEM_TYPES[slug]])
