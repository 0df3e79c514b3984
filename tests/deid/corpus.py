"""The planted-identifier corpus: the four zhang2021 Table 1 patients (and one aged 93)
with a name, record numbers, dates, telephone numbers, an e-mail address, a web address
and a street address typed into every free-text field of the case record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rvlms.case import Case
from rvlms.deid.fields import FieldKind, case_fields
from rvlms.examples import load_zhang2021

PATIENT_NAME = "Zelda Okonkwo"
PATIENT_MRN = "MRN-99887766"
BIRTH_DATE = dt.date(1931, 3, 14)
DOCTOR = "Dr Quentin Blackwood"
PLANTED = (
    f"{PATIENT_NAME} seen by {DOCTOR} on 2019-07-23 (also 23/07/2019, July 23, 2019), "
    "chart 4471902, tel 415-555-0199, +44 20 7946 0958, qb.clinic@example.org, "
    "https://clinic.example.org/p/4471902, 12 Baker Street"
)
"""Typed into every free-text field."""

PLANTED_SHORT = f"{PATIENT_NAME}, {DOCTOR}, 23/07/2019, MRN 4471902, tel 415-555-0199"
"""For the centre, which the registry indexes in 200 characters."""

SECRETS = (
    "Zelda",
    "Okonkwo",
    "99887766",
    "Blackwood",
    "Quentin",
    "2019-07-23",
    "23/07/2019",
    "July 23",
    "4471902",
    "415-555-0199",
    "7946 0958",
    "qb.clinic",
    "example.org",
    "Baker Street",
    "1931-03-14",
)
"""None of these may appear in any researcher-facing output."""

EXACT_DATES = ("2020-05-02", "2020-06-10", "2021-02-15", "2020-04-20", "2020-05-20")
"""Real calendar dates of the planted cases (exports shift them, views show years)."""


def text_paths() -> list[str]:
    return [f.path for f in case_fields() if f.kind in (FieldKind.text, FieldKind.texts)]


def _plant(data: dict[str, Any], case_id: str) -> None:
    data["centre"] = f"Zhongshan Hospital {PLANTED_SHORT}"
    data["source"] = PLANTED
    data["notes"] = PLANTED
    data["identity"] = {
        "name": PATIENT_NAME,
        "medical_record_number": PATIENT_MRN,
        "birth_date": BIRTH_DATE.isoformat(),
    }
    hormones = data.setdefault("labs", {}).setdefault("hormones", {})
    for test in (
        "plasma_free_metanephrines",
        "urine_fractionated_metanephrines",
        "plasma_catecholamines",
        "urine_vma_24h",
        "acth",
        "cortisol_rhythm",
        "dexamethasone_suppression",
        "renin_aldosterone_standing",
        "renin_aldosterone_recumbent",
    ):
        hormones.setdefault(test, {"result": "normal"})["unit"] = f"nmol/L {PLANTED}"
    data.setdefault("preoperative", {})["alpha_blocker"] = f"phenoxybenzamine {PLANTED}"
    data["presentation"]["diagnosis_date"] = "2020-05-02"
    data["imaging"]["studies"] = [{"modality": "cect", "date": "2020-04-20"}]
    biopsy = data.get("biopsy") or {"done": False}
    biopsy["date"] = "2020-05-20"
    biopsy["complication"] = PLANTED
    data["biopsy"] = biopsy
    data["mdt"] = {
        "date": "2020-05-20",
        "disciplines": [f"vascular surgery {PLANTED}", "oncology"],
        "notes": PLANTED,
    }
    therapy = {
        "kind": "chemotherapy",
        "status": "received",
        "regimen": f"doxorubicin {PLANTED}",
        "reason": PLANTED,
    }
    data["neoadjuvant"] = [{**therapy, "start_date": "2020-05-21", "end_date": "2020-05-30"}]
    data["adjuvant"] = [{**therapy, "start_date": "2020-07-01", "end_date": "2020-09-01"}]
    operation = data.setdefault("operation", {})
    operation["date"] = "2020-06-10"
    operation["conversion_reason"] = PLANTED
    data.setdefault("pathology", {})["histology"] = f"leiomyosarcoma {PLANTED}"
    data["complications"] = [{"description": PLANTED, "clavien_dindo": "II"}]
    follow_up = data.setdefault("follow_up", {})
    follow_up["last_contact_date"] = "2021-06-10"
    follow_up.pop("months_after_surgery", None)
    follow_up["events"] = [
        {"kind": "local_recurrence", "date": "2021-02-15", "management": PLANTED}
    ]
    data["case_id"] = case_id


def planted_cases() -> list[Case]:
    """Five planted cases: zhang2021 cases 1-4 and a copy of case 4 aged 93."""
    cases: list[Case] = []
    bases = load_zhang2021()
    for index, base in enumerate([*bases, bases[3]]):
        data = base.model_dump(mode="json", exclude_none=True)
        _plant(data, f"planted-{index + 1}")
        data["identity"]["birth_date"] = None
        if index == 4:
            data["demographics"]["age_years"] = 93
        data["identity"] = {k: v for k, v in data["identity"].items() if v}
        cases.append(Case.model_validate(data))
    return cases


def leaks(text: str) -> list[str]:
    """The planted secrets found in ``text``."""
    return [secret for secret in SECRETS if secret.lower() in text.lower()]
