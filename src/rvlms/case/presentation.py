"""Who the patient is and how the tumour presented (zhang2021 Table 1: age, sex, main symptom,
past history, renal and adrenal hormone tests, ASA)."""

from __future__ import annotations

import datetime as dt

from pydantic import Field, model_validator

from rvlms.case.base import LabTest, MicromolPerLitre, RecordModel
from rvlms.case.vocab import HistoryItem, Sex, Symptom, WorkingDiagnosis
from rvlms.scores import AsaClass


class Identity(RecordModel):
    """Direct identifiers. Kept apart so that a de-identified view can drop them whole."""

    name: str | None = None
    medical_record_number: str | None = None
    birth_date: dt.date | None = None


class Demographics(RecordModel):
    sex: Sex | None = None
    age_years: int | None = Field(default=None, ge=0, le=120, description="Age at diagnosis")
    height_cm: float | None = Field(default=None, gt=30, le=250)
    weight_kg: float | None = Field(default=None, gt=2, le=400)


class Presentation(RecordModel):
    symptoms: list[Symptom] = Field(default_factory=list)
    diagnosis_date: dt.date | None = None
    incidental: bool | None = Field(
        default=None, description="Found on imaging done for another reason"
    )
    ecog: int | None = Field(default=None, ge=0, le=4)
    working_diagnosis: WorkingDiagnosis | None = Field(
        default=None, description="What the team thought the mass was before histology"
    )

    @model_validator(mode="after")
    def _none_stands_alone(self) -> Presentation:
        if Symptom.none in self.symptoms and len(self.symptoms) > 1:
            raise ValueError("symptoms: 'none' cannot be combined with other symptoms")
        return self

    @property
    def symptomatic(self) -> bool | None:
        if not self.symptoms:
            return None
        return Symptom.none not in self.symptoms


class History(RecordModel):
    conditions: list[HistoryItem] = Field(default_factory=list)
    none_known: bool = Field(
        default=False, description="True when the past history was asked and is empty"
    )


class HormonePanel(RecordModel):
    """Pre-operative renal and adrenal hormone work-up.

    zhang2021 (Methods) measured blood catecholamines, 24-h VMA, ACTH, the plasma cortisol
    rhythm and renin–angiotensin II–aldosterone standing and recumbent. The guideline test
    for paraganglioma is plasma free or urinary fractionated metanephrines (Lenders 2014),
    which is why those two have fields of their own.
    """

    plasma_free_metanephrines: LabTest = Field(default_factory=LabTest)
    urine_fractionated_metanephrines: LabTest = Field(default_factory=LabTest)
    plasma_catecholamines: LabTest = Field(default_factory=LabTest)
    urine_vma_24h: LabTest = Field(default_factory=LabTest)
    acth: LabTest = Field(default_factory=LabTest)
    cortisol_rhythm: LabTest = Field(default_factory=LabTest)
    dexamethasone_suppression: LabTest = Field(default_factory=LabTest)
    renin_aldosterone_standing: LabTest = Field(default_factory=LabTest)
    renin_aldosterone_recumbent: LabTest = Field(default_factory=LabTest)


class Labs(RecordModel):
    hormones: HormonePanel = Field(default_factory=HormonePanel)
    creatinine_umol_l: MicromolPerLitre | None = Field(
        default=None, description="Pre-operative serum creatinine (µmol/L)"
    )
    haemoglobin_g_l: float | None = Field(default=None, gt=0, le=250)


class Preoperative(RecordModel):
    asa: AsaClass | None = None
    alpha_blockade_days: int | None = Field(
        default=None,
        ge=0,
        le=120,
        description="Days of pre-operative alpha-blockade (zhang2021: phenoxybenzamine, two weeks)",
    )
    alpha_blocker: str | None = None
