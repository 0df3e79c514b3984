"""De-identified copies of cases for research exports; the implementation, with its field
policy (HIPAA Safe Harbor, 45 CFR 164.514(b)(2)), is :mod:`rvlms.deid`.

Identity and narrative text go, short texts are scrubbed, ages above 89 become 90, the
case id becomes a keyed pseudonym and dates are shifted per patient (or cut to year and
month, ``RVLMS_DEID_DATES``). Age at diagnosis, follow-up months and the months from
surgery to each event are written from the exact dates first, so DFS and OS are unchanged.
"""

from __future__ import annotations

from rvlms.case import Case
from rvlms.deid.apply import DeidPolicy, deidentify_record
from rvlms.deid.policy import OLDEST_REPORTED_AGE

__all__ = ["OLDEST_REPORTED_AGE", "deidentify"]


def deidentify(case: Case, policy: DeidPolicy | None = None) -> Case:
    """A de-identified copy of ``case`` (policy from the settings when not given)."""
    return deidentify_record(case, policy)
