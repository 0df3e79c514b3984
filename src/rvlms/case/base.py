"""Shared base model, dates and typed units of the case record."""

from __future__ import annotations

import datetime as dt
import functools
import re
import types
import typing
from enum import Enum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from rvlms.case.plausibility import (
    Centimetres,
    Days,
    Fraction,
    MicromolPerLitre,
    Millilitres,
    Minutes,
    MitosesPer10Hpf,
    Months,
    Percent,
)
from rvlms.case.vocab import TestResult, vocabulary_key

__all__ = [
    "CANONICAL",
    "CONSISTENCY",
    "DATE_FORMAT",
    "CaseDate",
    "Centimetres",
    "Days",
    "Fraction",
    "LabTest",
    "MicromolPerLitre",
    "Millilitres",
    "Minutes",
    "MitosesPer10Hpf",
    "Months",
    "Percent",
    "RecordModel",
    "date_hint",
    "refuse",
]


CANONICAL = "canonical"
"""Validation context key: the data is a record's own JSON (``model_dump_json``), whose
vocabulary words are already spelt as the vocabulary spells them, so they are not read
again without regard to case."""


class RecordModel(BaseModel):
    """Base of every part of the case record.

    Unknown keys are refused rather than ignored: a misspelt field in a case file would
    otherwise silently become a missing fact and change the plan. Words of a vocabulary are
    read without regard to case, spaces or hyphens ("Female", "Portal venous" are
    ``female``, ``portal_venous``): a capital letter is not a different answer, and
    refusing it only teaches people to avoid the form.
    """

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        validate_assignment=True,
    )

    @model_validator(mode="before")
    @classmethod
    def _vocabulary_words(cls, data: Any, info: ValidationInfo) -> Any:
        if not isinstance(data, dict) or (info.context and info.context.get(CANONICAL)):
            return data
        changed: dict[str, Any] | None = None
        for name, words in _vocabularies(cls).items():
            if name in data:
                given = data[name]
                read = _read_words(given, words)
                if read is not given:
                    changed = changed if changed is not None else dict(data)
                    changed[name] = read
        return changed if changed is not None else data


@functools.cache
def _vocabularies(model: type[BaseModel]) -> dict[str, dict[str, str]]:
    """For each field holding vocabulary words, its words by their normalised spelling and
    by themselves, so that a word already spelt as the vocabulary spells it - the case of
    every stored record - is found without normalising it."""
    found: dict[str, dict[str, str]] = {}
    for name, info in model.model_fields.items():
        for kind in _leaf_types(info.annotation):
            if isinstance(kind, type) and issubclass(kind, Enum):
                values = [m.value for m in kind if isinstance(m.value, str)]
                keys = [vocabulary_key(v) for v in values]
                if values and len(set(keys)) == len(keys):
                    found[name] = {**dict(zip(keys, values, strict=True)), **{v: v for v in values}}
    return found


def _leaf_types(annotation: Any) -> list[Any]:
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _leaf_types(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list, tuple, set, frozenset):
        return [leaf for arg in typing.get_args(annotation) for leaf in _leaf_types(arg)]
    return [annotation]


def _read_words(given: Any, words: dict[str, str]) -> Any:
    if isinstance(given, str) and not isinstance(given, Enum):
        if words.get(given) == given:
            return given
        return words.get(vocabulary_key(given), given)
    if isinstance(given, list):
        read = [_read_words(item, words) for item in given]
        return given if all(a is b for a, b in zip(read, given, strict=True)) else read
    return given


DATE_FORMAT = "YYYY-MM-DD (ISO 8601, e.g. 2024-03-14)"

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}([T ].*)?$")
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})[./\-](\d{1,2})[./\-](\d{4})$")
_YEAR_MONTH_DAY = re.compile(r"^(\d{4})[./](\d{1,2})[./](\d{1,2})$")


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def date_hint(text: str) -> str | None:
    """How to write a date given in another common layout, or ``None`` for an ISO date.

    Day and month are only swapped when the text leaves no doubt (a number above 12 can only
    be the day); 03/04/2024 is 3 April in Europe and 4 March in the United States, so it is
    never guessed.
    """
    if _ISO.match(text):
        return None
    if match := _YEAR_MONTH_DAY.match(text):
        iso = _iso(int(match[1]), int(match[2]), int(match[3]))
        if iso:
            return f"{text} is year/month/day: write it as {iso} (YYYY-MM-DD)"
    if match := _DAY_MONTH_YEAR.match(text):
        first, second, year = int(match[1]), int(match[2]), int(match[3])
        day_first = _iso(year, second, first)
        month_first = _iso(year, first, second)
        if day_first and (first > 12 or first == second):
            return f"{text} is day/month/year: write it as {day_first} (YYYY-MM-DD)"
        if month_first and second > 12:
            return f"{text} is month/day/year: write it as {month_first} (YYYY-MM-DD)"
        if day_first and month_first:
            return (
                f"{text} is ambiguous ({day_first} or {month_first}): write the date as "
                f"{DATE_FORMAT}"
            )
    return f"not a date: write it as {DATE_FORMAT}"


def _iso_date(value: Any, handler: ValidatorFunctionWrapHandler) -> dt.date:
    if isinstance(value, str):
        hint = date_hint(value.strip())
        if hint is not None:
            raise PydanticCustomError("date_format", "{message}", {"message": hint})
    try:
        result = handler(value)
    except ValidationError:
        raise PydanticCustomError(
            "date_format",
            "{message}",
            {"message": f"not a calendar date: write it as {DATE_FORMAT}"},
        ) from None
    if not isinstance(result, dt.date):
        raise PydanticCustomError(
            "date_format", "{message}", {"message": f"write the date as {DATE_FORMAT}"}
        )
    return result


CaseDate = Annotated[dt.date, WrapValidator(_iso_date)]
"""A calendar date, written YYYY-MM-DD; other layouts are refused with the ISO spelling."""


CONSISTENCY = "consistency"
"""The pydantic error type that carries every cross-field problem of one part of the record."""


def refuse(problems: list[str]) -> None:
    """Raise every cross-field problem at once, one ``path: message`` per line.

    A model validator can raise only one error; stopping at the first contradiction would
    make a clinician fix a file one complaint at a time, so the checks collect their
    problems and :func:`rvlms.case.io.field_problems` splits the lines into field problems.
    """
    if problems:
        raise PydanticCustomError(CONSISTENCY, "{problems}", {"problems": "\n".join(problems)})


class LabTest(RecordModel):
    """One laboratory result: the qualitative reading always, the number when it is known.

    zhang2021 Table 1 reports the renal and adrenal hormone tests only as "Normal", so the
    qualitative ``result`` is the field the decision map reads; ``value`` and ``unit`` keep
    the measurement for the record.
    """

    result: TestResult = Field(
        default=TestResult.not_done,
        description="Qualitative reading against the laboratory's reference range; the "
        "decision map reads this (zhang2021 Table 1 reports 'Normal')",
    )
    value: float | None = Field(
        default=None, description="Measured value, in the unit given in 'unit'"
    )
    unit: str | None = Field(
        default=None, description="Unit of 'value' as the laboratory reports it (e.g. nmol/L)"
    )
    upper_limit_of_normal: float | None = Field(
        default=None, description="Upper reference limit of the laboratory, in the unit of 'value'"
    )

    @property
    def done(self) -> bool:
        return self.result is not TestResult.not_done
