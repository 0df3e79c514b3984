"""The named facts the decision map reasons with, derived from one case record.

Rules in the knowledge files never read the case directly; they name facts from this
catalogue (``catalogue``), grouped by what they describe: the presentation and work-up,
the anatomy on imaging, the neighbouring organs, the kidneys, and the operation and course.
"""

from rvlms.pathway.facts import anatomy, course, kidneys, organs, workup
from rvlms.pathway.facts.catalogue import CATALOGUE, Fact, derive_facts, labels

__all__ = [
    "CATALOGUE",
    "Fact",
    "anatomy",
    "course",
    "derive_facts",
    "kidneys",
    "labels",
    "organs",
    "workup",
]
