"""REST API: a stored case as a FHIR R4 / mCODE Bundle."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response

from rvlms.fhir import case_bundle
from rvlms.web.context import ContextDep
from rvlms.web.policy import Action
from rvlms.web.problems import ERROR_RESPONSES, file_response
from rvlms.web.security import Grant, require_api

__all__ = ["FHIR_JSON", "router"]

FHIR_JSON = "application/fhir+json"
"""The FHIR JSON media type (FHIR R4 http.html#mime-type)."""

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)

CaseIdPath = Annotated[str, Path(min_length=1, max_length=64, description="The case_id")]
BUNDLE_RESPONSE: dict[int | str, dict[str, Any]] = file_response(
    FHIR_JSON, "A FHIR R4 Bundle (type collection) shaped by mCODE STU4"
)


@router.get(
    "/cases/{case_id}/fhir",
    tags=["cases"],
    summary="The case as a FHIR R4 / mCODE Bundle",
    response_class=Response,
    responses=BUNDLE_RESPONSE,
)
def case_fhir(
    case_id: CaseIdPath,
    ctx: ContextDep,
    grant: Annotated[Grant, Depends(require_api(Action.case_read))],
) -> Response:
    """The current version as FHIR (docs/fhir.md). Researchers get the de-identified
    Bundle: no name, record number or birth date, no free text, dates as years."""
    stored = ctx.registry.get(case_id)
    bundle = case_bundle(stored.case, deidentified=not grant.identified)
    return Response(json.dumps(bundle, ensure_ascii=False), media_type=FHIR_JSON)
