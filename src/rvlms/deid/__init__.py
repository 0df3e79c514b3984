"""De-identification for researchers: one field policy, one implementation.

Web pages, the REST API, exports and cohort statistics all call this package:

* :mod:`rvlms.deid.policy` — the field-by-field table (HIPAA Safe Harbor category and
  treatment of every field of the case record);
* :mod:`rvlms.deid.pseudonym` — keyed HMAC-SHA256 pseudonyms;
* :mod:`rvlms.deid.dates` — per-patient date shift, or year and month;
* :mod:`rvlms.deid.scrub` — the declared free-text scrubber;
* :mod:`rvlms.deid.apply` — de-identify a case for an export, or a cohort table;
* :mod:`rvlms.deid.research` — the researcher schema of the web pages and the API;
* :mod:`rvlms.deid.docs` — generates ``docs/deidentification.md`` from the policy.
"""

from rvlms.deid.apply import (
    DeidPolicy,
    deidentify_frame,
    deidentify_record,
    scrubbed_case,
    top_code_age,
)
from rvlms.deid.dates import DatePolicy
from rvlms.deid.policy import OLDEST_REPORTED_AGE, SafeHarbor, Treatment, policy_table
from rvlms.deid.pseudonym import PseudonymKey, pseudonym
from rvlms.deid.scrub import KnownIdentifiers, scrub_text

__all__ = [
    "OLDEST_REPORTED_AGE",
    "DatePolicy",
    "DeidPolicy",
    "KnownIdentifiers",
    "PseudonymKey",
    "SafeHarbor",
    "Treatment",
    "deidentify_frame",
    "deidentify_record",
    "policy_table",
    "pseudonym",
    "scrub_text",
    "scrubbed_case",
    "top_code_age",
]
