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
problem-details document naming the field (400 not JSON or beyond the limits of
``rvlms.cds.body``, 401 no valid JWT, 412 prefetch missing, 413 too large, 422 invalid
request or FHIR resource, 503 not configured) whatever error handlers the including app
installs.

Every service and feedback call must carry the calling EHR's JWT (``rvlms.cds.auth``,
CDS Hooks 2.0 §Trusting CDS Clients), checked before the body is read; the ``aud`` is the
endpoint's URL on the configured public base URL (``RVLMS_CDS_PUBLIC_BASE_URL``), which
also builds the card links. Only ``rvlms serve --demo`` may accept calls without a JWT,
and then discovery, every answer and every card say so. Each call and each feedback post
is reported to ``on_event`` (the web app writes it to the audit log).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

from rvlms.cds.auth import Caller, JwtVerifier
from rvlms.cds.body import MAX_BODY_BYTES, parse_body
from rvlms.cds.cards import demo_card, plan_cards
from rvlms.cds.feedback import record_feedback
from rvlms.cds.launch import LaunchStore, launch_url
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
    BodyTooLarge,
    CdsNotConfigured,
    EhrNotAuthenticated,
    RequestInvalid,
    problem_response,
    validation_problems,
)
from rvlms.errors import RvlmsError
from rvlms.pathway import KnowledgeBase, build_plan, load_knowledge
from rvlms.settings import Settings

__all__ = ["SERVICE", "SERVICE_ID", "CdsEvent", "create_router"]

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

DEMO_LABEL = "DEMONSTRATION ONLY: calls are not authenticated; never use with patient care"
_DEMO = Caller(iss="demo", authenticated=False)

_Model = TypeVar("_Model", bound=BaseModel)


@dataclass(frozen=True)
class CdsEvent:
    """One call or feedback post, for the audit log: who (the EHR's ``iss``), what, result."""

    action: Literal["cds.call", "cds.feedback"]
    outcome: Literal["succeeded", "denied", "failed"]
    actor: str
    client_ip: str | None
    target: str
    detail: str


_PROBLEM = {"content": {PROBLEM_JSON: {"schema": {"type": "object"}}}}
_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "The body is not a JSON object, or too deep to read", **_PROBLEM},
    401: {"description": "No valid JWT from a configured EHR", **_PROBLEM},
    413: {"description": "The body is too large", **_PROBLEM},
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


def _too_large(size: int) -> BodyTooLarge:
    return BodyTooLarge(f"the body has more than {MAX_BODY_BYTES} bytes (given: {size} or more)")


