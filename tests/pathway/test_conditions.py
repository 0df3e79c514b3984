"""The condition language: Kleene three-valued logic, leaf operators, and refusal of bad rules."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from rvlms.pathway import Truth, evaluate
from rvlms.pathway.conditions import Condition

_adapter: TypeAdapter[Any] = TypeAdapter(Condition)


def cond(data: Any) -> Any:
    return _adapter.validate_python(data)


T = {"fact": "t", "is": True}
F = {"fact": "f", "is": True}
U = {"fact": "u", "is": True}
FACTS = {"t": True, "f": False}

# all / any / not over true, false and unknown (u is missing from the facts)
TABLE = [
    # all
    ({"all": [T, T]}, Truth.true),
    ({"all": [T, F]}, Truth.false),
    ({"all": [T, U]}, Truth.unknown),
    ({"all": [F, U]}, Truth.false),
    ({"all": [U, U]}, Truth.unknown),
    # any
    ({"any": [F, F]}, Truth.false),
    ({"any": [T, U]}, Truth.true),
    ({"any": [F, U]}, Truth.unknown),
    ({"any": [U, U]}, Truth.unknown),
    # not
    ({"not": T}, Truth.false),
    ({"not": F}, Truth.true),
    ({"not": U}, Truth.unknown),
    # known never is unknown
    ({"fact": "u", "known": False}, Truth.true),
    ({"fact": "t", "known": False}, Truth.false),
    ({"always": True}, Truth.true),
]


@pytest.mark.parametrize(("condition", "expected"), TABLE)
def test_kleene_table(condition: Any, expected: Truth) -> None:
    assert evaluate(cond(condition), FACTS).truth is expected


@pytest.mark.parametrize(
    ("leaf", "value", "expected"),
    [
        ({"fact": "x", "gt": 5}, 5.0, False),
        ({"fact": "x", "ge": 5}, 5.0, True),
        ({"fact": "x", "lt": 50}, 49.9, True),
        ({"fact": "x", "le": 50}, 50, True),
        ({"fact": "x", "in": ["II", "III"]}, "III", True),
        ({"fact": "x", "in": ["II", "III"]}, "I", False),
        ({"fact": "x", "contains": "palpitation"}, ["headache", "palpitation"], True),
        ({"fact": "x", "contains": "palpitation"}, ["headache"], False),
        ({"fact": "x", "is": "occluded"}, "patent", False),
    ],
)
def test_leaf_operators(leaf: Any, value: Any, expected: bool) -> None:
    assert evaluate(cond(leaf), {"x": value}).truth is Truth.of(expected)


def test_missing_facts_and_because() -> None:
    trace = evaluate(cond({"all": [T, {"fact": "size", "gt": 5}]}), {"t": True}, {"t": "test fact"})
    assert trace.truth is Truth.unknown
    assert trace.missing_facts() == ["size"]
    fired = evaluate(cond({"any": [T, F]}), FACTS, {"t": "test fact"})
    assert [leaf.text for leaf in fired.supporting()] == ["test fact: yes"]


@pytest.mark.parametrize(
    "bad",
    [
        {"fact": "x"},
        {"fact": "x", "is": 1, "gt": 2},
        {"fact": "x", "equals": 1},
        {"all": "not-a-list"},
        {"python": "__import__('os')"},
    ],
)
def test_malformed_conditions_are_refused(bad: Any) -> None:
    with pytest.raises(ValidationError):
        cond(bad)
