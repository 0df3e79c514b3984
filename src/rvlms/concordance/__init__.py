"""The decision map measured on published (or a centre's own) cases: concordance and safety."""

from rvlms.concordance.measure import DECISIONS, CaseResult, Concordance, Tally, assess, measure
from rvlms.concordance.safety import CHECKS, Violation
from rvlms.concordance.views import before_the_mdt

__all__ = [
    "CHECKS",
    "DECISIONS",
    "CaseResult",
    "Concordance",
    "Tally",
    "Violation",
    "assess",
    "before_the_mdt",
    "measure",
]
