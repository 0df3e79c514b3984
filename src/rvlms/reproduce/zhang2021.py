"""Reproduce the summary numbers of Zhang 2021 from its four patients.

Zhang H-X et al., "Clinical experience with the treatment of retroperitoneal vascular
leiomyosarcoma originating from large veins", BMC Surg 2021;21:326,
doi 10.1186/s12893-021-01322-z. Table 1 lists every variable per case; the Abstract and
Results summarise them (median age 56 (33–61), operative time 314.5 (224–467) min, ...).
Recomputing the summaries from the per-case rows must give the published numbers
exactly. Two summaries (creatinine one week after surgery, postoperative stay) have no
per-patient values in the paper; they are listed as not reproducible unless the cohort
table carries a value for every patient.
"""

from __future__ import annotations

import pandas as pd

from rvlms.analysis.cohort import is_synthetic, validate_cohort
from rvlms.analysis.report import Methods
from rvlms.reproduce._rows import count, median_range, not_reproducible, numeric_row
from rvlms.reproduce.model import Reproduction, ReproductionRow

__all__ = ["ZHANG2021_CITATION", "load_zhang2021_cohort", "reproduce_zhang2021"]

ZHANG2021_CITATION = (
    "Zhang H-X, Wang K, Hong P, et al. Clinical experience with the treatment of "
    "retroperitoneal vascular leiomyosarcoma originating from large veins. "
    "BMC Surg 2021;21:326. doi:10.1186/s12893-021-01322-z"
)
PERIOPERATIVE_DEATH_MONTHS = 1.0
"""A death within one month (about 30 days) of surgery counts as perioperative."""

_NOT_PUBLISHED = "per-patient values not published"


def load_zhang2021_cohort() -> pd.DataFrame:
    """The four Zhang 2021 patients as a cohort table, built from the packaged case records."""
    from rvlms.case import cohort_row
    from rvlms.examples import load_zhang2021

    return pd.DataFrame([cohort_row(case) for case in load_zhang2021()])


def _optional_median_range(
    df: pd.DataFrame, column: str, quantity: str, published: str, values: list[float], source: str
) -> ReproductionRow:
    if column not in df.columns or df[column].isna().any():
        return not_reproducible(quantity, published, values, source=source, note=_NOT_PUBLISHED)
    return numeric_row(
        quantity,
        published,
        values,
        median_range(df[column]),
        source=source,
        style="spread",
        note="computed from per-patient values in the cohort table",
    )


def reproduce_zhang2021(df: pd.DataFrame | None = None) -> Reproduction:
    """Compare the published Zhang 2021 summaries with those recomputed from ``df``.

    Args:
        df: the four patients as a cohort table; default: the packaged case records
            (:func:`load_zhang2021_cohort`).
    """
    data = validate_cohort(load_zhang2021_cohort() if df is None else df)
    follow_up = (
        data["follow_up_months"] if "follow_up_months" in data.columns else data["os_months"]
    )
    recurrence = (
        (data["local_recurrence"] == 1) | (data["distant_metastasis"] == 1)
        if {"local_recurrence", "distant_metastasis"} <= set(data.columns)
        else data["dfs_event"] == 1
    )
    approach = data["approach"] if "approach" in data.columns else pd.Series(dtype=object)
    conversion = data["conversion"] if "conversion" in data.columns else pd.Series(dtype=float)
    grade = data["fnclcc_grade"] if "fnclcc_grade" in data.columns else pd.Series(dtype=object)
    clavien = data["clavien_dindo"] if "clavien_dindo" in data.columns else pd.Series(dtype=object)
    t1 = "Table 1"
    rows = [
        numeric_row("Patients, n", "4", [4], [float(len(data))], source="Methods"),
        numeric_row(
            "Age, years, median (min–max)",
            "56 (33–61)",
            [56, 33, 61],
            median_range(data["age"]),
            source=f"{t1}; Abstract",
            style="spread",
        ),
        numeric_row(
            "Sex, male / female",
            "2 / 2",
            [2, 2],
            [count(data["sex"] == "male"), count(data["sex"] == "female")],
            source=f"{t1}; Methods",
        ),
        numeric_row(
            "Operative time, min, median (min–max)",
            "314.5 (224–467)",
            [314.5, 224, 467],
            median_range(data["operative_time_min"]),
            source=f"{t1}; Results",
            style="spread",
        ),
        numeric_row(
            "Blood loss, ml, median (min–max)",
            "550 (200–1500)",
            [550, 200, 1500],
            median_range(data["blood_loss_ml"]),
            source=f"{t1}; Abstract",
            style="spread",
        ),
        numeric_row(
            "Maximum tumour size, cm, median (min–max)",
            "7.45 (4.2–10.7)",
            [7.45, 4.2, 10.7],
            [None if v is None else v / 10.0 for v in median_range(data["size_mm"])],
            source=f"{t1}; Results",
            style="spread",
            note="size_mm / 10",
        ),
        numeric_row(
            "Transfused during the operation, n",
            "3",
            [3],
            [count(data["transfused"] == 1)],
            source=f"{t1}; Results",
        ),
        numeric_row(
            "Approach: open / laparoscopic / conversion to open",
            "1 / 3 / 1",
            [1, 3, 1],
            [count(approach == "open"), count(approach == "laparoscopic"), count(conversion == 1)],
            source=f"{t1}; Abstract",
        ),
        numeric_row(
            "Follow-up, months, median (min–max)",
            "16 (13–21)",
            [16, 13, 21],
            median_range(follow_up),
            source=f"{t1}; Results",
            style="spread",
        ),
        numeric_row(
            "Recurrence, n",
            "1",
            [1],
            [count(recurrence)],
            source=f"{t1}; Results",
            note="case 1, local recurrence at 15 months",
        ),
        numeric_row(
            "Negative resection margin / patients, n",
            "4 / 4",
            [4, 4],
            [count(data["margin"] == "R0"), float(len(data))],
            source=t1,
        ),
        numeric_row(
            "FNCLCC grade G1 / G2",
            "2 / 2",
            [2, 2],
            [count(grade == "G1"), count(grade == "G2")],
            source=f"{t1}; Results",
        ),
        numeric_row(
            "Clavien–Dindo grade II complications, n",
            "1",
            [1],
            [count(clavien == "II")],
            source=f"{t1}; Results",
        ),
        numeric_row(
            "Perioperative deaths, n",
            "0",
            [0],
            [count((data["os_event"] == 1) & (data["os_months"] <= PERIOPERATIVE_DEATH_MONTHS))],
            source="Results",
            note="death within 1 month of surgery",
        ),
        _optional_median_range(
            data,
            "creatinine_1w_umol_l",
            "Serum creatinine 1 week after surgery, umol/L, median (min–max)",
            "85 (70–99)",
            [85, 70, 99],
            "Abstract; Results",
        ),
        _optional_median_range(
            data,
            "los_days",
            "Postoperative hospital stay, days, median (min–max)",
            "7 (6–12)",
            [7, 6, 12],
            "Results",
        ),
    ]
    checked = [r.match for r in rows if r.match is not None]
    methods = Methods(
        test="recomputation of published summaries: median (min–max) and counts",
        n=len(data),
        events=int(recurrence.sum()),
        cohort_filter="the four Zhang 2021 patients (Table 1)",
        synthetic=is_synthetic(data),
        notes=["median of an even number of values = mean of the two middle values"],
    )
    return Reproduction(
        paper="zhang2021",
        citation=ZHANG2021_CITATION,
        synthetic=is_synthetic(data),
        rows=rows,
        all_match=all(checked),
        methods=methods,
        warnings=[],
    )
