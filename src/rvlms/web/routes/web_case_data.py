"""What the case pages share: the stored record as the plain data they show and edit (the
case form starts an edit from it, the case view summarises it), and the centre a new case
goes to (the case form, the YAML editor and the CDS launch page all create cases)."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData

from rvlms.case import Case
from rvlms.web.policy import Action
from rvlms.web.security import Principal

__all__ = ["new_case_centres", "stored_data", "target_centre"]


def stored_data(case: Case) -> dict[str, Any]:
    """The record's fields as JSON-ready data, leaving out the ones never filled in."""
    data: dict[str, Any] = case.model_dump(mode="json", exclude_none=True)
    return data


def new_case_centres(principal: Principal) -> list[str]:
    """The centres a new case may go to (a choice is offered when there are several)."""
    return sorted(principal.scope_for(Action.case_create).centres or [])


def target_centre(form: FormData, me: Principal) -> str | None:
    """The centre a new case goes to: the form's ``centre_code``, else the one centre
    where the user may add cases (none with several: the registry then refuses rather
    than guess)."""
    chosen = str(form.get("centre_code") or "").strip().lower()[:64]
    return chosen or me.home_centre(Action.case_create)
