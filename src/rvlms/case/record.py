"""The case record: one patient, from presentation to follow-up."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from rvlms.case.base import RecordModel, refuse
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

    wishes_kidney_preservation: bool | None = Field(
        default=None,
        description="Strong wish to keep the kidney (zhang2021 Discussion: kidney-sparing "
        "resection)",
    )
    declines_transfusion: bool | None = Field(
        default=None, description="Declines blood transfusion"
    )
    declines_chemotherapy: bool | None = Field(default=None, description="Declines chemotherapy")
    declines_radiotherapy: bool | None = Field(default=None, description="Declines radiotherapy")


class Case(RecordModel):
    """One patient with a retroperitoneal vascular leiomyosarcoma (or a suspected one).

    Every part is optional except the identifier: an MDT plans with what it has, and the
    decision map says which missing facts would change the plan.
    """

    schema_version: str = Field(
        default=CASE_SCHEMA_VERSION, description="Version of the case record schema"
    )
    case_id: CaseId = Field(
        description="Identifier of the case: letters, digits, '.', '_' or '-' (never a name "
        "or record number)"
    )
    centre: str | None = Field(default=None, description="Treating centre")
    source: str | None = Field(default=None, description="Where the data come from")
    synthetic: bool = Field(default=False, description="True for a generated (synthetic) patient")

    identity: Identity = Field(
        default_factory=Identity, description="Direct identifiers (dropped for researchers)"
    )
    demographics: Demographics = Field(
        default_factory=Demographics, description="Age, sex and body size (zhang2021 Table 1)"
    )
    presentation: Presentation = Field(
        default_factory=Presentation, description="Symptoms and diagnosis (zhang2021 Table 1)"
    )
    history: History = Field(
        default_factory=History, description="Past history (zhang2021 Table 1)"
    )
    labs: Labs = Field(default_factory=Labs, description="Hormone work-up and laboratory values")
    preoperative: Preoperative = Field(
        default_factory=Preoperative, description="ASA class and alpha-blockade"
    )
    imaging: Imaging = Field(
        default_factory=Imaging,
        description="Pre-operative imaging findings (IVC level, yang2025 imaging type)",
    )
    biopsy: Biopsy | None = Field(default=None, description="Pre-operative biopsy, if any")
    mdt: Mdt | None = Field(default=None, description="The MDT meeting and its decision")
    preferences: Preferences = Field(
        default_factory=Preferences, description="Patient preferences that change the plan"
    )
    neoadjuvant: list[Therapy] = Field(default_factory=list, description="Treatment before surgery")
    operation: Operation | None = Field(
        default=None, description="The resection (zhang2021 Methods and Table 1)"
    )
    pathology: Pathology | None = Field(
        default=None, description="Pathology of the specimen (zhang2021 Table 1)"
    )
    complications: list[Complication] = Field(
        default_factory=list, description="Post-operative complications with Clavien–Dindo grade"
    )
    postoperative: Postoperative = Field(
        default_factory=Postoperative, description="Post-operative course (zhang2021 Results)"
    )
    adjuvant: list[Therapy] = Field(default_factory=list, description="Treatment after surgery")
    follow_up: FollowUp = Field(
        default_factory=FollowUp,
        description="Follow-up and events (zhang2021 Table 1; yang2025 disease-free survival)",
    )
    notes: str | None = Field(default=None, description="Free-text notes")

    @model_validator(mode="after")
    def _dates_in_order(self) -> Case:
        refuse(chronology_problems(self.chronology()))
        return self

    def chronology(self) -> Chronology:
        """The dates and the age the chronology checks compare."""
        return Chronology(
            birth=self.identity.birth_date,
            age_years=self.demographics.age_years,
            dated={
                "presentation.diagnosis_date": self.presentation.diagnosis_date,
                "biopsy.date": self.biopsy.date if self.biopsy else None,
                "mdt.date": self.mdt.date if self.mdt else None,
                "operation.date": self.operation.date if self.operation else None,
                "follow_up.last_contact_date": self.follow_up.last_contact_date,
            },
            events=[event.date for event in self.follow_up.events],
        )


@dataclass(frozen=True)
class Chronology:
    """The dates of one case in the order they must keep, with the age at diagnosis."""

    birth: dt.date | None
    age_years: int | None
    dated: dict[str, dt.date | None]
    events: list[dt.date | None]


def _age_on(birth: dt.date, when: dt.date) -> int:
    return when.year - birth.year - ((when.month, when.day) < (birth.month, birth.day))


def chronology_problems(dates: Chronology, today: dt.date | None = None) -> list[str]:
    """Every date that contradicts another: nothing before birth, no operation before the
    diagnosis, no follow-up before the operation, and an age at diagnosis that the birth
    date allows."""
    problems: list[str] = []
    birth = dates.birth
    diagnosed = dates.dated.get("presentation.diagnosis_date")
    operated = dates.dated.get("operation.date")
    if birth is not None:
        for path, when in dates.dated.items():
            if when is not None and when < birth:
                problems.append(
                    f"{path}: {when.isoformat()} is before the birth date "
                    f"{birth.isoformat()} (identity.birth_date)"
                )
    if diagnosed is not None:
        for path in ("operation.date", "follow_up.last_contact_date"):
            when = dates.dated.get(path)
            if when is not None and when < diagnosed:
                problems.append(
                    f"{path}: {when.isoformat()} is before the diagnosis on "
                    f"{diagnosed.isoformat()} (presentation.diagnosis_date)"
                )
    if operated is not None:
        last = dates.dated.get("follow_up.last_contact_date")
        if last is not None and last < operated:
            problems.append(
                f"follow_up.last_contact_date: {last.isoformat()} is before the operation "
                f"on {operated.isoformat()}"
            )
        for i, when in enumerate(dates.events):
            if when is not None and when < operated:
                problems.append(
                    f"follow_up.events.{i}.date: {when.isoformat()} is before the "
                    f"operation on {operated.isoformat()}"
                )
    age = dates.age_years
    if birth is not None and age is not None:
        if diagnosed is not None and diagnosed >= birth:
            expected = _age_on(birth, diagnosed)
            if age != expected:
                problems.append(
                    f"demographics.age_years: {age} years at diagnosis does not agree with "
                    f"the birth date {birth.isoformat()} and the diagnosis on "
                    f"{diagnosed.isoformat()} ({expected} years)"
                )
        elif diagnosed is None:
            later = [w for w in dates.dated.values() if w is not None and w >= birth]
            limit = min(later) if later else (today or dt.date.today())
            oldest = _age_on(birth, limit)
            if age > oldest:
                problems.append(
                    f"demographics.age_years: {age} years at diagnosis is older than the birth "
                    f"date {birth.isoformat()} allows on {limit.isoformat()} ({oldest} years)"
                )
    return problems
