"""Reading a JSON request body with its size, depth, numbers and texts bounded.

The standard ``json`` module recurses once per nesting level (a body nested a few
thousand deep raises ``RecursionError``), converts a 100,000-digit integer only to refuse
it with ``ValueError`` (CPython's 4,300-digit limit) and accepts ``NaN`` and ``Infinity``,
which are not JSON (RFC 8259 §6) and which a JSON answer cannot carry back. Both the REST
API (``rvlms.web.json_bodies``) and the CDS Hooks service (``rvlms.cds.body``) read
bodies through the functions here, each with its own limits:

- :func:`over_size` - more bytes than the reader takes;
- :func:`scan` - before parsing: string literals are blanked by one regular expression
  and, on what remains, the nesting depth and the length of every number token are
  measured, so nothing is parsed that would recurse or convert without bound;
- :func:`loads_finite` - parsing that raises :class:`NotFiniteNumber` on ``NaN``,
  ``Infinity`` and numbers that overflow a float;
- :func:`loads_marked` and :func:`marked_problems` - parsing that keeps each refused number
  (too many digits, non-finite, overflowing) in place as a :class:`Refused` marker, then a
  walk that names the field of every marker, every over-long text and every over-deep
  nesting.

Problems name the limit and the field, never the offending value. The functions are pure
and know no HTTP: each caller renders the problems in its own response format.
"""

from __future__ import annotations

import json
import math
import re
from itertools import accumulate
from typing import Any

from rvlms.errors import FieldProblem, InputError

__all__ = [
    "NotFiniteNumber",
    "Refused",
    "loads_finite",
    "loads_marked",
    "marked_problems",
    "over_size",
    "scan",
]

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NUMBER = re.compile(rb"-?[0-9][0-9.eE+\-]*")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}

MAX_PROBLEMS = 20
"""Most problems :func:`marked_problems` reports for one body."""


def over_size(size: int, max_bytes: int) -> bool:
    """Whether ``size`` bytes (read so far, or declared) pass the limit ``max_bytes``."""
    return size > max_bytes


def scan(
    raw: bytes, *, max_depth: int, max_number_chars: int, where: str = "(body)"
) -> list[FieldProblem]:
    """Over-deep nesting and over-long number tokens in ``raw``, found without parsing it.

    At most one problem: the nesting first (with the depth measured), else the first
    over-long number."""
    skeleton = _STRING.sub(b'""', raw)
    structure = skeleton.translate(None, _NOT_BRACKETS)
    if structure:
        deepest = max(accumulate(_STEP[b] for b in structure))
        if deepest > max_depth:
            return [
                FieldProblem(
                    path=where,
                    message=f"nested {deepest} levels deep; at most {max_depth} levels of "
                    "arrays and objects are read",
                )
            ]
    for match in _NUMBER.finditer(skeleton):
        if len(match.group()) > max_number_chars:
            return [
                FieldProblem(
                    path=where,
                    message=f"a number of {len(match.group())} characters; at most "
                    f"{max_number_chars} characters per number are read",
                )
            ]
    return []


class NotFiniteNumber(InputError):
    """A number :func:`loads_finite` refused, with the problem naming why."""

    def __init__(self, problem: FieldProblem) -> None:
        self.problem = problem
        super().__init__(problem.as_text())


def loads_finite(raw: bytes | str, *, where: str = "(body)") -> Any:
    """``raw`` parsed as JSON; :class:`NotFiniteNumber` for ``NaN``, ``Infinity`` and
    floats beyond 64 bits. Other failures are those of :func:`json.loads`, so run
    :func:`scan` first to keep ``RecursionError`` and huge integers out."""

    def finite_float(text: str) -> float:
        value = float(text)
        if not math.isfinite(value):
            raise NotFiniteNumber(
                FieldProblem(
                    path=where,
                    message=f"a number overflows a 64-bit float (it has {len(text)} characters)",
                )
            )
        return value

    def no_constant(_: str) -> Any:
        raise NotFiniteNumber(
            FieldProblem(
                path=where,
                message="holds a non-finite number constant, which JSON does not allow "
                "(RFC 8259 §6); send a finite number or leave the field out",
            )
        )

    return json.loads(raw, parse_float=finite_float, parse_constant=no_constant)


class Refused:
    """A number in a JSON body that is refused, kept in place to name its field."""

    __slots__ = ("why",)

    def __init__(self, why: str) -> None:
        self.why = why


def _too_many_digits(digits: int, max_digits: int) -> Refused:
    return Refused(f"a number with {digits} digits; at most {max_digits} are accepted")


def loads_marked(raw: bytes | str, *, max_number_digits: int) -> Any:
    """``raw`` parsed as JSON with every refused number replaced by a :class:`Refused`:
    more than ``max_number_digits`` digits (exponent not counted), ``NaN``, ``Infinity``
    and floats beyond 64 bits. An integer is never converted before its digits are
    counted. Failures are those of :func:`json.loads` (``RecursionError`` included)."""

    def number(text: str) -> float | Refused:
        digits = sum(c.isdigit() for c in text.split("e")[0].split("E")[0])
        if digits > max_number_digits:
            return _too_many_digits(digits, max_number_digits)
        value = float(text)
        if not math.isfinite(value):
            return Refused("a number too large to be represented; send a finite number")
        return value

    def integer(text: str) -> int | Refused:
        digits = len(text.lstrip("-"))
        if digits > max_number_digits:
            return _too_many_digits(digits, max_number_digits)
        return int(text)

    def constant(_name: str) -> Refused:
        return Refused("not a number JSON allows; send a finite number or null")

    return json.loads(raw, parse_constant=constant, parse_float=number, parse_int=integer)


def marked_problems(
    document: object, *, max_depth: int, max_string: int, where: str = "body"
) -> list[FieldProblem]:
    """Refused numbers, texts over ``max_string`` characters and nesting deeper than
    ``max_depth`` in a document from :func:`loads_marked`, each with the dotted path of its
    field (``where`` for the document itself); at most :data:`MAX_PROBLEMS`."""
    problems: list[FieldProblem] = []
    stack: list[tuple[object, tuple[str, ...]]] = [(document, ())]
    while stack and len(problems) < MAX_PROBLEMS:
        node, path = stack.pop()
        here = ".".join(path) or where
        if isinstance(node, Refused):
            problems.append(FieldProblem(here, node.why))
        elif isinstance(node, str) and len(node) > max_string:
            problems.append(
                FieldProblem(
                    here, f"a text of {len(node)} characters; at most {max_string} are accepted"
                )
            )
        elif isinstance(node, dict | list):
            if len(path) >= max_depth:
                problems.append(FieldProblem(here, f"nested more than {max_depth} levels deep"))
                continue
            items = node.items() if isinstance(node, dict) else enumerate(node)
            for key, value in items:
                name = str(key)
                if len(name) > max_string:
                    problems.append(FieldProblem(here, "a field name that long is not accepted"))
                    break
                stack.append((value, (*path, name[:64])))
    return problems
