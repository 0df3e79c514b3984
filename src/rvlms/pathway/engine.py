"""From one case to a cited MDT plan.

The engine evaluates every rule of the knowledge base against the case's facts. A rule that
holds becomes a recommendation (or a warning) with its evidence and the facts that
triggered it; a rule that cannot be evaluated turns into missing facts with what they
would decide; a rule that does not hold stays silent (``explain`` shows why).
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from rvlms.case import Case, FollowUp, Postoperative
from rvlms.imaging import Classification, ImagingDefinition, classify
from rvlms.literature import published_cases, similar_cases
from rvlms.pathway.citing import citations
from rvlms.pathway.conditions import Facts, Truth
from rvlms.pathway.decisions import (
    decide,
    from_operation,
    organ_resections,
    votes_by_decision,
)
from rvlms.pathway.facts import CATALOGUE, derive_facts, labels
from rvlms.pathway.fields import field_label
from rvlms.pathway.followup import FACTS_READ, follow_up_plan
from rvlms.pathway.knowledge import (
    STAGE_TITLES,
    Decision,
    KnowledgeBase,
    Rule,
    Stage,
    load_knowledge,
)
from rvlms.pathway.outcome import Outcome, evaluate_rules
from rvlms.pathway.plan import (
    ClassificationOut,
    DecidingFact,
    Decisions,
    MissingFact,
    Plan,
    Recommendation,
    StagePlan,
    Warning,
)


def evaluate_case(
    case: Case, kb: KnowledgeBase | None = None, definition: ImagingDefinition | None = None
) -> tuple[Classification, Facts, list[Outcome]]:
    kb = kb or load_knowledge()
    classification = classify(case, definition)
    facts = derive_facts(case, classification)
    names = labels()
    return classification, facts, evaluate_rules(kb.rules, facts, names)


def _recommendation(outcome: Outcome, kb: KnowledgeBase) -> dict[str, object]:
    rule = outcome.rule
    evidence, _, _, superseded = citations(kb).of(rule)
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


@cache
def _field_of(name: str) -> tuple[str, str]:
    """The case field that provides a fact, and that field's label (the same for every plan)."""
    field = CATALOGUE[name].fields[0]
    return field, field_label(field, CATALOGUE[name].label)


def _missing_facts(
    outcomes: list[Outcome], classification: Classification | None
) -> list[MissingFact]:
    """Missing facts with what they would decide; the classification's own gaps only while
    the surgical plan is still to be made (``classification`` None after an operation)."""
    merged: dict[str, tuple[str, list[str], list[str]]] = {}
    for item in classification.missing if classification else []:
        merged.setdefault(item.fact, (item.fact, [], []))[1].append(item.needed_for)
    for outcome in outcomes:
        if outcome.truth is not Truth.unknown:
            continue
        purpose = outcome.rule.needed_for or outcome.rule.title
        for name in outcome.missing:
            field, label = _field_of(name)
            entry = merged.get(field)
            if entry is None:
                entry = merged[field] = (label, [], [])
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

POSTOPERATIVE_STAGES = frozenset(
    {Stage.after_surgery, Stage.pathology_adjuvant, Stage.follow_up, Stage.recurrence}
)
"""After an operation the current plan is about the specimen, adjuvant therapy, follow-up and
recurrence: the pre-operative work-up and the surgical plan are history (shown by
``--as-of preoperative``)."""


_Planned = tuple[tuple[Rule, ...], tuple[str, ...]]
_PLANNED: dict[int, tuple[KnowledgeBase, dict[bool, _Planned]]] = {}


def _planned(kb: KnowledgeBase, operated: bool) -> _Planned:
    """The rules a plan evaluates and the facts they (and the follow-up) read, per knowledge
    base: after an operation only the post-operative rules count, and deriving a fact no
    rule reads, or deciding a rule the plan drops, would be wasted."""
    entry = _PLANNED.get(id(kb))
    if entry is None or entry[0] is not kb:
        entry = _PLANNED[id(kb)] = (kb, {})
    planned = entry[1].get(operated)
    if planned is None:
        rules = tuple(
            r
            for r in kb.rules
            if not operated or r.stage in POSTOPERATIVE_STAGES or r.after_surgery
        )
        read = set(FACTS_READ).union(*(r.facts() for r in rules))
        planned = entry[1][operated] = (rules, tuple(n for n in CATALOGUE if n in read))
    return planned


def _decisions(case: Case, outcomes: list[Outcome], facts: Facts, kb: KnowledgeBase) -> Decisions:
    """The plan's decisions; those the operative record of an operated case settles are taken
    from it, without weighing the rules' votes for them."""
    cited = citations(kb)
    made: dict[str, object] = dict(from_operation(case)) if case.operation is not None else {}
    organ_deciding: list[DecidingFact] = []
    if "organ_resection" not in made:
        made["organ_resection"], organ_deciding = organ_resections(outcomes, facts, cited)
    votes = votes_by_decision(outcomes)
    for decision in Decision:
        if decision.value not in made:
            made[decision.value] = decide(votes[decision.value], cited)
    return Decisions(**made, organ_resection_deciding_facts=organ_deciding)


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
    similar: int = 5,
) -> Plan:
    """The cited MDT plan for one case.

    ``timepoint="current"`` plans with everything the record holds; ``"preoperative"`` plans
    with what was known before surgery (the view for auditing a past MDT decision).
    ``similar`` published cases like this one are listed (0: none).
    """
    if timepoint == "preoperative":
        case = preoperative_view(case)
    kb = kb or load_knowledge()
    operated = case.operation is not None
    classification = classify(case, definition)
    rules, needed = _planned(kb, operated)
    facts = derive_facts(case, classification, needed)
    outcomes = evaluate_rules(rules, facts, labels())
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
    missing = _missing_facts(outcomes, None if operated else classification) + follow_missing
    cited = {e.source for o in fired for e in o.rule.citations()}
    cited |= {e.source for s in kb.follow_up for e in s.evidence if s.id == "zhang2021"}
    if alternative is not None:
        cited |= {e.source for e in alternative.evidence}
    table = citations(kb)
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
        decisions=_decisions(case, outcomes, facts, kb),
        follow_up=schedule,
        follow_up_scheme=scheme_label,
        follow_up_alternative=alternative,
        similar_cases=(
            similar_cases(case, published_cases(), similar, classification) if similar else []
        ),
        sources=[table.source(key) for key in sorted(cited)],
    )
