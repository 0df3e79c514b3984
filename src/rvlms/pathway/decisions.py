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
from functools import cache

from rvlms.case import Case
from rvlms.pathway.citing import Citations
from rvlms.pathway.conditions import Truth, describe
from rvlms.pathway.facts import CATALOGUE
from rvlms.pathway.fields import field_label
from rvlms.pathway.knowledge import Decision, DecisionVote, Rule
from rvlms.pathway.outcome import Outcome
from rvlms.pathway.plan import (
    DecidingFact,
    DecisionOut,
    EvidenceOut,
    OptionOut,
    OptionStatus,
    OrganResectionOut,
)

_ROLE_RANK = {"preferred": 0, "alternative": 1, "consider": 2}
_TRUE, _UNKNOWN, _FALSE = Truth.true, Truth.unknown, Truth.false
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


Votes = list[tuple[Outcome, DecisionVote]]
_RULE_VOTES: dict[int, tuple[Rule, tuple[tuple[str, DecisionVote], ...]]] = {}


def _votes_of(rule: Rule) -> tuple[tuple[str, DecisionVote], ...]:
    """A rule's votes keyed by the decision's name, computed once per rule: a str hashes in C,
    an enum member through Python code, and this runs for every vote of every plan."""
    known = _RULE_VOTES.get(id(rule))
    if known is None or known[0] is not rule:
        known = _RULE_VOTES[id(rule)] = (rule, tuple((v.decision.value, v) for v in rule.decides))
    return known[1]


def votes_by_decision(outcomes: list[Outcome]) -> dict[str, Votes]:
    """The votes of the rules in scope (or possibly in scope), per decision name, in the
    order of the rules; one pass over the outcomes serves every decision."""
    found: dict[str, Votes] = {d.value: [] for d in Decision}
    for outcome in outcomes:
        if outcome.in_scope is _FALSE or not outcome.rule.decides:
            continue
        for name, vote in _votes_of(outcome.rule):
            found[name].append((outcome, vote))
    return found


def _status(truth: Truth) -> OptionStatus:
    return "met" if truth is _TRUE else "unknown" if truth is _UNKNOWN else "unmet"


def _single_option(
    option: str, outcome: Outcome, vote: DecisionVote, cited: Citations
) -> tuple[int, int, int, OptionOut]:
    """An option one rule alone votes for (most options), without the merging of several."""
    truth = outcome.truth
    status = _status(truth)
    return (
        _STATUS_RANK[status],
        _ROLE_RANK[vote.role],
        -vote.priority,
        OptionOut(
            option=option,
            role=vote.role,
            condition=_condition(outcome, vote),
            status=status,
            rules=[outcome.rule.id],
            evidence=cited.of(outcome.rule).distinct,
            missing=list(dict.fromkeys(_missing_labels(outcome))) if truth is _UNKNOWN else [],
        ),
    )


def _merged(group: Votes, cited: Citations) -> tuple[str, list[EvidenceOut]]:
    """The condition words and evidence of an option several votes name: they depend on the
    votes alone, not on the case, so they are merged once per group of votes."""
    key = tuple(id(vote) for _, vote in group)
    merged = cited.options.get(key)
    if merged is None:
        conditions = dict.fromkeys(_condition(o, v) for o, v in group)
        evidence: dict[tuple[str, str], EvidenceOut] = {}
        for outcome, _ in group:
            for item, e in cited.of(outcome.rule).keyed:
                evidence.setdefault(item, e)
        merged = cited.options[key] = (" — or — ".join(conditions), list(evidence.values()))
    return merged


def options_of(votes: Votes, cited: Citations) -> list[OptionOut]:
    grouped: dict[str, Votes] = {}
    for outcome, vote in votes:
        if vote.role != "not_applicable":
            grouped.setdefault(vote.option, []).append((outcome, vote))
    found: list[tuple[int, int, int, OptionOut]] = []
    for option, group in grouped.items():
        if len(group) == 1:
            found.append(_single_option(option, *group[0], cited))
            continue
        truths = [o.truth for o, _ in group]
        target = _TRUE if _TRUE in truths else _UNKNOWN if _UNKNOWN in truths else _FALSE
        status = _status(target)
        role, role_rank, priority = "", len(_ROLE_RANK), -(2**63)
        rules: dict[str, None] = {}
        missing: dict[str, None] = {}
        for outcome, vote in group:
            truth = outcome.truth
            if truth is _UNKNOWN:
                missing.update(dict.fromkeys(_missing_labels(outcome)))
            if truth is target:
                rank = _ROLE_RANK[vote.role]
                if rank < role_rank:
                    role, role_rank = vote.role, rank
                priority = max(priority, vote.priority)
                rules[outcome.rule.id] = None
        condition, evidence = _merged(group, cited)
        found.append(
            (
                _STATUS_RANK[status],
                role_rank,
                -priority,
                OptionOut(
                    option=option,
                    role=role,
                    condition=condition,
                    status=status,
                    rules=list(rules),
                    evidence=evidence,
                    missing=list(missing),
                ),
            )
        )
    found.sort(key=lambda ranked: ranked[:3])
    return [ranked[3] for ranked in found]


def decide(votes: Votes, cited: Citations) -> DecisionOut:
    """One decision from its votes (see :func:`votes_by_decision`)."""
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
    options = options_of(votes, cited)
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
    deciding: list[DecidingFact] = []
    if preferred is None:
        deciding = _deciding(
            blockers
            or [
                o
                for o, v in votes
                if o.truth is Truth.unknown
                and v.role in ("preferred", "alternative")
                and o.rule.status.value == "current"
            ]
        )
    return DecisionOut(
        preferred=preferred,
        alternatives=list(dict.fromkeys(alternatives)),
        because=because,
        rules=rules,
        undecided_because=list(dict.fromkeys(m for o in blockers for m in _missing_labels(o))),
        options=options,
        deciding_facts=deciding,
    )


def organ_resections(
    outcomes: list[Outcome], facts: dict[str, object], cited: Citations
) -> tuple[list[OrganResectionOut], list[DecidingFact]]:
    """Organs to remove: recommended or to consider when the rule holds, contingent when it
    cannot be evaluated yet. The side is the organ's own (see the side facts)."""
    Key = tuple[str, str | None]
    best: dict[Key, tuple[str, Outcome, DecisionVote]] = {}
    rules: dict[Key, list[str]] = {}
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
            key = (vote.option, str(side_value) if side_value is not None else None)
            current = best.get(key)
            if current is None or rank[role] < rank[current[0]]:
                best[key] = (role, outcome, vote)
                rules[key] = [outcome.rule.id]
            elif outcome.rule.id not in rules[key]:
                rules[key].append(outcome.rule.id)
    chosen = [
        OrganResectionOut(
            item=item,
            side=side,
            role=role,
            rule=outcome.rule.id,
            because=outcome.because,
            condition=_condition(outcome, vote),
            status="met" if outcome.truth is Truth.true else "unknown",
            rules=rules[(item, side)],
            evidence=cited.of(outcome.rule).evidence,
            missing=_missing_labels(outcome),
        )
        for (item, side), (role, outcome, vote) in best.items()
    ]
    items = sorted(chosen, key=lambda o: rank[o.role])
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
