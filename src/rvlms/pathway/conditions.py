"""The condition language of the decision map, and its pure three-valued evaluator.

A condition is data (YAML in the knowledge files), never code: a leaf compares one named
fact with a value, and ``all`` / ``any`` / ``not`` combine leaves. Because a case is
often incomplete, evaluation uses Kleene's three-valued logic: a leaf whose fact is
missing is *unknown*, ``all`` is false as soon as one part is false, ``any`` is true as
soon as one part is true, and otherwise an unknown part makes the whole unknown. An
unknown rule is what turns into a "missing fact" in the plan instead of a guess.

Leaf forms::

    {fact: ivc_level, in: [III]}        membership
    {fact: collaterals, is: true}       equality
    {fact: size_cm, gt: 10}             gt / ge / lt / le
    {fact: symptoms, contains: palpitation}
    {fact: operation_date, known: true} whether the fact is known (never unknown itself)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

Scalar = str | int | float | bool


class Truth(Enum):
    true = "true"
    false = "false"
    unknown = "unknown"

    @classmethod
    def of(cls, value: bool) -> Truth:
        return cls.true if value else cls.false


class _Node(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


_OPERATORS = ("is_", "in_", "gt", "ge", "lt", "le", "contains", "known")


class Leaf(_Node):
    fact: str
    is_: Scalar | None = Field(default=None, alias="is")
    in_: tuple[Scalar, ...] | None = Field(default=None, alias="in")
    gt: float | None = None
    ge: float | None = None
    lt: float | None = None
    le: float | None = None
    contains: Scalar | None = None
    known: bool | None = None

    @model_validator(mode="after")
    def _one_operator(self) -> Leaf:
        given = [op for op in _OPERATORS if getattr(self, op) is not None]
        if len(given) != 1:
            raise ValueError(
                f"condition on '{self.fact}' needs exactly one of is, in, gt, ge, lt, le, "
                f"contains, known (given: {', '.join(op.rstrip('_') for op in given) or 'none'})"
            )
        return self

    @property
    def operator(self) -> str:
        return next(op for op in _OPERATORS if getattr(self, op) is not None).rstrip("_")

    @property
    def operand(self) -> Any:
        return next(getattr(self, op) for op in _OPERATORS if getattr(self, op) is not None)

    def facts(self) -> set[str]:
        return {self.fact}


class Always(_Node):
    """A condition that holds for every case (general advice of a stage)."""

    always: Literal[True]

    def facts(self) -> set[str]:
        return set()


class All(_Node):
    all: tuple[Condition, ...]

    def facts(self) -> set[str]:
        return set().union(*(c.facts() for c in self.all))


class Any_(_Node):
    any: tuple[Condition, ...]

    def facts(self) -> set[str]:
        return set().union(*(c.facts() for c in self.any))


class Not(_Node):
    not_: Condition = Field(alias="not")

    def facts(self) -> set[str]:
        return self.not_.facts()


Condition = Annotated[Union[Leaf, Always, All, Any_, Not], Field(union_mode="left_to_right")]  # noqa: UP007

All.model_rebuild()
Any_.model_rebuild()
Not.model_rebuild()


class _Missing:
    """The value of a fact the case does not hold."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()

Facts = dict[str, Any]


@dataclass(frozen=True)
class Trace:
    """How one node evaluated: the reason a recommendation fired, or did not."""

    truth: Truth
    text: str
    fact: str | None = None
    value: Any = None
    children: tuple[Trace, ...] = ()

    def leaves(self) -> list[Trace]:
        if self.fact is not None:
            return [self]
        found: list[Trace] = []
        for child in self.children:
            found.extend(child.leaves())
        return found

    def missing_facts(self) -> list[str]:
        return [t.fact for t in self.leaves() if t.fact is not None and t.value is MISSING]

    def supporting(self) -> list[Trace]:
        """The leaves that made the whole true (the triggering facts)."""
        if self.fact is not None or not self.children and self.truth is Truth.true:
            return [self] if self.truth is Truth.true else []
        found: list[Trace] = []
        for child in self.children:
            if child.truth is self.truth or (
                self.text == "not" and child.truth is not Truth.unknown
            ):
                found.extend(child.supporting() if self.text != "not" else child.leaves())
        return found


def _show(value: Any) -> str:
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple | set):
        return ", ".join(_show(v) for v in value) or "none"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


def _compare(leaf: Leaf, value: Any) -> bool:
    op, operand = leaf.operator, leaf.operand
    plain = _plain(value)
    if op == "is":
        return bool(plain == operand)
    if op == "in":
        return plain in operand
    if op == "contains":
        return isinstance(plain, list) and operand in plain
    number = float(plain)
    return {
        "gt": number > operand,
        "ge": number >= operand,
        "lt": number < operand,
        "le": number <= operand,
    }[op]


_WORDS = {"is": "=", "in": "in", "gt": ">", "ge": "≥", "lt": "<", "le": "≤", "contains": "includes"}


def evaluate(condition: Condition, facts: Facts, labels: dict[str, str] | None = None) -> Trace:
    """Evaluate a condition against the facts of one case; pure, no I/O."""
    labels = labels or {}
    if isinstance(condition, Always):
        return Trace(Truth.true, "applies to every case")
    if isinstance(condition, Leaf):
        name = labels.get(condition.fact, condition.fact.replace("_", " "))
        value = facts.get(condition.fact, MISSING)
        if condition.operator == "known":
            known = value is not MISSING
            truth = Truth.of(known == condition.known)
            state = "known" if known else "not known"
            return Trace(truth, f"{name} {state}", condition.fact, value)
        expected = _show(condition.operand)
        if value is MISSING:
            return Trace(Truth.unknown, f"{name} not known (needs {_WORDS[condition.operator]} "
                                        f"{expected})", condition.fact, MISSING)
        truth = Truth.of(_compare(condition, value))
        if condition.operator in ("is", "in") and truth is Truth.true:
            text = f"{name}: {_show(value)}"
        else:
            text = f"{name}: {_show(value)} ({_WORDS[condition.operator]} {expected}: " \
                   f"{'yes' if truth is Truth.true else 'no'})"
        return Trace(truth, text, condition.fact, value)
    if isinstance(condition, Not):
        inner = evaluate(condition.not_, facts, labels)
        flipped = {Truth.true: Truth.false, Truth.false: Truth.true}.get(inner.truth, Truth.unknown)
        return Trace(flipped, "not", children=(inner,))
    parts = condition.all if isinstance(condition, All) else condition.any
    children = tuple(evaluate(part, facts, labels) for part in parts)
    truths = {child.truth for child in children}
    decisive = Truth.false if isinstance(condition, All) else Truth.true
    if decisive in truths:
        truth = decisive
    elif Truth.unknown in truths:
        truth = Truth.unknown
    else:
        truth = Truth.true if isinstance(condition, All) else Truth.false
    return Trace(truth, "all" if isinstance(condition, All) else "any", children=children)

