"""The case form's layout: which fields of the case record the MDT edits on screen.

The form covers the part of the record an MDT meeting works with (demographics,
presentation, the hormone work-up including metanephrines, imaging with the vessel of
origin, IVC extents, intra/extraluminal components, wall circumference, patency,
collaterals, organ involvement, kidney and metastases, the operation and pathology);
everything else stays as stored and is edited in the YAML editor. Values go to
:func:`rvlms.case.parse_case` as typed, so the server's validation is the only one and
its messages (with units and allowed values) appear beside the field they concern.

Number fields take their unit and plausible range from the case record
(:mod:`rvlms.case.plausibility`), so the form shows the range the server enforces; a
number field whose record field has no range fails at import rather than drifting.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Literal

from rvlms.case.plausibility import range_at
from rvlms.case.record import Case
from rvlms.case.vocab import (
    Access,
    Approach,
    BiopsyResult,
    DiaphragmRelation,
    HistoryItem,
    ImagingType,
    InvolvementExtent,
    IvcLandmark,
    IvcRelation,
    KidneyFunction,
    MetastasisSite,
    Organ,
    Patency,
    Reconstruction,
    Sex,
    Side,
    Symptom,
    TestResult,
    VascularControl,
    Vessel,
    VitalStatus,
    WorkingDiagnosis,
)
from rvlms.scores import AsaClass, Differentiation, FnclccGrade, Necrosis, ResidualTumour

__all__ = ["CASE_FORM", "FormField", "Kind", "RowGroup", "Section"]

Kind = Literal["text", "number", "integer", "date", "choice", "tristate", "multi", "textarea"]


def _values(enum: type[Enum]) -> tuple[str, ...]:
    return tuple(str(member.value) for member in enum)


@dataclass(frozen=True)
class FormField:
    path: str
    label: str
    kind: Kind = "text"
    choices: tuple[str, ...] = ()
    unit: str | None = None
    hint: str | None = None
    identifier: bool = False
    minimum: float | None = None
    maximum: float | None = None

    @property
    def id(self) -> str:
        return "f-" + self.path.replace(".", "-")


@dataclass(frozen=True)
class RowGroup:
    """A list of records edited as table rows (e.g. the organs the tumour involves)."""

    path: str
    label: str
    columns: tuple[FormField, ...]
    hint: str | None = None
    spare_rows: int = 2

    @property
    def count_field(self) -> str:
        return f"{self.path}.__rows"

    def cell(self, row: int, column: FormField) -> FormField:
        return FormField(
            path=f"{self.path}.{row}.{column.path}",
            label=f"{column.label} (row {row + 1})",
            kind=column.kind,
            choices=column.choices,
            unit=column.unit,
            minimum=column.minimum,
            maximum=column.maximum,
        )


@dataclass(frozen=True)
class Section:
    title: str
    items: tuple[FormField | RowGroup, ...]
    hint: str | None = None
    identifiers: bool = False


def _number(path: str, label: str, kind: Kind = "number", hint: str | None = None) -> FormField:
    """A number field with the unit and plausible range of its case record field."""
    plausible = range_at(Case, path)
    if plausible is None:
        raise LookupError(f"{path}: the case record gives this number no plausible range")
    shown = f"Plausible: {plausible.text}"
    return FormField(
        path,
        label,
        kind,
        unit=plausible.unit or None,
        hint=f"{hint}. {shown}" if hint else shown,
        minimum=plausible.low,
        maximum=plausible.high,
    )


def _scale(path: str) -> tuple[str, ...]:
    """The whole numbers of a scale field's range, offered as choices (ECOG 0–4)."""
    plausible = range_at(Case, path)
    if plausible is None:
        raise LookupError(f"{path}: the case record gives this scale no range")
    return tuple(str(i) for i in range(int(plausible.low), int(plausible.high) + 1))


def _result(path: str, label: str) -> FormField:
    return FormField(f"labs.hormones.{path}.result", label, "choice", _values(TestResult))


