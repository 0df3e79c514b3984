"""Table 1: the model built from an analysis and its CSV, LaTeX, Word and HTML writers.

Published numbers checked: Zhang 2021 (BMC Surg 2021;21:326, Results) median operative
time 314.5 (224–467) min and median age 56 (33–61) years for its four patients; Yang
2025's groups of 6 intraluminal, 9 intermediate, 4 extraluminal and 5 peripheral
patients (abstract).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd
import pytest
from docx import Document
from docx.enum.section import WD_ORIENT

from rvlms.analysis import analyze, validate_cohort
from rvlms.analysis.analyze import CohortAnalysis
from rvlms.analysis.formatting import (
    LITERATURE_BANNER,
    SYNTHETIC_BANNER,
    format_ci,
    format_p,
    format_statistic,
    p_clause,
)
from rvlms.analysis.table_one import TableOne, build_table_one
from rvlms.analysis.table_one_writers import (
    table_one_csv,
    table_one_docx,
    table_one_html,
    table_one_latex,
    write_table_one,
)
from rvlms.reproduce.zhang2021 import load_zhang2021_cohort

P_CELL = re.compile(r"^(<0\.001|0\.\d{3,5}|1\.00|-)$")


@pytest.fixture(scope="module")
def yang_analysis() -> CohortAnalysis:
    from rvlms.synth import yang2025_cohort

    return analyze(validate_cohort(yang2025_cohort()))


@pytest.fixture(scope="module")
def yang_table(yang_analysis: CohortAnalysis) -> TableOne:
    return build_table_one(yang_analysis)


@pytest.fixture(scope="module")
def zhang_table() -> TableOne:
    cohort = validate_cohort(load_zhang2021_cohort())
    return build_table_one(analyze(cohort, "sex"), literature=True, summary="range")


@pytest.mark.parametrize(
    ("p", "shown"),
    [
        (7e-34, "<0.001"),
        (5.67e-28, "<0.001"),
        (0.000999, "<0.001"),
        (0.001, "0.00100"),
        (0.045678, "0.0457"),
        (0.31731, "0.317"),
        (0.5, "0.500"),
        (1.0, "1.00"),
        (0.99999, "1.00"),
        (0.0099999, "0.0100"),
        (None, "-"),
        (float("nan"), "-"),
    ],
)
def test_p_values_as_journals_print_them(p: float | None, shown: str) -> None:
    assert format_p(p) == shown
    assert "e-" not in format_p(p)


def test_statistics_and_clauses_never_use_scientific_notation() -> None:
    assert format_statistic(5.67e-28) == "<0.001"
    assert format_statistic(17.234) == "17.2"
    assert format_statistic(123456.7) == "123457"
    assert format_statistic(999.7) == "1000"
    assert p_clause(7e-34) == "p < 0.001"
    assert p_clause(0.0213) == "p = 0.0213"
    assert p_clause(None) == "p not computed"
    assert format_ci(8.1, None) == "8.1–NE"


def test_zhang2021_table_one_shows_the_published_medians(zhang_table: TableOne) -> None:
    """Median (range) of the four patients: operative time 314.5 (224–467) min and age
    56 (33–61) years, as Zhang 2021 prints them; labelled as literature data."""
    assert zhang_table.columns == ["Overall (n = 4)", "female (n = 2)", "male (n = 2)"]
    assert zhang_table.cell("Operative time (min)", "Overall") == "314.5 (224–467)"
    assert zhang_table.cell("Age (years)", "Overall") == "56 (33–61)"
    assert zhang_table.label == LITERATURE_BANNER


def test_zhang2021_median_iqr_by_default() -> None:
    """Type-7 quartiles of 224, 256, 373, 467: 248 and 396.5."""
    table = build_table_one(analyze(validate_cohort(load_zhang2021_cohort()), "sex"))
    assert table.cell("Operative time (min), median (IQR)", "Overall") == "314.5 (248–396.5)"
    assert table.label is None


def test_one_row_per_variable_groups_as_columns(yang_table: TableOne) -> None:
    assert yang_table.columns == [
        "Overall (n = 24)",
        "intraluminal (n = 6)",
        "intermediate (n = 9)",
        "extraluminal (n = 4)",
        "peripheral (n = 5)",
    ]
    top = [row for row in yang_table.rows if row.level == 0]
    variables = [row.variable for row in top]
    assert len(variables) == len(set(variables))
    transfusion = yang_table.row("Transfusion")
    assert transfusion.level == 0 and transfusion.cells[0].endswith("%)")
    sex_levels = [row.label for row in yang_table.rows if row.variable == "sex" and row.level]
    assert sex_levels == ["female", "male"]
    assert all(P_CELL.match(row.p) for row in top), [row.p for row in top]
    assert yang_table.row("Operative time").test == "Kruskal–Wallis"
    assert yang_table.row("Transfusion").test == "Fisher exact"
    assert yang_table.label == SYNTHETIC_BANNER


def test_test_descriptions_and_caveats_are_footnotes(yang_analysis: CohortAnalysis) -> None:
    """A caveat a comparison carries is a numbered footnote next to its p-value."""

    first = yang_analysis.comparisons[0]
    warned = first.model_copy(
        update={"warnings": ["groups of 5 or fewer patients"], "p_permutation": None}
    )
    analysis = yang_analysis.model_copy(
        update={"comparisons": [warned, *yang_analysis.comparisons[1:]]}
    )
    table = build_table_one(analysis)
    row = next(r for r in table.rows if r.variable == first.variable)
    assert row.caveat_markers == ["1"]
    notes = {note.marker: note.text for note in table.footnotes}
    assert notes["1"] == "groups of 5 or fewer patients"
    assert notes[row.test_marker].startswith(first.test)
    assert "groups of 5 or fewer patients" in table_one_csv(table)
    assert r"\textsuperscript{1}" in table_one_latex(table)
    assert "<sup>1</sup>" in table_one_html(table)


def test_csv_has_one_line_per_row_and_the_label(yang_table: TableOne) -> None:
    lines = list(csv.reader(io.StringIO(table_one_csv(yang_table))))
    alt = [yang_table.p_alt_label] if yang_table.p_alt_label else []
    assert lines[0] == ["Variable", "Level", *yang_table.columns, "Test", "p", *alt, "Caveats"]
    body = lines[1 : 1 + len(yang_table.rows)]
    groups = len(yang_table.columns)
    assert [line[2 : 2 + groups] for line in body] == [row.cells for row in yang_table.rows]
    assert lines[-1] == ["", SYNTHETIC_BANNER]
    operative = next(line for line in body if line[0].startswith("Operative time"))
    assert operative[2 + groups].startswith("Kruskal–Wallis [")
    assert operative[3 + groups] == yang_table.row("Operative time").p


def test_latex_is_booktabs_and_escaped(zhang_table: TableOne) -> None:
    tex = table_one_latex(zhang_table)
    assert r"\toprule" in tex and r"\bottomrule" in tex
    assert r"314.5 (224--467)" in tex
    assert r"n (\%)" in tex and "n (%)" not in tex.replace(r"n (\%)", "")
    assert LITERATURE_BANNER in tex
    columns = 1 + len(zhang_table.columns) + 2 + (1 if zhang_table.p_alt_label else 0)
    body = [line for line in tex.splitlines() if line.endswith(r" \\") and " & " in line]
    assert all(line.count(" & ") == columns - 1 for line in body)


def test_docx_rows_do_not_split_and_the_header_carries_the_label(
    yang_table: TableOne, tmp_path: Path
) -> None:
    path = write_table_one(yang_table, tmp_path / "table1.docx")
    document = Document(str(path))
    section = document.sections[0]
    assert section.header.paragraphs[0].text == SYNTHETIC_BANNER
    assert section.orientation == WD_ORIENT.PORTRAIT
    (table,) = document.tables
    assert len(table.rows) == len(yang_table.rows) + 1
    assert all(row._tr.trPr.find(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}cantSplit"
    ) is not None for row in table.rows)  # fmt: skip
    operative = next(r for r in table.rows if r.cells[0].text.startswith("Operative time"))
    assert operative.cells[1].text == yang_table.cell("Operative time", "Overall")
    assert table_one_docx(yang_table)[:2] == b"PK"


def test_unknown_suffix_names_the_formats(yang_table: TableOne, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\.html, \.pdf, \.csv, \.tex, \.docx"):
        write_table_one(yang_table, tmp_path / "table1.xlsx")


def test_table_without_groups_has_no_test_columns() -> None:
    cohort = validate_cohort(load_zhang2021_cohort())
    table = build_table_one(analyze(cohort, None))
    assert table.columns == ["Overall (n = 4)"]
    header = next(csv.reader(io.StringIO(table_one_csv(table))))
    assert header == ["Variable", "Level", "Overall (n = 4)"]
    assert isinstance(pd.read_csv(io.StringIO(table_one_csv(table)), nrows=3), pd.DataFrame)


def test_uninterpretable_tests_and_permutation_p_values_are_stated(
    yang_analysis: CohortAnalysis,
) -> None:
    first = yang_analysis.comparisons[0]
    flagged = first.model_copy(
        update={
            "interpretable": False,
            "warnings": [],
            "p_permutation": 0.0312,
            "p_permutation_method": "exact permutation Kruskal–Wallis",
        }
    )
    analysis = yang_analysis.model_copy(
        update={"comparisons": [flagged, *yang_analysis.comparisons[1:]]}
    )
    table = build_table_one(analysis)
    row = next(r for r in table.rows if r.variable == first.variable)
    notes = {note.marker: note.text for note in table.footnotes}
    assert [notes[m] for m in row.caveat_markers] == ["not interpretable at this sample size"]
    assert table.p_alt_label == "Permutation p" and row.p_alt == "0.0312"
    assert any(
        n.text.startswith("Permutation p: exact permutation Kruskal–Wallis")
        for n in table.footnotes
    )
    lines = list(csv.reader(io.StringIO(table_one_csv(table))))
    assert lines[0][-3:] == ["p", "Permutation p", "Caveats"]
    assert '<th scope="col" class="num">Permutation p</th>' in table_one_html(table)
