"""The case record: one patient, from presentation to follow-up."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from rvlms.case.base import RecordModel
from rvlms.case.imaging import Imaging
from rvlms.case.outcome import Complication, FollowUp, Pathology, Postoperative
from rvlms.case.presentation import (
    Demographics,
    History,
    Identity,
    Labs,
    Preoperative,
    Presentation,
)
from rvlms.case.treatment import Biopsy, Mdt, Operation, Therapy

CASE_SCHEMA_VERSION = "1.0"

CaseId = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
]


class Preferences(RecordModel):
    """What the patient wants, where it changes the plan (zhang2021 Discussion: a strong wish
    to keep the kidney can justify kidney-sparing resection)."""

    wishes_kidney_preservation: bool | None = None
    declines_transfusion: bool | None = None
    declines_chemotherapy: bool | None = None
    declines_radiotherapy: bool | None = None


class Case(RecordModel):
    """One patient with a retroperitoneal vascular leiomyosarcoma (or a suspected one).

    Every part is optional except the identifier: an MDT plans with what it has, and the
    decision map says which missing facts would change the plan.
    """

    schema_version: str = CASE_SCHEMA_VERSION
    case_id: CaseId
    centre: str | None = None
    source: str | None = Field(default=None, description="Where the data come from")
    synthetic: bool = False

    identity: Identity = Field(default_factory=Identity)
    demographics: Demographics = Field(default_factory=Demographics)
    presentation: Presentation = Field(default_factory=Presentation)
    history: History = Field(default_factory=History)
    labs: Labs = Field(default_factory=Labs)
    preoperative: Preoperative = Field(default_factory=Preoperative)
    imaging: Imaging = Field(default_factory=Imaging)
    biopsy: Biopsy | None = None
    mdt: Mdt | None = None
    preferences: Preferences = Field(default_factory=Preferences)
    neoadjuvant: list[Therapy] = Field(default_factory=list)
    operation: Operation | None = None
    pathology: Pathology | None = None
    complications: list[Complication] = Field(default_factory=list)
    postoperative: Postoperative = Field(default_factory=Postoperative)
    adjuvant: list[Therapy] = Field(default_factory=list)
    follow_up: FollowUp = Field(default_factory=FollowUp)
    notes: str | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> Case:
        birth = self.identity.birth_date
        operated = self.operation.date if self.operation else None
        dated: list[tuple[str, dt.date | None]] = [
            ("presentation.diagnosis_date", self.presentation.diagnosis_date),
            ("biopsy.date", self.biopsy.date if self.biopsy else None),
            ("mdt.date", self.mdt.date if self.mdt else None),
            ("operation.date", operated),
            ("follow_up.last_contact_date", self.follow_up.last_contact_date),
        ]
        if birth is not None:
            for path, when in dated:
                if when is not None and when < birth:
                    raise ValueError(
                        f"{path}: {when.isoformat()} is before the birth date "
                        f"{birth.isoformat()} (identity.birth_date)"
                    )
        if operated is not None:
            last = self.follow_up.last_contact_date
            if last is not None and last < operated:
                raise ValueError(
                    f"follow_up.last_contact_date: {last.isoformat()} is before the operation "
                    f"on {operated.isoformat()}"
                )
            for i, event in enumerate(self.follow_up.events):
                if event.date is not None and event.date < operated:
                    raise ValueError(
                        f"follow_up.events.{i}.date: {event.date.isoformat()} is before the "
                        f"operation on {operated.isoformat()}"
                    )
        return self
