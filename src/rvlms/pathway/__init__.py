"""The decision map: from a case to a cited MDT plan."""

from rvlms.pathway.conditions import MISSING, Trace, Truth, evaluate
from rvlms.pathway.engine import build_plan, evaluate_case
from rvlms.pathway.facts import CATALOGUE, derive_facts
from rvlms.pathway.knowledge import (
    STAGE_TITLES,
    KnowledgeBase,
    Rule,
    Stage,
    Status,
    Strength,
    load_knowledge,
)
from rvlms.pathway.outcome import Outcome, evaluate_rule
from rvlms.pathway.plan import PLAN_SCHEMA_VERSION, Plan

__all__ = [
    "CATALOGUE",
    "MISSING",
    "PLAN_SCHEMA_VERSION",
    "STAGE_TITLES",
    "KnowledgeBase",
    "Outcome",
    "Plan",
    "Rule",
    "Stage",
    "Status",
    "Strength",
    "Trace",
    "Truth",
    "build_plan",
    "derive_facts",
    "evaluate",
    "evaluate_case",
    "evaluate_rule",
    "load_knowledge",
]
