"""Why a rule fired for a case, or why it did not: the evaluated condition as a tree."""

from __future__ import annotations

from dataclasses import dataclass

from rvlms.case import Case
from rvlms.imaging import classify
from rvlms.pathway.conditions import Trace, Truth
from rvlms.pathway.facts import CATALOGUE, derive_facts, labels
from rvlms.pathway.knowledge import KnowledgeBase, load_knowledge
from rvlms.pathway.outcome import Outcome, evaluate_rule

_MARK = {Truth.true: "✔", Truth.false: "✘", Truth.unknown: "?"}


@dataclass(frozen=True)
class Explanation:
    rule_id: str
    title: str
    verdict: str
    lines: list[str]
    missing: list[str]

    def as_text(self) -> str:
        head = [f"{self.rule_id} — {self.title}", f"verdict: {self.verdict}"]
        tail = [f"missing: {', '.join(self.missing)}"] if self.missing else []
        return "\n".join(head + self.lines + tail)


def _tree(trace: Trace, depth: int = 1) -> list[str]:
    pad = "  " * depth
    label = {"all": "all of:", "any": "any of:", "not": "not:"}.get(trace.text, trace.text)
    lines = [f"{pad}{_MARK[trace.truth]} {label}"]
    for child in trace.children:
        lines.extend(_tree(child, depth + 1))
    return lines


def _verdict(outcome: Outcome) -> str:
    if outcome.in_scope is Truth.false:
        return "does not apply to this case (outside its scope)"
    if outcome.in_scope is Truth.unknown:
        return "cannot be decided: whether it applies depends on missing facts"
    return {
        Truth.true: "fired",
        Truth.false: "did not fire",
        Truth.unknown: "cannot be decided: facts are missing",
    }[outcome.truth]


def explain(case: Case, rule_id: str, kb: KnowledgeBase | None = None) -> Explanation:
    """Evaluate one rule for one case and show every condition with its value (only the facts
    the rule reads are derived: the others cannot change its trace)."""
    kb = kb or load_knowledge()
    rule = kb.rule(rule_id)
    read = rule.facts()
    facts = derive_facts(case, classify(case), [name for name in CATALOGUE if name in read])
    outcome = evaluate_rule(rule, facts, labels())
    lines: list[str] = []
    if outcome.scope_trace is not None:
        lines.append("scope:")
        lines.extend(_tree(outcome.scope_trace))
    if outcome.trace is not None:
        lines.append("condition:")
        lines.extend(_tree(outcome.trace))
    missing = [f"{CATALOGUE[f].fields[0]} ({CATALOGUE[f].label})" for f in outcome.missing]
    return Explanation(rule.id, rule.title, _verdict(outcome), lines, missing)
