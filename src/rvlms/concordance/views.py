"""The case as the MDT saw it before deciding: what the concordance plans with."""

from __future__ import annotations

from rvlms.case import Case
from rvlms.pathway.engine import preoperative_view


def before_the_mdt(case: Case) -> Case:
    """No operation, specimen or follow-up, and neither the MDT's decision nor the
    neoadjuvant treatment it chose: those are the answers the plan is measured against."""
    return preoperative_view(case).model_copy(update={"mdt": None, "neoadjuvant": []})
