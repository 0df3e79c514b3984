"""Biopsy, MDT decision, therapies and the operation (zhang2021 Methods and Table 1)."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from rvlms.case.base import (
    CaseDate,
    Millilitres,
    Minutes,
    MitosesPer10Hpf,
    Percent,
    RecordModel,
    refuse,
)
from rvlms.case.outcome import Immunohistochemistry
from rvlms.case.plausibility import Cycles, Gray
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


def _described(what: str) -> Any:
    return Field(default=None, description=what)


class Biopsy(RecordModel):
    done: bool = Field(
        description="Whether a biopsy was taken (zhang2021 Discussion: biopsy is not routine)"
    )
    date: CaseDate | None = _described("Date of the biopsy, YYYY-MM-DD")
    method: BiopsyMethod | None = _described("How the tissue was taken")
    result: BiopsyResult | None = _described("Histology of the biopsy")
    mitoses_per_10hpf: MitosesPer10Hpf | None = _described(
        "Mitoses per 10 high-power fields on the biopsy (per 10 HPF)"
    )
    atypia: bool | None = _described("Nuclear atypia on the biopsy")
    ki67_pct: Percent | None = _described(
        "Ki-67 labelling index on the biopsy (%; zhang2021 neoadjuvant criterion)"
    )
    necrosis: bool | None = _described("Tumour necrosis on the biopsy")
    grade: FnclccGrade | None = _described("FNCLCC grade on the biopsy")
    ihc: Immunohistochemistry = Field(
        default_factory=Immunohistochemistry, description="Immunohistochemistry of the biopsy"
    )
    complication: str | None = _described("Complication of the biopsy, in words")

    @model_validator(mode="after")
    def _results_need_a_biopsy(self) -> Biopsy:
        if not self.done and (self.result or self.method or self.mitoses_per_10hpf is not None):
            raise ValueError("done: false but a biopsy method or result is given")
        return self


class Mdt(RecordModel):
    date: CaseDate | None = _described("Date of the MDT meeting, YYYY-MM-DD")
    decision: MdtDecision | None = _described(
        "What the MDT decided (zhang2021 Methods: the MDT chose surgery)"
    )
    disciplines: list[str] = Field(
        default_factory=list, description="Disciplines present, e.g. urology, vascular surgery"
    )
    notes: str | None = _described("Free-text minutes of the discussion")


class Therapy(RecordModel):
    kind: TherapyKind = Field(description="Kind of treatment")
    status: TherapyStatus = Field(description="Whether it was recommended, given or stopped")
    regimen: str | None = _described("Drugs or technique, e.g. doxorubicin–trabectedin")
    start_date: CaseDate | None = _described("First day of treatment, YYYY-MM-DD")
    end_date: CaseDate | None = _described("Last day of treatment, YYYY-MM-DD")
    cycles: Cycles | None = _described("Chemotherapy cycles given (cycles)")
    dose_gy: Gray | None = _described("Total radiotherapy dose (Gy)")
    reason: str | None = _described("Why it was given, declined or stopped")

    @model_validator(mode="after")
    def _dates_in_order(self) -> Therapy:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        return self


class ResectedOrgan(RecordModel):
    item: OrganResection = Field(description="Organ or part resected en bloc")
    side: Side | None = _described("Side of a paired organ")


class Operation(RecordModel):
    date: CaseDate | None = _described("Date of the operation, YYYY-MM-DD")
    approach: Approach | None = _described(
        "Surgical approach (zhang2021 Table 1: laparoscopic in cases 1–3, open in case 4)"
    )
    access: Access | None = _described("Access to the retroperitoneum")
    converted_to_open: bool = Field(
        default=False,
        description="A laparoscopic or robotic operation converted to open (zhang2021 case 2)",
    )
    conversion_reason: str | None = _described("Why the operation was converted")
    vascular_control: list[VascularControl] = Field(
        default_factory=list,
        description="Methods of vascular control used (zhang2021 Methods: Satinsky partial "
        "clamp, complete clamping)",
    )
    renal_vein_bulldog: bool | None = _described(
        "Bulldog clamp on the renal vein (zhang2021 case 2)"
    )
    pringle_manoeuvre: bool | None = _described(
        "Hepatic hilum clamped (Pringle manoeuvre; zhang2021 case 4)"
    )
    staged_vascular_control: bool | None = _described(
        "Sequential clamping (zhang2021 case 4: distal IVC, left renal vein, "
        "hepatic hilum, proximal IVC)"
    )
    liver_mobilised: bool | None = _described("Liver mobilised to reach the retrohepatic IVC")
    reconstruction: Reconstruction | None = _described(
        "Venous reconstruction (yang2025 counts repair, patch and ligation)"
    )
    reconstruction_material: GraftMaterial | None = _described(
        "Suture, patch or graft material of the reconstruction"
    )
    organs_resected: list[ResectedOrgan] = Field(
        default_factory=list,
        description="Organs resected en bloc (zhang2021 Table 1)",
    )
    thrombectomy: bool | None = _described("Tumour thrombus removed")
    test_clamp_tolerated: bool | None = _described(
        "Clamping the IVC was tolerated haemodynamically"
    )
    en_bloc: bool | None = _described("Tumour removed en bloc with the vessel segment")
    operative_time_min: Minutes | None = _described("Operative time (min; zhang2021 Table 1)")
    blood_loss_ml: Millilitres | None = _described("Estimated blood loss (ml; zhang2021 Table 1)")
    rbc_transfused_ml: Millilitres | None = _described(
        "Red cells transfused (ml; zhang2021 Table 1)"
    )
    plasma_transfused_ml: Millilitres | None = _described(
        "Plasma transfused (ml; zhang2021 Table 1)"
    )
    blood_prepared_ml: Millilitres | None = _described("Blood cross-matched and prepared (ml)")
    icu_admission: bool | None = _described("Admitted to intensive care after surgery")

    @model_validator(mode="after")
    def _coherent(self) -> Operation:
        problems: list[str] = []
        if self.converted_to_open and self.approach is Approach.open:
            problems.append(
                "converted_to_open: true needs the planned minimally invasive approach "
                "(laparoscopic or robotic), not open"
            )
        if VascularControl.none in self.vascular_control and len(self.vascular_control) > 1:
            problems.append("vascular_control: 'none' cannot be combined with other methods")
        refuse(problems)
        return self

    @property
    def transfused(self) -> bool | None:
        amounts = (self.rbc_transfused_ml, self.plasma_transfused_ml)
        if all(a is None for a in amounts):
            return None
        return any(a for a in amounts if a)

    def resected(self, item: OrganResection) -> bool:
        return any(r.item is item for r in self.organs_resected)
