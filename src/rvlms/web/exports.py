"""Documents that leave the app (plan and cohort PDFs, the audit CSV), shared by the web
pages and the REST API so both hand out exactly the same files."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.responses import StreamingResponse

from rvlms.web.audit import AuditFilter, to_csv
from rvlms.web.cohort import Grouping, SyntheticFilter
from rvlms.web.context import WebContext
from rvlms.web.deidentify import deidentify_plan
from rvlms.web.reports import render_pdf
from rvlms.web.security import Grant

__all__ = ["audit_csv_response", "cohort_pdf", "plan_pdf"]


def plan_pdf(ctx: WebContext, grant: Grant, case_id: str) -> bytes:
    """The MDT plan of the case's current version; de-identified for researchers."""
    stored = grant.registry.get(case_id)
    plan = ctx.plans.plan(stored)
    if not grant.identified:
        plan = deidentify_plan(plan)
    return render_pdf(
        "plan_pdf.html",
        footer_text=f"rvlms MDT plan {case_id} version {stored.version}",
        plan=plan,
        decision_map=ctx.plans.decision_map(stored, deidentified=not grant.identified),
        explain_links=False,
        version=stored.version,
        printed_at=datetime.now(UTC),
        printed_by=grant.username,
        deidentified=not grant.identified,
    )


def cohort_pdf(ctx: WebContext, grant: Grant, by: Grouping, synthetic: SyntheticFilter) -> bytes:
    """The cohort report; small cells suppressed for researchers."""
    view = ctx.cohorts.view(by, synthetic, suppress=not grant.identified, registry=grant.registry)
    return render_pdf(
        "cohort_pdf.html",
        footer_text=f"rvlms cohort report by {by.value}",
        view=view,
        printed_at=datetime.now(UTC),
        printed_by=grant.username,
    )


def audit_csv_response(ctx: WebContext, where: AuditFilter) -> StreamingResponse:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%MZ")
    return StreamingResponse(
        to_csv(ctx.audit.stream(where)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="rvlms-audit-{stamp}.csv"'},
    )
