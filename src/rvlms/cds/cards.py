"""From an MDT plan to CDS Hooks cards, each naming its evidence.

One ``warning`` card per plan warning (paraganglioma not excluded, raised metanephrines,
metastatic disease, right-atrial extension, ...), one ``info`` card with the classification
and the key decisions (UNDECIDED ones with the facts that would decide them, every option
with its condition), and one ``info`` card listing the missing facts. CDS Hooks 2.0.1
(§Card Attributes) has no citation field: ``source`` names the main reference (label, DOI
link) and the Markdown ``detail`` lists every citation with its locator and the case facts
that triggered the card (style lesson 2). Every card links to the full plan in the web app.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable

from rvlms.case import Case
from rvlms.cds.mapping import CaseMapping
from rvlms.cds.models import SUMMARY_LIMIT, Card, Coding, Link, Source
from rvlms.pathway import KnowledgeBase, Plan
from rvlms.pathway.knowledge import Source as BibEntry
from rvlms.pathway.plan import DecisionOut, EvidenceOut, MissingFact, Warning
from rvlms.pathway.render import DecisionView, decision_views

__all__ = [
    "OVERRIDE_REASONS",
    "OVERRIDE_SYSTEM",
    "card_source",
    "demo_card",
    "plan_cards",
    "short_reference",
    "truncate",
]

CARD_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:rvlms:cds:card")
TOPIC_SYSTEM = "urn:rvlms:knowledge-rule"
OVERRIDE_SYSTEM = "urn:rvlms:cds:override-reason"
OVERRIDE_REASONS = (
    Coding(
        system=OVERRIDE_SYSTEM,
        code="result-elsewhere",
        display="Result available outside this record",
    ),
    Coding(system=OVERRIDE_SYSTEM, code="mdt-decided", display="The MDT has decided otherwise"),
    Coding(system=OVERRIDE_SYSTEM, code="not-applicable", display="Not applicable to this patient"),
)
"""Reasons offered when a warning is overridden (CDS Hooks 2.0.1 §Overriding Cards)."""

_DECISIONS = (
    ("approach", "approach"),
    ("vascular_control", "vascular control"),
    ("reconstruction", "reconstruction"),
)
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")
_AUTHOR_START = re.compile(r"^([A-Z][\w'\-]+) [A-Z][A-Z\-]*[,. ]", re.UNICODE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def truncate(text: str, limit: int = SUMMARY_LIMIT) -> str:
    """``text`` on one line in at most ``limit`` characters, cut at a word with an ellipsis."""
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    cut = line[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:–-") + "…"


def _first_sentence(text: str) -> str:
    return _SENTENCE_END.split(" ".join(text.split()), maxsplit=1)[0]


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def short_reference(entry: BibEntry) -> str:
    """'Lenders et al. 2014' from a bibliography entry; the opening words when no author leads."""
    citation = " ".join(entry.citation.split())
    year = str(entry.year) if entry.year else ""
    author = _AUTHOR_START.match(citation)
    if author:
        return f"{author.group(1)} et al. {year}".strip()
    head = re.split(r"[.:,(]", citation, maxsplit=1)[0].strip()
    head = truncate(head, 60)
    return f"{head} {year}".strip() if year and year not in head else head


def _link(entry: BibEntry) -> str | None:
    if entry.doi:
        return f"https://doi.org/{entry.doi}"
    return entry.url


def card_source(key: str, kb: KnowledgeBase, topic: Coding | None = None) -> Source:
    entry = kb.sources[key]
    return Source(label=short_reference(entry), url=_link(entry), topic=topic)


def _evidence_lines(evidence: Iterable[EvidenceOut], kb: KnowledgeBase) -> list[str]:
    lines = []
    for item in evidence:
        entry = kb.sources[item.source]
        link = _link(entry)
        ref = f" [{entry.doi or link}]({link})" if link else ""
        mark = " *(rvlms proposal, not literature)*" if entry.verified == "P" else ""
        lines.append(f"- **{item.source}** — {item.locator}. {item.citation}{ref}{mark}")
    return lines


def _card_id(hook_instance: str, key: str) -> str:
    return str(uuid.uuid5(CARD_NAMESPACE, f"{hook_instance}/{key}"))


def _warning_card(
    warning: Warning, kb: KnowledgeBase, links: list[Link], hook_instance: str, notice: str
) -> Card:
    strength = warning.strength.value
    if strength == "proposal":
        strength = "proposal (rvlms local convention, not literature)"
    lines = [
        f"**{warning.title}** — rule `{warning.id}`, strength {strength}",
        "",
        warning.text,
        "",
        "**Triggered by these facts**",
        *(f"- {_md(fact)}" for fact in warning.because),
        "",
        "**Evidence**",
        *_evidence_lines(warning.evidence, kb),
    ]
    if warning.superseded_by is not None:
        lines += [
            "",
            f"**Superseded:** {warning.superseded_by.text}",
            *_evidence_lines(warning.superseded_by.evidence, kb),
        ]
    lines += ["", f"_{notice}_"]
    topic = Coding(system=TOPIC_SYSTEM, code=warning.id, display=warning.title)
    return Card(
        uuid=_card_id(hook_instance, warning.id),
        summary=truncate(_first_sentence(warning.text)),
        detail="\n".join(lines),
        indicator="warning",
        source=card_source(warning.evidence[0].source, kb, topic),
        override_reasons=list(OVERRIDE_REASONS),
        links=links,
    )


def _label(value: str) -> str:
    return value.replace("_", " ")


def _cited(rule_ids: Iterable[str], kb: KnowledgeBase) -> list[str]:
    """Citation keys of the rules (ids that are not knowledge-base rules are skipped)."""
    known = {rule.id: rule for rule in kb.rules}
    return sorted({e.source for r in rule_ids if r in known for e in known[r].evidence})


def _decision_lines(
    view: DecisionView, decision: DecisionOut | None, kb: KnowledgeBase
) -> list[str]:
    """One decision: its choice, or UNDECIDED with the facts that would choose; then every
    option still open with its condition, and the options ruled out by name."""
    head = f"- **{view.title}:**"
    if view.undecided:
        facts = view.deciding_text or view.note or "facts not yet recorded"
        lines = [f"{head} undecided — **UNDECIDED until known:** {_md(facts)}"]
    elif view.state == "not_applicable":
        lines = [f"{head} not applicable" + (f" — {_md(view.note)}" if view.note else "")]
    elif view.state == "operation":
        lines = [f"{head} {_md(view.headline)}" + (f" ({view.note})" if view.done else "")]
    else:
        text = f"{head} {_md(view.choice)}"
        if decision is not None and decision.alternatives:
            text += f" (alternatives: {', '.join(_label(a) for a in decision.alternatives)})"
        if view.because:
            text += f" — because {_md('; '.join(view.because))}"
        rule_ids = decision.rules if decision is not None else []
        if rule_ids:
            cited = _cited(rule_ids, kb)
            text += f"; rules {', '.join(f'`{r}`' for r in rule_ids)}"
            text += f" ({', '.join(cited)})" if cited else ""
        lines = [text]
    for option in view.open_options:
        line = f"  - {option.mark} {option.status_text}: {_md(option.option)} ({option.role})"
        line += f" — {_md(option.condition)}"
        if option.status == "unknown" and option.missing:
            line += f"; needs {_md(', '.join(option.missing))}"
        if option.sources:
            more = len(option.sources) - 3
            line += f" ({', '.join(option.sources[:3])}{f' +{more}' if more > 0 else ''})"
        lines.append(line)
    if view.unmet_options:
        names = ", ".join(o.option for o in view.unmet_options)
        lines.append(f"  - ✗ not met: {_md(names)}")
    return lines


def _tumour(case: Case) -> str:
    """'IVC LMS, right, 7.2 cm' from what the case record holds."""
    imaging = case.imaging
    vessel = imaging.vessel_of_origin
    size = case.pathology.size_cm if case.pathology and case.pathology.size_cm else None
    size = size or imaging.max_diameter_cm
    words = [
        ("IVC" if vessel.value == "ivc" else _label(vessel.value)) + " LMS" if vessel else "LMS",
        imaging.side.value if imaging.side else "",
        f"{size:g} cm" if size else "",
    ]
    return ", ".join(w for w in words if w)


def _plan_summary(plan: Plan, case: Case) -> str:
    c = plan.classification
    parts = [
        ", ".join(
            p
            for p in (
                _tumour(case),
                f"IVC level {c.ivc_level.value}" if c.ivc_level else "",
                f"{c.imaging_type.value} type" if c.imaging_type else "",
            )
            if p
        )
    ]
    undecided = 0
    for attribute, name in _DECISIONS:
        decision: DecisionOut = getattr(plan.decisions, attribute)
        if decision.preferred:
            parts.append(f"{name} {_label(decision.preferred)}")
        elif decision.undecided:
            undecided += 1
    if undecided:
        parts.append(f"{undecided} surgical decision{'s' if undecided > 1 else ''} undecided")
    return truncate("MDT plan: " + "; ".join(parts))


def _main_rule_source(rule_ids: Iterable[str], kb: KnowledgeBase, default: str) -> str:
    """The first cited publication of the rules; rvlms proposals only when nothing else."""
    known = {rule.id: rule for rule in kb.rules}
    for rule_id in rule_ids:
        for evidence in known[rule_id].evidence if rule_id in known else ():
            if kb.sources[evidence.source].verified != "P":
                return evidence.source
    return default


def _decisions_heading(views: list[DecisionView]) -> str:
    undecided = [v.title.lower() for v in views if v.undecided]
    if not undecided:
        return "**Key decisions** (✓ met, ? unknown, ✗ not met)"
    return f"**Key decisions** — UNDECIDED: {_joined(undecided)} (✓ met, ? unknown, ✗ not met)"


def _decisions_card(
    plan: Plan, mapping: CaseMapping, kb: KnowledgeBase, links: list[Link], hook_instance: str
) -> Card:
    c = plan.classification
    views = decision_views(plan)
    singles = plan.decisions.by_name()
    lines = [
        "**Classification**",
        f"- IVC level: {c.ivc_level.value if c.ivc_level else 'not known'}"
        + (f" ({c.ivc_level_source})" if c.ivc_level_source else ""),
        f"- Imaging type (yang2025): {c.imaging_type.value if c.imaging_type else 'not known'}"
        + (f" ({c.imaging_type_source})" if c.imaging_type_source else ""),
        f"- {_md(c.definition)}",
        *(f"- {_md(reason)}" for reason in c.reasons),
        "",
        _decisions_heading(views),
        *(line for view in views for line in _decision_lines(view, singles.get(view.name), kb)),
        "",
        "**Recommendations in the plan**",
    ]
    for stage in plan.stages:
        for item in stage.recommendations:
            keys = ", ".join(dict.fromkeys(e.source for e in item.evidence))
            status = " — superseded, see the plan" if item.superseded_by is not None else ""
            lines.append(f"- {stage.title}: {item.title} ({keys}){status}")
    if not any(stage.recommendations for stage in plan.stages):
        lines.append("- none yet: the record holds too few facts")
    lines += ["", f"**Read from the record** — scope: {_md(mapping.scope_reason)}"]
    lines += [
        f"- {_md(m.source)} → `{m.field}` = {_md(m.value)} ({_md(m.via)})" for m in mapping.mapped
    ]
    if mapping.ignored:
        lines += ["", "**Not used**"]
        lines += [f"- {_md(i.source)}: {_md(i.reason)}" for i in mapping.ignored]
    lines += ["", "**Sources**"]
    lines += [
        f"- **{s.key}** — {s.citation}" + (f" https://doi.org/{s.doi}" if s.doi else "")
        for s in plan.sources
    ]
    lines += ["", f"_{plan.notice}_"]
    decided = [r for attribute, _ in _DECISIONS for r in getattr(plan.decisions, attribute).rules]
    default = "yang2025" if c.ivc_level or c.imaging_type else "zhang2021"
    return Card(
        uuid=_card_id(hook_instance, "decisions"),
        summary=_plan_summary(plan, mapping.case),
        detail="\n".join(lines),
        indicator="info",
        source=card_source(_main_rule_source(decided, kb, default), kb),
        links=links,
    )


def _joined(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _missing_summary(plan: Plan, missing: list[MissingFact]) -> str:
    names: list[str] = []
    needs: list[str] = []
    for attribute, name in _DECISIONS:
        decision: DecisionOut = getattr(plan.decisions, attribute)
        if decision.undecided and decision.undecided_because:
            names.append(name)
            needs.extend(decision.undecided_because)
    if names:
        facts = ", ".join(dict.fromkeys(needs))
        return truncate(f"To choose the {_joined(names)} we need: {facts}")
    labels = ", ".join(dict.fromkeys(m.label for m in missing))
    return truncate(f"To complete the plan we need: {labels}")


def _missing_card(
    plan: Plan, kb: KnowledgeBase, links: list[Link], hook_instance: str
) -> Card | None:
    missing = plan.missing_facts
    if not missing:
        return None
    lines = ["Facts the plan cannot decide without; fill them in the rvlms case record.", ""]
    for fact in missing:
        cited = _cited(fact.rules, kb)
        rules = ", ".join(f"`{r}`" for r in fact.rules)
        name = f"`{fact.fact}`" if fact.label == fact.fact else f"{_md(fact.label)} (`{fact.fact}`)"
        line = f"- **{name}** — for {_md(fact.needed_for)}"
        if rules:
            line += f"; rules {rules}"
        if cited:
            line += f" ({', '.join(cited)})"
        lines.append(line)
    lines += ["", f"_{plan.notice}_"]
    rule_ids = [r for fact in missing for r in fact.rules]
    return Card(
        uuid=_card_id(hook_instance, "missing-facts"),
        summary=_missing_summary(plan, missing),
        detail="\n".join(lines),
        indicator="info",
        source=card_source(_main_rule_source(rule_ids, kb, "zhang2021"), kb),
        links=links,
    )


def demo_card(label: str, hook_instance: str) -> Card:
    """The first card of every answer of a service run with ``rvlms serve --demo``."""
    return Card(
        uuid=_card_id(hook_instance, "demo-unauthenticated"),
        summary=truncate(label),
        detail=(
            "This rvlms service runs in demonstration mode (`rvlms serve --demo`): it does not "
            "verify the EHR's JWT (CDS Hooks 2.0 §Trusting CDS Clients) and its registry is "
            "a throwaway copy with demonstration data. Configure `RVLMS_CDS_ISSUERS` and "
            "serve without `--demo` before connecting an EHR."
        ),
        indicator="critical",
        source=Source(label="rvlms demonstration mode"),
    )


def plan_cards(
    plan: Plan, mapping: CaseMapping, kb: KnowledgeBase, plan_url: str, hook_instance: str
) -> list[Card]:
    """The cards for one plan, warnings first."""
    links = [Link(label="Full MDT plan in rvlms", url=plan_url, type="absolute")]
    cards = [_warning_card(w, kb, links, hook_instance, plan.notice) for w in plan.warnings]
    cards.append(_decisions_card(plan, mapping, kb, links, hook_instance))
    missing = _missing_card(plan, kb, links, hook_instance)
    if missing is not None:
        cards.append(missing)
    return cards
