"""The MDT plan: what the decision map returns for one case (a public, versioned contract)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from rvlms.case.vocab import ImagingType, IvcLevel
from rvlms.literature.similar import SimilarCase
from rvlms.pathway.knowledge import Stage, Status, Strength

PLAN_SCHEMA_VERSION = "1.1"


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class EvidenceOut(_Out):
    source: str
    locator: str
    citation: str = Field(description="The bibliography entry the source key resolves to")
    verified: str = Field(
        description="S seed paper, V checked, B unverified background, P proposal"
    )


class SupersededBy(_Out):
    text: str
    evidence: list[EvidenceOut]


class Recommendation(_Out):
    id: str
    title: str
    text: str
    strength: Strength
    status: Status
    evidence: list[EvidenceOut]
    because: list[str] = Field(description="The case facts that triggered the recommendation")
    superseded_by: SupersededBy | None = None


class Warning(Recommendation):
    stage: Stage


class StagePlan(_Out):
    stage: Stage
    title: str
    recommendations: list[Recommendation]


class MissingFact(_Out):
    fact: str = Field(description="Case field to fill in")
    label: str
    needed_for: str = Field(description="What the answer would decide")
    rules: list[str]


OptionStatus = Literal["met", "unmet", "unknown"]


class OptionOut(_Out):
    """One option of a decision: the contingency plan the surgeon takes into theatre."""

    option: str
    role: Literal["preferred", "alternative", "consider"] = Field(
        description="The role the rules give the option when its condition holds"
    )
    condition: str = Field(description="What selects the option, in words")
    status: OptionStatus = Field(description="Whether that condition holds for this case")
    rules: list[str]
    evidence: list[EvidenceOut]
    missing: list[str] = Field(
        default_factory=list, description="Facts that would settle an unknown condition"
    )


class DecidingFact(_Out):
    fact: str = Field(description="Case field to fill in")
    label: str


class DecisionOut(_Out):
    preferred: str | None = Field(description="null when the facts to choose are missing")
    alternatives: list[str] = Field(
        description="Other options still open for this case (condition met or unknown)"
    )
    because: list[str]
    rules: list[str]
    undecided_because: list[str] = Field(
        default_factory=list, description="Missing facts that keep the decision open"
    )
    options: list[OptionOut] = Field(
        default_factory=list, description="Every option the rules know, with its condition"
    )
    deciding_facts: list[DecidingFact] = Field(
        default_factory=list,
        description="The facts that would choose between the open options, most decisive first",
    )
    decided_by: Literal["rules", "operation", "not_applicable"] = Field(
        default="rules",
        description="'operation': taken from the operative record of an operated case; "
        "'not_applicable': the decision does not arise (see not_applicable_because)",
    )
    not_applicable_because: str | None = None

    @property
    def undecided(self) -> bool:
        return self.preferred is None and self.decided_by == "rules"


class OrganResectionOut(_Out):
    item: str
    side: str | None
    role: Literal["recommended", "consider", "contingent", "done"] = Field(
        description="'contingent': only if a fact not yet known turns out so (see missing); "
        "'done': removed at the operation of record"
    )
    rule: str
    because: list[str]
    condition: str = ""
    status: OptionStatus = "met"
    rules: list[str] = Field(default_factory=list)
    evidence: list[EvidenceOut] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)


class Decisions(_Out):
    approach: DecisionOut
    vascular_control: DecisionOut
    reconstruction: DecisionOut
    organ_resection: list[OrganResectionOut]
    resectability: DecisionOut
    neoadjuvant: DecisionOut
    adjuvant: DecisionOut
    systemic_therapy: DecisionOut
    organ_resection_deciding_facts: list[DecidingFact] = Field(default_factory=list)

    def by_name(self) -> dict[str, DecisionOut]:
        """The single-choice decisions in the order an MDT takes them."""
        return {name: getattr(self, name) for name in SINGLE_DECISIONS}


DECISION_ORDER = (
    "resectability",
    "neoadjuvant",
    "approach",
    "vascular_control",
    "reconstruction",
    "organ_resection",
    "adjuvant",
    "systemic_therapy",
)
"""Every decision of the plan in the order an MDT takes them."""
SINGLE_DECISIONS = tuple(name for name in DECISION_ORDER if name != "organ_resection")
DECISION_TITLES = {
    "resectability": "Resectability",
    "neoadjuvant": "Neoadjuvant therapy",
    "approach": "Approach",
    "vascular_control": "Vascular control",
    "reconstruction": "Reconstruction",
    "organ_resection": "Organ resection",
    "adjuvant": "Adjuvant therapy",
    "systemic_therapy": "Systemic therapy",
}


class Visit(_Out):
    date: dt.date | None
    months_after_surgery: int
    what: str


class FollowUpScheme(_Out):
    id: str
    label: str
    evidence: list[EvidenceOut]
    visits: list[Visit]


class ClassificationOut(_Out):
    ivc_level: IvcLevel | None
    ivc_levels: list[IvcLevel]
    ivc_level_source: Literal["radiologist", "rule"] | None
    imaging_type: ImagingType | None
    imaging_type_source: Literal["radiologist", "rule"] | None
    rule_imaging_type: ImagingType | None
    definition: str
    reasons: list[str]


class SourceOut(_Out):
    key: str
    citation: str
    verified: str
    doi: str | None = None
    url: str | None = None


class Plan(_Out):
    schema_version: str = PLAN_SCHEMA_VERSION
    case_id: str
    synthetic: bool
    timepoint: Literal["current", "preoperative"] = Field(
        description="'preoperative': planned with what was known before surgery"
    )
    classification: ClassificationOut
    warnings: list[Warning]
    stages: list[StagePlan]
    missing_facts: list[MissingFact]
    decisions: Decisions
    follow_up: list[Visit]
    follow_up_scheme: str
    follow_up_alternative: FollowUpScheme | None
    sources: list[SourceOut]
    similar_cases: list[SimilarCase] = Field(
        default_factory=list,
        description="Published cases most like this one (published cases, selection-biased), "
        "with the features that matched, what the team did and the outcome",
    )
    notice: str = (
        "Decision support for MDT discussion, not an order. Every recommendation names its "
        "evidence; 'proposal' marks rvlms conventions that no publication states."
    )

    def recommendation(self, rule_id: str) -> Recommendation | None:
        for item in [*self.warnings, *(r for s in self.stages for r in s.recommendations)]:
            if item.id == rule_id:
                return item
        return None

    @property
    def fired(self) -> list[str]:
        return [w.id for w in self.warnings] + [
            r.id for s in self.stages for r in s.recommendations
        ]
