"""The bounded JSON reading shared by the REST API and the CDS Hooks service: each limit
is named, each refusal names its field, and no refused value is converted or echoed."""

from __future__ import annotations

import json

import pytest

from rvlms.errors import FieldProblem
from rvlms.jsonbody import (
    NotFiniteNumber,
    Refused,
    loads_finite,
    loads_marked,
    marked_problems,
    over_size,
    scan,
)

DIGITS = "1" + "0" * 99_999


def test_the_size_limit_is_inclusive() -> None:
    assert not over_size(100, 100)
    assert over_size(101, 100)


def test_scan_measures_the_depth_without_parsing() -> None:
    raw = b'{"a":' + b"[" * 5000 + b"1" + b"]" * 5000 + b"}"
    [problem] = scan(raw, max_depth=64, max_number_chars=64)
    assert problem == FieldProblem(
        "(body)", "nested 5001 levels deep; at most 64 levels of arrays and objects are read"
    )


def test_scan_ignores_brackets_and_digits_inside_strings() -> None:
    raw = json.dumps({"div": "[" * 5000, "note": DIGITS}).encode()
    assert scan(raw, max_depth=2, max_number_chars=10) == []


def test_scan_refuses_a_long_number_by_its_length() -> None:
    [problem] = scan(f'{{"v": -{DIGITS}}}'.encode(), max_depth=8, max_number_chars=64)
    assert problem.message == (
        "a number of 100001 characters; at most 64 characters per number are read"
    )
    assert DIGITS[:100] not in problem.as_text()


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("NaN", "non-finite number constant"),
        ("-Infinity", "non-finite number constant"),
        ("1e400", "overflows a 64-bit float (it has 5 characters)"),
    ],
)
def test_loads_finite_refuses_what_json_cannot_carry(raw: str, says: str) -> None:
    with pytest.raises(NotFiniteNumber) as refused:
        loads_finite(f'{{"v": {raw}}}'.encode())
    assert refused.value.problem.path == "(body)"
    assert says in refused.value.problem.message


def test_loads_finite_reads_ordinary_json() -> None:
    assert loads_finite(b'{"size_cm": 10.7, "n": [1, 2]}') == {"size_cm": 10.7, "n": [1, 2]}


def test_marked_numbers_are_named_by_their_field() -> None:
    raw = f'{{"imaging": {{"size": {DIGITS}, "ratio": NaN, "big": 1e400, "ok": 2.5}}}}'
    document = loads_marked(raw.encode(), max_number_digits=30)
    assert isinstance(document["imaging"]["size"], Refused)
    assert document["imaging"]["ok"] == 2.5
    problems = {p.path: p.message for p in marked_problems(document, max_depth=32, max_string=100)}
    assert problems == {
        "imaging.size": "a number with 100000 digits; at most 30 are accepted",
        "imaging.ratio": "not a number JSON allows; send a finite number or null",
        "imaging.big": "a number too large to be represented; send a finite number",
    }


def test_marked_problems_bound_depth_and_texts() -> None:
    document = loads_marked(
        json.dumps({"a": [[[1]]], "note": "x" * 101}).encode(), max_number_digits=30
    )
    problems = {p.path: p.message for p in marked_problems(document, max_depth=3, max_string=100)}
    assert problems == {
        "a.0.0": "nested more than 3 levels deep",
        "note": "a text of 101 characters; at most 100 are accepted",
    }


def test_marked_problems_stop_at_twenty() -> None:
    document = loads_marked(json.dumps([float("nan")] * 50).encode(), max_number_digits=30)
    assert len(marked_problems(document, max_depth=8, max_string=100)) == 20
