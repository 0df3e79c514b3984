"""Web pages of the published-case library: the list and one page per published case."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from rvlms.case.io import dump_case
from rvlms.literature import CORPUS_LABEL, published_cases, similar_cases
from rvlms.literature.similar import PublishedSummary
from rvlms.web.policy import Action
from rvlms.web.rendering import render
from rvlms.web.security import Grant, require_web

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/literature")
def literature_page(
    request: Request,
    grant: Annotated[Grant, Depends(require_web(Action.literature_read))],
) -> HTMLResponse:
    rows = [{"entry": e, "line": PublishedSummary.of(e)} for e in published_cases()]
    return render(request, "literature.html", me=grant.principal, rows=rows, label=CORPUS_LABEL)


@router.get("/literature/{published_id}")
def published_case_page(
    published_id: str,
    request: Request,
    grant: Annotated[Grant, Depends(require_web(Action.literature_read))],
) -> HTMLResponse:
    entry = published_cases().get(published_id)
    line = PublishedSummary.of(entry)
    return render(
        request,
        "literature_case.html",
        me=grant.principal,
        entry=entry,
        summary=line.summary,
        done=line.done,
        outcome=line.outcome,
        record=dump_case(entry.case),
        neighbours=similar_cases(entry.case, published_cases(), 5),
        label=CORPUS_LABEL,
    )
