"""Biopsy, MDT decision, therapies and the operation (zhang2021 Methods and Table 1)."""

from __future__ import annotations

import datetime as dt

from pydantic import Field, model_validator

from rvlms.case.base import Millilitres, Minutes, MitosesPer10Hpf, Percent, RecordModel
from rvlms.case.outcome import Immunohistochemistry
from rvlms.case.vocab import (
    Access,
    Approach,
    BiopsyMethod,
    BiopsyResult,
    GraftMaterial,
    MdtDecision,
    OrganResection,
    Reconstruction,
    Side,
    TherapyKind,
    TherapyStatus,
    VascularControl,
)
from rvlms.scores import FnclccGrade


class Biopsy(RecordModel):
    done: bool
    date: dt.date | None = None
    method: BiopsyMethod | None = None
    result: BiopsyResult | None = None
    mitoses_per_10hpf: MitosesPer10Hpf | None = None
    atypia: bool | None = None
    ki67_pct: Percent | None = None
    necrosis: bool | None = None
    grade: FnclccGrade | None = Field(default=None, description="FNCLCC grade on the biopsy")
    ihc: Immunohistochemistry = Field(default_factory=Immunohistochemistry)
    complication: str | None = None

    @model_validator(mode="after")
    def _results_need_a_biopsy(self) -> Biopsy:
        if not self.done and (self.result or self.method or self.mitoses_per_10hpf is not None):
            raise ValueError("done: false but a biopsy method or result is given")
        return self


class Mdt(RecordModel):
    date: dt.date | None = None
    decision: MdtDecision | None = None
    disciplines: list[str] = Field(default_factory=list)
    notes: str | None = None


class Therapy(RecordModel):
    kind: TherapyKind
    status: TherapyStatus
    regimen: str | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    cycles: int | None = Field(default=None, ge=0, le=50)
    dose_gy: float | None = Field(default=None, gt=0, le=100)
    reason: str | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> Therapy:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        return self


class ResectedOrgan(RecordModel):
    item: OrganResection
    side: Side | None = None


class Operation(RecordModel):
    date: dt.date | None = None
    approach: Approach | None = None
    access: Access | None = None
    converted_to_open: bool = False
    conversion_reason: str | None = None
    vascular_control: list[VascularControl] = Field(default_factory=list)
    renal_vein_bulldog: bool | None = None
    pringle_manoeuvre: bool | None = None
    staged_vascular_control: bool | None = Field(
        default=None,
        description="Sequential clamping (zhang2021 case 4: distal IVC, left renal vein, "
        "hepatic hilum, proximal IVC)",
    )
    liver_mobilised: bool | None = None
    reconstruction: Reconstruction | None = None
    reconstruction_material: GraftMaterial | None = None
    organs_resected: list[ResectedOrgan] = Field(default_factory=list)
    thrombectomy: bool | None = None
    test_clamp_tolerated: bool | None = Field(
        default=None, description="Clamping the IVC was tolerated haemodynamically"
    )
    en_bloc: bool | None = None
    operative_time_min: Minutes | None = None
    blood_loss_ml: Millilitres | None = None
    rbc_transfused_ml: Millilitres | None = None
    plasma_transfused_ml: Millilitres | None = None
    blood_prepared_ml: Millilitres | None = None
    icu_admission: bool | None = None

    @model_validator(mode="after")
    def _coherent(self) -> Operation:
        if self.converted_to_open and self.approach is Approach.open:
            raise ValueError(
                "converted_to_open: true needs the planned minimally invasive approach "
                "(laparoscopic or robotic), not open"
            )
        if VascularControl.none in self.vascular_control and len(self.vascular_control) > 1:
            raise ValueError("vascular_control: 'none' cannot be combined with other methods")
        return self

    @property
    def transfused(self) -> bool | None:
        amounts = (self.rbc_transfused_ml, self.plasma_transfused_ml)
        if all(a is None for a in amounts):
            return None
        return any(a for a in amounts if a)

    def resected(self, item: OrganResection) -> bool:
        return any(r.item is item for r in self.organs_resected)
