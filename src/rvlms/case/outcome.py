"""Pathology, complications, the post-operative course and follow-up (zhang2021 Results,
Table 1; yang2025 Results)."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from rvlms.case.base import (
    CaseDate,
    Centimetres,
    Days,
    MicromolPerLitre,
    MitosesPer10Hpf,
    Months,
    Percent,
    RecordModel,
    refuse,
)
from rvlms.case.vocab import EventKind, MetastasisSite, Stain, VitalStatus
from rvlms.scores import ClavienDindoGrade, Differentiation, FnclccGrade, Necrosis, ResidualTumour


def _described(what: str) -> Any:
    return Field(default=None, description=what)


def _stain(what: str) -> Any:
    return Field(default=Stain.not_done, description=what)


class Immunohistochemistry(RecordModel):
    sma: Stain = _stain("Smooth muscle actin (zhang2021 Table 1)")
    desmin: Stain = _stain("Desmin (zhang2021 Table 1)")
    h_caldesmon: Stain = _stain("h-Caldesmon (zhang2021 Table 1)")
    ki67_pct: Percent | None = _described("Ki-67 labelling index (%; zhang2021 Table 1)")


class Pathology(RecordModel):
    histology: str | None = _described("Final histology, e.g. leiomyosarcoma")
    size_cm: Centimetres | None = _described(
        "Maximum diameter of the specimen (cm; zhang2021 Table 1; AJCC T category)"
    )
    margin: ResidualTumour | None = _described("Resection margin, R class R0/R1/R2")
    differentiation: Differentiation | None = _described(
        "Tumour differentiation (FNCLCC differentiation score)"
    )
    mitoses_per_10hpf: MitosesPer10Hpf | None = _described(
        "Mitoses per 10 high-power fields (per 10 HPF; FNCLCC mitotic score)"
    )
    necrosis: Necrosis | None = _described("Tumour necrosis (FNCLCC necrosis score)")
    fnclcc_grade: FnclccGrade | None = _described(
        "FNCLCC grade as reported by the pathologist (zhang2021 Table 1)"
    )
    ihc: Immunohistochemistry = Field(
        default_factory=Immunohistochemistry, description="Immunohistochemistry of the specimen"
    )
    atypia: bool | None = _described("Nuclear atypia")
    regional_nodes_positive: bool | None = _described("Tumour in resected regional nodes")


class Complication(RecordModel):
    description: str = Field(description="The complication, in words")
    clavien_dindo: ClavienDindoGrade = Field(
        description="Clavien–Dindo grade (zhang2021 Table 1; yang2025 Results)"
    )
    days_after_surgery: Days | None = _described("Onset after surgery (d)")
    disability_at_discharge: bool = Field(
        default=False, description="Disability left at discharge (Clavien–Dindo suffix 'd')"
    )


class Postoperative(RecordModel):
    creatinine_1w_umol_l: MicromolPerLitre | None = _described(
        "Serum creatinine one week after surgery (µmol/L; zhang2021 Results: median 85, "
        "range 70–99)"
    )
    hospital_stay_days: Days | None = _described(
        "Post-operative hospital stay (d; zhang2021 Table 1)"
    )
    perioperative_death: bool | None = _described("Death within 30 days of surgery")


class FollowUpEvent(RecordModel):
    kind: EventKind = Field(description="Local recurrence, distant metastasis or death")
    date: CaseDate | None = _described("Date of the event, YYYY-MM-DD")
    months_after_surgery: Months | None = _described(
        "Time from surgery to the event (months; disease-free survival in yang2025)"
    )
    symptomatic: bool | None = _described("Found because of symptoms rather than on imaging")
    sites: list[MetastasisSite] = Field(
        default_factory=list, description="Sites of metastasis or recurrence"
    )
    management: str | None = _described("How the event was treated")

    @model_validator(mode="after")
    def _dated(self) -> FollowUpEvent:
        if self.date is None and self.months_after_surgery is None:
            raise ValueError("give date or months_after_surgery for every follow-up event")
        return self


class FollowUp(RecordModel):
    last_contact_date: CaseDate | None = _described("Date of last contact, YYYY-MM-DD")
    months_after_surgery: Months | None = _described(
        "Follow-up length at last contact (months; zhang2021 Table 1)"
    )
    status: VitalStatus | None = _described("Status at last contact (zhang2021 Table 1: AWR, AOD)")
    events: list[FollowUpEvent] = Field(
        default_factory=list, description="Recurrences, metastases and death, in order"
    )

    @model_validator(mode="after")
    def _events_within_follow_up(self) -> FollowUp:
        problems: list[str] = []
        for i, event in enumerate(self.events):
            if (
                event.months_after_surgery is not None
                and self.months_after_surgery is not None
                and event.months_after_surgery > self.months_after_surgery
            ):
                problems.append(
                    f"events.{i}.months_after_surgery: a {event.kind.value} at "
                    f"{event.months_after_surgery:g} months lies after the last contact at "
                    f"{self.months_after_surgery:g} months"
                )
            if (
                event.date is not None
                and self.last_contact_date is not None
                and event.date > self.last_contact_date
            ):
                problems.append(
                    f"events.{i}.date: a {event.kind.value} on {event.date} lies after the "
                    f"last contact on {self.last_contact_date}"
                )
        dead = self.status in (VitalStatus.dead_of_disease, VitalStatus.dead_of_other_cause)
        has_death = any(e.kind is EventKind.death for e in self.events)
        if has_death and self.status is not None and not dead:
            problems.append(f"status: {self.status.value} contradicts a death event")
        refuse(problems)
        return self

    def first(self, kind: EventKind) -> FollowUpEvent | None:
        matching = [e for e in self.events if e.kind is kind]
        return matching[0] if matching else None
