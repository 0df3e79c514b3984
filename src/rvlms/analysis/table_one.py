"""Table 1 of a cohort paper: one row per variable, groups as columns, test and p last.

The layout is the one clinical journals print (and R ``tableone::CreateTableOne`` or
``gtsummary::tbl_summary`` produce): continuous variables as median (IQR) in one row;
yes/no variables as the count (%) of "yes" in one row; other categorical variables as
a header row carrying the test and p-value with one indented row per level. Test names
are abbreviated in the table and spelt out in lettered footnotes; caveats a test
carries (small groups, too few events) are numbered footnotes next to its p-value, so
that every format - HTML, PDF, CSV, LaTeX and Word - prints them next to the number.
The writers live in :mod:`rvlms.analysis.table_one_writers`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from rvlms.analysis.analyze import CohortAnalysis
from rvlms.analysis.cohort import BINARY_COLUMNS
from rvlms.analysis.comparisons import Comparison
from rvlms.analysis.descriptive import OVERALL, QUANTILE_METHOD
from rvlms.analysis.formatting import data_label, format_p
from rvlms.analysis.variables import LABELS

__all__ = ["Footnote", "TableOne", "TableOneRow", "build_table_one", "comparison_caveats"]

_SUMMARY_NAMES: dict[str, str] = {"iqr": "IQR", "range": "range"}

_SHORT_TESTS: tuple[tuple[str, str], ...] = (
    ("Kruskal", "Kruskal–Wallis"),
    ("Fisher", "Fisher exact"),
    ("chi", "Chi-squared"),
    ("permutation", "Permutation"),
)


@dataclass(frozen=True)
class Footnote:
    """A lettered test description ('a') or a numbered caveat ('1')."""

    marker: str
    text: str


@dataclass(frozen=True)
class TableOneRow:
    """One printed row; ``level`` 1 rows are the indented levels of a categorical variable."""

    label: str
    cells: list[str]
    test: str = ""
    test_marker: str = ""
    p: str = ""
    caveat_markers: list[str] = field(default_factory=list)
    level: int = 0
    variable: str = ""
    p_alt: str = ""


@dataclass(frozen=True)
class TableOne:
    """The table, its footnotes and the data-source label it must carry."""

    title: str
    columns: list[str]
    rows: list[TableOneRow]
    footnotes: list[Footnote]
    label: str | None
    p_alt_label: str | None = None

    def row(self, label: str) -> TableOneRow:
        """The first row whose label starts with ``label``."""
        for row in self.rows:
            if row.label.startswith(label):
                return row
        raise KeyError(label)

    def cell(self, label: str, group: str) -> str:
        """The cell of row ``label`` in the column whose header starts with ``group``."""
        for index, column in enumerate(self.columns):
            if column.startswith(group):
                return self.row(label).cells[index]
        raise KeyError(group)


def short_test_name(test: str) -> str:
    """'Kruskal–Wallis' for 'Kruskal–Wallis H test (...)' and so on; unknown names as given."""
    for prefix, short in _SHORT_TESTS:
        if test.startswith(prefix) or prefix.lower() in test.lower()[:20]:
            return short
    return test


def comparison_caveats(comparison: Comparison) -> list[str]:
    """Every caveat a comparison carries (its ``warnings``, a test flagged not
    interpretable); the method ``note`` is not a caveat."""
    found: list[str] = []
    for name in ("warnings", "caveats"):
        value = getattr(comparison, name, None)
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, Sequence):
            found.extend(str(v) for v in value)
    if getattr(comparison, "interpretable", True) is False and not found:
        found.append("not interpretable at this sample size")
    return list(dict.fromkeys(found))


class _Notes:
    def __init__(self) -> None:
        self.tests: dict[str, str] = {}
        self.caveats: dict[str, str] = {}
        self.permutation_methods: dict[str, None] = {}

    def test_marker(self, text: str) -> str:
        if text not in self.tests:
            self.tests[text] = "abcdefghijklmnopqrstuvwxyz"[len(self.tests) % 26]
        return self.tests[text]

    def caveat_marker(self, text: str) -> str:
        if text not in self.caveats:
            self.caveats[text] = str(len(self.caveats) + 1)
        return self.caveats[text]


@dataclass(frozen=True)
class _TestCells:
    test: str = ""
    test_marker: str = ""
    p: str = ""
    caveat_markers: tuple[str, ...] = ()
    p_alt: str = ""


def _permutation_p(comparison: Comparison, notes: _Notes) -> str:
    """The exact or permutation p-value a comparison offers next to its asymptotic one."""
    value = getattr(comparison, "p_permutation", None)
    if not isinstance(value, float):
        return ""
    method = getattr(comparison, "p_permutation_method", None) or "permutation"
    notes.permutation_methods.setdefault(str(method), None)
    return format_p(value)


def _test_cells(comparison: Comparison | None, notes: _Notes) -> _TestCells:
    if comparison is None:
        return _TestCells()
    caveats = tuple(notes.caveat_marker(c) for c in comparison_caveats(comparison))
    p_alt = _permutation_p(comparison, notes)
    if comparison.p is None:
        return _TestCells("-", "", "-", caveats, p_alt)
    description = comparison.test + (f"; {comparison.note}" if comparison.note else "")
    return _TestCells(
        short_test_name(comparison.test),
        notes.test_marker(description),
        format_p(comparison.p),
        caveats,
        p_alt,
    )


def _row(label: str, cells: list[str], variable: str, tested: _TestCells) -> TableOneRow:
    return TableOneRow(
        label=label,
        cells=cells,
        test=tested.test,
        test_marker=tested.test_marker,
        p=tested.p,
        caveat_markers=list(tested.caveat_markers),
        variable=variable,
        p_alt=tested.p_alt,
    )


def build_table_one(
    result: CohortAnalysis,
    *,
    literature: bool = False,
    title: str | None = None,
    summary: Literal["iqr", "range"] = "iqr",
) -> TableOne:
    """Table 1 of an analysis: the descriptive statistics and the between-group tests.

    ``summary`` prints continuous variables as median (IQR), as Yang 2025 does, or as
    median (range), as Zhang 2021 does for its four patients.
    """
    table = result.descriptive
    groups = table.groups
    columns = [f"{'Overall' if g == OVERALL else g} (n = {table.group_sizes[g]})" for g in groups]
    tests = {c.variable: c for c in result.comparisons}
    notes = _Notes()
    rows: list[TableOneRow] = []
    missing: list[str] = []
    for variable, by_group in table.continuous.items():
        label = LABELS.get(variable, variable)
        if summary == "range":
            cells = [by_group[g].median_range() for g in groups]
        else:
            cells = [by_group[g].median_iqr() for g in groups]
        tested = _test_cells(tests.get(variable), notes)
        rows.append(_row(f"{label}, median ({_SUMMARY_NAMES[summary]})", cells, variable, tested))
        if by_group[OVERALL].missing not in (0, "0"):
            missing.append(f"{label} {by_group[OVERALL].missing}")
    for variable, cat_by_group in table.categorical.items():
        label = LABELS.get(variable, variable)
        tested = _test_cells(tests.get(variable), notes)
        if variable in BINARY_COLUMNS:
            cells = [cat_by_group[g].cell("yes") for g in groups]
            rows.append(_row(f"{label}, n (%)", cells, variable, tested))
        else:
            rows.append(_row(f"{label}, n (%)", [""] * len(groups), variable, tested))
            rows.extend(
                TableOneRow(
                    label=level,
                    cells=[cat_by_group[g].cell(level) for g in groups],
                    level=1,
                    variable=variable,
                )
                for level in table.levels[variable]
            )
        if cat_by_group[OVERALL].missing not in (0, "0"):
            missing.append(f"{label} {cat_by_group[OVERALL].missing}")
    footnotes = [Footnote(marker, text) for text, marker in notes.tests.items()]
    footnotes.extend(Footnote(marker, text) for text, marker in notes.caveats.items())
    general = [
        f"IQR: interquartile range, {QUANTILE_METHOD}."
        if summary == "iqr"
        else "Range: minimum–maximum.",
        "Percentages of non-missing values; yes/no variables show the number with 'yes'.",
        "p-values are not adjusted for multiple comparisons.",
    ]
    if notes.permutation_methods:
        general.append("Permutation p: " + "; ".join(notes.permutation_methods) + ".")
    if missing:
        general.append("Missing values (overall): " + "; ".join(missing) + ".")
    general.extend(note for note in table.methods.notes if note.startswith("counts "))
    footnotes.extend(Footnote("", text) for text in general)
    by_label = LABELS.get(result.by or "", result.by or "")
    heading = title or (
        f"Table 1. Patient characteristics by {by_label.lower()}"
        if result.by
        else "Table 1. Patient characteristics"
    )
    return TableOne(
        title=heading,
        columns=columns,
        rows=rows,
        footnotes=footnotes,
        label=data_label(synthetic=result.synthetic, literature=literature),
        p_alt_label="Permutation p" if notes.permutation_methods else None,
    )
