"""Pathology, complications, the post-operative course and follow-up (zhang2021 Results,
Table 1; yang2025 Results)."""

from __future__ import annotations

import datetime as dt

from pydantic import Field, model_validator

from rvlms.case.base import (
    Centimetres,
    Days,
    MicromolPerLitre,
    MitosesPer10Hpf,
    Months,
    Percent,
    RecordModel,
)
from rvlms.case.vocab import EventKind, MetastasisSite, Stain, VitalStatus
from rvlms.scores import ClavienDindoGrade, Differentiation, FnclccGrade, Necrosis, ResidualTumour


class Immunohistochemistry(RecordModel):
    sma: Stain = Stain.not_done
    desmin: Stain = Stain.not_done
    h_caldesmon: Stain = Stain.not_done
    ki67_pct: Percent | None = None


class Pathology(RecordModel):
    histology: str | None = Field(default=None, description="e.g. leiomyosarcoma")
    size_cm: Centimetres | None = Field(default=None, description="Maximum diameter (cm)")
    margin: ResidualTumour | None = None
    differentiation: Differentiation | None = None
    mitoses_per_10hpf: MitosesPer10Hpf | None = None
    necrosis: Necrosis | None = None
    fnclcc_grade: FnclccGrade | None = Field(
        default=None, description="Grade as reported by the pathologist"
    )
    ihc: Immunohistochemistry = Field(default_factory=Immunohistochemistry)
    atypia: bool | None = None
    regional_nodes_positive: bool | None = None


class Complication(RecordModel):
    description: str
    clavien_dindo: ClavienDindoGrade
    days_after_surgery: Days | None = None
    disability_at_discharge: bool = False


class Postoperative(RecordModel):
    creatinine_1w_umol_l: MicromolPerLitre | None = Field(
        default=None, description="Serum creatinine one week after surgery (µmol/L)"
    )
    hospital_stay_days: Days | None = None
    perioperative_death: bool | None = None


class FollowUpEvent(RecordModel):
    kind: EventKind
    date: dt.date | None = None
    months_after_surgery: Months | None = None
    symptomatic: bool | None = None
    sites: list[MetastasisSite] = Field(default_factory=list)
    management: str | None = None

    @model_validator(mode="after")
    def _dated(self) -> FollowUpEvent:
        if self.date is None and self.months_after_surgery is None:
            raise ValueError("give date or months_after_surgery for every follow-up event")
        return self


class FollowUp(RecordModel):
    last_contact_date: dt.date | None = None
    months_after_surgery: Months | None = Field(
        default=None, description="Follow-up length at last contact"
    )
    status: VitalStatus | None = None
    events: list[FollowUpEvent] = Field(default_factory=list)

    @model_validator(mode="after")
    def _events_within_follow_up(self) -> FollowUp:
        for event in self.events:
            if (
                event.months_after_surgery is not None
                and self.months_after_surgery is not None
                and event.months_after_surgery > self.months_after_surgery
            ):
                raise ValueError(
                    f"events: a {event.kind.value} at {event.months_after_surgery} months lies "
                    f"after the last contact at {self.months_after_surgery} months"
                )
            if (
                event.date is not None
                and self.last_contact_date is not None
                and event.date > self.last_contact_date
            ):
                raise ValueError(
                    f"events: a {event.kind.value} on {event.date} lies after the last contact "
                    f"on {self.last_contact_date}"
                )
        dead = self.status in (VitalStatus.dead_of_disease, VitalStatus.dead_of_other_cause)
        has_death = any(e.kind is EventKind.death for e in self.events)
        if has_death and self.status is not None and not dead:
            raise ValueError(f"status: {self.status.value} contradicts a death event")
        return self

    def first(self, kind: EventKind) -> FollowUpEvent | None:
        matching = [e for e in self.events if e.kind is kind]
        return matching[0] if matching else None
