"""Each decision of the plan with its options: what selects each option, whether that holds
for this case, and which one the facts prefer.

A decision is a contingency plan. Every rule that votes for an option contributes its
condition and evidence; an option is ``met`` when one of its rules holds, ``unknown`` when
none holds but one cannot be evaluated, ``unmet`` otherwise. ``preferred`` is set only when
the facts select it: the highest-priority preferred vote that holds wins, unless a
higher-priority one cannot be evaluated (then the decision stays open and names the facts
that would settle it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from functools import cache

from rvlms.case import Case
from rvlms.pathway.conditions import Truth, describe
from rvlms.pathway.facts import CATALOGUE
from rvlms.pathway.fields import field_label
from rvlms.pathway.knowledge import Decision, DecisionVote
from rvlms.pathway.outcome import Outcome
from rvlms.pathway.plan import (
    DecidingFact,
    DecisionOut,
    EvidenceOut,
    OptionOut,
    OrganResectionOut,
)

EvidenceOf = Callable[[Outcome], list[EvidenceOut]]
_ROLE_RANK = {"preferred": 0, "alternative": 1, "consider": 2}
_STATUS = {Truth.true: "met", Truth.unknown: "unknown", Truth.false: "unmet"}
_STATUS_RANK = {"met": 0, "unknown": 1, "unmet": 2}


_WORDS: dict[int, tuple[object, str]] = {}


def _condition(outcome: Outcome, vote: DecisionVote) -> str:
    """The vote's condition in words: its own, the rule's ``when_text``, or the condition
    described (computed once per rule)."""
    rule = outcome.rule
    if vote.condition:
        return vote.condition
    if rule.when_text:
        return rule.when_text
    known = _WORDS.get(id(rule))
    if known is None or known[0] is not rule:
        known = _WORDS[id(rule)] = (rule, describe(rule.when, _labels()))
    return known[1]


@cache
def _labels() -> dict[str, str]:
    return {name: f.label for name, f in CATALOGUE.items()}


def _missing_labels(outcome: Outcome) -> list[str]:
    return [CATALOGUE[f].label for f in outcome.missing]


def _deciding(outcomes: list[Outcome]) -> list[DecidingFact]:
    counts: Counter[str] = Counter()
    for outcome in outcomes:
        for name in dict.fromkeys(outcome.missing):
            counts[CATALOGUE[name].fields[0]] += 1
    ranked = sorted(counts, key=lambda f: -counts[f])[:3]
    return [DecidingFact(fact=f, label=field_label(f)) for f in ranked]


def _voted(decision: Decision, outcomes: list[Outcome]) -> list[tuple[Outcome, DecisionVote]]:
    return [
        (o, v)
        for o in outcomes
        if o.in_scope is not Truth.false
        for v in o.rule.decides
        if v.decision is decision
    ]


def options_of(
    votes: list[tuple[Outcome, DecisionVote]], evidence_of: EvidenceOf
) -> list[OptionOut]:
    grouped: dict[str, list[tuple[Outcome, DecisionVote]]] = {}
    for outcome, vote in votes:
        if vote.role != "not_applicable":
            grouped.setdefault(vote.option, []).append((outcome, vote))
    found: list[tuple[int, OptionOut]] = []
    for option, group in grouped.items():
        truths = {o.truth for o, _ in group}
        status = (
            "met" if Truth.true in truths else "unknown" if Truth.unknown in truths else "unmet"
        )
        deciding = [(o, v) for o, v in group if _STATUS[o.truth] == status] or group
        role = min((v.role for _, v in deciding), key=_ROLE_RANK.__getitem__)
        evidence: dict[tuple[str, str], EvidenceOut] = {}
        for outcome, _ in group:
            for e in evidence_of(outcome):
                evidence.setdefault((e.source, e.locator), e)
        missing = [m for o, _ in group if o.truth is Truth.unknown for m in _missing_labels(o)]
        found.append(
            (
                max(v.priority for _, v in deciding),
                OptionOut(
                    option=option,
                    role=role,
                    condition=" — or — ".join(dict.fromkeys(_condition(o, v) for o, v in group)),
                    status=status,
                    rules=list(dict.fromkeys(o.rule.id for o, _ in deciding)),
                    evidence=list(evidence.values()),
                    missing=list(dict.fromkeys(missing)),
                ),
            )
        )
    found.sort(key=lambda po: (_STATUS_RANK[po[1].status], _ROLE_RANK[po[1].role], -po[0]))
    return [option for _, option in found]


def decide(decision: Decision, outcomes: list[Outcome], evidence_of: EvidenceOf) -> DecisionOut:
    votes = _voted(decision, outcomes)
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
    options = options_of(votes, evidence_of)
    preferred: str | None = None
    because: list[str] = []
    rules: list[str] = []
    if winner is not None and not blockers:
        preferred, because, rules = winner[1].option, winner[0].because, [winner[0].rule.id]
    for option in options:
        if option.option != preferred and option.status == "met":
            rules.extend(r for r in option.rules if r not in rules)
    alternatives = [
        o.option for o in options if o.option != preferred and o.status in ("met", "unknown")
    ]
    if preferred is not None:
        options.sort(key=lambda o: o.option != preferred)
    inapplicable = [o for o, v in votes if v.role == "not_applicable" and o.truth is Truth.true]
    if preferred is None and inapplicable and not any(o.status == "met" for o in options):
        return DecisionOut(
            preferred=None,
            alternatives=alternatives,
            because=inapplicable[0].because,
            rules=[inapplicable[0].rule.id],
            options=options,
            decided_by="not_applicable",
            not_applicable_because=inapplicable[0].rule.title,
        )
    unknown = [
        o
        for o, v in votes
        if o.truth is Truth.unknown
        and v.role in ("preferred", "alternative")
        and o.rule.status.value == "current"
    ]
    return DecisionOut(
        preferred=preferred,
        alternatives=list(dict.fromkeys(alternatives)),
        because=because,
        rules=rules,
        undecided_because=list(dict.fromkeys(m for o in blockers for m in _missing_labels(o))),
        options=options,
        deciding_facts=_deciding(blockers or unknown) if preferred is None else [],
    )


def organ_resections(
    outcomes: list[Outcome], facts: dict[str, object], evidence_of: EvidenceOf
) -> tuple[list[OrganResectionOut], list[DecidingFact]]:
    """Organs to remove: recommended or to consider when the rule holds, contingent when it
    cannot be evaluated yet. The side is the organ's own (see the side facts)."""
    chosen: dict[tuple[str, str | None], OrganResectionOut] = {}
    rank = {"recommended": 0, "consider": 1, "contingent": 2}
    unknown: list[Outcome] = []
    for outcome in outcomes:
        if outcome.truth is Truth.false:
            continue
        for vote in outcome.rule.decides:
            if vote.decision is not Decision.organ_resection:
                continue
            if outcome.truth is Truth.unknown:
                role = "contingent"
                unknown.append(outcome)
            else:
                role = "recommended" if vote.role == "preferred" else "consider"
            side_value = facts.get(vote.side_fact) if vote.side_fact else vote.side
            side = str(side_value) if side_value is not None else None
            key = (vote.option, side)
            current = chosen.get(key)
            if current is not None and rank[current.role] <= rank[role]:
                if outcome.rule.id not in current.rules:
                    current.rules.append(outcome.rule.id)
                continue
            chosen[key] = OrganResectionOut(
                item=vote.option,
                side=side,
                role=role,
                rule=outcome.rule.id,
                because=outcome.because,
                condition=_condition(outcome, vote),
                status="met" if outcome.truth is Truth.true else "unknown",
                rules=[outcome.rule.id],
                evidence=evidence_of(outcome),
                missing=_missing_labels(outcome),
            )
    items = sorted(chosen.values(), key=lambda o: rank[o.role])
    return items, _deciding(unknown)