async def _raw(request: Request) -> bytes:
    """The body, read no further than :data:`MAX_BODY_BYTES`."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _too_large(int(declared))
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _too_large(size)
        chunks.append(chunk)
    return b"".join(chunks)


async def _read(request: Request, model: type[_Model]) -> _Model:
    body = await run_in_threadpool(parse_body, await _raw(request))
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        problems = validation_problems(exc)
        raise RequestInvalid("; ".join(p.as_text() for p in problems), problems) from None


def _dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


@dataclass(frozen=True)
class _Service:
    settings: Settings
    kb: KnowledgeBase
    launches: LaunchStore
    verifier: JwtVerifier | None
    base_url: str | None

    def base(self) -> str:
        if self.base_url is None:
            raise CdsNotConfigured(
                "RVLMS_CDS_PUBLIC_BASE_URL is not set: it is the URL EHRs call (the JWT's aud) "
                "and the base of the card links, e.g. https://rvlms.example.org"
            )
        return self.base_url

    def caller(self, request: Request, *paths: str) -> Caller:
        base = self.base()
        if self.verifier is None:
            return _DEMO
        header = request.headers.get("authorization")
        return self.verifier.verify(header, [base + path for path in paths])

    def answer(self, call: CdsRequest, caller: Caller, today: dt.date) -> dict[str, Any]:
        patient_id = call.context.patient_id
        prefetch = read_prefetch(call.prefetch, patient_id)
        mapping = map_prefetch(prefetch, patient_id, today)
        if not mapping.in_scope:
            return _dump(CdsResponse(cards=[]))
        plan = build_plan(mapping.case, kb=self.kb, follow_up_years=self.settings.follow_up_years)
        launch = self.launches.put(
            mapping,
            plan,
            patient_id=patient_id,
            actor=caller.actor,
            authenticated=caller.authenticated,
        )
        url = launch_url(self.base(), launch.id)
        cards = plan_cards(plan, mapping, self.kb, url, call.hook_instance)
        if not caller.authenticated:
            cards.insert(0, demo_card(DEMO_LABEL, call.hook_instance))
        return _dump(CdsResponse(cards=cards))


def _client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def _outcome(error: RvlmsError) -> Literal["denied", "failed"]:
    return "denied" if isinstance(error, EhrNotAuthenticated) else "failed"


def _demo_service() -> ServiceDefinition:
    return SERVICE.model_copy(
        update={
            "title": f"[DEMONSTRATION, NOT AUTHENTICATED] {SERVICE.title}",
            "description": f"{DEMO_LABEL}. {SERVICE.description}",
        }
    )


def create_router(
    settings: Settings,
    *,
    today: Callable[[], dt.date] | None = None,
    launches: LaunchStore | None = None,
    on_event: Callable[[CdsEvent], None] | None = None,
    verifier: JwtVerifier | None = None,
) -> APIRouter:
    """The CDS Hooks endpoints.

    ``today`` sets the date ages are computed on (tests); ``launches`` keeps what card links
    open (shared with the launch page); ``on_event`` receives every call and feedback post;
    ``verifier`` defaults to one for ``settings.cds_issuers``.
    """
    router = APIRouter(tags=["CDS Hooks"])
    clock = today or dt.date.today
    unauthenticated = settings.cds_allow_unauthenticated
    service = _Service(
        settings=settings,
        kb=load_knowledge(),
        launches=launches or LaunchStore(dt.timedelta(minutes=settings.cds_launch_ttl_minutes)),
        verifier=None
        if unauthenticated
        else verifier or JwtVerifier(settings.cds_issuers, leeway_s=settings.cds_jwt_leeway_s),
        base_url=settings.cds_public_base_url.rstrip("/") if settings.cds_public_base_url else None,
    )
    discovery = _dump(DiscoveryResponse(services=[_demo_service() if unauthenticated else SERVICE]))
    service_path = f"/cds-services/{SERVICE_ID}"
    feedback_path = f"{service_path}/feedback"
    headers = {"X-Rvlms-Cds-Mode": "unauthenticated-demo"} if unauthenticated else None

    def report(event: CdsEvent) -> None:
        if on_event is not None:
            on_event(event)

    @router.get(
        "/cds-services",
        response_model=DiscoveryResponse,
        response_model_exclude_none=True,
        summary="CDS Hooks discovery",
    )
    def cds_discovery() -> JSONResponse:
        return JSONResponse(discovery, headers=headers)

    @router.post(
        service_path,
        response_model=CdsResponse,
        response_model_exclude_none=True,
        summary="patient-view: cited MDT plan cards",
        responses={
            **_ERRORS,
            412: {"description": "Required prefetch data missing", **_PROBLEM},
            503: {"description": "RVLMS_CDS_PUBLIC_BASE_URL is not set", **_PROBLEM},
        },
        openapi_extra=_inline(CdsRequest),
    )
    async def cds_patient_view(request: Request) -> Response:
        actor, target = "ehr:unknown", "patient-view"
        try:
            caller = await run_in_threadpool(service.caller, request, service_path)
            actor = caller.actor
            call = await _read(request, CdsRequest)
            target = f"Patient/{call.context.patient_id}"
            answer = await run_in_threadpool(service.answer, call, caller, clock())
        except RvlmsError as error:
            detail = f"{error.status} {error.title}: {error}"
            event = CdsEvent(
                "cds.call", _outcome(error), actor, _client_ip(request), target, detail
            )
            await run_in_threadpool(report, event)
            return problem_response(error, instance=request.url.path)
        detail = f"{len(answer['cards'])} cards; hookInstance {call.hook_instance}"
        event = CdsEvent("cds.call", "succeeded", actor, _client_ip(request), target, detail)
        await run_in_threadpool(report, event)
        return JSONResponse(answer, headers=headers)

    @router.post(
        feedback_path,
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
        actor = "ehr:unknown"
        try:
            caller = await run_in_threadpool(service.caller, request, feedback_path, service_path)
            actor = caller.actor
            feedback = await _read(request, FeedbackRequest)
            await run_in_threadpool(
                record_feedback, settings.database_url, SERVICE_ID, feedback.feedback
            )
        except RvlmsError as error:
            detail = f"{error.status} {error.title}: {error}"
            event = CdsEvent(
                "cds.feedback", _outcome(error), actor, _client_ip(request), "feedback", detail
            )
            await run_in_threadpool(report, event)
            return problem_response(error, instance=request.url.path)
        items = feedback.feedback
        detail = ", ".join(f"card {i.card}: {i.outcome}" for i in items)
        event = CdsEvent(
            "cds.feedback", "succeeded", actor, _client_ip(request), "feedback", detail
        )
        await run_in_threadpool(report, event)
        return JSONResponse({}, headers=headers)

    return router
