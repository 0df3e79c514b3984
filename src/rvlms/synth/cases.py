"""Synthetic cohort rows as case records.

:func:`rvlms.synth.synthesize` makes a cohort table; demonstrations, the federated network's
demo centres and tests need the same patients as case records, to store in a registry. Each
cohort column goes to the case field it was derived from (``rvlms.case.cohort_row`` in
reverse), so a registry's cohort table reproduces the generated one. Every record is
``synthetic``; nothing here is patient data.
"""

from __future__ import annotations

import math
from typing import Any

from rvlms.case import Case, parse_case
from rvlms.synth.generator import synthesize

__all__ = ["DEFAULT_SEED", "DEFAULT_SYNTHETIC", "synthetic_cases"]

DEFAULT_SYNTHETIC = 60
DEFAULT_SEED = 2025


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in row.items() if _present(value)}


def _case_from_row(row: dict[str, Any], seed: int, n: int) -> Case:
    """A minimal case record carrying one synthetic cohort row."""
    r = _clean(row)
    imaging: dict[str, Any] = {
        "imaging_type": r.get("imaging_type"),
        "vessel_of_origin": r.get("vessel_of_origin"),
    }
    if "ivc_level" in r:
        imaging.update(ivc_involved=True, ivc_segments=[r["ivc_level"]])
    if "size_mm" in r:
        imaging["max_diameter_cm"] = round(float(r["size_mm"]) / 10, 1)
    operation: dict[str, Any] = {
        "approach": r.get("approach"),
        "reconstruction": r.get("reconstruction"),
        "operative_time_min": r.get("operative_time_min"),
        "blood_loss_ml": r.get("blood_loss_ml"),
        "rbc_transfused_ml": r.get("rbc_ml"),
        "plasma_transfused_ml": r.get("plasma_ml"),
        "icu_admission": bool(r["icu_admission"]) if "icu_admission" in r else None,
    }
    if r.get("conversion") == 1 and r.get("approach") in ("laparoscopic", "robotic"):
        operation["converted_to_open"] = True
    pathology = {
        "histology": "leiomyosarcoma",
        "size_cm": round(float(r["size_mm"]) / 10, 1) if "size_mm" in r else None,
        "margin": r.get("margin"),
        "fnclcc_grade": r.get("fnclcc_grade"),
    }
    events: list[dict[str, Any]] = []
    dfs = r.get("dfs_months")
    if r.get("dfs_event") == 1 and dfs is not None:
        if r.get("local_recurrence") == 1:
            events.append({"kind": "local_recurrence", "months_after_surgery": dfs})
        if r.get("distant_metastasis") == 1:
            events.append({"kind": "distant_metastasis", "months_after_surgery": dfs})
    died = r.get("os_event") == 1 and r.get("os_months") is not None
    if died:
        events.append({"kind": "death", "months_after_surgery": r["os_months"]})
    months = [m for m in (r.get("follow_up_months"), r.get("os_months"), dfs) if m is not None]
    recurred = any(e["kind"] != "death" for e in events)
    status = (
        "dead_of_disease"
        if died
        else ("alive_with_disease" if recurred else "alive_without_disease")
    )
    record: dict[str, Any] = {
        "case_id": r["case_id"],
        "centre": r.get("centre", "synthetic"),
        "synthetic": True,
        "source": f"rvlms.synth.synthesize(n={n}, seed={seed})",
        "demographics": {"sex": r.get("sex"), "age_years": r.get("age")},
        "imaging": imaging,
        "operation": operation,
        "pathology": pathology,
        "complications": (
            [{"description": "synthetic complication", "clavien_dindo": r["clavien_dindo"]}]
            if "clavien_dindo" in r
            else []
        ),
        "postoperative": {
            "hospital_stay_days": int(r["los_days"]) if "los_days" in r else None,
            "creatinine_1w_umol_l": r.get("creatinine_1w_umol_l") or None,
        },
        "follow_up": {
            "months_after_surgery": max(months) if months else None,
            "status": status if months else None,
            "events": events,
        },
    }
    return parse_case(_drop_none(record), source=r["case_id"])


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    if hasattr(value, "item"):
        return value.item()
    return value


def synthetic_cases(n: int = DEFAULT_SYNTHETIC, seed: int = DEFAULT_SEED) -> list[Case]:
    """``n`` synthetic case records (ids ``SYN-0001``...) from ``synthesize(n, seed)``."""
    frame = synthesize(n, seed=seed)
    rows: list[dict[str, Any]] = [
        {str(key): value for key, value in row.items()} for row in frame.to_dict(orient="records")
    ]
    return [_case_from_row(row, seed, n) for row in rows]
