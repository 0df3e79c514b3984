"""Conditions compiled to closures: the fast path that decides every rule of every plan.

:func:`rvlms.pathway.conditions.evaluate` walks the condition models and builds a
:class:`~rvlms.pathway.conditions.Trace` of every node, which a plan needs only for the few
rules whose ``because`` or ``missing`` it shows (and ``explain`` for one rule). Deciding
whether a rule holds needs only the truth: a closure per node, built once per condition,
gives it without isinstance dispatch, trace objects or sets of enum members, and stops at
the first part that decides an ``all`` or ``any``. The truth is the same as ``evaluate``'s
for every condition and set of facts.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from rvlms.pathway.conditions import (
    MISSING,
    All,
    Always,
    Any_,
    Condition,
    Facts,
    Leaf,
    Not,
    Truth,
    leaf_text,
    plain,
)

Check = Callable[[Facts], Truth]

_TRUE, _FALSE, _UNKNOWN = Truth.true, Truth.false, Truth.unknown
_AS_IS = frozenset({str, int, float, bool})
"""Types whose values rules compare as they are; others go through ``plain`` (the check
inline saves a call for most leaves)."""
_ORDER: dict[str, Callable[[float, float], bool]] = {
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
}


def _leaf(leaf: Leaf) -> Check:
    name = leaf.fact
    op, operand = leaf.spec
    if op == "known":
        wanted = bool(operand)

        def known(facts: Facts) -> Truth:
            return _TRUE if (facts.get(name, MISSING) is not MISSING) is wanted else _FALSE

        return known
    if op == "is":

        def equal(facts: Facts) -> Truth:
            value = facts.get(name, MISSING)
            if value is MISSING:
                return _UNKNOWN
            if type(value) not in _AS_IS:
                value = plain(value)
            return _TRUE if value == operand else _FALSE

        return equal
    if op == "in":
        options = tuple(operand)

        def member(facts: Facts) -> Truth:
            value = facts.get(name, MISSING)
            if value is MISSING:
                return _UNKNOWN
            if type(value) not in _AS_IS:
                value = plain(value)
            return _TRUE if value in options else _FALSE

        return member
    if op == "contains":

        def contains(facts: Facts) -> Truth:
            value = facts.get(name, MISSING)
            if value is MISSING:
                return _UNKNOWN
            found = plain(value)
            return _TRUE if isinstance(found, list) and operand in found else _FALSE

        return contains
    order, bound = _ORDER[op], float(operand)

    def compare(facts: Facts) -> Truth:
        value = facts.get(name, MISSING)
        if value is MISSING:
            return _UNKNOWN
        return _TRUE if order(float(plain(value)), bound) else _FALSE

    return compare


def _all(parts: tuple[Check, ...]) -> Check:
    def every(facts: Facts) -> Truth:
        result = _TRUE
        for part in parts:
            truth = part(facts)
            if truth is _FALSE:
                return _FALSE
            if truth is _UNKNOWN:
                result = _UNKNOWN
        return result

    return every


def _any(parts: tuple[Check, ...]) -> Check:
    def some(facts: Facts) -> Truth:
        result = _FALSE
        for part in parts:
            truth = part(facts)
            if truth is _TRUE:
                return _TRUE
            if truth is _UNKNOWN:
                result = _UNKNOWN
        return result

    return some


def _not(inner: Check) -> Check:
    def negated(facts: Facts) -> Truth:
        truth = inner(facts)
        return _FALSE if truth is _TRUE else _TRUE if truth is _FALSE else _UNKNOWN

    return negated


def _always(_: Facts) -> Truth:
    return _TRUE


def _build(condition: Condition) -> Check:
    if isinstance(condition, Leaf):
        return _leaf(condition)
    if isinstance(condition, Always):
        return _always
    if isinstance(condition, Not):
        return _not(compiled(condition.not_))
    if isinstance(condition, All):
        return _all(tuple(compiled(part) for part in condition.all))
    return _any(tuple(compiled(part) for part in condition.any))


_COMPILED: dict[int, tuple[Condition, Check]] = {}
_LEAF_FACTS: dict[int, tuple[Condition, tuple[str, ...]]] = {}


def compiled(condition: Condition) -> Check:
    """The condition as a closure from facts to truth, built once per condition object.

    Keyed by identity and holding the condition, so an equal condition of another knowledge
    base gets its own entry and a freed one is never mistaken for a new one.
    """
    known = _COMPILED.get(id(condition))
    if known is None or known[0] is not condition:
        known = _COMPILED[id(condition)] = (condition, _build(condition))
    return known[1]


def _leaves(condition: Condition) -> list[str]:
    if isinstance(condition, Leaf):
        return [condition.fact]
    if isinstance(condition, Always):
        return []
    if isinstance(condition, Not):
        return _leaves(condition.not_)
    parts: tuple[Any, ...] = condition.all if isinstance(condition, All) else condition.any
    return [name for part in parts for name in _leaves(part)]


def leaf_facts(condition: Condition) -> tuple[str, ...]:
    """The facts the leaves name, in the order the trace lists its leaves, each once.

    The missing facts of an undecided rule are those of them the case lacks: the same list
    as ``evaluate(...).missing_facts()`` without building the trace.
    """
    known = _LEAF_FACTS.get(id(condition))
    if known is None or known[0] is not condition:
        names = tuple(dict.fromkeys(_leaves(condition)))
        known = _LEAF_FACTS[id(condition)] = (condition, names)
    return known[1]


def supporting(condition: Condition, facts: Facts, labels: dict[str, str] | None) -> list[str]:
    """The leaves that made the condition come out as it did, in words: the texts of
    ``evaluate(...).supporting()`` without building the trace (``because`` of a plan).

    A part counts when its truth is the whole's; under a ``not`` every leaf whose fact is
    known counts, since each of them was needed to negate.
    """
    found: list[str] = []
    _support(condition, compiled(condition)(facts), facts, labels, found)
    return found


def _support(
    condition: Condition,
    truth: Truth,
    facts: Facts,
    labels: dict[str, str] | None,
    found: list[str],
) -> None:
    if isinstance(condition, Leaf):
        if truth is _TRUE:
            found.append(leaf_text(condition, facts.get(condition.fact, MISSING), truth, labels))
    elif isinstance(condition, Always):
        if truth is _TRUE:
            found.append("applies to every case")
    elif isinstance(condition, Not):
        _known_leaves(condition.not_, facts, labels, found)
    else:
        parts: tuple[Any, ...] = condition.all if isinstance(condition, All) else condition.any
        for part in parts:
            part_truth = compiled(part)(facts)
            if part_truth is truth:
                _support(part, part_truth, facts, labels, found)


def _known_leaves(
    condition: Condition, facts: Facts, labels: dict[str, str] | None, found: list[str]
) -> None:
    if isinstance(condition, Leaf):
        value = facts.get(condition.fact, MISSING)
        if value is not MISSING:
            found.append(leaf_text(condition, value, compiled(condition)(facts), labels))
    elif isinstance(condition, Not):
        _known_leaves(condition.not_, facts, labels, found)
    elif isinstance(condition, All | Any_):
        parts: tuple[Any, ...] = condition.all if isinstance(condition, All) else condition.any
        for part in parts:
            _known_leaves(part, facts, labels, found)


__all__ = ["Check", "compiled", "leaf_facts", "supporting"]
