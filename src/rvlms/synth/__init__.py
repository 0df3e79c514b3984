"""Synthetic RVLMS cohorts: a seeded generator and a Yang 2025-calibrated cohort.

Every row is labelled ``synthetic = 1``; analyses of these tables say "synthetic data"
in their JSON, text header and plot titles. Use them for demonstrations, tests and
benchmarks - never as evidence.
"""

from rvlms.synth.cases import synthetic_cases
from rvlms.synth.generator import case_ids, synthesize
from rvlms.synth.yang2025 import (
    YANG2025_DEFAULT_SEED,
    YANG2025_TARGETS,
    YANG2025_TOLERANCE,
    yang2025_cohort,
)

__all__ = [
    "YANG2025_DEFAULT_SEED",
    "YANG2025_TARGETS",
    "YANG2025_TOLERANCE",
    "case_ids",
    "synthesize",
    "synthetic_cases",
    "yang2025_cohort",
]
