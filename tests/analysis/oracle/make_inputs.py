"""Write the fixed input cohorts of the R oracle (run once; the CSVs are committed).

``python tests/analysis/oracle/make_inputs.py`` regenerates every ``*.csv`` input and
``levels.csv`` (the display order of each categorical vocabulary, so that R builds the
same 2×2 orientation as rvlms); ``Rscript tests/analysis/oracle/make_oracle.R`` then
writes ``expected.csv``. The cohorts:

- ``yang24``: the 24-patient cohort calibrated to Yang 2025 (groups 6/9/4/5);
- ``synth400``: 400 patients from the rvlms generator (seed 20250701);
- ``zhang4``: the four Zhang 2021 Table 1 cases (no imaging type recorded);
- ``ties300``: 300 generated patients with times rounded up to whole months (heavy ties);
- ``small11``: 11 patients in groups of 1, 2, 3 and 5;
- ``two60``: 60 patients in two groups of 30 (2×2 tables);
- ``pair2``: two patients, one per group, the one censored before the other's event.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from tests.analysis.conftest import zhang2021_table1  # noqa: E402

from rvlms.analysis.cohort import ALLOWED_VALUES  # noqa: E402
from rvlms.synth import synthesize, yang2025_cohort  # noqa: E402


def _small(sizes: dict[str, int], seed: int) -> pd.DataFrame:
    pool = synthesize(400, seed=seed).sort_values("dfs_event", ascending=False, kind="stable")
    parts = [pool[pool["imaging_type"] == g].head(k) for g, k in sizes.items()]
    return pd.concat(parts, ignore_index=True)


def cohorts() -> dict[str, pd.DataFrame]:
    """The oracle cohorts by name."""
    ties = synthesize(300, seed=11)
    for column in ("dfs_months", "os_months"):
        ties[column] = np.ceil(ties[column].astype(float))
    pair = _small({"intraluminal": 1, "peripheral": 1}, 4)
    pair.loc[1, ["dfs_event", "local_recurrence", "distant_metastasis"]] = 0
    return {
        "yang24": yang2025_cohort(),
        "synth400": synthesize(400, seed=20250701),
        "zhang4": zhang2021_table1(),
        "ties300": ties,
        "small11": _small(
            {"intraluminal": 1, "intermediate": 2, "extraluminal": 3, "peripheral": 5}, 3
        ),
        "pair2": pair,
        "two60": _small({"intraluminal": 30, "peripheral": 30}, 8),
    }


def main() -> None:
    for name, frame in cohorts().items():
        frame.to_csv(HERE / f"{name}.csv", index=False)
    rows = [
        {"variable": variable, "position": i, "level": level}
        for variable, levels in ALLOWED_VALUES.items()
        for i, level in enumerate(levels)
    ]
    pd.DataFrame(rows).to_csv(HERE / "levels.csv", index=False)


if __name__ == "__main__":
    main()
