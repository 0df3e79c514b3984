"""Exporting cases in every supported format, optionally de-identified."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import TextIO

from rvlms.case import Case
from rvlms.errors import InputError
from rvlms.interchange.deidentify import deidentify
from rvlms.interchange.redcap import write_redcap_csv
from rvlms.interchange.tabular import (
    write_cohort_csv,
    write_excel,
    write_json,
    write_wide_csv,
)

__all__ = ["ExportFormat", "export_cases"]


class ExportFormat(StrEnum):
    """``csv`` is the cohort table (one row per patient, derived analysis columns), with
    ``cohort-csv`` as its explicit name; ``wide-csv`` has every field of the case record
    and can be imported back, as can ``excel``, ``json`` and ``redcap``."""

    csv = "csv"
    cohort_csv = "cohort-csv"
    wide_csv = "wide-csv"
    excel = "excel"
    json = "json"
    redcap = "redcap"

    @property
    def binary(self) -> bool:
        return self is ExportFormat.excel

    @property
    def suffix(self) -> str:
        return {"excel": ".xlsx", "json": ".json"}.get(self.value, ".csv")


def export_cases(
    cases: Iterable[Case],
    fmt: ExportFormat | str,
    out: Path | TextIO,
    *,
    deidentified: bool = False,
) -> int:
    """Write ``cases`` to ``out`` (a path, or a text stream for the text formats)."""
    chosen = ExportFormat(fmt)
    selected = (deidentify(c) for c in cases) if deidentified else iter(cases)
    if chosen.binary:
        if not isinstance(out, Path):
            raise InputError("the Excel export is a binary file: give --out FILE.xlsx")
        return write_excel(selected, out)
    if isinstance(out, Path):
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8", newline="") as stream:
            return _write_text(chosen, selected, stream)
    return _write_text(chosen, selected, out)


def _write_text(fmt: ExportFormat, cases: Iterable[Case], out: TextIO) -> int:
    if fmt in (ExportFormat.csv, ExportFormat.cohort_csv):
        return write_cohort_csv(cases, out)
    if fmt is ExportFormat.wide_csv:
        return write_wide_csv(cases, out)
    if fmt is ExportFormat.json:
        return write_json(cases, out)
    return write_redcap_csv(cases, out)
