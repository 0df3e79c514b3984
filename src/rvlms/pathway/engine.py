"""From one case to a cited MDT plan.

The engine evaluates every rule of the knowledge base against the case's facts. A rule that
holds becomes a recommendation (or a warning) with its evidence and the facts that
triggered it; a rule that cannot be evaluated turns into missing facts with what they
would decide; a rule that does not hold stays silent (``explain`` shows why).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rvlms.case import Case, FollowUp, Postoperative
from rvlms.imaging import Classification, ImagingDefinition, classify
from rvlms.pathway.conditions import Facts, Trace, Truth, evaluate
from rvlms.pathway.facts import CATALOGUE, derive_facts, labels
from rvlms.pathway.followup import follow_up_plan
from rvlms.pathway.knowledge import (
    STAGE_TITLES,
    Decision,
    Evidence,
    KnowledgeBase,
    Rule,
    Stage,
    load_knowledge,
)
from rvlms.pathway.plan import (
    ClassificationOut,
    DecisionOut,
    Decisions,
    EvidenceOut,
    MissingFact,
    OrganResectionOut,
    Plan,
    Recommendation,
    SourceOut,
    StagePlan,
    SupersededBy,
    Warning,
)


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


def evaluate_case(
    case: Case, kb: KnowledgeBase | None = None, definition: ImagingDefinition | None = None
) -> tuple[Classification, Facts, list[Outcome]]:
    kb = kb or load_knowledge()
    classification = classify(case, definition)
    facts = derive_facts(case, classification)
    names = labels()
    return classification, facts, [evaluate_rule(rule, facts, names) for rule in kb.rules]


def _evidence(items: tuple[Evidence, ...], kb: KnowledgeBase) -> list[EvidenceOut]:
    return [
        EvidenceOut(
            source=e.source,
            locator=e.locator,
            citation=kb.sources[e.source].citation,
            verified=kb.sources[e.source].verified,
        )
        for e in items
    ]


_Cited = tuple[list[EvidenceOut], SupersededBy | None]
_CITED: dict[int, tuple[KnowledgeBase, dict[str, _Cited]]] = {}


def _cited(rule: Rule, kb: KnowledgeBase) -> _Cited:
    """A rule's resolved evidence, built once per knowledge base (it is the same for every case)."""
    entry = _CITED.get(id(kb))
    if entry is None or entry[0] is not kb:
        entry = _CITED[id(kb)] = (kb, {})
    cited = entry[1].get(rule.id)
    if cited is None:
        superseded = (
            SupersededBy(
                text=rule.superseded_by.text, evidence=_evidence(rule.superseded_by.evidence, kb)
            )
            if rule.superseded_by
            else None
        )
        cited = entry[1][rule.id] = (_evidence(rule.evidence, kb), superseded)
    return cited


def _recommendation(outcome: Outcome, kb: KnowledgeBase) -> dict[str, object]:
    rule = outcome.rule
    evidence, superseded = _cited(rule, kb)
    return {
        "id": rule.id,
        "title": rule.title,
        "text": rule.text,
        "strength": rule.strength,
        "status": rule.status,
        "evidence": evidence,
        "because": outcome.because,
        "superseded_by": superseded,
    }


def _decide(decision: Decision, outcomes: list[Outcome], facts: Facts) -> DecisionOut:
    votes = [(o, v) for o in outcomes for v in o.rule.decides if v.decision is decision]
    preferred_votes = sorted(
        ((o, v) for o, v in votes if v.role == "preferred" and o.truth is not Truth.false),
        key=lambda ov: -ov[1].priority,
    )
    winner = next(((o, v) for o, v in preferred_votes if o.truth is Truth.true), None)
    bar = winner[1].priority if winner else None
    blockers = [
        o
        for o, v in preferred_votes
        if o.truth is Truth.unknown and (bar is None or v.priority > bar)
    ]
    preferred: str | None = None
    because: list[str] = []
    rules: list[str] = []
    undecided = [CATALOGUE[f].label for o in blockers for f in o.missing]
    if winner is not None and not blockers:
        preferred, because, rules = winner[1].option, winner[0].because, [winner[0].rule.id]
    alternatives: list[str] = []
    for outcome, vote in votes:
        if outcome.truth is Truth.true and vote.option != preferred:
            alternatives.append(vote.option)
            if outcome.rule.id not in rules:
                rules.append(outcome.rule.id)
    return DecisionOut(
        preferred=preferred,
        alternatives=list(dict.fromkeys(alternatives)),
        because=because,
        rules=rules,
        undecided_because=list(dict.fromkeys(undecided)),
    )


