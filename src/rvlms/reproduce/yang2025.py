"""Reproduce the Yang 2025 abstract from the calibrated synthetic cohort.

Yang B, Zhao X, Wang G, et al., "Imaging classification and surgical strategy of
retroperitoneal vascular leiomyosarcoma: experience from a single medical center", BMC
Cancer 2025, doi 10.1186/s12885-025-14287-6. Only the abstract is available, so the
default input is :func:`rvlms.synth.yang2025_cohort` (synthetic, calibrated); a real
registry extract of the same centre can be passed instead and is checked against the
same published numbers. Counts must match exactly; medians and quartiles within
:data:`rvlms.synth.YANG2025_TOLERANCE`. The abstract calls the between-type
differences in operative time, blood loss, transfusion and ICU admission significant
without direction or p-values; those rows check p < 0.05 with the tests of
:mod:`rvlms.analysis.comparisons`.
"""

from __future__ import annotations

import pandas as pd

from rvlms.analysis.cohort import (
    IMAGING_TYPES,
    CohortValidationError,
    is_synthetic,
    validate_cohort,
)
from rvlms.analysis.comparisons import DEFAULT_SEED, Comparison, compare_groups
from rvlms.analysis.report import Methods, p_clause
from rvlms.analysis.survival import summarise_survival
from rvlms.reproduce._rows import count, median_iqr, numeric_row
from rvlms.reproduce.model import Reproduction, ReproductionRow
from rvlms.synth import YANG2025_DEFAULT_SEED, YANG2025_TOLERANCE, yang2025_cohort

__all__ = ["SIGNIFICANCE_LEVEL", "YANG2025_CITATION", "reproduce_yang2025"]

YANG2025_CITATION = (
    "Yang B, Zhao X, Wang G, et al. Imaging classification and surgical strategy of "
    "retroperitoneal vascular leiomyosarcoma: experience from a single medical center. "
    "BMC Cancer 2025. doi:10.1186/s12885-025-14287-6"
)
SIGNIFICANCE_LEVEL = 0.05
_SOURCE = "Abstract, Results"
_NEEDED_OPTIONAL = ("local_recurrence", "distant_metastasis", "follow_up_months")
_NOT_PUBLISHED_P = "direction and p-value not published; checked p < 0.05"


def _significance_row(label: str, comparison: Comparison) -> ReproductionRow:
    p = comparison.p
    return ReproductionRow(
        quantity=f"{label} differs between the four imaging types",
        published="significant",
        reproduced=f"{p_clause(p)} ({comparison.test})",
        match=None if p is None else p < SIGNIFICANCE_LEVEL,
        note=_NOT_PUBLISHED_P,
        source=_SOURCE,
        published_values=[],
        reproduced_values=[p],
        tolerance=0.0,
    )


def reproduce_yang2025(
    df: pd.DataFrame | None = None,
    *,
    seed: int = YANG2025_DEFAULT_SEED,
    test_seed: int = DEFAULT_SEED,
) -> Reproduction:
    """Compare the Yang 2025 abstract with ``df`` (default: ``yang2025_cohort(seed)``)."""
    data = validate_cohort(yang2025_cohort(seed) if df is None else df)
    needed = [c for c in _NEEDED_OPTIONAL if c not in data.columns]
    if needed:
        raise CohortValidationError(
            "reproducing yang2025 needs the optional column(s) " + ", ".join(needed),
            column=needed[0],
        )
    tol = YANG2025_TOLERANCE
    types = data["imaging_type"]
    local = data["local_recurrence"] == 1
    distant = data["distant_metastasis"] == 1
    dfs = summarise_survival(data, "dfs", by=None)
    comparisons = {
        c.variable: c
        for c in compare_groups(
            data,
            "imaging_type",
            continuous=["operative_time_min", "blood_loss_ml"],
            categorical=["transfused", "icu_admission"],
            seed=test_seed,
        )
    }
    rows = [
        numeric_row("Patients, n", "24", [24], [float(len(data))], source="Abstract, Methods"),
        numeric_row(
            "Imaging type: intraluminal / intermediate / extraluminal / peripheral",
            "6 / 9 / 4 / 5",
            [6, 9, 4, 5],
            [count(types == t) for t in IMAGING_TYPES],
            source=_SOURCE,
        ),
        numeric_row(
            "Tumour size, mm, median (IQR)",
            "80 (63–105)",
            [80, 63, 105],
            median_iqr(data["size_mm"]),
            source=_SOURCE,
            tolerance=tol,
            style="spread",
            note="quartiles by linear interpolation (R type 7)",
        ),
        numeric_row(
            "Operative time, min, median",
            "294",
            [294],
            median_iqr(data["operative_time_min"])[:1],
            source=_SOURCE,
            tolerance=tol,
        ),
        numeric_row(
            "Blood loss, ml, median",
            "650",
            [650],
            median_iqr(data["blood_loss_ml"])[:1],
            source=_SOURCE,
            tolerance=tol,
        ),
        numeric_row(
            "Reconstruction: primary repair / patch angioplasty / IVC ligation",
            "15 / 2 / 4",
            [15, 2, 4],
            [count(data["reconstruction"] == k) for k in ("primary_repair", "patch", "ligation")],
            source=_SOURCE,
        ),
        numeric_row(
            "R1/R2 margin, n",
            "3",
            [3],
            [count(data["margin"].isin(["R1", "R2"]))],
            source=_SOURCE,
        ),
        numeric_row(
            "Follow-up, months, median",
            "12.5",
            [12.5],
            median_iqr(data["follow_up_months"])[:1],
            source=_SOURCE,
            tolerance=tol,
            note="simple median of follow-up time (the abstract does not name the method)",
        ),
        numeric_row(
            "Local recurrence / distant metastasis / both, n",
            "5 / 7 / 1",
            [5, 7, 1],
            [count(local), count(distant), count(local & distant)],
            source=_SOURCE,
        ),
        numeric_row(
            "Disease-free survival, months, median (IQR)",
            "19.0 (7.0–59.0)",
            [19.0, 7.0, 59.0],
            [dfs.median_months, *dfs.quartiles_months],
            source=_SOURCE,
            tolerance=tol,
            style="spread",
            decimals=1,
            note="Kaplan–Meier median; IQR read as the 25th and 75th percentile DFS times",
        ),
    ]
    labels = {
        "operative_time_min": "Operative time",
        "blood_loss_ml": "Blood loss",
        "transfused": "Blood transfusion",
        "icu_admission": "ICU admission rate",
    }
    rows.extend(_significance_row(labels[v], comparisons[v]) for v in labels)
    checked = [r.match for r in rows if r.match is not None]
    synthetic = is_synthetic(data)
    methods = Methods(
        test="recomputation of published summaries; Kaplan–Meier DFS; Kruskal–Wallis and "
        "Fisher's exact tests across imaging types",
        n=len(data),
        events=int(data["dfs_event"].sum()),
        censoring=dfs.methods.censoring,
        cohort_filter=(
            f"synthetic cohort calibrated to yang2025 (seed {seed})" if df is None else "all rows"
        ),
        synthetic=synthetic,
        notes=[f"medians and quartiles: tolerance ±{tol} in the published unit"],
    )
    warnings = (
        ["synthetic cohort: agreement shows the calibration, not the authors' data"]
        if synthetic
        else []
    )
    return Reproduction(
        paper="yang2025",
        citation=YANG2025_CITATION,
        synthetic=synthetic,
        rows=rows,
        all_match=all(checked),
        methods=methods,
        warnings=warnings,
    )
