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
from functools import cached_property
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

    @cached_property
    def spec(self) -> tuple[str, Any]:
        """(operator, operand), computed once: evaluation runs for every rule of every plan."""
        op = next(op for op in _OPERATORS if getattr(self, op) is not None)
        return op.rstrip("_"), getattr(self, op)

    @property
    def operator(self) -> str:
        return self.spec[0]

    @property
    def operand(self) -> Any:
        return self.spec[1]

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


@dataclass(frozen=True, slots=True)
class Trace:
    """How one node evaluated: the reason a recommendation fired, or did not.

    The human-readable ``text`` is built only when asked for, so evaluating a whole
    knowledge base stays cheap.
    """

    truth: Truth
    node: Any
    value: Any = None
    children: tuple[Trace, ...] = ()
    labels: dict[str, str] | None = None

    @property
    def fact(self) -> str | None:
        return self.node.fact if isinstance(self.node, Leaf) else None

    @property
    def text(self) -> str:
        node = self.node
        if isinstance(node, Always):
            return "applies to every case"
        if not isinstance(node, Leaf):
            return "not" if isinstance(node, Not) else "all" if isinstance(node, All) else "any"
        return leaf_text(node, self.value, self.truth, self.labels)

    def leaves(self) -> list[Trace]:
        if isinstance(self.node, Leaf):
            return [self]
        found: list[Trace] = []
        for child in self.children:
            found.extend(child.leaves())
        return found

    def missing_facts(self) -> list[str]:
        return [t.node.fact for t in self.leaves() if t.value is MISSING]

    def supporting(self) -> list[Trace]:
        """The leaves that made the whole true (the triggering facts)."""
        if isinstance(self.node, Leaf | Always):
            return [self] if self.truth is Truth.true else []
        if isinstance(self.node, Not):
            return [leaf for leaf in self.leaves() if leaf.value is not MISSING]
        found: list[Trace] = []
        for child in self.children:
            if child.truth is self.truth:
                found.extend(child.supporting())
        return found


def leaf_text(leaf: Leaf, value: Any, truth: Truth, labels: dict[str, str] | None) -> str:
    """A leaf with the case's value in words ("IVC patency: patent"), as ``because`` and
    ``explain`` show it."""
    name = (labels or {}).get(leaf.fact, leaf.fact.replace("_", " "))
    op, operand = leaf.spec
    if op == "known":
        return f"{name} {'not known' if value is MISSING else 'known'}"
    expected = _show(operand)
    if value is MISSING:
        return f"{name} not known (needs {_WORDS[op]} {expected})"
    if op in ("is", "in") and truth is Truth.true:
        return f"{name}: {_show(value)}"
    verdict = "yes" if truth is Truth.true else "no"
    return f"{name}: {_show(value)} ({_WORDS[op]} {expected}: {verdict})"


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


_AS_IS = frozenset({str, int, float, bool})


def plain(value: Any) -> Any:
    """A fact's value as rules compare it: an enum member as its value, a collection as a list
    (the common plain scalars are returned at once)."""
    return value if type(value) in _AS_IS else _plain(value)


def _compare(leaf: Leaf, value: Any) -> bool:
    op, operand = leaf.spec
    plain = _plain(value)
    if op == "is":
        return bool(plain == operand)
    if op == "in":
        return bool(plain in operand)
    if op == "contains":
        return isinstance(plain, list) and operand in plain
    number, bound = float(plain), float(operand)
    if op == "gt":
        return number > bound
    if op == "ge":
        return number >= bound
    if op == "lt":
        return number < bound
    return number <= bound


_WORDS = {"is": "=", "in": "in", "gt": ">", "ge": "≥", "lt": "<", "le": "≤", "contains": "includes"}
_FLIP = {Truth.true: Truth.false, Truth.false: Truth.true, Truth.unknown: Truth.unknown}


def describe(condition: Condition, labels: dict[str, str] | None = None) -> str:
    """A condition in words, for the options of a decision ("IVC patency in patent, ...")."""
    if isinstance(condition, Always):
        return "always"
    if isinstance(condition, Leaf):
        name = (labels or {}).get(condition.fact, condition.fact.replace("_", " "))
        op, operand = condition.spec
        if op == "known":
            return f"{name} {'known' if operand else 'not known'}"
        if op == "is" and isinstance(operand, bool):
            return name if operand else f"no {name}"
        return f"{name} {_WORDS[op]} {_show(operand)}"
    if isinstance(condition, Not):
        return f"not ({describe(condition.not_, labels)})"
    parts = condition.all if isinstance(condition, All) else condition.any
    joiner = " and " if isinstance(condition, All) else " or "
    words = [describe(p, labels) for p in parts]
    return joiner.join(f"({w})" if (" and " in w or " or " in w) else w for w in words)


def evaluate(condition: Condition, facts: Facts, labels: dict[str, str] | None = None) -> Trace:
    """Evaluate a condition against the facts of one case, with the trace of every node; pure.

    Every part is evaluated (no short cut), so the trace shows each fact with its value.
    Deciding a rule alone is cheaper with :func:`compiled`.
    """
    if isinstance(condition, Leaf):
        value = facts.get(condition.fact, MISSING)
        if condition.spec[0] == "known":
            truth = Truth.of((value is not MISSING) == condition.known)
        elif value is MISSING:
            truth = Truth.unknown
        else:
            truth = Truth.of(_compare(condition, value))
        return Trace(truth, condition, value, labels=labels)
    if isinstance(condition, Always):
        return Trace(Truth.true, condition, labels=labels)
    if isinstance(condition, Not):
        inner = evaluate(condition.not_, facts, labels)
        return Trace(_FLIP[inner.truth], condition, children=(inner,), labels=labels)
    is_all = isinstance(condition, All)
    parts = condition.all if is_all else condition.any  # type: ignore[union-attr]
    children = tuple(evaluate(part, facts, labels) for part in parts)
    return Trace(
        _combine(is_all, [c.truth for c in children]), condition, children=children, labels=labels
    )


def _combine(is_all: bool, truths: list[Truth]) -> Truth:
    decisive = Truth.false if is_all else Truth.true
    if any(t is decisive for t in truths):
        return decisive
    if any(t is Truth.unknown for t in truths):
        return Truth.unknown
    return Truth.true if is_all else Truth.false