def from_operation(case: Case) -> dict[str, DecisionOut | list[OrganResectionOut]]:
    """The surgical decisions of an operated case, as the operative record gives them."""
    op = case.operation
    assert op is not None
    note = ["from the operative record"]

    def done(value: str | None) -> DecisionOut:
        return DecisionOut(
            preferred=value,
            alternatives=[],
            because=note if value else ["not recorded in the operative record"],
            rules=[],
            decided_by="operation",
        )

    organs = [
        OrganResectionOut(
            item=r.item.value,
            side=r.side.value if r.side else None,
            role="done",
            rule="operation",
            because=note,
            condition="removed at the operation",
        )
        for r in op.organs_resected
    ]
    neoadjuvant = [
        t.kind.value for t in case.neoadjuvant if t.status.value in ("received", "ongoing")
    ]
    return {
        "approach": done(op.approach.value if op.approach else None),
        "vascular_control": done(op.vascular_control[0].value if op.vascular_control else None),
        "reconstruction": done(op.reconstruction.value if op.reconstruction else None),
        "organ_resection": organs,
        "resectability": done("resectable"),
        "neoadjuvant": done(_therapy(neoadjuvant) if case.neoadjuvant else None),
    }


def _therapy(kinds: list[str]) -> str:
    chemo, rt = "chemotherapy" in kinds, "radiotherapy" in kinds
    if chemo and rt:
        return "chemoradiotherapy"
    if "clinical_trial" in kinds:
        return "clinical_trial"
    return "chemotherapy" if chemo else "radiotherapy" if rt else "none"
