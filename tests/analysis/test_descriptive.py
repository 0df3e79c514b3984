"""Descriptive statistics in the form the papers print them."""

from __future__ import annotations

import pandas as pd

from rvlms.analysis import describe, validate_cohort


def test_zhang2021_medians_and_ranges(zhang_table1: pd.DataFrame) -> None:
    """Zhang 2021 Abstract/Results: age 56 (33–61); operative time 314.5 (224–467) min;
    blood loss 550 (200–1500) ml; follow-up 16 (13–21) months."""
    table = describe(validate_cohort(zhang_table1), by=None)
    overall = {v: s["overall"] for v, s in table.continuous.items()}
    assert overall["age"].median_range() == "56 (33–61)"
    assert overall["operative_time_min"].median_range() == "314.5 (224–467)"
    assert overall["blood_loss_ml"].median_range() == "550 (200–1500)"
    assert overall["follow_up_months"].median_range() == "16 (13–21)"
    assert overall["size_mm"].median_range() == "74.5 (42–107)"
    assert "los_days" not in table.continuous
    assert table.categorical["transfused"]["overall"].counts == {"yes": 3, "no": 1}
    assert table.categorical["clavien_dindo"]["overall"].missing == 3


def test_yang2025_median_iqr_by_type(yang_cohort: pd.DataFrame) -> None:
    """Yang 2025 abstract: median tumour size 80 mm (IQR 63–105)."""
    table = describe(yang_cohort)
    assert table.groups == ["overall", "intraluminal", "intermediate", "extraluminal", "peripheral"]
    assert table.group_sizes == {
        "overall": 24,
        "intraluminal": 6,
        "intermediate": 9,
        "extraluminal": 4,
        "peripheral": 5,
    }
    assert table.continuous["size_mm"]["overall"].median_iqr() == "80 (63–105)"
    assert table.continuous["operative_time_min"]["overall"].median == 294
    assert table.categorical["ivc_level"]["peripheral"].missing == 5


def test_renderings_carry_methods_and_synthetic_label(yang_cohort: pd.DataFrame) -> None:
    table = describe(yang_cohort)
    text = table.to_text()
    assert text.startswith("*** SYNTHETIC DATA")
    assert "Tumour size (mm), median (IQR)" in text
    html = table.to_html()
    assert "<table>" in html and "SYNTHETIC DATA" in html
    data = table.to_dict()
    assert data["methods"]["synthetic"] is True
    assert data["methods"]["n"] == 24
