"""Small-cell suppression of researcher views."""

from __future__ import annotations

import pandas as pd

from rvlms.analysis import describe, suppress_small_cells, validate_cohort


def test_counts_one_to_four_shown_as_less_than_five() -> None:
    table = pd.DataFrame(
        {"intraluminal": [4, 2, 0], "intermediate": [8, 1, 5]}, index=["a", "b", "c"]
    )
    shown = suppress_small_cells(table)
    assert shown["intraluminal"].tolist() == ["<5", "<5", 0]
    assert shown["intermediate"].tolist() == [8, "<5", 5]


def test_crosstab_of_yang_cohort(yang_cohort: pd.DataFrame) -> None:
    """Yang 2025: 4 extraluminal and 5 peripheral patients - one hidden, one shown."""
    counts = yang_cohort["imaging_type"].value_counts().to_frame("n")
    shown = suppress_small_cells(counts, min_count=5)
    assert shown.loc["extraluminal", "n"] == "<5"
    assert shown.loc["peripheral", "n"] == 5


def test_describe_with_min_cell_hides_small_groups(yang_cohort: pd.DataFrame) -> None:
    table = describe(validate_cohort(yang_cohort), min_cell=5)
    assert table.group_sizes["extraluminal"] == "<5"
    assert table.continuous["operative_time_min"]["extraluminal"].median is None
    assert table.categorical["margin"]["overall"].counts["R1"] == "<5"
    assert table.categorical["margin"]["overall"].percents["R1"] is None
    assert table.categorical["margin"]["overall"].counts["R0"] == 21
