"""The REST API's documents, in schema families by role.

Clinicians get :class:`CaseOut` (the full record). Researchers get
:class:`ResearchCaseOut`, built on the generated ``ResearchCase`` schema of
:mod:`rvlms.web.deidentify`, which has no field for a name, a record number or an exact
date; the list and history documents are split the same way, so a researcher's response
cannot carry an identifier even by mistake.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from rvlms.case import Case
from rvlms.case.vocab import ImagingType, IvcLevel
from rvlms.registry import CaseSummary, Revision, StoredCase
from rvlms.scores import (
    CreatinineUnit,
    Differentiation,
    FnclccGrade,
    Intervention,
    MCategory,
    NCategory,
    Necrosis,
    OrganDysfunction,
)
from rvlms.scores import Sex as EgfrSex
from rvlms.web.audit import AuditEntry
from rvlms.web.cohort import CohortView, Grouping, SyntheticFilter
from rvlms.web.deidentify import ResearchCase, deidentify_case

__all__ = [
    "AjccIn",
    "AuditEntryOut",
    "AuditPage",
    "CaseListItem",
    "CaseOut",
    "CasePage",
    "ChangeOut",
    "ClavienIn",
    "CohortOut",
    "EgfrIn",
    "FnclccIn",
    "HistoryOut",
    "ResearchCaseListItem",
    "ResearchCaseOut",
    "ResearchCasePage",
    "RevisionOut",
]


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class CaseOut(_Out):
    """A case as clinicians see it: the whole record, with the version an edit must name."""

    case: Case
    version: int
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str

    @classmethod
    def of(cls, stored: StoredCase) -> CaseOut:
        return cls(
            case=stored.case,
            version=stored.version,
            created_at=stored.created_at,
            created_by=stored.created_by,
            updated_at=stored.updated_at,
            updated_by=stored.updated_by,
        )


class ResearchCaseOut(_Out):
    """A case as researchers see it: no identifiers, no free text, dates as years."""

    case: ResearchCase
    version: int
    view: Literal["de-identified"] = "de-identified"

    @classmethod
    def of(cls, stored: StoredCase) -> ResearchCaseOut:
        return cls(case=deidentify_case(stored.case), version=stored.version)


class CaseListItem(_Out):
    case_id: str
    version: int
    centre: str | None
    imaging_type: ImagingType | None
    ivc_level: IvcLevel | None
    sex: str | None
    synthetic: bool
    updated_at: datetime
    updated_by: str

    @classmethod
    def of(cls, summary: CaseSummary) -> CaseListItem:
        return cls(
            case_id=summary.case_id,
            version=summary.version,
            centre=summary.centre,
            imaging_type=ImagingType(summary.imaging_type) if summary.imaging_type else None,
            ivc_level=IvcLevel(summary.ivc_level) if summary.ivc_level else None,
            sex=summary.sex,
            synthetic=summary.synthetic,
            updated_at=summary.updated_at,
            updated_by=summary.updated_by,
        )


class ResearchCaseListItem(_Out):
    """A line of the researchers' list: the registered centre code, never the free text."""

    case_id: str
    version: int
    centre: str | None
    imaging_type: ImagingType | None
    ivc_level: IvcLevel | None
    sex: str | None
    synthetic: bool

    @classmethod
    def of(cls, summary: CaseSummary) -> ResearchCaseListItem:
        return cls(
            case_id=summary.case_id,
            version=summary.version,
            centre=summary.centre_code,
            imaging_type=ImagingType(summary.imaging_type) if summary.imaging_type else None,
            ivc_level=IvcLevel(summary.ivc_level) if summary.ivc_level else None,
            sex=summary.sex,
            synthetic=summary.synthetic,
        )


class CasePage(_Out):
    items: list[CaseListItem]
    total: int
    limit: int
    offset: int


