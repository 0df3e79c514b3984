"""The pooled cohort report and its provenance.

The report holds the same sections as ``rvlms analyze`` (description by group, Kaplan–
Meier curves and medians with confidence intervals, log-rank across groups, Cox hazard
ratios) and renders through the same text, JSON and HTML machinery
(:class:`rvlms.analysis.report.ResultBase`). Its provenance names every centre asked,
whether it took part (or was missing, or refused and why), its case count or ``<k``,
its release policy, the software versions on each side, the bytes each centre sent,
and every number that is approximate.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from rvlms.analysis.cox import CoxResult
from rvlms.analysis.report import Methods, ResultBase, Table
from rvlms.analysis.survival import SurvivalSummary
from rvlms.network.describe import PooledDescription

__all__ = ["CentreStatus", "FederatedReport", "Provenance", "coordinator_versions"]


def coordinator_versions() -> dict[str, str]:
    """Versions of rvlms, Flower and the statistics libraries on the coordinator."""
    from importlib.metadata import PackageNotFoundError, version

    from rvlms.analysis.report import software_versions

    found = dict(software_versions())
    for name in ("rvlms", "flwr"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


class CentreStatus(BaseModel):
    """One centre as the coordinator saw it."""

    model_config = ConfigDict(frozen=True)

    centre: str
    status: Literal["included", "missing", "refused"]
    n: int | str | None = None
    times: str | None = None
    min_cell: int | None = None
    inclusion: str | None = None
    reason: str | None = None
    bytes_sent: int = 0
    software: dict[str, str] = {}


class Provenance(BaseModel):
    """Where every number of the report came from."""

    model_config = ConfigDict(frozen=True)

    engine: str
    centres: list[CentreStatus]
    rounds: int
    coordinator_software: dict[str, str]
    approximate: list[str]
    round_seconds: list[float] = []
    seconds: float | None = None

    def table(self) -> Table:
        rows = [
            [
                c.centre,
                c.status,
                "-" if c.n is None else str(c.n),
                c.times or "-",
                "-" if c.min_cell is None else str(c.min_cell),
                str(c.bytes_sent),
                c.reason or c.inclusion or "",
            ]
            for c in self.centres
        ]
        software = ", ".join(f"{k} {v}" for k, v in sorted(self.coordinator_software.items()))
        approx = "; ".join(self.approximate) if self.approximate else "nothing"
        return Table(
            "Centres (provenance)",
            ["Centre", "Status", "n", "Times", "min-cell", "Bytes sent", "Inclusion / reason"],
            rows,
            align_left=2,
            note=f"Engine: {self.engine}; {self.rounds} round(s) in {self.seconds} s. "
            "Coordinator software: "
            f"{software}. Approximate: {approx}.",
        )


class FederatedReport(ResultBase):
    """The pooled analysis of several centres' registries."""

    title: str
    synthetic: bool
    by: str | None
    methods: Methods
    provenance: Provenance
    descriptive: PooledDescription
    survival: dict[str, SurvivalSummary]
    cox: CoxResult | None
    warnings: list[str]

    def heading(self) -> str:
        return self.title

    def result_methods(self) -> Methods:
        return self.methods

    def result_warnings(self) -> list[str]:
        collected = list(self.warnings)
        for summary in self.survival.values():
            collected.extend(summary.warnings)
        if self.cox is not None:
            collected.extend(self.cox.warnings)
        return list(dict.fromkeys(collected))

    def tables(self) -> list[Table]:
        tables = [self.provenance.table(), *self.descriptive.tables()]
        for summary in self.survival.values():
            tables.extend(summary.tables())
        if self.cox is not None:
            tables.extend(self.cox.tables())
        return tables

    def centre_names(self, status: str = "included") -> list[str]:
        return [c.centre for c in self.provenance.centres if c.status == status]
