"""The case form: which fields of the case record the MDT edits on screen, and how a
submitted form becomes a case document and its validation problems become messages
next to the right fields.

The form covers the part of the record an MDT meeting works with (demographics,
presentation, the hormone work-up including metanephrines, imaging with the vessel of
origin, IVC extents, intra/extraluminal components, wall circumference, patency,
collaterals, organ involvement, kidney and metastases, the operation and pathology);
everything else stays as stored and is edited in the YAML editor. Values go to
:func:`rvlms.case.parse_case` as typed, so the server's validation is the only one and
its messages (with units and allowed values) appear beside the field they concern.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal

from rvlms.case.vocab import (
    Access,
    Approach,
    HistoryItem,
    ImagingType,
    InvolvementExtent,
    IvcLandmark,
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
)
from rvlms.errors import FieldProblem
from rvlms.scores import AsaClass, Differentiation, FnclccGrade, Necrosis, ResidualTumour

__all__ = [
    "CASE_FORM",
    "FormField",
    "FormLayout",
    "PlacedProblems",
    "RowGroup",
    "Section",
    "form_to_data",
    "place_problems",
    "value_at",
]

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
        )


@dataclass(frozen=True)
class Section:
    title: str
    items: tuple[FormField | RowGroup, ...]
    hint: str | None = None
    identifiers: bool = False


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
            FormField("demographics.age_years", "Age at diagnosis", "integer", unit="years"),
            FormField("demographics.height_cm", "Height", "number", unit="cm"),
            FormField("demographics.weight_kg", "Weight", "number", unit="kg"),
            FormField("presentation.symptoms", "Presenting symptoms", "multi", _values(Symptom)),
            FormField("presentation.diagnosis_date", "Date of diagnosis", "date"),
            FormField(
                "presentation.incidental",
                "Found incidentally",
                "tristate",
                hint="On imaging done for another reason",
            ),
            FormField(
                "presentation.ecog", "ECOG performance status", "choice", ("0", "1", "2", "3", "4")
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
            FormField("labs.creatinine_umol_l", "Serum creatinine", "number", unit="µmol/L"),
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
            FormField("imaging.max_diameter_cm", "Maximum diameter", "number", unit="cm"),
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
            FormField(
                "imaging.wall_circumference_pct",
                "IVC wall circumference involved",
                "number",
                unit="%",
            ),
            FormField(
                "imaging.tumour_thrombus.upper_extent",
                "Tumour thrombus upper extent",
                "choice",
                _values(IvcLandmark),
            ),
            FormField(
                "imaging.tumour_thrombus.length_cm", "Tumour thrombus length", "number", unit="cm"
            ),
            FormField("imaging.ivc_patency", "IVC patency", "choice", _values(Patency)),
            FormField("imaging.collaterals", "Collateral veins", "tristate"),
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
            FormField("operation.operative_time_min", "Operative time", "number", unit="min"),
            FormField("operation.blood_loss_ml", "Blood loss", "number", unit="ml"),
            FormField("operation.rbc_transfused_ml", "Red cells transfused", "number", unit="ml"),
            FormField("operation.icu_admission", "ICU admission", "tristate"),
        ),
    ),
    Section(
        "Pathology",
        (
            FormField("pathology.histology", "Histology"),
            FormField("pathology.size_cm", "Size", "number", unit="cm"),
            FormField("pathology.margin", "Margin (R class)", "choice", _values(ResidualTumour)),
            FormField(
                "pathology.differentiation", "Differentiation", "choice", _values(Differentiation)
            ),
            FormField("pathology.mitoses_per_10hpf", "Mitoses", "integer", unit="per 10 HPF"),
            FormField("pathology.necrosis", "Necrosis", "choice", _values(Necrosis)),
            FormField("pathology.fnclcc_grade", "FNCLCC grade", "choice", _values(FnclccGrade)),
        ),
    ),
    Section(
        "Follow-up",
        (
            FormField("follow_up.last_contact_date", "Date of last contact", "date"),
            FormField(
                "follow_up.months_after_surgery",
                "Follow-up at last contact",
                "number",
                unit="months",
            ),
            FormField("follow_up.status", "Status at last contact", "choice", _values(VitalStatus)),
        ),
    ),
)


def _fields(sections: Sequence[Section]) -> list[FormField]:
    return [item for s in sections for item in s.items if isinstance(item, FormField)]


def _groups(sections: Sequence[Section]) -> list[RowGroup]:
    return [item for s in sections for item in s.items if isinstance(item, RowGroup)]


def value_at(data: Mapping[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        if isinstance(node, Mapping):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node = data
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            if value is None:
                return
            child = {}
            node[part] = child
        node = child
    if value is None:
        node.pop(parts[-1], None)
    else:
        node[parts[-1]] = value


def _prune(node: Any) -> Any:
    """Drop empty mappings left behind by cleared fields (an empty section is no section)."""
    if isinstance(node, dict):
        cleaned = {k: _prune(v) for k, v in node.items()}
        return {k: v for k, v in cleaned.items() if not (isinstance(v, dict) and not v)}
    if isinstance(node, list):
        return [_prune(item) for item in node]
    return node


class FormInput:
    """What a submitted form holds: ``get`` for one value, ``getlist`` for checkboxes."""

    def __init__(self, pairs: Sequence[tuple[str, str]]) -> None:
        self._values: dict[str, list[str]] = {}
        for key, value in pairs:
            self._values.setdefault(key, []).append(value)

    def get(self, key: str) -> str:
        values = self._values.get(key)
        return values[0].strip() if values else ""

    def getlist(self, key: str) -> list[str]:
        return [v.strip() for v in self._values.get(key, []) if v.strip()]


@dataclass
class FormLayout:
    """Rows shown for each row group; ``row_maps`` ties list positions back to form rows."""

    rows: dict[str, int] = field(default_factory=dict)
    row_maps: dict[str, list[int]] = field(default_factory=dict)


def layout_for(data: Mapping[str, Any], sections: Sequence[Section] = CASE_FORM) -> FormLayout:
    layout = FormLayout()
    for group in _groups(sections):
        existing = value_at(data, group.path)
        count = len(existing) if isinstance(existing, list) else 0
        layout.rows[group.path] = max(count + group.spare_rows, 3)
        layout.row_maps[group.path] = list(range(count))
    return layout


def form_to_data(
    base: Mapping[str, Any], form: FormInput, sections: Sequence[Section] = CASE_FORM
) -> tuple[dict[str, Any], FormLayout]:
    """The stored case document with the form's fields applied (strings left for pydantic)."""
    data: dict[str, Any] = copy.deepcopy(dict(base))
    for item in _fields(sections):
        if item.kind == "multi":
            chosen = form.getlist(item.path)
            _set(data, item.path, chosen or None)
        else:
            raw = form.get(item.path)
            _set(data, item.path, raw or None)
    layout = FormLayout()
    for group in _groups(sections):
        try:
            shown = int(form.get(group.count_field) or 0)
        except ValueError:
            shown = 0
        shown = max(0, min(shown, 200))
        rows: list[dict[str, Any]] = []
        kept: list[int] = []
        for index in range(shown):
            row = {
                column.path: form.get(f"{group.path}.{index}.{column.path}")
                for column in group.columns
            }
            row = {key: value for key, value in row.items() if value}
            if row:
                rows.append(row)
                kept.append(index)
        _set(data, group.path, rows or None)
        layout.rows[group.path] = max(shown, len(rows) + group.spare_rows, 3)
        layout.row_maps[group.path] = kept
    return _prune(data), layout


