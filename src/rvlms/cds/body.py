"""Reading a CDS Hooks body as JSON, with its size, depth and numbers bounded first.

The bounded reading itself lives in :mod:`rvlms.jsonbody` (shared with the REST API);
this module sets the service's limits and turns what it refuses into the service's own
problems:

- at most :data:`MAX_BODY_BYTES` bytes (413);
- nesting depth at most :data:`MAX_DEPTH` and every number token at most
  :data:`MAX_NUMBER_CHARS` characters, measured before parsing (400);
- ``NaN``, ``Infinity`` and numbers that overflow a float are refused while parsing (400).

The limits are far above what FHIR needs: an R4B Observation with components and
extensions nests about 12 deep, and a FHIR ``decimal`` carries at most 18 significant
digits. Refusals name the limit and never echo the offending value.
"""

from __future__ import annotations

import json
from typing import Any

from rvlms.cds.problems import BodyNotJson, BodyRefused, BodyTooLarge
from rvlms.errors import FieldProblem
from rvlms.jsonbody import NotFiniteNumber, loads_finite, over_size, scan

__all__ = ["MAX_BODY_BYTES", "MAX_DEPTH", "MAX_NUMBER_CHARS", "parse_body"]

MAX_BODY_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 64
MAX_NUMBER_CHARS = 64


def _refused(problem: FieldProblem) -> BodyRefused:
    return BodyRefused(f"the body: {problem.message}", [problem])


def parse_body(raw: bytes) -> dict[str, Any]:
    """The body as a JSON object, or a 400/413 problem naming the limit it broke."""
    if over_size(len(raw), MAX_BODY_BYTES):
        raise BodyTooLarge(
            f"the body has {len(raw)} bytes; at most {MAX_BODY_BYTES} bytes are read",
            [FieldProblem(path="(body)", message=f"at most {MAX_BODY_BYTES} bytes")],
        )
    if problems := scan(raw, max_depth=MAX_DEPTH, max_number_chars=MAX_NUMBER_CHARS):
        raise _refused(problems[0])
    try:
        body = loads_finite(raw)
    except NotFiniteNumber as exc:
        raise _refused(exc.problem) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BodyNotJson(f"the body is not JSON: {exc}") from None
    except (RecursionError, ValueError) as exc:
        raise _refused(
            FieldProblem(path="(body)", message=f"cannot be read as JSON ({type(exc).__name__})")
        ) from None
    if not isinstance(body, dict):
        raise BodyNotJson(f"the body must be a JSON object, not {type(body).__name__}")
    return body
