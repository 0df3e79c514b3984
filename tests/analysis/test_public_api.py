"""The public surface of the analysis, synth and reproduce packages."""

from __future__ import annotations

import importlib

import pytest

EXPECTED = {
    "rvlms.analysis": {
        "COHORT_COLUMNS",
        "IMAGING_TYPES",
        "OPTIONAL_COLUMNS",
        "AnalysisWarning",
        "CohortAnalysis",
        "CohortValidationError",
        "Comparison",
        "CoxResult",
        "DescriptiveTable",
        "LogRank",
        "Methods",
        "PowerResult",
        "SurvivalEstimate",
        "SurvivalSummary",
        "analyze",
        "cohort_report_html",
        "cohort_report_pdf",
        "compare_groups",
        "describe",
        "fit_cox",
        "plot_kaplan_meier",
        "plot_perioperative",
        "power_for_sample",
        "read_cohort_csv",
        "sample_size_for_hazard_ratio",
        "save_plots",
        "summarise_survival",
        "suppress_small_cells",
        "validate_cohort",
    },
    "rvlms.synth": {
        "YANG2025_DEFAULT_SEED",
        "YANG2025_TARGETS",
        "YANG2025_TOLERANCE",
        "case_ids",
        "synthesize",
        "synthetic_cases",
        "yang2025_cohort",
    },
    "rvlms.reproduce": {
        "PAPERS",
        "Paper",
        "Reproduction",
        "ReproductionRow",
        "load_zhang2021_cohort",
        "reproduce",
        "reproduce_yang2025",
        "reproduce_zhang2021",
    },
}


@pytest.mark.parametrize("module_name", sorted(EXPECTED))
def test_all_is_explicit_and_importable(module_name: str) -> None:
    module = importlib.import_module(module_name)
    assert set(module.__all__) == EXPECTED[module_name]
    for name in module.__all__:
        assert hasattr(module, name), name


def test_cli_module_does_not_import_heavy_libraries() -> None:
    """CLI start-up must stay fast: the command module defers pandas, lifelines, matplotlib."""
    import subprocess
    import sys

    heavy = ("pandas", "lifelines", "matplotlib", "scipy")
    code = (
        "import sys, rvlms.cli.analysis_cmd; "
        f"print(','.join(m for m in {heavy!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
