"""REST API: the published-case library and the published cases like a case."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel

from rvlms.case.vocab import Vessel
from rvlms.literature import PublishedCase, SimilarCase, nearest, published_cases, similar_cases
from rvlms.literature.similar import PublishedSummary
from rvlms.web.context import ContextDep
from rvlms.web.policy import Action
from rvlms.web.problems import ERROR_RESPONSES
from rvlms.web.security import Grant, require_api

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)


class RegistryNeighbour(BaseModel):
    """A case of the same centre's registry like the one asked about."""

    case_id: str
    score: float
    matched: list[str]


@router.get("/literature", tags=["literature"], summary="The published-case library")
def literature(
    grant: Annotated[Grant, Depends(require_api(Action.literature_read))],
    vessel_of_origin: Annotated[
        Vessel | None, Query(description="Only cases from this vessel (as encoded)")
    ] = None,
) -> list[PublishedSummary]:
    """Every published case (published cases, selection-biased): citation, tumour, what was
    done and the outcome."""
    return [
        PublishedSummary.of(e)
        for e in published_cases()
        if vessel_of_origin is None or e.case.imaging.vessel_of_origin is vessel_of_origin
    ]


@router.get("/literature/{published_id}", tags=["literature"], summary="One published case")
def published_case(
    published_id: Annotated[
        str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
    ],
    grant: Annotated[Grant, Depends(require_api(Action.literature_read))],
) -> PublishedCase:
    return published_cases().get(published_id)


@router.get(
    "/cases/{case_id}/similar",
    tags=["literature"],
    summary="Published cases like this case",
)
def similar(
    case_id: str,
    ctx: ContextDep,
    grant: Annotated[Grant, Depends(require_api(Action.case_plan))],
    k: Annotated[int, Query(ge=1, le=50)] = 5,
) -> list[SimilarCase]:
    """The k published cases most like the registry case, with the features that matched."""
    case = grant.registry.get(case_id).case
    return similar_cases(case, published_cases(), k)


@router.get(
    "/cases/{case_id}/similar/registry",
    tags=["literature"],
    summary="Our cases like this case (same centre, same access rules)",
)
def similar_in_registry(
    case_id: str,
    ctx: ContextDep,
    grant: Annotated[Grant, Depends(require_api(Action.case_list))],
    k: Annotated[int, Query(ge=1, le=50)] = 5,
) -> list[RegistryNeighbour]:
    """The k registry cases of the case's own centre most like it, by the same features as the
    published cases; only case ids and the matched features are returned."""
    case = grant.registry.get(case_id).case
    pool = ((c.case_id, c) for c in grant.registry.cases(centre=case.centre) if not c.synthetic)
    return [
        RegistryNeighbour(case_id=cid, score=score, matched=matched)
        for score, cid, matched in nearest(case, pool, k)
    ]
