"""The cohort table contract: columns, vocabularies, error messages, CSV round trip."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rvlms.analysis import (
    COHORT_COLUMNS,
    IMAGING_TYPES,
    OPTIONAL_COLUMNS,
    CohortValidationError,
    read_cohort_csv,
    validate_cohort,
)
from rvlms.synth import synthesize


def test_required_columns_are_the_published_contract() -> None:
    assert COHORT_COLUMNS == (
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
    assert "follow_up_months" in OPTIONAL_COLUMNS
    assert not set(COHORT_COLUMNS) & set(OPTIONAL_COLUMNS)


def test_imaging_types_are_the_four_of_yang2025() -> None:
    """Yang 2025 abstract, Results: intraluminal, intermediate, extraluminal, peripheral."""
    assert IMAGING_TYPES == ("intraluminal", "intermediate", "extraluminal", "peripheral")


def test_zhang_table1_is_a_valid_cohort(zhang_table1: pd.DataFrame) -> None:
    checked = validate_cohort(zhang_table1)
    assert len(checked) == 4
    assert checked["imaging_type"].isna().all()
    assert checked["age"].tolist() == [33.0, 61.0, 57.0, 55.0]


def test_missing_column_is_named(zhang_table1: pd.DataFrame) -> None:
    with pytest.raises(CohortValidationError, match=r"missing required column.*margin"):
        validate_cohort(zhang_table1.drop(columns=["margin"]))


def test_bad_vocabulary_names_row_column_value_and_allowed(zhang_table1: pd.DataFrame) -> None:
    bad = zhang_table1.copy()
    bad.loc[2, "margin"] = "R3"
    with pytest.raises(CohortValidationError) as caught:
        validate_cohort(bad)
    message = str(caught.value)
    assert "row 2 (case_id ZHANG2021-3)" in message
    assert "column 'margin'" in message
    assert "'R3'" in message
    assert "RX, R0, R1, R2 or empty" in message
    assert caught.value.row == 2
    assert caught.value.column == "margin"


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("age", "fifty", "a number or empty"),
        ("size_mm", -3, "a number >= 0"),
        ("transfused", 2, "1, 0 or empty"),
        ("age", 55.5, "whole years"),
        ("imaging_type", "mixed", "intraluminal, intermediate, extraluminal, peripheral"),
    ],
)
def test_value_errors(
    zhang_table1: pd.DataFrame, column: str, value: object, expected: str
) -> None:
    bad = zhang_table1.astype({column: object})
    bad.loc[1, column] = value
    with pytest.raises(CohortValidationError, match=expected):
        validate_cohort(bad)


def test_duplicate_case_id_rejected(zhang_table1: pd.DataFrame) -> None:
    bad = zhang_table1.copy()
    bad.loc[3, "case_id"] = "ZHANG2021-1"
    with pytest.raises(CohortValidationError, match=r"row 3.*case_id"):
        validate_cohort(bad)


def test_dfs_longer_than_os_rejected(zhang_table1: pd.DataFrame) -> None:
    """DFS ends at recurrence, death or last follow-up, so it cannot exceed OS."""
    bad = zhang_table1.copy()
    bad.loc[0, "dfs_months"] = 20.0
    with pytest.raises(CohortValidationError, match="no longer than os_months"):
        validate_cohort(bad)


def test_blank_strings_become_missing_not_guessed() -> None:
    df = synthesize(5, seed=1).astype({"margin": object, "age": object})
    df.loc[0, "margin"] = "  "
    df.loc[1, "age"] = ""
    checked = validate_cohort(df)
    assert pd.isna(checked.loc[0, "margin"])
    assert np.isnan(checked.loc[1, "age"])


def test_csv_round_trip_keeps_empty_cells_empty(tmp_path: Path) -> None:
    df = synthesize(40, seed=11)
    path = tmp_path / "cohort.csv"
    df.to_csv(path, index=False)
    back = read_cohort_csv(path)
    assert back["case_id"].tolist() == df["case_id"].tolist()
    assert back["ivc_level"].isna().sum() == df["ivc_level"].isna().sum()
    np.testing.assert_allclose(back["dfs_months"], df["dfs_months"])
    assert (back["synthetic"] == 1).all()


def test_analyze_from_a_registry_database(sqlite_url: str) -> None:
    """`rvlms analyze --db URL` reads the registry: Zhang 2021 cases give median operative
    time 314.5 min (Table 1) and a DFS estimate with its log-rank across imaging types."""
    import json

    from typer.testing import CliRunner

    from rvlms.cli.main import app
    from rvlms.examples import load_zhang2021
    from rvlms.registry import Registry

    with Registry(sqlite_url) as registry:
        for case in load_zhang2021():
            registry.add(case, user="test")
    result = CliRunner().invoke(app, ["analyze", "--db", sqlite_url, "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert "median_months" in report["survival"]["dfs"]
    assert set(report["survival"]["dfs"]["logrank"]) >= {"statistic", "df", "p"}
    text = json.dumps(report)
    assert "314.5" in text


def test_case_record_export_uses_the_same_columns() -> None:
    """The case record's cohort_row and the analysis layer share one column contract."""
    from rvlms import case

    assert tuple(case.COHORT_COLUMNS) == COHORT_COLUMNS
    assert tuple(case.OPTIONAL_COLUMNS) == OPTIONAL_COLUMNS
