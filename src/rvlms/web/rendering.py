"""Server-rendered pages: one Jinja2 environment for the web app and its PDF reports.

The same templates render the screen and the PDF (WeasyPrint), so a report says exactly
what the MDT saw. Autoescaping is on for every template and undefined names fail
loudly.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from functools import cache
from importlib import resources
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from rvlms import __version__
from rvlms.web.forms import value_at
from rvlms.web.policy import Role
from rvlms.web.problems import PROBLEM_TYPES, Problem

__all__ = ["environment", "render", "render_error", "render_string", "stylesheet"]

_VERIFIED = {
    "S": "seed paper",
    "V": "checked source",
    "B": "unverified background",
    "P": "proposal (rvlms convention)",
}


def _words(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, Enum):
        value = value.value
    return str(value).replace("_", " ")


def _form_value(value: object) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, float) and value == int(value):
        return str(int(value)) if abs(value) < 1e15 else str(value)
    return str(value)


def _when(value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, dt.date):
        return value.isoformat()
    return "—" if value is None else str(value)


def _yes_no(value: object) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return "—"


def _verified(code: str) -> str:
    return _VERIFIED.get(code, code)


def _safe_svg(svg: str) -> Markup:
    """An SVG produced by Graphviz from our own knowledge base: trusted markup."""
    return Markup(svg)


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("rvlms.web", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.do"],
    )
    env.filters.update(
        words=_words,
        form_value=_form_value,
        when=_when,
        yes_no=_yes_no,
        verified=_verified,
        safe_svg=_safe_svg,
    )
    env.globals.update(
        rvlms_version=__version__, Role=Role, problem_types=PROBLEM_TYPES, value_at=value_at
    )
    return env


@cache
def stylesheet() -> str:
    return resources.files("rvlms.web").joinpath("static/rvlms.css").read_text("utf-8")


def render_string(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


def render(
    request: Request,
    template: str,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A page; the template gets ``request``, ``me`` (the signed-in principal or None) and
    ``csrf`` (the session's anti-forgery token) besides ``context``."""
    from rvlms.web.security import csrf_token

    context.setdefault("me", None)
    html = render_string(template, request=request, csrf=csrf_token(request), **context)
    return HTMLResponse(html, status_code=status_code)


def render_error(request: Request, problem: Problem) -> HTMLResponse:
    return render(request, "error.html", problem.status, problem=problem)
