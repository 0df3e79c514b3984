"""The fuzz corpus that once gave 500s: implausible values, NaN and Infinity, deep nesting,
huge numbers. Each is a named 4xx (or cards), never a 5xx, and never echoes NaN."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest

from rvlms.cds.body import MAX_BODY_BYTES, MAX_DEPTH, MAX_NUMBER_CHARS

from .conftest import FEEDBACK_URL, SERVICE_URL, CdsClient, Live, load_request

NON_FINITE = re.compile(r"(?<![\w.])[-+]?(?:nan|inf|infinity)(?![\w.])", re.IGNORECASE)
DIGITS = "1" + "0" * 99_999
MARKER = '"__value__"'


def _creatinine(request: dict[str, Any]) -> dict[str, Any]:
    for entry in request["prefetch"]["observations"]["entry"]:
        if entry["resource"]["id"] == "creatinine":
            resource: dict[str, Any] = entry["resource"]
            return resource
    raise KeyError("creatinine")


def _with_creatinine(raw: str) -> bytes:
    """zhang2021 case 1 with ``raw`` (JSON text, possibly not JSON) as the creatinine value."""
    request = load_request("zhang2021_case1_no_metanephrines")
    _creatinine(request)["valueQuantity"]["value"] = "__value__"
    return json.dumps(request).replace(MARKER, raw).encode()


def _post(cds: CdsClient, body: bytes, url: str = SERVICE_URL) -> httpx.Response:
    return cds.post(url, content=body, headers={"content-type": "application/json"})


def _refused(response: httpx.Response, status: int, says: str) -> dict[str, Any]:
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"] == "application/problem+json"
    assert not NON_FINITE.search(response.text), response.text[:500]
    assert DIGITS[:200] not in response.text
    body: dict[str, Any] = response.json()
    assert says in body["detail"], body["detail"]
    return body


def test_creatinine_of_one_micromole_is_a_named_problem(cds: CdsClient) -> None:
    """1.0 µmol/L is 0.011 mg/dL, below what CKD-EPI 2021 accepts (0.1 mg/dL): the problem
    names the Observation, the case field and the plausible range, with a likely unit slip."""
    request = load_request("zhang2021_case1_no_metanephrines")
    _creatinine(request)["valueQuantity"].update(value=1.0, unit="µmol/L", code="umol/L")
    response = cds.post(SERVICE_URL, json=request)
    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    assert error["field"] == "prefetch.observations.entry[1].resource(Observation/creatinine)"
    assert "labs.creatinine_umol_l" in error["message"]
    assert "plausible range is 8.85–3536 µmol/L" in error["message"]
    assert "88.4 µmol/L (1 mg/dL)" in error["message"]


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers_are_refused_and_not_echoed(cds: CdsClient, constant: str) -> None:
    body = _refused(_post(cds, _with_creatinine(constant)), 400, "non-finite number")
    assert body["errors"][0]["field"] == "(body)"


def test_a_number_beyond_a_float_is_refused(cds: CdsClient) -> None:
    _refused(_post(cds, _with_creatinine("1e400")), 400, "overflows a 64-bit float")


@pytest.mark.parametrize("raw", [DIGITS, "0." + DIGITS, "-" + DIGITS])
def test_a_hundred_thousand_digit_number_is_refused_unread(cds: CdsClient, raw: str) -> None:
    _refused(_post(cds, _with_creatinine(raw)), 400, f"at most {MAX_NUMBER_CHARS} characters")


def test_nesting_five_thousand_deep_is_refused(cds: CdsClient) -> None:
    nested = "[" * 5000 + "1" + "]" * 5000
    body = _refused(_post(cds, _with_creatinine(nested)), 400, f"at most {MAX_DEPTH} levels")
    assert "nested 5007 levels deep" in body["detail"]


def test_a_whole_body_nested_deep_is_refused(cds: CdsClient) -> None:
    _refused(_post(cds, b"{" + b'"a":{' * 5000 + b"}" * 5001), 400, "levels deep")


def test_brackets_inside_strings_are_not_nesting(cds: CdsClient) -> None:
    request = load_request("zhang2021_case1_no_metanephrines")
    request["prefetch"]["patient"]["text"] = {"status": "generated", "div": "[" * 5000}
    response = cds.post(SERVICE_URL, json=request)
    assert response.status_code in (200, 422), response.text[:300]
    assert "levels deep" not in response.text


def test_a_body_over_the_limit_is_413(cds: CdsClient) -> None:
    padding = json.dumps("y" * (MAX_BODY_BYTES + 1))
    response = _post(
        cds,
        _with_creatinine("0.8").replace(
            b'"patient"', b'"pad":' + padding.encode() + b',"patient"', 1
        ),
    )
    _refused(response, 413, f"more than {MAX_BODY_BYTES} bytes")


@pytest.mark.parametrize("constant", ["NaN", "Infinity"])
def test_feedback_is_bounded_the_same_way(cds: CdsClient, constant: str) -> None:
    body = (
        b'{"feedback": [{"card": "c", "outcome": "accepted", "outcomeTimestamp": '
        + constant.encode()
        + b"}]}"
    )
    _refused(_post(cds, body, FEEDBACK_URL), 400, "non-finite number")


CORPUS = [
    ("creatinine 1.0 µmol/L", None),
    ("NaN", "NaN"),
    ("Infinity", "Infinity"),
    ("-Infinity", "-Infinity"),
    ("1e400", "1e400"),
    ("100,000 digits", DIGITS),
    ("5,000 deep", "[" * 5000 + "1" + "]" * 5000),
]


def _corpus_body(label: str, raw: str | None) -> dict[str, Any] | bytes:
    if raw is None:
        request = load_request("zhang2021_case1_no_metanephrines")
        _creatinine(request)["valueQuantity"].update(value=1.0, unit="µmol/L", code="umol/L")
        return request
    return _with_creatinine(raw)


@pytest.mark.parametrize(("label", "raw"), CORPUS, ids=[label for label, _ in CORPUS])
def test_the_corpus_through_the_whole_app_never_gives_a_5xx(
    live: Live, label: str, raw: str | None
) -> None:
    """Through the web app's own body checks and the service, signed as the EHR."""
    body = _corpus_body(label, raw)
    token = live.ehr.token(SERVICE_URL, base="https://rvlms.example.org")
    headers = {"Authorization": f"Bearer {token}", "content-type": "application/json"}
    content = json.dumps(body).encode() if isinstance(body, dict) else body
    response = httpx.post(live.url + SERVICE_URL, content=content, headers=headers, timeout=30)
    assert 400 <= response.status_code < 500, f"{label}: {response.status_code} {response.text}"
    assert not NON_FINITE.search(response.text), response.text[:500]
    assert DIGITS[:200] not in response.text
