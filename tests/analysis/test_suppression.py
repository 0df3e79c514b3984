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


# -- complementary suppression ------------------------------------------------------------

import itertools  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from functools import cache  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from scipy.optimize import linprog  # noqa: E402

from rvlms.analysis import analyze  # noqa: E402
from rvlms.analysis.suppression import (  # noqa: E402
    SUPPRESSED,
    complementary_suppression,
    suppress_table,
)
from rvlms.deid.statistics import protect_analysis  # noqa: E402


def test_table_totals_cannot_give_a_hidden_cell_away() -> None:
    """One small cell in a 3x2 table: its row partner, its column partner and the cell
    diagonal to it are hidden too, and the totals stay (Hundepool 2012, section 5.5)."""
    table = pd.DataFrame({"a": [3, 10, 12], "b": [8, 9, 20]}, index=["x", "y", "z"])
    shown = suppress_table(table)
    assert shown.loc["x", "a"] == "<5"
    assert shown.loc["x", "b"] == shown.loc["y", "a"] == shown.loc["y", "b"] == SUPPRESSED
    assert shown.loc["z", "a"] == 12 and shown.loc["Total", "Total"] == 62
    assert shown.loc["x", "Total"] == 11 and shown.loc["Total", "a"] == 25


def test_a_small_total_is_shown_as_less_than_k() -> None:
    result = complementary_suppression({"t": 3, "a": 2, "b": 1}, [("t", ["a", "b"])])
    assert result.primary == {"t", "a", "b"} and result.text("t") == "<5"
    alias = complementary_suppression(
        {"t": 20, "a": 3, "b": 17, "copy": 3}, [("t", ["a", "b"])], aliases=[["a", "copy"]]
    )
    assert alias.hidden == {"a", "b", "copy"}


@cache
def _demo_frame() -> pd.DataFrame:
    from rvlms.case import cohort_row
    from rvlms.examples import load_zhang2021
    from rvlms.web.demo import synthetic_cases

    cases = [*load_zhang2021(), *synthetic_cases(60, 2025)]
    return pd.DataFrame([cohort_row(case) for case in cases])


Cell = tuple[str, ...]


def _relations(doc: dict[str, Any]) -> Iterator[tuple[Cell, list[Cell]]]:
    """What a reader knows adds up in a cohort analysis: groups sum to overall, levels sum
    to n, n + missing is the group size, group events sum to the endpoint's events."""
    d = doc["descriptive"]
    overall, *groups = d["groups"]
    size = ("descriptive", "group_sizes")
    yield (*size, overall), [(*size, g) for g in groups]
    for kind in ("continuous", "categorical"):
        for variable, by_group in d[kind].items():
            base = ("descriptive", kind, variable)
            for g in d["groups"]:
                yield (*size, g), [(*base, g, "n"), (*base, g, "missing")]
                if kind == "categorical":
                    yield (
                        (*base, g, "n"),
                        [(*base, g, "counts", lv) for lv in by_group[g]["counts"]],
                    )
            for field in ("n", "missing"):
                yield (*base, overall, field), [(*base, g, field) for g in groups]
            if kind == "categorical":
                for level in by_group[overall]["counts"]:
                    cell = ("counts", level)
                    yield (*base, overall, *cell), [(*base, g, *cell) for g in groups]
    for endpoint, summary in doc["survival"].items():
        head: Cell = ("survival", endpoint)
        for field in ("n", "events"):
            yield (*head, field), [(*head, "by_group", g, field) for g in summary["by_group"]]
        event = ("descriptive", "categorical", f"{endpoint}_event")
        for g in summary["by_group"]:
            yield (*head, "by_group", g, "events"), [(*event, g, "counts", "yes")]


def _at(doc: Any, cell: Cell) -> Any:
    for part in cell:
        doc = doc[part]
    return doc


def _recoverable(doc: dict[str, Any], exact: dict[str, Any], min_cell: int) -> dict[Cell, int]:
    """Small ('<k') cells whose value follows from the numbers shown, found as an attacker
    would: the smallest and largest integer value each can take under every relation
    (scipy's HiGHS MILP); equal bounds mean the cell is disclosed."""
    relations = list(_relations(exact))
    cells = sorted({c for t, ps in relations for c in (t, *ps)})
    hidden = [c for c in cells if isinstance(_at(doc, c), str)]
    index = {c: i for i, c in enumerate(hidden)}
    remainders: list[int] = []
    rows: list[list[float]] = []
    rhs: list[float] = []
    for total, parts in relations:
        # rows outside every group (a missing group) are known to the reader unless few
        remainder = _at(exact, total) - sum(_at(exact, p) for p in parts)
        row = [0.0] * len(hidden)
        constant = float(remainder) if not 0 < remainder < min_cell else 0.0
        for cell, sign in itertools.chain([(total, -1.0)], ((p, 1.0) for p in parts)):
            if cell in index:
                row[index[cell]] += sign
            else:
                constant += sign * float(_at(doc, cell))
        if 0 < remainder < min_cell:
            remainders.append(len(rows))
        if any(row) or 0 < remainder < min_cell:
            rows.append(row)
            rhs.append(-constant)
    for number, row_index in enumerate(remainders):
        for i, row in enumerate(rows):
            row.append(1.0 if i == row_index else 0.0)
        del number
    bounds = [(1, min_cell - 1) if _at(doc, c) == f"<{min_cell}" else (0, 500) for c in hidden]
    bounds += [(1, min_cell - 1)] * len(remainders)
    found: dict[Cell, int] = {}
    for cell, i in index.items():
        if _at(doc, cell) != f"<{min_cell}":
            continue
        objective = np.zeros(len(bounds))
        objective[i] = 1.0
        low = linprog(objective, A_eq=rows, b_eq=rhs, bounds=bounds, integrality=1)
        high = linprog(-objective, A_eq=rows, b_eq=rhs, bounds=bounds, integrality=1)
        assert low.success and high.success
        if round(low.fun) == round(-high.fun):
            found[cell] = round(low.fun)
    return found


def test_primary_suppression_alone_is_undone_by_subtraction() -> None:
    """The demo cohort (zhang2021 4 + 60 synthetic) by imaging type: with primary
    suppression only, extraluminal DFS events '<5' are 25 - 9 - 7 - 6 = 3."""
    frame = _demo_frame()
    shown = analyze(frame, "imaging_type", min_cell=5).to_dict()
    exact = analyze(frame, "imaging_type").to_dict()
    assert shown["survival"]["dfs"]["by_group"]["extraluminal"]["events"] == "<5"
    disclosed = _recoverable(shown, exact, 5)
    assert disclosed[("survival", "dfs", "by_group", "extraluminal", "events")] == 3


@pytest.mark.parametrize("by", ["imaging_type", "ivc_level"])
def test_complementary_suppression_leaves_nothing_to_subtract(by: str) -> None:
    frame = _demo_frame()
    shown = analyze(frame, by, min_cell=5).to_dict()
    exact = analyze(frame, by).to_dict()
    protected: dict[str, Any] = protect_analysis(shown, exact, 5)
    assert _recoverable(protected, exact, 5) == {}
    dfs = protected["survival"]["dfs"]
    if by == "imaging_type":
        assert dfs["by_group"]["extraluminal"]["events"] == "<5"
        assert protected["descriptive"]["categorical"]["dfs_event"]["extraluminal"]["counts"][
            "yes"
        ] in ("<5", SUPPRESSED)
        assert dfs["events"] == 25
    assert protected["descriptive"]["group_sizes"]["overall"] == 64
    text = str(protected)
    assert "'<5'" in text and f"'{SUPPRESSED}'" in text
