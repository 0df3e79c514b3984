"""The synthetic generator and the Yang 2025-calibrated cohort."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from rvlms.analysis import COHORT_COLUMNS, OPTIONAL_COLUMNS, validate_cohort
from rvlms.analysis.survival import summarise_survival
from rvlms.synth import YANG2025_TARGETS, YANG2025_TOLERANCE, synthesize, yang2025_cohort


def test_synthesize_is_deterministic_for_a_seed() -> None:
    pd.testing.assert_frame_equal(synthesize(300, seed=42), synthesize(300, seed=42))
    assert not synthesize(300, seed=42).equals(synthesize(300, seed=43))


def test_synthesize_follows_the_contract_and_is_labelled() -> None:
    df = synthesize(250, seed=1)
    assert list(df.columns) == list(COHORT_COLUMNS) + list(OPTIONAL_COLUMNS)
    assert df["case_id"].iloc[0] == "SYN-0001"
    assert df["case_id"].iloc[-1] == "SYN-0250"
    assert (df["synthetic"] == 1).all()
    checked = validate_cohort(df)
    assert (checked["dfs_months"] <= checked["os_months"]).all()
    peripheral = checked["imaging_type"] == "peripheral"
    assert checked.loc[peripheral, "ivc_level"].isna().all()
    assert (checked.loc[~peripheral, "vessel_of_origin"] == "ivc").all()


def test_synthesize_is_fast() -> None:
    start = time.perf_counter()
    df = synthesize(100_000, seed=9)
    elapsed = time.perf_counter() - start
    assert len(df) == 100_000
    assert df["case_id"].iloc[-1] == "SYN-100000"
    assert elapsed < 2.0


def test_synthesize_reflects_yang2025_marginals() -> None:
    """Type mix 6/9/4/5 of 24 and median size 80 mm (Yang 2025 abstract), in a large sample."""
    df = synthesize(20_000, seed=4)
    shares = df["imaging_type"].value_counts(normalize=True)
    assert shares["intermediate"] == pytest.approx(9 / 24, abs=0.02)
    assert shares["extraluminal"] == pytest.approx(4 / 24, abs=0.02)
    assert df["size_mm"].median() == pytest.approx(80, abs=3)
    assert df["follow_up_months"].median() == pytest.approx(12.5, abs=2.5)
    by_type = df.groupby("imaging_type")["transfused"].mean()
    assert by_type["intermediate"] > by_type["extraluminal"] > by_type["peripheral"]


@pytest.mark.parametrize("seed", [0, 1, 7, 2025, 123456])
def test_yang2025_cohort_counts_exact(seed: int) -> None:
    """Yang 2025 abstract, Results: types 6/9/4/5; primary repair 15, patch 2, ligation 4;
    3 R1/R2; 5 local recurrences, 7 distant metastases, 1 both."""
    df = validate_cohort(yang2025_cohort(seed))
    assert len(df) == 24
    assert df["imaging_type"].value_counts().to_dict() == {
        "intermediate": 9,
        "intraluminal": 6,
        "peripheral": 5,
        "extraluminal": 4,
    }
    assert df["reconstruction"].value_counts().to_dict() == {
        "primary_repair": 15,
        "ligation": 4,
        "none": 3,
        "patch": 2,
    }
    assert int(df["margin"].isin(["R1", "R2"]).sum()) == 3
    local = df["local_recurrence"] == 1
    distant = df["distant_metastasis"] == 1
    assert (int(local.sum()), int(distant.sum()), int((local & distant).sum())) == (5, 7, 1)
    assert (df["synthetic"] == 1).all()


@pytest.mark.parametrize("seed", [0, 1, 7, 2025, 123456])
def test_yang2025_cohort_medians_within_tolerance(seed: int) -> None:
    """Yang 2025 abstract: size 80 mm (IQR 63–105); operative time 294 min; blood loss
    650 ml; follow-up 12.5 months; DFS median 19.0 months (IQR 7.0–59.0)."""
    df = validate_cohort(yang2025_cohort(seed))
    tol = YANG2025_TOLERANCE
    q1, median, q3 = df["size_mm"].quantile([0.25, 0.5, 0.75]).tolist()
    assert median == pytest.approx(YANG2025_TARGETS["size_median_mm"], abs=tol)
    assert q1 == pytest.approx(YANG2025_TARGETS["size_q1_mm"], abs=tol)
    assert q3 == pytest.approx(YANG2025_TARGETS["size_q3_mm"], abs=tol)
    assert df["operative_time_min"].median() == pytest.approx(294, abs=tol)
    assert df["blood_loss_ml"].median() == pytest.approx(650, abs=tol)
    assert df["follow_up_months"].median() == pytest.approx(12.5, abs=tol)
    dfs = summarise_survival(df, "dfs", by=None)
    assert dfs.median_months == pytest.approx(19.0, abs=tol)
    assert dfs.quartiles_months[0] == pytest.approx(7.0, abs=tol)
    assert dfs.quartiles_months[1] == pytest.approx(59.0, abs=tol)


def test_yang2025_quartiles_do_not_depend_on_quantile_method() -> None:
    """Equal order statistics around each quartile: SPSS-style (R type 6) agrees with numpy."""
    values = yang2025_cohort()["size_mm"].to_numpy()
    for method in ("linear", "weibull", "median_unbiased", "hazen"):
        q = np.quantile(values, [0.25, 0.5, 0.75], method=method)
        assert list(q) == [63.0, 80.0, 105.0], method


def test_yang2025_cohort_seed_changes_only_unconstrained_columns() -> None:
    a, b = yang2025_cohort(1), yang2025_cohort(2)
    assert not a.equals(b)
    assert sorted(a["operative_time_min"]) == sorted(b["operative_time_min"])
    assert sorted(a["dfs_months"]) == sorted(b["dfs_months"])