CASE_FORM: tuple[Section, ...] = (
    Section(
        "Patient",
        (
            FormField("identity.name", "Name", identifier=True),
            FormField("identity.medical_record_number", "Medical record number", identifier=True),
            FormField("identity.birth_date", "Date of birth", "date", identifier=True),
        ),
        hint="Identifiers are shown to clinicians only; researchers never see them.",
        identifiers=True,
    ),
    Section(
        "Demographics and presentation",
        (
            FormField("centre", "Centre"),
            FormField("demographics.sex", "Sex", "choice", _values(Sex)),
            _number("demographics.age_years", "Age at diagnosis", "integer"),
            _number("demographics.height_cm", "Height"),
            _number("demographics.weight_kg", "Weight"),
            FormField("presentation.symptoms", "Presenting symptoms", "multi", _values(Symptom)),
            FormField("presentation.diagnosis_date", "Date of diagnosis", "date"),
            FormField(
                "presentation.incidental",
                "Found incidentally",
                "tristate",
                hint="On imaging done for another reason",
            ),
            FormField(
                "presentation.working_diagnosis",
                "Working diagnosis",
                "choice",
                _values(WorkingDiagnosis),
                hint="What the team thought the mass was before histology",
            ),
            FormField(
                "presentation.ecog",
                "ECOG performance status",
                "choice",
                _scale("presentation.ecog"),
            ),
            FormField("history.conditions", "Past history", "multi", _values(HistoryItem)),
        ),
    ),
    Section(
        "Hormones and laboratory",
        (
            _result("plasma_free_metanephrines", "Plasma free metanephrines"),
            _result("urine_fractionated_metanephrines", "Urinary fractionated metanephrines"),
            _result("plasma_catecholamines", "Plasma catecholamines"),
            _result("urine_vma_24h", "24-h urinary VMA"),
            _result("acth", "ACTH"),
            _result("cortisol_rhythm", "Cortisol rhythm"),
            _result("renin_aldosterone_standing", "Renin–aldosterone (standing)"),
            _number("labs.creatinine_umol_l", "Serum creatinine"),
            FormField(
                "preoperative.asa", "ASA class", "choice", tuple(str(int(a)) for a in AsaClass)
            ),
        ),
        hint="Metanephrines exclude a paraganglioma before surgery (Lenders 2014).",
    ),
    Section(
        "Imaging",
        (
            FormField("imaging.vessel_of_origin", "Vessel of origin", "choice", _values(Vessel)),
            FormField("imaging.side", "Side", "choice", _values(Side)),
            _number("imaging.max_diameter_cm", "Maximum diameter"),
            FormField("imaging.ivc_involved", "IVC involved", "tristate"),
            FormField(
                "imaging.renal_veins_involved",
                "Renal veins involved",
                "multi",
                ("right", "left"),
            ),
            FormField(
                "imaging.ivc_lower_extent",
                "IVC lower extent",
                "choice",
                _values(IvcLandmark),
                hint="Most caudal IVC landmark reached by tumour or thrombus",
            ),
            FormField(
                "imaging.ivc_upper_extent",
                "IVC upper extent",
                "choice",
                _values(IvcLandmark),
                hint="Most cranial IVC landmark reached by tumour or thrombus",
            ),
            FormField("imaging.intraluminal_component", "Intraluminal component", "tristate"),
            FormField("imaging.extraluminal_component", "Extraluminal component", "tristate"),
            _number("imaging.wall_circumference_pct", "IVC wall circumference involved"),
            FormField(
                "imaging.ivc_relation", "Relation to the IVC wall", "choice", _values(IvcRelation)
            ),
            FormField(
                "imaging.tumour_thrombus.upper_extent",
                "Tumour thrombus upper extent",
                "choice",
                _values(IvcLandmark),
            ),
            _number("imaging.tumour_thrombus.length_cm", "Tumour thrombus length"),
            FormField("imaging.ivc_patency", "IVC patency", "choice", _values(Patency)),
            FormField("imaging.collaterals", "Collateral veins", "tristate"),
            FormField(
                "imaging.right_renal_vein_patency", "Right renal vein", "choice", _values(Patency)
            ),
            FormField(
                "imaging.left_renal_vein_patency", "Left renal vein", "choice", _values(Patency)
            ),
            FormField("imaging.hepatic_veins_involved", "Hepatic veins involved", "tristate"),
            FormField("imaging.budd_chiari", "Budd–Chiari syndrome", "tristate"),
            FormField(
                "imaging.relation_to_diaphragm",
                "Upper end relative to the diaphragm",
                "choice",
                _values(DiaphragmRelation),
                hint="Decides the bypass: below the diaphragm THVE/VVB, above it CPB",
            ),
            FormField(
                "imaging.right_atrium_extension", "Extends into the right atrium", "tristate"
            ),
            RowGroup(
                "imaging.organs",
                "Organs involved",
                (
                    FormField("organ", "Organ", "choice", _values(Organ)),
                    FormField("side", "Side", "choice", _values(Side)),
                    FormField("extent", "Extent", "choice", _values(InvolvementExtent)),
                ),
                hint="Leave a row empty to remove it.",
            ),
            FormField(
                "imaging.involvement_assessed",
                "Renal veins and organs assessed",
                "tristate",
                hint="Yes: structures not listed above are free of tumour",
            ),
            FormField(
                "imaging.contralateral_kidney",
                "Contralateral kidney",
                "choice",
                _values(KidneyFunction),
            ),
            FormField("imaging.right_kidney", "Right kidney", "choice", _values(KidneyFunction)),
            FormField("imaging.left_kidney", "Left kidney", "choice", _values(KidneyFunction)),
            FormField("imaging.regional_nodes", "Enlarged regional lymph nodes", "tristate"),
            FormField("imaging.distant_metastasis", "Distant metastasis", "tristate"),
            FormField(
                "imaging.metastasis_sites", "Metastasis sites", "multi", _values(MetastasisSite)
            ),
            FormField(
                "imaging.imaging_type",
                "Imaging type (radiologist)",
                "choice",
                _values(ImagingType),
                hint="Leave empty to let the yang2025 rule classify the tumour",
            ),
        ),
    ),
    Section(
        "Biopsy",
        (
            FormField("biopsy.done", "Biopsy taken", "tristate"),
            FormField("biopsy.date", "Date of the biopsy", "date"),
            FormField("biopsy.result", "Biopsy histology", "choice", _values(BiopsyResult)),
            FormField("biopsy.grade", "FNCLCC grade on the biopsy", "choice", _values(FnclccGrade)),
        ),
        hint="A biopsy showing a smooth-muscle tumour excludes paraganglioma.",
    ),
    Section(
        "Operation",
        (
            FormField("operation.date", "Date of operation", "date"),
            FormField("operation.approach", "Approach", "choice", _values(Approach)),
            FormField("operation.access", "Access", "choice", _values(Access)),
            FormField(
                "operation.vascular_control",
                "Vascular control",
                "multi",
                _values(VascularControl),
            ),
            FormField(
                "operation.reconstruction",
                "Venous reconstruction",
                "choice",
                _values(Reconstruction),
            ),
            FormField(
                "operation.test_clamp_tolerated",
                "Test clamp of the vein tolerated",
                "tristate",
                hint="Needed before a vein is ligated without reconstruction",
            ),
            _number("operation.operative_time_min", "Operative time"),
            _number("operation.blood_loss_ml", "Blood loss"),
            _number("operation.rbc_transfused_ml", "Red cells transfused"),
            FormField("operation.icu_admission", "ICU admission", "tristate"),
        ),
    ),
    Section(
        "Pathology",
        (
            FormField("pathology.histology", "Histology"),
            _number("pathology.size_cm", "Size"),
            FormField("pathology.margin", "Margin (R class)", "choice", _values(ResidualTumour)),
            FormField(
                "pathology.differentiation", "Differentiation", "choice", _values(Differentiation)
            ),
            _number("pathology.mitoses_per_10hpf", "Mitoses", "integer"),
            FormField("pathology.necrosis", "Necrosis", "choice", _values(Necrosis)),
            FormField("pathology.fnclcc_grade", "FNCLCC grade", "choice", _values(FnclccGrade)),
        ),
    ),
    Section(
        "Follow-up",
        (
            FormField("follow_up.last_contact_date", "Date of last contact", "date"),
            _number("follow_up.months_after_surgery", "Follow-up at last contact"),
            FormField("follow_up.status", "Status at last contact", "choice", _values(VitalStatus)),
        ),
    ),
)