@dataclass(frozen=True)
class PlacedProblems:
    by_field: dict[str, list[FieldProblem]]
    elsewhere: list[FieldProblem]

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.by_field.values()) + len(self.elsewhere)


def place_problems(
    problems: Sequence[FieldProblem],
    layout: FormLayout,
    sections: Sequence[Section] = CASE_FORM,
) -> PlacedProblems:
    """Each problem beside the form field it concerns; the rest listed above the form."""
    fields = _fields(sections)
    paths = {f.path for f in fields}
    multis = [f.path for f in fields if f.kind == "multi"]
    groups = _groups(sections)
    by_field: dict[str, list[FieldProblem]] = {}
    elsewhere: list[FieldProblem] = []
    for problem in problems:
        target = _target(problem.path, paths, multis, groups, layout)
        if target is None:
            elsewhere.append(problem)
        else:
            by_field.setdefault(target, []).append(problem)
    return PlacedProblems(by_field, elsewhere)


def _target(
    path: str,
    paths: set[str],
    multis: list[str],
    groups: list[RowGroup],
    layout: FormLayout,
) -> str | None:
    if path in paths:
        return path
    for multi in multis:
        if path.startswith(multi + "."):
            return multi
    for group in groups:
        if path == group.path:
            return group.path
        if path.startswith(group.path + "."):
            rest = path[len(group.path) + 1 :].split(".")
            if not rest[0].isdigit():
                return group.path
            kept = layout.row_maps.get(group.path, [])
            index = int(rest[0])
            row = kept[index] if index < len(kept) else index
            columns = {c.path for c in group.columns}
            if len(rest) > 1 and rest[1] in columns:
                return f"{group.path}.{row}.{rest[1]}"
            return group.path
    below = [p for p in paths if p.startswith(path + ".")]
    if len(below) == 1:
        return below[0]
    return None
