"""How often the pre-operative plan agrees with what expert teams did.

For every case with a recorded answer, per decision: was the preferred option what the team
did, was it among the options the plan kept open (preferred, or an option whose condition is
met or unknown), or did the plan leave the decision undecided. Safety checks run on every
case (``safety.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pydantic import BaseModel, ConfigDict, Field

from rvlms.concordance.safety import Violation, violations
from rvlms.concordance.views import before_the_mdt
from rvlms.literature.entry import OrganDone, PublishedCase
from rvlms.pathway.engine import build_plan, evaluate_case
from rvlms.pathway.knowledge import KnowledgeBase, load_knowledge
from rvlms.pathway.plan import DECISION_ORDER, DecisionOut, Plan

DECISIONS = DECISION_ORDER
SAME_OUTCOME = {"reconstruction": [{"none", "vein_of_origin_ligation"}]}
"""Answers that name the same act: a tributary ligated with the tumour needs no reconstruction."""


class Tally(BaseModel):
    model_config = ConfigDict(frozen=False)

    known: int = 0
    preferred_match: int = 0
    in_options: int = 0
    undecided: int = 0

    def add(self, other: Tally) -> None:
        self.known += other.known
        self.preferred_match += other.preferred_match
        self.in_options += other.in_options
        self.undecided += other.undecided

    def rate(self, name: str) -> float:
        return getattr(self, name) / self.known if self.known else 0.0


class CaseResult(BaseModel):
    case: str
    decisions: dict[str, dict[str, object]]


class Concordance(BaseModel):
    """The contract of ``rvlms concordance --format json`` (plus per-case detail on request)."""

    cases: int
    decisions: dict[str, Tally]
    overall: Tally
    safety_violations: list[Violation]
    per_case: list[CaseResult] | None = Field(default=None, exclude=True)

    def contract(self) -> dict[str, object]:
        return {
            "cases": self.cases,
            "decisions": {k: v.model_dump() for k, v in self.decisions.items()},
            "overall": self.overall.model_dump(),
            "safety_violations": [v.model_dump() for v in self.safety_violations],
        }


def _same(decision: str, a: str, b: str) -> bool:
    return a == b or any({a, b} <= group for group in SAME_OUTCOME.get(decision, []))


def _single(decision: str, done: list[str], d: DecisionOut) -> dict[str, object]:
    open_ = [o.option for o in d.options if o.status in ("met", "unknown")]
    if d.preferred:
        open_.append(d.preferred)
    return {
        "done": done,
        "preferred": d.preferred,
        "preferred_match": d.preferred is not None
        and any(_same(decision, d.preferred, x) for x in done),
        "in_options": any(_same(decision, o, x) for o in open_ for x in done),
        "undecided": d.undecided,
    }


def _organs(done: list[OrganDone], plan: Plan) -> dict[str, object]:
    items = plan.decisions.organ_resection
    recommended = {o.item for o in items if o.role == "recommended"}
    offered = {o.item for o in items}
    wanted = {o.item.value for o in done}
    return {
        "done": sorted(wanted),
        "preferred": sorted(recommended),
        "preferred_match": recommended == wanted,
        "in_options": wanted <= offered if wanted else not recommended,
        "undecided": any(o.role == "contingent" for o in items),
    }


def assess(entry: PublishedCase, kb: KnowledgeBase) -> tuple[CaseResult, list[Violation]]:
    case = before_the_mdt(entry.case)
    plan = build_plan(case, kb=kb, timepoint="preoperative", similar=0)
    _, facts, _ = evaluate_case(case, kb)
    results: dict[str, dict[str, object]] = {}
    for name, value in entry.done.known().items():
        if name == "organ_resection":
            results[name] = _organs(value, plan)  # type: ignore[arg-type]
            continue
        done = [getattr(v, "value", v) for v in value] if isinstance(value, list) else [value.value]  # type: ignore[attr-defined]
        if not done:
            continue
        results[name] = _single(name, [str(x) for x in done], getattr(plan.decisions, name))
    return CaseResult(case=entry.id, decisions=results), violations(case, facts, plan)


def measure(
    entries: Iterable[PublishedCase],
    kb: KnowledgeBase | None = None,
    on_case: Callable[[], None] | None = None,
) -> Concordance:
    """``on_case`` is called after each case (a progress bar)."""
    kb = kb or load_knowledge()
    tallies = {name: Tally() for name in DECISIONS}
    found: list[Violation] = []
    per_case: list[CaseResult] = []
    count = 0
    for entry in entries:
        count += 1
        result, broken = assess(entry, kb)
        if on_case is not None:
            on_case()
        per_case.append(result)
        found.extend(broken)
        for name, outcome in result.decisions.items():
            t = tallies[name]
            t.known += 1
            t.preferred_match += bool(outcome["preferred_match"])
            t.in_options += bool(outcome["in_options"])
            t.undecided += bool(outcome["undecided"])
    overall = Tally()
    for t in tallies.values():
        overall.add(t)
    return Concordance(
        cases=count, decisions=tallies, overall=overall, safety_violations=found, per_case=per_case
    )
