"""The knowledge base: rules and bibliography, loaded from the package's data files.

Clinical knowledge lives in ``rvlms/knowledge/*.yaml``, not in code. Loading validates
every rule through pydantic and fails loudly when a rule names an unknown fact, an unknown
stage or decision option, or a citation that is not in the bibliography.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from rvlms.case.vocab import (
    Approach,
    OrganResection,
    PerioperativeTherapy,
    Reconstruction,
    Resectability,
    SystemicTherapy,
    VascularControl,
)
from rvlms.datacache import cached_parse
from rvlms.errors import KnowledgeBaseError
from rvlms.pathway.conditions import Condition


class Stage(StrEnum):
    """The stages of the plan, in the order an MDT walks through them."""

    presentation = "presentation"
    workup = "workup"
    mdt_biopsy = "mdt_biopsy"
    neoadjuvant = "neoadjuvant"
    surgical_plan = "surgical_plan"
    after_surgery = "after_surgery"
    pathology_adjuvant = "pathology_adjuvant"
    follow_up = "follow_up"
    recurrence = "recurrence"


STAGE_TITLES: dict[Stage, str] = {
    Stage.presentation: "Presentation",
    Stage.workup: "Work-up and differential diagnosis",
    Stage.mdt_biopsy: "MDT and biopsy",
    Stage.neoadjuvant: "Neoadjuvant therapy",
    Stage.surgical_plan: "Surgical plan",
    Stage.after_surgery: "After surgery",
    Stage.pathology_adjuvant: "Pathology and adjuvant therapy",
    Stage.follow_up: "Follow-up",
    Stage.recurrence: "Recurrence",
}


class Strength(StrEnum):
    """How firmly a recommendation is made, from the kind of evidence behind it."""

    strong = "strong"
    moderate = "moderate"
    weak = "weak"
    proposal = "proposal"


class Status(StrEnum):
    current = "current"
    superseded = "superseded"


class Decision(StrEnum):
    approach = "approach"
    vascular_control = "vascular_control"
    reconstruction = "reconstruction"
    organ_resection = "organ_resection"
    resectability = "resectability"
    neoadjuvant = "neoadjuvant"
    adjuvant = "adjuvant"
    systemic_therapy = "systemic_therapy"


DECISION_OPTIONS: dict[Decision, frozenset[str]] = {
    Decision.approach: frozenset(a.value for a in Approach),
    Decision.vascular_control: frozenset(v.value for v in VascularControl),
    Decision.reconstruction: frozenset(r.value for r in Reconstruction),
    Decision.organ_resection: frozenset(o.value for o in OrganResection),
    Decision.resectability: frozenset(r.value for r in Resectability),
    Decision.neoadjuvant: frozenset(t.value for t in PerioperativeTherapy),
    Decision.adjuvant: frozenset(t.value for t in PerioperativeTherapy),
    Decision.systemic_therapy: frozenset(t.value for t in SystemicTherapy),
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Evidence(_Model):
    source: str
    locator: str


class Supersession(_Model):
    text: str
    evidence: tuple[Evidence, ...] = Field(min_length=1)


class DecisionVote(_Model):
    """A rule's contribution to one of the plan's controlled decisions."""

    decision: Decision
    option: str
    role: Literal["preferred", "alternative", "consider", "not_applicable"]
    priority: int = Field(
        default=0,
        description="Higher wins when several preferred options fire; an unknown rule of "
        "higher priority leaves the decision open",
    )
    side_fact: str | None = Field(
        default=None, description="Fact giving the side of an organ resection"
    )
    side: Literal["right", "left"] | None = Field(
        default=None, description="Fixed side of an organ resection (when no side_fact)"
    )
    condition: str | None = Field(
        default=None,
        description="What selects this option, in words; defaults to the rule's when_text",
    )


class Rule(_Model):
    id: str = Field(pattern=r"^[a-z0-9_]+(\.[a-z0-9_\-]+)+$")
    stage: Stage
    kind: Literal["recommendation", "warning"] = "recommendation"
    title: str
    text: str
    strength: Strength
    scope: Condition | None = Field(
        default=None,
        description="When the rule applies at all; outside it the rule is silent, even if "
        "its condition cannot be evaluated",
    )
    when: Condition
    when_text: str | None = Field(
        default=None, description="The condition in words, shown with the options it selects"
    )
    evidence: tuple[Evidence, ...] = Field(min_length=1)
    status: Status = Status.current
    superseded_by: Supersession | None = None
    decides: tuple[DecisionVote, ...] = ()
    needed_for: str | None = Field(
        default=None, description="What a missing fact would change, shown with missing facts"
    )
    after_surgery: bool = Field(
        default=False,
        description="A pre-operative rule that still applies in the current plan of an operated "
        "case (for example distant metastasis on record)",
    )
    report_missing: bool = Field(
        default=True,
        description="False for hints whose unknown facts should not be listed as missing "
        "(for example differential-diagnosis signs the radiologist reports only when present)",
    )

    @model_validator(mode="after")
    def _superseded_has_successor(self) -> Rule:
        if (self.status is Status.superseded) != (self.superseded_by is not None):
            raise ValueError(f"{self.id}: status superseded and superseded_by go together")
        for vote in self.decides:
            if vote.role == "not_applicable":
                continue
            if vote.option not in DECISION_OPTIONS[vote.decision]:
                allowed = ", ".join(sorted(DECISION_OPTIONS[vote.decision]))
                raise ValueError(
                    f"{self.id}: '{vote.option}' is not a {vote.decision.value} option; "
                    f"allowed: {allowed}"
                )
        return self

    def facts(self) -> set[str]:
        found = self.when.facts()
        if self.scope is not None:
            found |= self.scope.facts()
        found |= {v.side_fact for v in self.decides if v.side_fact}
        return found

    def citations(self) -> list[Evidence]:
        cited = list(self.evidence)
        if self.superseded_by is not None:
            cited.extend(self.superseded_by.evidence)
        return cited


class Source(_Model):
    key: str
    citation: str
    kind: Literal[
        "seed_paper",
        "guideline",
        "trial",
        "meta_analysis",
        "series",
        "review",
        "case_report",
        "textbook",
        "regulatory",
        "proposal",
    ]
    verified: Literal["S", "V", "B", "P"] = Field(
        description="S seed paper read, V checked in the source, B background not yet checked, "
        "P rvlms proposal"
    )
    year: int | None = None
    doi: str | None = None
    pmid: str | None = None
    url: str | None = None
    note: str | None = None


class FollowUpScheme(_Model):
    id: str
    label: str
    visits: tuple[tuple[int, int, int], ...] = Field(
        description="(from month, to month, every n months) blocks"
    )
    first_visit_month: int | None = None
    what: str
    evidence: tuple[Evidence, ...] = Field(min_length=1)
    applies_to_grades: tuple[str, ...] = ()


class KnowledgeBase(_Model):
    rules: tuple[Rule, ...]
    sources: dict[str, Source]
    follow_up: tuple[FollowUpScheme, ...]

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def unresolved_citations(self) -> list[tuple[str, str]]:
        cited = [(r.id, e.source) for r in self.rules for e in r.citations()]
        cited += [(s.id, e.source) for s in self.follow_up for e in s.evidence]
        return [(owner, key) for owner, key in cited if key not in self.sources]


def _parse(path: Path) -> object:
    return yaml.load(path.read_text("utf-8"), Loader=yaml.CSafeLoader)


def _read(name: str) -> object:
    with resources.as_file(resources.files("rvlms.knowledge").joinpath(name)) as path:
        return cached_parse(path, _parse)


def rule_files() -> list[str]:
    folder = resources.files("rvlms.knowledge").joinpath("rules")
    return sorted(f"rules/{p.name}" for p in folder.iterdir() if p.name.endswith(".yaml"))


@cache
def load_knowledge() -> KnowledgeBase:
    """Load, validate and cross-check the packaged knowledge base (cached per process)."""
    rules: list[object] = []
    for name in rule_files():
        data = _read(name)
        if not isinstance(data, list):
            raise KnowledgeBaseError(f"{name}: expected a list of rules")
        rules.extend(data)
    sources = _read("bibliography.yaml")
    schemes = _read("follow_up.yaml")
    try:
        kb = KnowledgeBase.model_validate(
            {
                "rules": rules,
                "sources": {s["key"]: s for s in sources} if isinstance(sources, list) else {},
                "follow_up": schemes,
            }
        )
    except ValidationError as exc:
        raise KnowledgeBaseError(f"knowledge base invalid:\n{exc}") from None
    problems = check_knowledge(kb)
    if problems:
        raise KnowledgeBaseError("knowledge base inconsistent:\n" + "\n".join(problems))
    return kb


def check_knowledge(kb: KnowledgeBase) -> list[str]:
    """Cross-file problems: duplicate ids, unknown facts, citations not in the bibliography."""
    from rvlms.pathway.facts import CATALOGUE

    problems: list[str] = []
    seen: set[str] = set()
    for rule in kb.rules:
        if rule.id in seen:
            problems.append(f"{rule.id}: duplicate rule id")
        seen.add(rule.id)
        unknown = sorted(rule.facts() - set(CATALOGUE))
        if unknown:
            problems.append(f"{rule.id}: unknown fact(s) {', '.join(unknown)}")
    problems += [
        f"{owner}: citation '{key}' not in the bibliography"
        for owner, key in kb.unresolved_citations()
    ]
    return problems
