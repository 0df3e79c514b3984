"""The de-identified view of a case and a plan for the web pages and the REST API.

A separate schema rather than a filter on the full one (the "schema families by role"
of the FastAPI full-stack template): :data:`ResearchCase` is generated from
:class:`rvlms.case.Case` without the ``identity`` section and without the fields the
policy drops (``rvlms.deid.policy``), and with every date replaced by its year, so a name,
a record number or an exact date has no field to travel in. The values come from
:func:`rvlms.deid.apply.scrubbed_case`: short texts scrubbed, ages of 90 and above shown as
90 ("90 or older"), HIPAA Safe Harbor (45 CFR 164.514(b)(2)) (A), (C) and (H).

Plans keep their clinical content; follow-up visits lose their calendar dates (the
months after surgery remain) and any ISO date left in a text becomes its year.
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from rvlms.case import Case, Demographics
from rvlms.deid.apply import scrubbed_case
from rvlms.deid.fields import case_fields
from rvlms.deid.policy import OLDEST_REPORTED_AGE, Treatment, rule_for
from rvlms.pathway import Plan

__all__ = [
    "DROPPED_FIELDS",
    "SAFE_HARBOR_AGE",
    "ResearchCase",
    "deidentify_case",
    "deidentify_plan",
    "research_case_model",
    "scrub_dates",
]

SAFE_HARBOR_AGE = OLDEST_REPORTED_AGE


def _dropped_fields() -> frozenset[tuple[type[BaseModel], str]]:
    dropped: set[tuple[type[BaseModel], str]] = {(Case, "identity")}
    for field in case_fields():
        if rule_for(field).treatment is Treatment.drop and not field.path.startswith("identity."):
            dropped.add((field.model, field.name))
    return frozenset(dropped)


DROPPED_FIELDS: frozenset[tuple[type[BaseModel], str]] = _dropped_fields()
"""Identifiers and free text: (model, field) pairs that the research schema leaves out."""

_ISO_DATE = re.compile(r"\b(\d{4})-\d{2}-\d{2}(?:[T ][0-9:.+\-Z]*)?\b")


def _year_name(name: str) -> str:
    return "year" if name == "date" else name.removesuffix("_date") + "_year"


def _is_date(annotation: Any) -> bool:
    return annotation is dt.date


class _Builder:
    """Builds one research model per case model, with the field renames it implies."""

    def __init__(self) -> None:
        self.models: dict[type[BaseModel], type[BaseModel]] = {}
        self.renames: dict[type[BaseModel], dict[str, str]] = {}

    def model(self, source: type[BaseModel]) -> type[BaseModel]:
        if source in self.models:
            return self.models[source]
        fields: dict[str, Any] = {}
        renames: dict[str, str] = {}
        for name, info in source.model_fields.items():
            if (source, name) in DROPPED_FIELDS:
                continue
            annotation = info.annotation
            if self._has_date(annotation):
                target = _year_name(name)
                fields[target] = (
                    self.annotation(annotation),
                    Field(default=None, description="Year only (de-identified)"),
                )
                renames[name] = target
                continue
            if source is Demographics and name == "age_years":
                fields[name] = (
                    int | None,
                    Field(
                        default=None,
                        description=f"Age at diagnosis; {SAFE_HARBOR_AGE} means "
                        f"{SAFE_HARBOR_AGE} or older (HIPAA Safe Harbor)",
                    ),
                )
                renames[name] = name
                continue
            fields[name] = (self.annotation(annotation), Field(default=None))
            renames[name] = name
        model = create_model(
            f"Research{source.__name__}",
            __config__=ConfigDict(extra="forbid", frozen=True),
            __doc__=f"{source.__name__} without identifiers or exact dates (researcher view).",
            **fields,
        )
        self.models[source] = model
        self.renames[source] = renames
        return typing.cast(type[BaseModel], model)

    def _has_date(self, annotation: Any) -> bool:
        if _is_date(annotation):
            return True
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            return self._has_date(typing.get_args(annotation)[0])
        if origin in (typing.Union, types.UnionType):
            return any(self._has_date(a) for a in typing.get_args(annotation))
        return False

    def annotation(self, annotation: Any) -> Any:
        if _is_date(annotation):
            return int
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            return self.annotation(typing.get_args(annotation)[0])
        if origin in (typing.Union, types.UnionType):
            parts = tuple(self.annotation(a) for a in typing.get_args(annotation))
            return typing.Union[parts]  # noqa: UP007
        if origin is list:
            (item,) = typing.get_args(annotation)
            return list[self.annotation(item)]  # type: ignore[misc]
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model = self.model(annotation)
            # defaults of the source model are not carried over: the research model is
            # only ever built from a complete, validated case
            return model | None
        return annotation | None


@cache
def _builder() -> _Builder:
    builder = _Builder()
    builder.model(Case)
    return builder


def research_case_model() -> type[BaseModel]:
    """The generated ``ResearchCase`` model."""
    return _builder().model(Case)


if TYPE_CHECKING:
    ResearchCase = BaseModel
else:
    ResearchCase = research_case_model()


def _convert(value: Any, builder: _Builder) -> Any:
    if isinstance(value, BaseModel):
        source = type(value)
        renames = builder.renames.get(source)
        if renames is None:
            return value.model_dump(mode="python")
        out: dict[str, Any] = {}
        for name, target in renames.items():
            item = getattr(value, name)
            if source is Demographics and name == "age_years" and item is not None:
                item = min(int(item), SAFE_HARBOR_AGE)
            out[target] = _convert(item, builder)
        return out
    if isinstance(value, list):
        return [_convert(item, builder) for item in value]
    if isinstance(value, dt.datetime):
        return value.year
    if isinstance(value, dt.date):
        return value.year
    return value


def deidentify_case(case: Case) -> BaseModel:
    """The case as a ``ResearchCase``: no identity, narrative text dropped, short texts
    scrubbed, ages top-coded, dates as years."""
    builder = _builder()
    return ResearchCase.model_validate(_convert(scrubbed_case(case), builder))


def scrub_dates(text: str) -> str:
    """``text`` with every ISO date (or date-time) replaced by its year."""
    return _ISO_DATE.sub(lambda m: m.group(1), text)


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return scrub_dates(value)
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    if isinstance(value, dict):
        return {key: _scrub(item) for key, item in value.items()}
    return value


def deidentify_plan(plan: Plan) -> Plan:
    """The plan without calendar dates: visits keep their months after surgery."""
    data = plan.model_dump(mode="json")
    for visit in data["follow_up"]:
        visit["date"] = None
    alternative = data.get("follow_up_alternative")
    if alternative:
        for visit in alternative["visits"]:
            visit["date"] = None
    return Plan.model_validate(_scrub(data))
