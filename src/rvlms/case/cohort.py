"""One case as one row of the cohort table that the registry exports and the analysis reads.

Disease-free survival runs from the operation to the first local recurrence, distant
metastasis or death, censored at the last contact; overall survival runs to death. Times
come from dates when both are known, otherwise from the months recorded in the case
(zhang2021 Table 1 reports follow-up in months only). Nothing is filled in: a value the
case does not hold is ``None``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from rvlms.case.record import Case
from rvlms.case.vocab import EventKind, VitalStatus

DAYS_PER_MONTH = 365.25 / 12

COHORT_COLUMNS: tuple[str, ...] = (
    "case_id",
    "imaging_type",
    "ivc_level",
    "age",
    "sex",
    "size_mm",
    "operative_time_min",
    "blood_loss_ml",
    "transfused",
    "icu_admission",
    "reconstruction",
    "margin",
    "dfs_months",
    "dfs_event",
    "os_months",
    "os_event",
)
OPTIONAL_COLUMNS: tuple[str, ...] = (
    "rbc_ml",
    "plasma_ml",
    "los_days",
    "creatinine_1w_umol_l",
    "fnclcc_grade",
    "clavien_dindo",
    "approach",
    "conversion",
    "vessel_of_origin",
    "local_recurrence",
    "distant_metastasis",
    "follow_up_months",
    "synthetic",
    "centre",
)


def months_between(start: date, end: date) -> float:
    return round((end - start).days / DAYS_PER_MONTH, 2)


def _event_months(case: Case, kind: EventKind) -> float | None:
    event = case.follow_up.first(kind)
    if event is None:
        return None
    if event.months_after_surgery is not None:
        return event.months_after_surgery
    operated = case.operation.date if case.operation else None
    if event.date is not None and operated is not None:
        return months_between(operated, event.date)
    return None


def follow_up_months(case: Case) -> float | None:
    if case.follow_up.months_after_surgery is not None:
        return case.follow_up.months_after_surgery
    operated = case.operation.date if case.operation else None
    if operated is not None and case.follow_up.last_contact_date is not None:
        return months_between(operated, case.follow_up.last_contact_date)
    return None


def survival(case: Case) -> dict[str, Any]:
    """DFS and OS times (months) and event flags (1/0)."""
    last = follow_up_months(case)
    death = _event_months(case, EventKind.death)
    dead = case.follow_up.status in (VitalStatus.dead_of_disease, VitalStatus.dead_of_other_cause)
    failures = [
        m
        for m in (
            _event_months(case, EventKind.local_recurrence),
            _event_months(case, EventKind.distant_metastasis),
            death,
        )
        if m is not None
    ]
    dfs = min(failures) if failures else last
    os_time = death if death is not None else last
    return {
        "dfs_months": dfs,
        "dfs_event": (1 if failures else 0) if dfs is not None else None,
        "os_months": os_time,
        "os_event": (1 if (death is not None or dead) else 0) if os_time is not None else None,
    }


def _flag(value: bool | None) -> int | None:
    return None if value is None else int(value)


def _event_flag(case: Case, kind: EventKind) -> int | None:
    """1 when the event is recorded, 0 when follow-up exists without it, None with no follow-up."""
    if case.follow_up.first(kind) is not None:
        return 1
    return 0 if follow_up_months(case) is not None else None


def cohort_row(case: Case) -> dict[str, Any]:
    """The cohort-table row of one case (columns ``COHORT_COLUMNS`` + ``OPTIONAL_COLUMNS``)."""
    from rvlms.imaging import classify

    classification = classify(case)
    operation = case.operation
    pathology = case.pathology
    size_cm = (pathology.size_cm if pathology else None) or case.imaging.max_diameter_cm
    grades = [c.clavien_dindo for c in case.complications]
    order = [g.value for g in type(grades[0])] if grades else []
    row: dict[str, Any] = {
        "case_id": case.case_id,
        "imaging_type": classification.imaging_type.value if classification.imaging_type else None,
        "ivc_level": classification.ivc_level.value if classification.ivc_level else None,
        "age": case.demographics.age_years,
        "sex": case.demographics.sex.value if case.demographics.sex else None,
        "size_mm": round(size_cm * 10, 1) if size_cm is not None else None,
        "operative_time_min": operation.operative_time_min if operation else None,
        "blood_loss_ml": operation.blood_loss_ml if operation else None,
        "transfused": _flag(operation.transfused) if operation else None,
        "icu_admission": _flag(operation.icu_admission) if operation else None,
        "reconstruction": (
            operation.reconstruction.value if operation and operation.reconstruction else None
        ),
        "margin": pathology.margin.value if pathology and pathology.margin else None,
        **survival(case),
        "rbc_ml": operation.rbc_transfused_ml if operation else None,
        "plasma_ml": operation.plasma_transfused_ml if operation else None,
        "los_days": case.postoperative.hospital_stay_days,
        "creatinine_1w_umol_l": case.postoperative.creatinine_1w_umol_l,
        "fnclcc_grade": pathology.fnclcc_grade.value
        if pathology and pathology.fnclcc_grade
        else None,
        "clavien_dindo": max((g.value for g in grades), key=order.index) if grades else None,
        "approach": operation.approach.value if operation and operation.approach else None,
        "conversion": _flag(operation.converted_to_open) if operation else None,
        "vessel_of_origin": (
            case.imaging.vessel_of_origin.value if case.imaging.vessel_of_origin else None
        ),
        "local_recurrence": _event_flag(case, EventKind.local_recurrence),
        "distant_metastasis": _event_flag(case, EventKind.distant_metastasis),
        "follow_up_months": follow_up_months(case),
        "synthetic": int(case.synthetic),
        "centre": case.centre,
    }
    return row
