"""Dates for researchers: a per-patient shift that keeps intervals, or year and month.

*Shift* moves every date of one patient by the same number of days, derived from the
pseudonym key and the patient's case id, between 1 and ``max_days`` days earlier or later
(never zero). Intervals (diagnosis to surgery, surgery to recurrence) are exact, which
Kaplan–Meier and Cox analyses need; the calendar is hidden. REDCap's "shift all dates by
a value between 0 and 364 days" export option and Onconova's date shifting work the same
way.

*Year-month* keeps the year and month and sets the day to the 1st (HIPAA Safe Harbor
allows the year alone, so this is a limited data set under 45 CFR 164.514(e), for data
use agreements); intervals are computed from the exact dates first.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from rvlms.deid.pseudonym import PseudonymKey

__all__ = ["DatePolicy", "DateShifter"]


class DatePolicy(enum.StrEnum):
    """How exports treat dates (``Settings.deid_dates``)."""

    shift = "shift"
    year_month = "year-month"


@dataclass(frozen=True)
class DateShifter:
    """Moves the dates of one patient; build one per case with :meth:`for_patient`."""

    policy: DatePolicy
    offset_days: int

    @classmethod
    def for_patient(
        cls, key: PseudonymKey, patient: str, policy: DatePolicy, max_days: int
    ) -> DateShifter:
        if policy is DatePolicy.year_month:
            return cls(policy, 0)
        draw = int.from_bytes(key.digest("date-shift", patient)[:8], "big")
        magnitude = 1 + draw % max_days
        sign = -1 if (draw >> 32) % 2 else 1
        return cls(policy, sign * magnitude)

    def __call__(self, when: dt.date) -> dt.date:
        if self.policy is DatePolicy.year_month:
            return when.replace(day=1)
        return when + dt.timedelta(days=self.offset_days)
