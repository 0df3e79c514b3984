"""The three CDS Hooks endpoints as a FastAPI router.

``GET /cds-services`` (discovery), ``POST /cds-services/rvlms-mdt-plan`` (the
``patient-view`` service) and ``POST /cds-services/rvlms-mdt-plan/feedback``
(CDS Hooks 2.0.1 §Discovery, §Calling a CDS Service, §Feedback).

The service answers from the prefetched resources only and never calls the FHIR server,
so a call costs one validation, one case mapping and one plan; the knowledge base is loaded
once when the router is built (``load_knowledge`` is cached per process) and the work runs
in the thread pool so the event loop is never blocked. The spec asks for answers "on the
order of 500 ms"; ``bench/bench_cds.py`` measures it.

Bodies are read and validated here rather than by FastAPI so that every failure is a
problem-details document naming the field (400 not JSON, 412 prefetch missing, 422 invalid
request or FHIR resource) whatever error handlers the including app installs.

Authentication of the calling EHR (JWT signed by the CDS client, spec §Trusting CDS
Clients) is not part of this router.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

from rvlms.cds.cards import plan_cards
from rvlms.cds.feedback import record_feedback
from rvlms.cds.mapping import map_prefetch
from rvlms.cds.models import (
    CdsRequest,
    CdsResponse,
    DiscoveryResponse,
    FeedbackRequest,
    ServiceDefinition,
)
from rvlms.cds.prefetch import PREFETCH, read_prefetch
from rvlms.cds.problems import (
    PROBLEM_JSON,
    BodyNotJson,
    RequestInvalid,
    problem_response,
    validation_problems,
)
from rvlms.errors import RvlmsError
from rvlms.pathway import KnowledgeBase, build_plan, load_knowledge
from rvlms.settings import Settings

__all__ = ["SERVICE", "SERVICE_ID", "create_router"]

SERVICE_ID = "rvlms-mdt-plan"
SERVICE = ServiceDefinition(
    hook="patient-view",
    id=SERVICE_ID,
    title="Retroperitoneal vascular leiomyosarcoma: cited MDT plan",
    description=(
        "For patients with a leiomyosarcoma or a retroperitoneal malignancy on record: "
        "safety warnings (paraganglioma not excluded, metastatic disease, ...), the draft "
        "surgical plan with its classification, and the facts still missing, each card "
        "citing its evidence and linking to the full plan. Other patients get no cards."
    ),
    prefetch=PREFETCH,
)

_Model = TypeVar("_Model", bound=BaseModel)

_PROBLEM = {"content": {PROBLEM_JSON: {"schema": {"type": "object"}}}}
_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "The body is not a JSON object", **_PROBLEM},
    422: {"description": "Invalid request or malformed FHIR resource", **_PROBLEM},
}


def _inline(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema with its ``$defs`` inlined, for an OpenAPI request body."""
    schema = model.model_json_schema(by_alias=True)
    definitions = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(definitions[ref.removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": resolve(schema)}},
        }
    }


async def _read(request: Request, model: type[_Model]) -> _Model:
    raw = await request.body()
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BodyNotJson(f"the body is not JSON: {exc}") from None
    if not isinstance(body, dict):
        raise BodyNotJson(f"the body must be a JSON object, not {type(body).__name__}")
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        problems = validation_problems(exc)
        raise RequestInvalid("; ".join(p.as_text() for p in problems), problems) from None


def _dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


def _answer(
    call: CdsRequest, base_url: str, today: dt.date, kb: KnowledgeBase, settings: Settings
) -> dict[str, Any]:
    patient_id = call.context.patient_id
    prefetch = read_prefetch(call.prefetch, patient_id)
    mapping = map_prefetch(prefetch, patient_id, today)
    if not mapping.in_scope:
        return _dump(CdsResponse(cards=[]))
    plan = build_plan(mapping.case, kb=kb, follow_up_years=settings.follow_up_years)
    plan_url = f"{base_url}/cases/{quote(mapping.case.case_id, safe='')}/plan"
    cards = plan_cards(plan, mapping, kb, plan_url, call.hook_instance)
    return _dump(CdsResponse(cards=cards))


def create_router(settings: Settings, *, today: Callable[[], dt.date] | None = None) -> APIRouter:
    """The CDS Hooks endpoints; ``today`` sets the date ages are computed on (tests)."""
    router = APIRouter(tags=["CDS Hooks"])
    kb = load_knowledge()
    clock = today or dt.date.today
    discovery = _dump(DiscoveryResponse(services=[SERVICE]))

    @router.get(
        "/cds-services",
        response_model=DiscoveryResponse,
        response_model_exclude_none=True,
        summary="CDS Hooks discovery",
    )
    def cds_discovery() -> JSONResponse:
        return JSONResponse(discovery)

    @router.post(
        f"/cds-services/{SERVICE_ID}",
        response_model=CdsResponse,
        response_model_exclude_none=True,
        summary="patient-view: cited MDT plan cards",
        responses={
            **_ERRORS,
            412: {"description": "Required prefetch data missing", **_PROBLEM},
        },
        openapi_extra=_inline(CdsRequest),
    )
    async def cds_patient_view(request: Request) -> Response:
        try:
            call = await _read(request, CdsRequest)
            base_url = str(request.base_url).rstrip("/")
            answer = await run_in_threadpool(_answer, call, base_url, clock(), kb, settings)
        except RvlmsError as error:
            return problem_response(error, instance=request.url.path)
        return JSONResponse(answer)

    @router.post(
        f"/cds-services/{SERVICE_ID}/feedback",
        summary="Feedback on the cards: accepted or overridden",
        responses={
            200: {
                "description": "Recorded",
                "content": {"application/json": {"schema": {"type": "object"}}},
            },
            **_ERRORS,
            503: {"description": "The feedback table does not exist yet", **_PROBLEM},
        },
        openapi_extra=_inline(FeedbackRequest),
    )
    async def cds_feedback(request: Request) -> Response:
        try:
            feedback = await _read(request, FeedbackRequest)
            await run_in_threadpool(
                record_feedback, settings.database_url, SERVICE_ID, feedback.feedback
            )
        except RvlmsError as error:
            return problem_response(error, instance=request.url.path)
        return JSONResponse({})

    return router
