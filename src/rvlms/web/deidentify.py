"""The researcher view of cases and plans; the implementation is :mod:`rvlms.deid`."""

from rvlms.deid.research import (
    DROPPED_FIELDS,
    SAFE_HARBOR_AGE,
    ResearchCase,
    deidentify_case,
    deidentify_plan,
    research_case_model,
    scrub_dates,
)

__all__ = [
    "DROPPED_FIELDS",
    "SAFE_HARBOR_AGE",
    "ResearchCase",
    "deidentify_case",
    "deidentify_plan",
    "research_case_model",
    "scrub_dates",
]
