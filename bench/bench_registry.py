"""Benchmark: bulk-loading synthetic cases into a SQLite registry.

``Registry.add_many`` validates every case, derives the indexed columns, and writes the
case row and its first revision in one transaction. The baseline is the floor for the same
work in SQLite: a bare ``sqlite3`` ``executemany`` of exactly the same rows (already
serialised) into a registry with the same schema, in one transaction. Target: under 5x.

The cases are the four patients of zhang2021 Table 1 with new identifiers, marked
synthetic, so the documents have realistic size and nesting.
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from run import Row
from rvlms.case import Case, cohort_row
from rvlms.examples import load_zhang2021
from rvlms.registry import Registry, init_registry

N_CASES = 100_000
TARGET_RATIO = 5.0
USER = "bench"

_CASE_COLUMNS = (
    "case_id, version, data, centre, imaging_type, ivc_level, sex, synthetic, "
    "created_at, created_by, updated_at, updated_by, deleted_at, deleted_by"
)
_REVISION_COLUMNS = "case_id, version, action, data, changes, changed_by, changed_at"


def synthetic_cases(n: int) -> list[Case]:
    """``n`` cases cycling through the four zhang2021 patients, ids ``synth-000000``..."""
    examples = load_zhang2021()
    return [
        examples[i % len(examples)].model_copy(
            update={"case_id": f"synth-{i:06d}", "synthetic": True, "centre": "synthetic"}
        )
        for i in range(n)
    ]


def _rows(cases: list[Case]) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    stamp = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    case_rows: list[tuple[object, ...]] = []
    revision_rows: list[tuple[object, ...]] = []
    for case in cases:
        text = case.model_dump_json(exclude_none=True)
        row = cohort_row(case)
        case_rows.append(
            (
                case.case_id,
                1,
                text,
                case.centre,
                row["imaging_type"],
                row["ivc_level"],
                row["sex"],
                int(case.synthetic),
                stamp,
                USER,
                stamp,
                USER,
                None,
                None,
            )
        )
        revision_rows.append((case.case_id, 1, "create", text, "[]", USER, stamp))
    return case_rows, revision_rows


def bare_sqlite_seconds(path: Path, cases: list[Case]) -> float:
    """Seconds for sqlite3 executemany of the registry's rows, prepared beforehand."""
    init_registry(f"sqlite:///{path}")
    case_rows, revision_rows = _rows(cases)
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA foreign_keys=ON")
        connection.execute("PRAGMA synchronous=NORMAL")
        started = time.perf_counter()
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(
            f"INSERT INTO cases ({_CASE_COLUMNS}) VALUES ({', '.join('?' * 14)})", case_rows
        )
        connection.executemany(
            f"INSERT INTO case_revisions ({_REVISION_COLUMNS}) VALUES ({', '.join('?' * 7)})",
            revision_rows,
        )
        connection.execute("COMMIT")
        return time.perf_counter() - started
    finally:
        connection.close()


def registry_seconds(path: Path, cases: list[Case]) -> float:
    """Seconds for ``Registry.add_many`` of the cases (schema created beforehand)."""
    with Registry(f"sqlite:///{path}") as registry:
        started = time.perf_counter()
        registry.add_many(cases, USER)
        elapsed = time.perf_counter() - started
        if registry.count() != len(cases):
            raise RuntimeError("the registry does not hold every case after add_many")
        return elapsed


def run(n: int = N_CASES) -> list[Row]:
    cases = synthetic_cases(n)
    with tempfile.TemporaryDirectory(prefix="rvlms-bench-") as folder:
        baseline = bare_sqlite_seconds(Path(folder) / "baseline.sqlite3", cases)
        measured = registry_seconds(Path(folder) / "registry.sqlite3", cases)
    return [
        Row(
            name=f"registry: add_many of {n:,} cases into SQLite vs bare sqlite3 executemany",
            measured=round(measured, 3),
            baseline=round(baseline, 3),
            unit="s",
            target_ratio=TARGET_RATIO,
        )
    ]


if __name__ == "__main__":
    for result in run():
        print(result)