def _organ_resections(outcomes: list[Outcome], facts: Facts) -> list[OrganResectionOut]:
    chosen: dict[str, OrganResectionOut] = {}
    for outcome in outcomes:
        if outcome.truth is not Truth.true:
            continue
        for vote in outcome.rule.decides:
            if vote.decision is not Decision.organ_resection:
                continue
            role = "recommended" if vote.role == "preferred" else "consider"
            side = facts.get(vote.side_fact) if vote.side_fact else None
            current = chosen.get(vote.option)
            if current is None or (current.role == "consider" and role == "recommended"):
                chosen[vote.option] = OrganResectionOut(
                    item=vote.option,
                    side=str(side) if side is not None else None,
                    role=role,
                    rule=outcome.rule.id,
                    because=outcome.because,
                )
    return list(chosen.values())


def _missing_facts(outcomes: list[Outcome], classification: Classification) -> list[MissingFact]:
    merged: dict[str, tuple[str, list[str], list[str]]] = {}
    for item in classification.missing:
        merged.setdefault(item.fact, (item.fact, [], []))[1].append(item.needed_for)
    for outcome in outcomes:
        purpose = outcome.rule.needed_for or outcome.rule.title
        for name in outcome.missing:
            field = CATALOGUE[name].fields[0]
            entry = merged.setdefault(field, (CATALOGUE[name].label, [], []))
            entry[1].append(purpose)
            entry[2].append(outcome.rule.id)
    return [
        MissingFact(
            fact=field,
            label=label,
            needed_for="; ".join(dict.fromkeys(purposes)),
            rules=list(dict.fromkeys(rule_ids)),
        )
        for field, (label, purposes, rule_ids) in merged.items()
    ]


Timepoint = Literal["current", "preoperative"]


def preoperative_view(case: Case) -> Case:
    """The case as the MDT knew it before surgery: no operation, specimen, complications,
    adjuvant therapy or follow-up. Used to ask what the map would have advised then."""
    return case.model_copy(
        update={
            "operation": None,
            "pathology": None,
            "complications": [],
            "postoperative": Postoperative(),
            "adjuvant": [],
            "follow_up": FollowUp(),
        }
    )


def build_plan(
    case: Case,
    *,
    kb: KnowledgeBase | None = None,
    definition: ImagingDefinition | None = None,
    follow_up_years: int = 5,
    timepoint: Timepoint = "current",
) -> Plan:
    """The cited MDT plan for one case.

    ``timepoint="current"`` plans with everything the record holds; ``"preoperative"`` plans
    with what was known before surgery (the view for auditing a past MDT decision).
    """
    if timepoint == "preoperative":
        case = preoperative_view(case)
    kb = kb or load_knowledge()
    classification, facts, outcomes = evaluate_case(case, kb, definition)
    fired = [o for o in outcomes if o.truth is Truth.true]
    warnings = [
        Warning(stage=o.rule.stage, **_recommendation(o, kb))
        for o in fired
        if o.rule.kind == "warning"
    ]
    stages = [
        StagePlan(
            stage=stage,
            title=STAGE_TITLES[stage],
            recommendations=[
                Recommendation(**_recommendation(o, kb))
                for o in fired
                if o.rule.stage is stage and o.rule.kind == "recommendation"
            ],
        )
        for stage in Stage
    ]
    schedule, scheme_label, alternative, follow_missing = follow_up_plan(
        case, kb, facts, follow_up_years=follow_up_years
    )
    missing = _missing_facts(outcomes, classification) + follow_missing
    cited = {e.source for o in fired for e in o.rule.citations()}
    cited |= {e.source for s in kb.follow_up for e in s.evidence if s.id == "zhang2021"}
    if alternative is not None:
        cited |= {e.source for e in alternative.evidence}
    return Plan(
        case_id=case.case_id,
        synthetic=case.synthetic,
        timepoint=timepoint,
        classification=ClassificationOut(
            ivc_level=classification.ivc_level,
            ivc_levels=classification.ivc_levels,
            ivc_level_source=classification.ivc_level_source,
            imaging_type=classification.imaging_type,
            imaging_type_source=classification.imaging_type_source,
            rule_imaging_type=classification.rule_imaging_type,
            definition=classification.definition,
            reasons=classification.reasons,
        ),
        warnings=warnings,
        stages=stages,
        missing_facts=missing,
        decisions=Decisions(
            approach=_decide(Decision.approach, outcomes, facts),
            vascular_control=_decide(Decision.vascular_control, outcomes, facts),
            reconstruction=_decide(Decision.reconstruction, outcomes, facts),
            organ_resection=_organ_resections(outcomes, facts),
        ),
        follow_up=schedule,
        follow_up_scheme=scheme_label,
        follow_up_alternative=alternative,
        sources=[
            SourceOut(
                key=key,
                citation=kb.sources[key].citation,
                verified=kb.sources[key].verified,
                doi=kb.sources[key].doi,
                url=kb.sources[key].url,
            )
            for key in sorted(cited)
        ],
    )
