"""IVC level and yang2025 imaging type of a case.

IVC levels follow the three-segment convention used by zhang2021 (Discussion: upper, middle
and lower segments by the renal hilum and the hepatic veins) and the clinical brief §2.1:
I = infrarenal; II = from the renal veins up to, not including, the hepatic veins
(retrohepatic portion included); III = at or above the hepatic veins up to the right atrium.
A level stated by the radiologist wins over the one derived from the landmarks.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from rvlms.case.imaging import Imaging
from rvlms.case.record import Case
from rvlms.case.vocab import ImagingType, IvcLandmark, IvcLevel, Vessel
from rvlms.imaging.definition import ImagingDefinition, default_definition

LEVEL_OF_LANDMARK: dict[IvcLandmark, IvcLevel] = {
    IvcLandmark.iliac_confluence: IvcLevel.I,
    IvcLandmark.infrarenal: IvcLevel.I,
    IvcLandmark.renal_veins: IvcLevel.II,
    IvcLandmark.suprarenal_infrahepatic: IvcLevel.II,
    IvcLandmark.retrohepatic: IvcLevel.II,
    IvcLandmark.hepatic_veins: IvcLevel.III,
    IvcLandmark.suprahepatic: IvcLevel.III,
    IvcLandmark.right_atrium: IvcLevel.III,
}
_LEVELS = list(IvcLevel)
_LANDMARKS = list(IvcLandmark)

Source = Literal["radiologist", "rule"]


class Missing(BaseModel):
    model_config = ConfigDict(frozen=True)

    fact: str
    needed_for: str


class Classification(BaseModel):
    """Where the tumour sits along the IVC and which imaging type it is, with the reasons."""

    model_config = ConfigDict(frozen=True)

    ivc_level: IvcLevel | None
    ivc_levels: list[IvcLevel] = Field(description="Every IVC level involved, caudal first")
    ivc_level_source: Source | None
    highest_landmark: IvcLandmark | None
    imaging_type: ImagingType | None
    imaging_type_source: Source | None
    rule_imaging_type: ImagingType | None = Field(
        description="What the rule gives, shown beside a radiologist's type to expose disagreement"
    )
    definition: str
    reasons: list[str]
    missing: list[Missing]


def ivc_levels(imaging: Imaging) -> tuple[list[IvcLevel], Source | None, list[str]]:
    if imaging.ivc_segments:
        levels = sorted(set(imaging.ivc_segments), key=_LEVELS.index)
        return (
            levels,
            "radiologist",
            [f"IVC level(s) {', '.join(levels)} stated by the radiologist"],
        )
    if imaging.ivc_involved is False:
        return [], None, ["IVC not involved"]
    upper = imaging.highest_landmark
    if upper is None:
        return [], None, []
    lower = imaging.ivc_lower_extent or upper
    if _LANDMARKS.index(lower) > _LANDMARKS.index(upper):
        lower = upper
    span = _LEVELS[
        _LEVELS.index(LEVEL_OF_LANDMARK[lower]) : _LEVELS.index(LEVEL_OF_LANDMARK[upper]) + 1
    ]
    reason = (
        f"IVC involved from {lower.value.replace('_', ' ')} to {upper.value.replace('_', ' ')} "
        f"→ level {'–'.join(dict.fromkeys([span[0], span[-1]]))}"
    )
    return span, "rule", [reason]


def rule_imaging_type(
    imaging: Imaging, definition: ImagingDefinition
) -> tuple[ImagingType | None, list[str], list[Missing]]:
    """Apply the proposed operational definition (clinical brief §1.3)."""
    origin = imaging.vessel_of_origin
    needed = "imaging type (proposed definition)"
    if origin is None or origin is Vessel.unknown:
        return None, [], [Missing(fact="imaging.vessel_of_origin", needed_for=needed)]
    if origin in definition.tributaries:
        return (
            ImagingType.peripheral,
            [f"tumour arises from a tributary ({origin.value.replace('_', ' ')}) → peripheral"],
            [],
        )
    fraction = imaging.intraluminal_fraction
    if fraction is not None:
        if fraction >= definition.intraluminal_min_fraction:
            kind = ImagingType.intraluminal
        elif fraction <= definition.extraluminal_max_fraction:
            kind = ImagingType.extraluminal
        else:
            kind = ImagingType.intermediate
        return (
            kind,
            [f"IVC origin, share of tumour inside the lumen {fraction:g} → {kind.value}"],
            [],
        )
    inside, outside = imaging.intraluminal_component, imaging.extraluminal_component
    if inside is None and imaging.tumour_thrombus is not None:
        inside = True
    if inside is not None and outside is not None:
        kind = (
            ImagingType.intermediate
            if inside and outside
            else ImagingType.intraluminal
            if inside
            else ImagingType.extraluminal
        )
        parts = (
            f"intraluminal component {'present' if inside else 'absent'}, "
            f"extraluminal component {'present' if outside else 'absent'}"
        )
        return kind, [f"IVC origin, {parts} → {kind.value}"], []
    missing = [
        Missing(fact=f"imaging.{name}", needed_for=needed)
        for name, value in (
            ("intraluminal_component", inside),
            ("extraluminal_component", outside),
        )
        if value is None
    ]
    return None, [], missing


def classify(case: Case, definition: ImagingDefinition | None = None) -> Classification:
    definition = definition or default_definition()
    imaging = case.imaging
    levels, level_source, reasons = ivc_levels(imaging)
    missing: list[Missing] = []
    if not levels and imaging.ivc_involved is not False:
        missing.append(Missing(fact="imaging.ivc_upper_extent", needed_for="IVC level"))
    ruled, rule_reasons, rule_missing = rule_imaging_type(imaging, definition)
    kind: ImagingType | None
    kind_source: Source | None
    if imaging.imaging_type is not None:
        kind, kind_source = imaging.imaging_type, "radiologist"
        reasons.append(f"imaging type {kind.value} entered by the radiologist")
        if ruled is not None and ruled is not kind:
            reasons.append(f"the proposed rule would give {ruled.value}")
    else:
        kind, kind_source = ruled, ("rule" if ruled else None)
        reasons.extend(rule_reasons)
        missing.extend(rule_missing)
    return Classification(
        ivc_level=levels[-1] if levels else None,
        ivc_levels=levels,
        ivc_level_source=level_source,
        highest_landmark=imaging.highest_landmark,
        imaging_type=kind,
        imaging_type_source=kind_source,
        rule_imaging_type=ruled,
        definition=definition.described,
        reasons=reasons,
        missing=missing,
    )
