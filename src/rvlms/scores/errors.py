"""The one error the scores raise for input they cannot score.

``ScoreInputError`` subclasses :class:`ValueError` so plain ``except ValueError`` keeps working,
and it keeps the offending field and the allowed values apart so that the command line and the
web forms can name their own option or field instead of the Python parameter.
"""

from typing import Any


class ScoreInputError(ValueError):
    """A value outside what a score is defined for, with the field and what is allowed."""

    def __init__(self, field: str, value: Any, expected: str) -> None:
        self.field = field
        self.value = value
        self.expected = expected
        super().__init__(f"{field}: {value!r} is not allowed; expected {expected}")
