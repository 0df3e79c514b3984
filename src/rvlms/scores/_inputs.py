"""Input coercion shared by the score modules, so every rejection reads the same way."""

import math
from enum import Enum
from typing import TypeVar

from rvlms.scores.errors import ScoreInputError

E = TypeVar("E", bound=Enum)


def allowed_values(enum_cls: type[Enum]) -> str:
    return ", ".join(str(member.value) for member in enum_cls)


def parse_choice(enum_cls: type[E], value: E | str, *, field: str) -> E:
    """Return ``value`` as a member of ``enum_cls``, matching case-insensitively."""
    if isinstance(value, enum_cls):
        return value
    text = str(value).strip()
    for member in enum_cls:
        if str(member.value).lower() == text.lower():
            return member
    try:
        return enum_cls(text)
    except ValueError:
        pass
    raise ScoreInputError(field, value, f"one of: {allowed_values(enum_cls)}")


def require_finite(value: float, *, field: str, expected: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ScoreInputError(field, value, expected)
    return float(value)


def require_positive(value: float, *, field: str, expected: str) -> float:
    number = require_finite(value, field=field, expected=expected)
    if number <= 0:
        raise ScoreInputError(field, value, expected)
    return number
