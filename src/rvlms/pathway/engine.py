"""From one case to a cited MDT plan.

The engine evaluates every rule of the knowledge base against the case's facts. A rule that
holds becomes a recommendation (or a warning) with its evidence and the facts that
triggered it; a rule that cannot be evaluated turns into missing facts with what they
would decide; a rule that does not hold stays silent (``explain`` shows why).
"""

from __future__ import annotations

from typing import Literal

from rvlms.case import Case, FollowUp, Postoperative
from rvlms.imaging import Classification, ImagingDefinition, classify
from rvlms.literature import published_cases, similar_cases
from rvlms.pathway.conditions import Facts, Truth
from rvlms.pathway.decisions import decide, from_operation, organ_resections
from rvlms.pathway.facts import CATALOGUE, derive_facts, labels
from rvlms.pathway.fields import field_label
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
from rvlms.pathway.outcome import Outcome, evaluate_rule
from rvlms.pathway.plan import (
    ClassificationOut,
    Decisions,
    EvidenceOut,
    MissingFact,
    Plan,
    Recommendation,
    SourceOut,
    StagePlan,
    SupersededBy,
    Warning,
)


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


def _missing_facts(
    outcomes: list[Outcome], classification: Classification | None
) -> list[MissingFact]:
    """Missing facts with what they would decide; the classification's own gaps only while
    the surgical plan is still to be made (``classification`` None after an operation)."""
    merged: dict[str, tuple[str, list[str], list[str]]] = {}
    for item in classification.missing if classification else []:
        merged.setdefault(item.fact, (item.fact, [], []))[1].append(item.needed_for)
    for outcome in outcomes:
        purpose = outcome.rule.needed_for or outcome.rule.title
        for name in outcome.missing:
            field = CATALOGUE[name].fields[0]
            entry = merged.setdefault(field, (field_label(field, CATALOGUE[name].label), [], []))
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


def _decisions(case: Case, outcomes: list[Outcome], facts: Facts, kb: KnowledgeBase) -> Decisions:
    def evidence_of(outcome: Outcome) -> list[EvidenceOut]:
        return _cited(outcome.rule, kb)[0]

    organs, organ_deciding = organ_resections(outcomes, facts, evidence_of)
    made: dict[str, object] = {
        d.value: decide(d, outcomes, evidence_of)
        for d in Decision
        if d is not Decision.organ_resection
    }
    made["organ_resection"] = organs
    if case.operation is not None:
        made.update(from_operation(case))
        organ_deciding = []
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
    classification, facts, outcomes = evaluate_case(case, kb, definition)
    operated = case.operation is not None
    if operated:
        outcomes = [
            o for o in outcomes if o.rule.stage in POSTOPERATIVE_STAGES or o.rule.after_surgery
        ]
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
