"""Fixtures of the FHIR tests: the zhang2021 cases, a synthetic cohort, and one case that
fills every part of the record the export carries (identifiers, dates, therapies, death).

The web-app fixtures (a real SQLite registry behind the app, reached over HTTP) are shared
with tests/web.
"""

from __future__ import annotations

from typing import Any

import pytest

from rvlms.case import Case, parse_case
from rvlms.examples import load_zhang2021
from rvlms.synth import synthetic_cases
from web.conftest import app, client, clinician, portal, researcher  # noqa: F401

SYNTHETIC_N = 40
SYNTHETIC_SEED = 2025

FULL_CASE: dict[str, Any] = {
    "case_id": "full_1",
    "centre": "Centre A",
    "synthetic": True,
    "identity": {
        "name": "Ann Example",
        "medical_record_number": "MRN-77",
        "birth_date": "1950-02-01",
    },
    "demographics": {"sex": "female", "age_years": 69, "height_cm": 164, "weight_kg": 61.5},
    "presentation": {
        "symptoms": ["abdominal_pain", "lower_limb_oedema"],
        "diagnosis_date": "2019-05-02",
        "incidental": False,
        "ecog": 1,
        "working_diagnosis": "vascular_leiomyosarcoma",
    },
    "history": {"conditions": ["diabetes", "hypertension"]},
    "labs": {
        "creatinine_umol_l": 91.5,
        "haemoglobin_g_l": 118,
        "hormones": {
            "plasma_free_metanephrines": {"result": "abnormal", "value": 1.2, "unit": "nmol/L"},
            "urine_fractionated_metanephrines": {"result": "normal"},
            "acth": {"result": "normal"},
        },
    },
    "preoperative": {"asa": 3, "alpha_blocker": "doxazosin", "alpha_blockade_days": 10},
    "imaging": {
        "studies": [
            {"modality": "cect", "phases": ["arterial", "portal_venous"], "date": "2019-04-28"},
            {"modality": "mri"},
        ],
        "vessel_of_origin": "ivc",
        "side": "midline",
        "max_diameter_cm": 16.5,
        "ivc_involved": True,
        "renal_veins_involved": ["left", "right"],
        "ivc_segments": ["II", "I"],
        "ivc_lower_extent": "infrarenal",
        "ivc_upper_extent": "retrohepatic",
        "tumour_thrombus": {"vessel": "ivc", "length_cm": 4.5, "upper_extent": "retrohepatic"},
        "wall_circumference_pct": 60,
        "ivc_patency": "partially_occluded",
        "collaterals": True,
        "organs": [{"organ": "kidney", "side": "right", "extent": "adhesion"}],
        "regional_nodes": True,
        "distant_metastasis": True,
        "metastasis_sites": ["liver", "other", "lung"],
        "imaging_type": "intermediate",
    },
    "biopsy": {
        "done": True,
        "date": "2019-05-10",
        "method": "percutaneous_core",
        "result": "leiomyosarcoma",
        "ki67_pct": 20,
        "complication": "small haematoma",
    },
    "mdt": {
        "date": "2019-05-20",
        "decision": "neoadjuvant_then_surgery",
        "disciplines": ["urology", "oncology"],
        "notes": "discussed twice",
    },
    "preferences": {"declines_transfusion": False, "wishes_kidney_preservation": True},
    "neoadjuvant": [
        {
            "kind": "chemotherapy",
            "status": "received",
            "regimen": "doxorubicin-dacarbazine",
            "start_date": "2019-06-01",
            "end_date": "2019-08-15",
            "cycles": 4,
        },
        {"kind": "radiotherapy", "status": "stopped", "dose_gy": 36.0, "reason": "toxicity"},
        {"kind": "alpha_blockade", "status": "received", "regimen": "doxazosin"},
    ],
    "operation": {
        "date": "2019-09-10",
        "approach": "open",
        "access": "transperitoneal",
        "vascular_control": ["complete_clamp"],
        "reconstruction": "tube_graft",
        "reconstruction_material": "ringed_ptfe",
        "organs_resected": [
            {"item": "adrenalectomy", "side": "right"},
            {"item": "nephrectomy", "side": "right"},
        ],
        "operative_time_min": 410,
        "blood_loss_ml": 1800,
        "icu_admission": True,
    },
    "pathology": {
        "histology": "leiomyosarcoma",
        "size_cm": 16.0,
        "margin": "R1",
        "fnclcc_grade": "G3",
        "mitoses_per_10hpf": 22,
        "ihc": {"sma": "positive", "desmin": "focal", "ki67_pct": 35},
        "regional_nodes_positive": False,
    },
    "complications": [
        {"description": "graft thrombosis", "clavien_dindo": "IIIb", "days_after_surgery": 4}
    ],
    "postoperative": {"creatinine_1w_umol_l": 120, "hospital_stay_days": 15},
    "adjuvant": [
        {"kind": "targeted", "status": "recommended"},
        {"kind": "clinical_trial", "status": "declined", "reason": "travel"},
    ],
    "follow_up": {
        "last_contact_date": "2021-03-01",
        "months_after_surgery": 17.7,
        "status": "dead_of_disease",
        "events": [
            {
                "kind": "distant_metastasis",
                "date": "2020-04-01",
                "months_after_surgery": 6.7,
                "symptomatic": True,
                "sites": ["lung", "bone"],
                "management": "second-line chemotherapy",
            },
            {"kind": "death", "date": "2021-03-01", "months_after_surgery": 17.7},
        ],
    },
}
"""A case that fills every group of fields the export carries (invented, not a patient)."""


@pytest.fixture(scope="session")
def zhang() -> list[Case]:
    return load_zhang2021()


@pytest.fixture(scope="session")
def synthetic() -> list[Case]:
    return synthetic_cases(SYNTHETIC_N, SYNTHETIC_SEED)


@pytest.fixture(scope="session")
def full_case() -> Case:
    return parse_case(FULL_CASE, source="full case")
