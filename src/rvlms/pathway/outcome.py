"""How one rule came out for one case: scope, condition trace, truth and missing facts."""

from __future__ import annotations

from dataclasses import dataclass

from rvlms.pathway.conditions import Facts, Trace, Truth, evaluate
from rvlms.pathway.knowledge import Rule


@dataclass(frozen=True)
class Outcome:
    """How one rule came out for one case."""

    rule: Rule
    in_scope: Truth
    scope_trace: Trace | None
    trace: Trace | None

    @property
    def truth(self) -> Truth:
        """Unknown when either the scope or the condition cannot be decided."""
        if self.in_scope is Truth.unknown:
            return Truth.unknown
        if self.in_scope is Truth.false or self.trace is None:
            return Truth.false
        return self.trace.truth

    @property
    def because(self) -> list[str]:
        if self.trace is None:
            return []
        return list(dict.fromkeys(leaf.text for leaf in self.trace.supporting()))

    @property
    def missing(self) -> list[str]:
        if self.truth is not Truth.unknown or not self.rule.report_missing:
            return []
        trace = self.scope_trace if self.in_scope is Truth.unknown else self.trace
        return list(dict.fromkeys(trace.missing_facts())) if trace is not None else []


def evaluate_rule(rule: Rule, facts: Facts, names: dict[str, str]) -> Outcome:
    scope_trace = evaluate(rule.scope, facts, names) if rule.scope is not None else None
    in_scope = scope_trace.truth if scope_trace is not None else Truth.true
    trace = evaluate(rule.when, facts, names) if in_scope is Truth.true else None
    return Outcome(rule, in_scope, scope_trace, trace)
