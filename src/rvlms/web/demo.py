"""Demonstration data for ``rvlms serve --demo``: the four zhang2021 patients, a synthetic
cohort, and a one-time clinician login.

The synthetic cohort comes from :func:`rvlms.synth.synthesize` (Yang 2025-anchored
distributions, every row ``synthetic``) and is stored through the registry's bulk path
(``Registry.add_many``) as minimal case records: each cohort column goes to the case field
it was derived from (``rvlms.case.cohort_row`` in reverse), so the registry's cohort
table reproduces the generated one. Nothing here is patient data.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from typing import Any

from rvlms.case import Case, parse_case
from rvlms.errors import Conflict
from rvlms.examples import load_zhang2021
from rvlms.registry import Registry
from rvlms.web.accounts import Accounts
from rvlms.web.policy import Role

__all__ = ["DEMO_USER", "DemoLogin", "demo_login", "load_demo", "synthetic_cases"]

DEMO_USER = "demo"
DEMO_LOADER = "rvlms-demo"
DEFAULT_SYNTHETIC = 60
DEFAULT_SEED = 2025


@dataclass(frozen=True)
class DemoLogin:
    """The clinician login, and one login per other role so the researcher's de-identified
    view and the admin's users and audit log can be tried too."""

    username: str
    password: str
    cases_added: int
    others: tuple[tuple[Role, str, str], ...] = ()


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
    from rvlms.synth import synthesize

    frame = synthesize(n, seed=seed)
    rows: list[dict[str, Any]] = [
        {str(key): value for key, value in row.items()} for row in frame.to_dict(orient="records")
    ]
    return [_case_from_row(row, seed, n) for row in rows]


def demo_login(
    accounts: Accounts, username: str = DEMO_USER, role: Role = Role.clinician
) -> tuple[str, str]:
    """A fresh random password for a demo account (created when missing)."""
    password = secrets.token_urlsafe(12)
    if accounts.by_name(username) is None:
        accounts.add(username, role, password, created_by=DEMO_LOADER)
    else:
        accounts.set_password(username, password)
        accounts.set_active(username, True)
    return username, password


def load_demo(
    registry: Registry,
    accounts: Accounts,
    *,
    n_synthetic: int = DEFAULT_SYNTHETIC,
    seed: int = DEFAULT_SEED,
) -> DemoLogin:
    """Add the demonstration cases that are not in the registry yet, and a demo login."""
    present = {s.case_id for s in registry.list(include_deleted=True)}
    cases = [
        c
        for c in [*load_zhang2021(), *synthetic_cases(n_synthetic, seed)]
        if c.case_id not in present
    ]
    added = 0
    if cases:
        try:
            added = registry.add_many(cases, DEMO_LOADER)
        except Conflict:
            added = 0
    username, password = demo_login(accounts)
    others = tuple(
        (role, *demo_login(accounts, f"{DEMO_USER}-{role.value}", role))
        for role in (Role.researcher, Role.admin)
    )
    return DemoLogin(username=username, password=password, cases_added=added, others=others)
