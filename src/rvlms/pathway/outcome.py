"""How one rule came out for one case: scope, condition trace, truth and missing facts."""

from __future__ import annotations

from collections.abc import Sequence

from rvlms.pathway.compiled import Check, compiled, leaf_facts, supporting
from rvlms.pathway.conditions import MISSING, Facts, Trace, Truth, evaluate
from rvlms.pathway.knowledge import Rule


class Outcome:
    """How one rule came out for one case.

    ``truth`` is unknown when either the scope or the condition cannot be decided; it comes
    from the compiled conditions. The traces, ``because`` and ``missing``
    are built on first use and kept: a plan shows them for a few rules only, ``explain``
    for one.
    """

    __slots__ = ("_because", "_facts", "_missing", "_names", "_traces", "in_scope", "rule", "truth")

    def __init__(
        self, rule: Rule, in_scope: Truth, truth: Truth, facts: Facts, names: dict[str, str]
    ) -> None:
        self.rule = rule
        self.in_scope = in_scope
        self.truth = truth
        self._facts = facts
        self._names = names
        self._traces: tuple[Trace | None, Trace | None] | None = None
        self._because: tuple[str, ...] | None = None
        self._missing: tuple[str, ...] | None = None

    def __repr__(self) -> str:
        return f"Outcome({self.rule.id!r}, in_scope={self.in_scope.value}, {self.truth.value})"

    def _traced(self) -> tuple[Trace | None, Trace | None]:
        if self._traces is None:
            rule = self.rule
            scope = evaluate(rule.scope, self._facts, self._names) if rule.scope else None
            when = (
                evaluate(rule.when, self._facts, self._names)
                if self.in_scope is Truth.true
                else None
            )
            self._traces = (scope, when)
        return self._traces

    @property
    def scope_trace(self) -> Trace | None:
        """How the scope evaluated (None for a rule without scope)."""
        return self._traced()[0]

    @property
    def trace(self) -> Trace | None:
        """How the condition evaluated (None unless the rule is in scope)."""
        return self._traced()[1]

    @property
    def because(self) -> list[str]:
        if self._because is None:
            self._because = (
                tuple(dict.fromkeys(supporting(self.rule.when, self._facts, self._names)))
                if self.in_scope is Truth.true
                else ()
            )
        return list(self._because)

    @property
    def missing(self) -> list[str]:
        if self._missing is None:
            self._missing = self._missing_facts()
        return list(self._missing)

    def _missing_facts(self) -> tuple[str, ...]:
        if self.truth is not Truth.unknown or not self.rule.report_missing:
            return ()
        undecided = self.rule.scope if self.in_scope is Truth.unknown else self.rule.when
        if undecided is None:
            return ()
        facts = self._facts
        return tuple(name for name in leaf_facts(undecided) if facts.get(name, MISSING) is MISSING)


def _truths(scope: Check | None, when: Check, facts: Facts) -> tuple[Truth, Truth]:
    in_scope = scope(facts) if scope is not None else Truth.true
    if in_scope is Truth.true:
        return in_scope, when(facts)
    return in_scope, Truth.unknown if in_scope is Truth.unknown else Truth.false


def evaluate_rule(rule: Rule, facts: Facts, names: dict[str, str]) -> Outcome:
    scope = compiled(rule.scope) if rule.scope is not None else None
    in_scope, truth = _truths(scope, compiled(rule.when), facts)
    return Outcome(rule, in_scope, truth, facts, names)


_Checks = tuple[tuple[Rule, Check | None, Check], ...]
_CHECKS: dict[int, tuple[Sequence[Rule], _Checks]] = {}


def _checks(rules: Sequence[Rule]) -> _Checks:
    """The compiled scope and condition of each rule, looked up once per rule list."""
    known = _CHECKS.get(id(rules))
    if known is None or known[0] is not rules:
        checks = tuple(
            (r, compiled(r.scope) if r.scope is not None else None, compiled(r.when)) for r in rules
        )
        known = _CHECKS[id(rules)] = (rules, checks)
    return known[1]


def evaluate_rules(rules: Sequence[Rule], facts: Facts, names: dict[str, str]) -> list[Outcome]:
    """Every rule's outcome for one case, in the rules' order."""
    outcomes: list[Outcome] = []
    append = outcomes.append
    true, false, unknown = Truth.true, Truth.false, Truth.unknown
    for rule, scope, when in _checks(rules):
        in_scope = true if scope is None else scope(facts)
        if in_scope is true:
            append(Outcome(rule, true, when(facts), facts, names))
        else:
            append(Outcome(rule, in_scope, unknown if in_scope is unknown else false, facts, names))
    return outcomes
