"""Any size: empty, header-only and one-row files, and tables far past the exact limit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from rvlms.analysis import CohortValidationError, read_cohort_csv
from rvlms.analysis.comparisons import fisher_exact_test
from rvlms.cli.main import app
from rvlms.synth import synthesize


@pytest.fixture
def cohort_csv(tmp_path: Path) -> Path:
    path = tmp_path / "cohort.csv"
    synthesize(3, seed=2).to_csv(path, index=False)
    return path


def _analyze(path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["analyze", "--from", str(path), "--format", "json"])
    return result.exit_code, result.output


def test_empty_file_is_named_and_explained(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(CohortValidationError, match=r"empty\.csv is empty; expected a header"):
        read_cohort_csv(path)
    code, output = _analyze(path)
    assert code == 2
    assert "empty.csv is empty" in output and "Traceback" not in output


def test_header_only_file_is_refused(tmp_path: Path, cohort_csv: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text(cohort_csv.read_text(encoding="utf-8").splitlines()[0] + "\n", "utf-8")
    code, output = _analyze(path)
    assert code == 2
    assert "has a header but no patient rows" in output


def test_one_row_file_is_analysed_with_a_warning(tmp_path: Path, cohort_csv: Path) -> None:
    path = tmp_path / "one.csv"
    lines = cohort_csv.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines[:2]) + "\n", "utf-8")
    code, output = _analyze(path)
    assert code == 0, output
    assert "the cohort has 1 patient(s): no between-group test" in output


def test_large_rxc_table_uses_chi_squared_not_monte_carlo() -> None:
    """80,000 patients in a 3×4 table: scipy's Monte Carlo r×c crashed from 80,000 rows;
    past the exact limit the Pearson chi-squared test is stated and gives p far below
    1/(resamples + 1)."""
    table = np.array(
        [[9000, 5000, 4000, 2000], [8000, 8000, 6000, 8000], [3000, 7000, 10000, 10000]]
    )
    assert table.sum() == 80_000
    result = fisher_exact_test(table, "approach", ["a", "b", "c", "d"])
    assert result.test.startswith("Pearson chi-squared test (3×4, 6 df; exact test infeasible")
    assert result.statistic_name == "chi-squared"
    assert (result.p is not None and result.p < 1e-300) or result.p == 0.0


def test_two_by_c_tables_stay_exact_up_to_the_limit() -> None:
    table = np.array([[300, 200, 100, 150], [100, 50, 60, 40]])
    result = fisher_exact_test(table, "transfused", ["a", "b", "c", "d"])
    assert "exact Freeman–Halton" in result.test


def test_large_two_by_two_gives_the_conditional_mle_with_a_named_woolf_ci() -> None:
    """10⁶ patients: the conditional MLE equals the sample OR 2.0714 to 1e-5 and the
    CI is Woolf's: exp(ln 2.0714 ∓ 1.96·√(1/300000 + 1/200000 + 1/210000 + 1/290000))."""
    table = np.array([[300000, 200000], [210000, 290000]])
    result = fisher_exact_test(table, "sex", ["a", "b"])
    assert result.statistic == pytest.approx(2.0714286, abs=1e-5)
    half = 1.959964 * (1 / 300000 + 1 / 200000 + 1 / 210000 + 1 / 290000) ** 0.5
    assert result.ci95 == pytest.approx(
        [2.0714286 * np.exp(-half), 2.0714286 * np.exp(half)], rel=1e-6
    )
    assert result.note is not None and "Woolf logit" in result.note


def test_many_level_two_column_table_past_the_limit_is_chi_squared() -> None:
    """A 10×2 table of 1,000 patients: the network algorithm fails there (workspace)."""
    table = np.column_stack([np.full(10, 50), np.full(10, 50)])
    result = fisher_exact_test(table, "vessel_of_origin", ["a", "b"])
    assert result.test.startswith("Pearson chi-squared test (10×2, 9 df")


def test_no_permutation_resampling_past_its_size_limit() -> None:
    """6,000 values with a group of 3: flagged, but 9,999 × 6,000 resamples not spent."""
    from rvlms.analysis.comparisons import kruskal_wallis_test

    values = pd.Series(np.arange(6003, dtype=float))
    groups = pd.Series(["a"] * 6000 + ["b"] * 3)
    result = kruskal_wallis_test(values, groups, "age", ["a", "b"])
    assert not result.interpretable and result.p_permutation is None
    assert "no permutation p-value at n = 6003" in result.warnings[0]
