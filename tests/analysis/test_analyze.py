"""analyze(): the whole pipeline and its JSON contract."""

from __future__ import annotations

import json

import pandas as pd

from rvlms.analysis import analyze
from rvlms.synth import synthesize


def test_analyze_yang2025_contract(yang_cohort: pd.DataFrame) -> None:
    """Yang 2025 abstract: median DFS 19.0 months, 24 patients in four types."""
    result = analyze(yang_cohort)
    data = json.loads(result.to_json())
    assert data["survival"]["dfs"]["median_months"] == 19.0
    assert data["survival"]["dfs"]["ci95"][0] is not None
    assert set(data["survival"]["dfs"]["logrank"]) >= {"statistic", "df", "p"}
    variables = {c["variable"] for c in data["comparisons"]}
    assert {"operative_time_min", "blood_loss_ml", "transfused", "icu_admission"} <= variables
    assert data["cox"]["fitted"] is False
    methods = data["methods"]
    assert methods["n"] == 24 and methods["events"] == 11 and methods["synthetic"] is True
    assert "censored" in methods["censoring"]
    assert methods["run_at"]
    assert "Cohort analysis by imaging type (synthetic data)" in result.to_text()


def test_analyze_steps_reported_in_order() -> None:
    seen: list[str] = []
    analyze(synthesize(200, seed=2), on_step=seen.append)
    assert seen == ["validate", "describe", "compare", "survival", "cox"]


def test_analyze_large_cohort_fits_cox() -> None:
    result = analyze(synthesize(3000, seed=8))
    assert result.cox is not None and result.cox.fitted
    assert result.survival["dfs"].logrank is not None
    assert "<table>" in result.to_html()


def test_analyze_warns_on_mixed_synthetic_and_real(yang_cohort: pd.DataFrame) -> None:
    mixed = yang_cohort.copy()
    mixed.loc[0, "synthetic"] = 0
    assert "the cohort mixes synthetic and real rows" in analyze(mixed).result_warnings()
