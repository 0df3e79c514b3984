"""Reading a CDS Hooks body as JSON, with its size, depth and numbers bounded first.

The standard ``json`` module recurses once per nesting level (a body nested a few
thousand deep raises ``RecursionError``), converts a 100,000-digit integer only to refuse
it with ``ValueError`` (CPython's 4,300-digit limit) and accepts ``NaN`` and ``Infinity``,
which are not JSON (RFC 8259 §6) and which a JSON answer cannot carry back. So the body is
checked before it is parsed:

- at most :data:`MAX_BODY_BYTES` bytes (413);
- string literals are blanked by one regular expression, and on what remains the
  nesting depth (at most :data:`MAX_DEPTH`) and the length of every number token (at most
  :data:`MAX_NUMBER_CHARS`) are measured (400);
- ``NaN``, ``Infinity`` and numbers that overflow a float are refused while parsing (400).

The limits are far above what FHIR needs: an R4B Observation with components and
extensions nests about 12 deep, and a FHIR ``decimal`` carries at most 18 significant
digits. Refusals name the limit and never echo the offending value.
"""

from __future__ import annotations

import json
import math
import re
from itertools import accumulate
from typing import Any

from rvlms.cds.problems import BodyNotJson, BodyRefused, BodyTooLarge
from rvlms.errors import FieldProblem

__all__ = ["MAX_BODY_BYTES", "MAX_DEPTH", "MAX_NUMBER_CHARS", "parse_body"]

MAX_BODY_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 64
MAX_NUMBER_CHARS = 64

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NUMBER = re.compile(rb"-?[0-9][0-9.eE+\-]*")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def _refuse(message: str) -> BodyRefused:
    return BodyRefused(f"the body: {message}", [FieldProblem(path="(body)", message=message)])


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _refuse(f"a number overflows a 64-bit float (it has {len(text)} characters)")
    return value


def _no_constant(_: str) -> Any:
    raise _refuse(
        "holds a non-finite number constant, which JSON does not allow (RFC 8259 §6); "
        "send a finite number or leave the field out"
    )


def _check_shape(raw: bytes) -> None:
    skeleton = _STRING.sub(b'""', raw)
    structure = skeleton.translate(None, _NOT_BRACKETS)
    if structure:
        deepest = max(accumulate(_STEP[b] for b in structure))
        if deepest > MAX_DEPTH:
            raise _refuse(
                f"nested {deepest} levels deep; at most {MAX_DEPTH} levels of arrays and "
                "objects are read"
            )
    for match in _NUMBER.finditer(skeleton):
        if len(match.group()) > MAX_NUMBER_CHARS:
            raise _refuse(
                f"a number of {len(match.group())} characters; at most {MAX_NUMBER_CHARS} "
                "characters per number are read"
            )


def parse_body(raw: bytes) -> dict[str, Any]:
    """The body as a JSON object, or a 400/413 problem naming the limit it broke."""
    if len(raw) > MAX_BODY_BYTES:
        raise BodyTooLarge(
            f"the body has {len(raw)} bytes; at most {MAX_BODY_BYTES} bytes are read",
            [FieldProblem(path="(body)", message=f"at most {MAX_BODY_BYTES} bytes")],
        )
    _check_shape(raw)
    try:
        body = json.loads(raw, parse_float=_finite_float, parse_constant=_no_constant)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BodyNotJson(f"the body is not JSON: {exc}") from None
    except (RecursionError, ValueError) as exc:
        raise _refuse(f"cannot be read as JSON ({type(exc).__name__})") from None
    if not isinstance(body, dict):
        raise BodyNotJson(f"the body must be a JSON object, not {type(body).__name__}")
    return body
