"""A cohort as FHIR Bulk Data NDJSON: one file per resource type, one resource per line.

The layout is the output of a Bulk Data export (HL7 FHIR Bulk Data Access IG, "Bulk Data
Output File Organization"): ``Patient.ndjson``, ``Condition.ndjson``, ... each line a
complete resource, references between files as ``Type/id``. :func:`rvlms.fhir.read_fhir_file`
reads the folder back.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from rvlms.case import Case
from rvlms.fhir.export import case_resources

__all__ = ["cohort_ndjson", "write_ndjson"]


def cohort_ndjson(cases: Iterable[Case], *, deidentified: bool = False) -> dict[str, list[str]]:
    """The NDJSON lines of every resource type, in case order."""
    files: dict[str, list[str]] = {}
    for case in cases:
        for resource in case_resources(case, deidentified=deidentified):
            line = json.dumps(resource, ensure_ascii=False, separators=(",", ":"))
            files.setdefault(resource["resourceType"], []).append(line)
    return files


def write_ndjson(
    cases: Iterable[Case], folder: Path, *, deidentified: bool = False
) -> dict[str, int]:
    """Write ``<Type>.ndjson`` files into ``folder`` (created if needed); resources per type."""
    folder.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for kind, lines in sorted(cohort_ndjson(cases, deidentified=deidentified).items()):
        (folder / f"{kind}.ndjson").write_text("\n".join(lines) + "\n", encoding="utf-8")
        counts[kind] = len(lines)
    return counts
