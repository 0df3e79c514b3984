"""Every web page about cases, as one router: the list (``web_case_list``), the form and
YAML editor (``web_case_edit``) and the pages of one case (``web_case_view``), in the order
the app registers them. The app includes the three modules; this router lists the same
routes for code that walks all the case pages at once, such as the centre-access checks."""

from __future__ import annotations

from types import ModuleType

from fastapi import APIRouter

from rvlms.web.routes import web_case_edit, web_case_list, web_case_view

__all__ = ["MODULES", "router"]

MODULES: tuple[ModuleType, ...] = (web_case_list, web_case_edit, web_case_view)

router = APIRouter(
    include_in_schema=False,
    routes=[route for module in MODULES for route in module.router.routes],
)
