"""The knowledge base's citations resolved against its bibliography, once per knowledge base.

A rule's evidence, its successor's and a bibliography entry read the same in every plan;
resolving them for each case would rebuild the same output models over and over. Each table
is keyed by the knowledge base's identity and holds the knowledge base, so an edited copy of
a knowledge base never reads another's entries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from rvlms.pathway.knowledge import Evidence, KnowledgeBase, Rule
from rvlms.pathway.plan import EvidenceOut, SourceOut, SupersededBy


class Cited(NamedTuple):
    """A rule's resolved evidence. ``keyed`` pairs each item with its (source, locator), the
    key under which an option merges the evidence of several rules; ``distinct`` is the
    evidence once per key, what an option of this rule alone lists."""

    evidence: list[EvidenceOut]
    keyed: tuple[tuple[tuple[str, str], EvidenceOut], ...]
    distinct: list[EvidenceOut]
    superseded_by: SupersededBy | None


@dataclass
class Citations:
    """What has been resolved for one knowledge base, filled as plans use it."""

    kb: KnowledgeBase
    rules: dict[str, Cited] = field(default_factory=dict)
    sources: dict[str, SourceOut] = field(default_factory=dict)
    options: dict[tuple[int, ...], tuple[str, list[EvidenceOut]]] = field(default_factory=dict)
    """An option's condition in words and merged evidence, by the identities of the votes
    that name it (the knowledge base, held here, keeps them alive and their ids unique)."""

    def of(self, rule: Rule) -> Cited:
        """The rule's resolved evidence."""
        cited = self.rules.get(rule.id)
        if cited is None:
            kb = self.kb
            superseded = (
                SupersededBy(
                    text=rule.superseded_by.text,
                    evidence=resolve(rule.superseded_by.evidence, kb),
                )
                if rule.superseded_by
                else None
            )
            evidence = resolve(rule.evidence, kb)
            keyed = tuple(((e.source, e.locator), e) for e in evidence)
            distinct: dict[tuple[str, str], EvidenceOut] = {}
            for key, e in keyed:
                distinct.setdefault(key, e)
            cited = self.rules[rule.id] = Cited(
                evidence, keyed, list(distinct.values()), superseded
            )
        return cited

    def source(self, key: str) -> SourceOut:
        entry = self.sources.get(key)
        if entry is None:
            found = self.kb.sources[key]
            entry = self.sources[key] = SourceOut(
                key=key,
                citation=found.citation,
                verified=found.verified,
                doi=found.doi,
                url=found.url,
            )
        return entry


def resolve(items: tuple[Evidence, ...], kb: KnowledgeBase) -> list[EvidenceOut]:
    return [
        EvidenceOut(
            source=e.source,
            locator=e.locator,
            citation=kb.sources[e.source].citation,
            verified=kb.sources[e.source].verified,
        )
        for e in items
    ]


_TABLES: dict[int, Citations] = {}


def citations(kb: KnowledgeBase) -> Citations:
    """The citation table of a knowledge base."""
    table = _TABLES.get(id(kb))
    if table is None or table.kb is not kb:
        table = _TABLES[id(kb)] = Citations(kb)
    return table
