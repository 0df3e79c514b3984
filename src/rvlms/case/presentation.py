"""Who the patient is and how the tumour presented (zhang2021 Table 1: age, sex, main symptom,
past history, renal and adrenal hormone tests, ASA)."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from rvlms.case.base import CaseDate, LabTest, MicromolPerLitre, RecordModel
from rvlms.case.plausibility import (
    AlphaBlockadeDays,
    Ecog,
    GramsPerLitre,
    HeightCm,
    WeightKg,
    Years,
)
from rvlms.case.vocab import HistoryItem, Sex, Symptom, WorkingDiagnosis
from rvlms.scores import AsaClass


class Identity(RecordModel):
    """Direct identifiers. Kept apart so that a de-identified view can drop them whole."""

    name: str | None = Field(default=None, description="Patient's name (identifier)")
    medical_record_number: str | None = Field(
        default=None, description="Hospital medical record number (identifier)"
    )
    birth_date: CaseDate | None = Field(
        default=None, description="Date of birth, YYYY-MM-DD (identifier)"
    )


class Demographics(RecordModel):
    sex: Sex | None = Field(
        default=None, description="Sex (zhang2021 Table 1; sets the CKD-EPI 2021 coefficients)"
    )
    age_years: Years | None = Field(
        default=None,
        description="Age at diagnosis in years (zhang2021 Table 1); must agree with the "
        "birth and diagnosis dates when both are given",
    )
    height_cm: HeightCm | None = Field(default=None, description="Height (cm)")
    weight_kg: WeightKg | None = Field(default=None, description="Weight (kg)")


class Presentation(RecordModel):
    symptoms: list[Symptom] = Field(
        default_factory=list,
        description="Presenting complaints (zhang2021 Table 1); 'none' for an asymptomatic patient",
    )
    diagnosis_date: CaseDate | None = Field(
        default=None, description="Date of diagnosis (first imaging showing the mass), YYYY-MM-DD"
    )
    incidental: bool | None = Field(
        default=None, description="Found on imaging done for another reason"
    )
    ecog: Ecog | None = Field(
        default=None, description="ECOG performance status, 0 (fully active) to 4 (bedbound)"
    )
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
    conditions: list[HistoryItem] = Field(
        default_factory=list, description="Past history (zhang2021 Table 1)"
    )
    none_known: bool = Field(
        default=False, description="True when the past history was asked and is empty"
    )


def _test(what: str) -> Any:
    return Field(default_factory=LabTest, description=what)


class HormonePanel(RecordModel):
    """Pre-operative renal and adrenal hormone work-up.

    zhang2021 (Methods) measured blood catecholamines, 24-h VMA, ACTH, the plasma cortisol
    rhythm and renin–angiotensin II–aldosterone standing and recumbent. The guideline test
    for paraganglioma is plasma free or urinary fractionated metanephrines (Lenders 2014),
    which is why those two have fields of their own.
    """

    plasma_free_metanephrines: LabTest = _test(
        "Plasma free metanephrines: the test that excludes a paraganglioma before biopsy or "
        "surgery (Lenders 2014)"
    )
    urine_fractionated_metanephrines: LabTest = _test(
        "24-h urinary fractionated metanephrines (alternative to the plasma test; Lenders 2014)"
    )
    plasma_catecholamines: LabTest = _test("Plasma catecholamines (zhang2021 Methods)")
    urine_vma_24h: LabTest = _test("24-h urinary vanillylmandelic acid (zhang2021 Methods)")
    acth: LabTest = _test("Plasma ACTH (zhang2021 Methods)")
    cortisol_rhythm: LabTest = _test("Plasma cortisol rhythm (zhang2021 Methods)")
    dexamethasone_suppression: LabTest = _test("1-mg dexamethasone suppression test")
    renin_aldosterone_standing: LabTest = _test(
        "Renin–angiotensin II–aldosterone, standing (zhang2021 Methods)"
    )
    renin_aldosterone_recumbent: LabTest = _test(
        "Renin–angiotensin II–aldosterone, recumbent (zhang2021 Methods)"
    )


class Labs(RecordModel):
    hormones: HormonePanel = Field(
        default_factory=HormonePanel,
        description="Renal and adrenal hormone work-up (zhang2021 Table 1)",
    )
    creatinine_umol_l: MicromolPerLitre | None = Field(
        default=None,
        description="Pre-operative serum creatinine (µmol/L; 1 mg/dL = 88.4 µmol/L); feeds the "
        "CKD-EPI 2021 eGFR",
    )
    haemoglobin_g_l: GramsPerLitre | None = Field(
        default=None, description="Pre-operative haemoglobin (g/L; 1 g/dL = 10 g/L)"
    )


class Preoperative(RecordModel):
    asa: AsaClass | None = Field(
        default=None, description="ASA physical status class 1–6 (zhang2021 Table 1)"
    )
    alpha_blockade_days: AlphaBlockadeDays | None = Field(
        default=None,
        description="Days of pre-operative alpha-blockade (d; zhang2021: phenoxybenzamine, "
        "two weeks)",
    )
    alpha_blocker: str | None = Field(
        default=None, description="Alpha-blocker used, e.g. phenoxybenzamine, doxazosin"
    )
