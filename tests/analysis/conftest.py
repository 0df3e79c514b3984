"""Fixtures: Zhang 2021 Table 1 typed in by hand, and the Yang 2025-calibrated cohort."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rvlms.analysis import validate_cohort
from rvlms.synth import yang2025_cohort

NA = np.nan


def zhang2021_table1() -> pd.DataFrame:
    """The four patients of Zhang 2021 Table 1 (BMC Surg 2021;21:326), one row each.

    Read from the flattened table in the seed text: age 33/61/57/55; sex F/M/F/M; size
    7.2/4.2/7.7/10.7 cm; operation time 467/224/373/256 min; blood loss
    300/200/1500/800 ml; transfusion 800 ml RBC / 0 / 2000 ml RBC + 1400 ml plasma /
    800 ml RBC; FNCLCC G1/G2/G1/G2; margins all negative; Clavien–Dindo 2 in case 1;
    approach retroperitoneal laparoscopic / laparoscopic converted to open /
    laparoscopic / open; follow-up 16 M AWR, 16 M AOD, 13 M AOD, 21 M AOD; case 1 local
    recurrence at 15 months (Results). Postoperative diagnosis IVC (middle) / RV (right)
    / IVC (middle) / IVC (middle) + RV. Every venotomy was closed with 4-0 Prolene
    (Operation procedure). Not in the table: imaging type, ICU admission, creatinine and
    hospital stay per patient - left empty.
    """
    return pd.DataFrame(
        {
            "case_id": ["ZHANG2021-1", "ZHANG2021-2", "ZHANG2021-3", "ZHANG2021-4"],
            "imaging_type": [NA, NA, NA, NA],
            "ivc_level": ["II", NA, "II", "II"],
            "age": [33, 61, 57, 55],
            "sex": ["female", "male", "female", "male"],
            "size_mm": [72.0, 42.0, 77.0, 107.0],
            "operative_time_min": [467.0, 224.0, 373.0, 256.0],
            "blood_loss_ml": [300.0, 200.0, 1500.0, 800.0],
            "transfused": [1, 0, 1, 1],
            "icu_admission": [NA, NA, NA, NA],
            "reconstruction": ["primary_repair"] * 4,
            "margin": ["R0"] * 4,
            "dfs_months": [15.0, 16.0, 13.0, 21.0],
            "dfs_event": [1, 0, 0, 0],
            "os_months": [16.0, 16.0, 13.0, 21.0],
            "os_event": [0, 0, 0, 0],
            "rbc_ml": [800.0, 0.0, 2000.0, 800.0],
            "plasma_ml": [0.0, 0.0, 1400.0, 0.0],
            "los_days": [NA, NA, NA, NA],
            "creatinine_1w_umol_l": [NA, NA, NA, NA],
            "fnclcc_grade": ["G1", "G2", "G1", "G2"],
            "clavien_dindo": ["II", NA, NA, NA],
            "approach": ["laparoscopic", "laparoscopic", "laparoscopic", "open"],
            "conversion": [0, 1, 0, 0],
            "vessel_of_origin": ["ivc", "renal_vein", "ivc", "ivc"],
            "local_recurrence": [1, 0, 0, 0],
            "distant_metastasis": [0, 0, 0, 0],
            "follow_up_months": [16.0, 16.0, 13.0, 21.0],
            "synthetic": [0, 0, 0, 0],
            "centre": ["zhang2021"] * 4,
        }
    )


@pytest.fixture
def zhang_table1() -> pd.DataFrame:
    return zhang2021_table1()


@pytest.fixture(scope="session")
def yang_cohort() -> pd.DataFrame:
    return validate_cohort(yang2025_cohort())