class ResearchCasePage(_Out):
    items: list[ResearchCaseListItem]
    total: int | str = Field(description="Counts below the small-cell threshold as '<k'")
    limit: int
    offset: int
    view: Literal["de-identified"] = "de-identified"


class ChangeOut(_Out):
    path: str
    old: JsonValue = None
    new: JsonValue = None


class RevisionOut(_Out):
    version: int
    action: Literal["create", "update", "delete"]
    changed_by: str
    changed_at: datetime
    changes: list[ChangeOut]


class HistoryOut(_Out):
    case_id: str
    revisions: list[RevisionOut]

    @classmethod
    def of(cls, case_id: str, revisions: list[Revision]) -> HistoryOut:
        return cls(
            case_id=case_id,
            revisions=[
                RevisionOut(
                    version=r.version,
                    action=r.action,
                    changed_by=r.changed_by,
                    changed_at=r.changed_at,
                    changes=[ChangeOut(path=c.path, old=c.old, new=c.new) for c in r.changes],
                )
                for r in revisions
            ],
        )


class CohortOut(_Out):
    """The cohort analysis of ``rvlms.analysis`` (its ``to_dict()`` contract) for one filter."""

    n: int
    by: Grouping
    synthetic: SyntheticFilter
    min_cell: int | None = Field(description="Counts below this are shown as '<min_cell'")
    notes: list[str]
    analysis: dict[str, JsonValue] | None

    @classmethod
    def of(cls, view: CohortView) -> CohortOut:
        return cls(
            n=view.n,
            by=view.by,
            synthetic=view.synthetic,
            min_cell=view.min_cell,
            notes=list(view.notes),
            analysis=view.to_dict() if view.analysis is not None else None,
        )


class AuditEntryOut(_Out):
    id: int
    at: datetime
    actor: str | None
    role: str | None
    action: str
    outcome: str
    case_id: str | None
    version: int | None
    client_ip: str | None
    via: str
    target: str | None
    detail: str | None

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditEntryOut:
        return cls(
            id=entry.id,
            at=entry.at,
            actor=entry.actor,
            role=entry.role,
            action=entry.action,
            outcome=entry.outcome,
            case_id=entry.case_id,
            version=entry.version,
            client_ip=entry.client_ip,
            via=entry.via,
            target=entry.target,
            detail=entry.detail,
        )


class AuditPage(_Out):
    items: list[AuditEntryOut]
    total: int
    limit: int
    offset: int


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FnclccIn(_In):
    """FNCLCC grade inputs (Guillou 1997); a missing component gives GX."""

    differentiation: Differentiation | None = None
    mitoses_per_10hpf: int | None = Field(default=None, ge=0, le=500)
    necrosis: Necrosis | None = None


class AjccIn(_In):
    """AJCC 8th retroperitoneal staging inputs; unknown nodes (null) are staged as N0."""

    size_cm: float = Field(gt=0, le=100, description="Greatest tumour dimension (cm)")
    grade: FnclccGrade
    n: NCategory | None = NCategory.N0
    m: MCategory = MCategory.M0


class ClavienIn(_In):
    """Either a grade already recorded, or the facts of one complication to grade."""

    grade: str | None = Field(
        default=None, description="A recorded grade such as 'II' or '3a'; facts are then ignored"
    )
    died: bool = False
    organ_dysfunction: OrganDysfunction = OrganDysfunction.NONE
    intervention: Intervention = Intervention.NONE
    drugs_beyond_grade_i: bool = False
    blood_transfusion: bool = False
    parenteral_nutrition: bool = False
    disability_at_discharge: bool = False


class EgfrIn(_In):
    """CKD-EPI 2021 inputs (adults only)."""

    creatinine: float = Field(
        ge=0.01, le=5000, description="Serum creatinine in ``unit`` (default µmol/L)"
    )
    age_years: float = Field(ge=18, le=120)
    sex: EgfrSex
    unit: CreatinineUnit = CreatinineUnit.UMOL_L
    steady_state: bool = True
