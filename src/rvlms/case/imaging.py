"""Pre-operative imaging: the raw findings the classification and the surgical plan read.

The raw inputs are stored rather than only a derived type, so that a case can be
re-classified when the full definition of the yang2025 imaging types becomes available
(clinical brief §1.3).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from rvlms.case.base import CaseDate, Centimetres, Fraction, Percent, RecordModel, refuse
from rvlms.case.vocab import (
    ContrastPhase,
    DiaphragmRelation,
    ImagingModality,
    ImagingType,
    InvolvementExtent,
    IvcLandmark,
    IvcLevel,
    IvcRelation,
    KidneyFunction,
    MetastasisSite,
    Organ,
    Patency,
    Side,
    Vessel,
    WallInvolvement,
)


def _described(what: str) -> Any:
    return Field(default=None, description=what)


def _listed(what: str) -> Any:
    return Field(default_factory=list, description=what)


_EXTENT_RANK = {extent: rank for rank, extent in enumerate(InvolvementExtent)}


class ImagingStudy(RecordModel):
    modality: ImagingModality = Field(
        description="Imaging modality (zhang2021 Methods: contrast-enhanced CT, CT urography, MRI)"
    )
    phases: list[ContrastPhase] = _listed("Contrast phases acquired")
    date: CaseDate | None = _described("Date of the study, YYYY-MM-DD")


class OrganInvolvement(RecordModel):
    organ: Organ = Field(description="Neighbouring organ or structure read on imaging")
    side: Side | None = _described("Side of a paired organ (kidney, adrenal, iliac artery)")
    extent: InvolvementExtent = Field(
        description="Worst relation of the tumour to the organ; 'none' records it as free"
    )


class TumourThrombus(RecordModel):
    vessel: Vessel = Field(
        default=Vessel.ivc, description="Vessel holding the tumour thrombus (default ivc)"
    )
    length_cm: Centimetres | None = _described("Length of the tumour thrombus (cm)")
    upper_extent: IvcLandmark | None = _described(
        "Most cranial point reached by the thrombus along the IVC (sets the IVC level)"
    )


class Imaging(RecordModel):
    studies: list[ImagingStudy] = _listed("Pre-operative imaging studies")

    vessel_of_origin: Vessel | None = _described(
        "Vessel the tumour arises from (zhang2021 Table 1; a tributary "
        "origin makes the yang2025 peripheral type)"
    )
    side: Side | None = _described("Side of the tumour relative to the midline")
    max_diameter_cm: Centimetres | None = _described(
        "Maximum tumour diameter on imaging (cm; zhang2021 Table 1; ≥ 10 cm "
        "weighs for an open approach)"
    )

    ivc_involved: bool | None = _described("Tumour or thrombus reaches the IVC")
    renal_veins_involved: list[Side] = _listed(
        "Renal veins reached by tumour or thrombus (right, left)"
    )
    ivc_lower_extent: IvcLandmark | None = _described(
        "Most caudal IVC landmark reached by tumour or thrombus (IVC level)"
    )
    ivc_upper_extent: IvcLandmark | None = _described(
        "Most cranial IVC landmark reached by tumour or thrombus (IVC level; zhang2021 Table 1)"
    )
    ivc_segments: list[IvcLevel] = _listed(
        "IVC levels I–III stated by the radiologist; when given they win over the landmarks"
    )

    intraluminal_component: bool | None = _described(
        "Part of the tumour lies inside the vessel lumen (yang2025 imaging type)"
    )
    extraluminal_component: bool | None = _described(
        "Part of the tumour lies outside the vessel wall (yang2025 imaging type)"
    )
    intraluminal_fraction: Fraction | None = _described(
        "Estimated share of tumour volume inside the vessel lumen (0–1; ≥ 0.9 intraluminal, "
        "≤ 0.1 extraluminal in the proposed yang2025 definition)"
    )
    tumour_thrombus: TumourThrombus | None = _described("Tumour thrombus, when imaging shows one")
    no_tumour_thrombus: bool = Field(
        default=False, description="True when imaging shows there is no tumour thrombus"
    )
    wall_circumference_pct: Percent | None = _described(
        "Share of the IVC circumference involved by tumour (%; < 50 % allows primary repair "
        "or patch)"
    )
    ivc_wall_involvement: WallInvolvement | None = _described(
        "Qualitative wall involvement when no percentage is measured; derived "
        "from wall_circumference_pct when that is given"
    )
    ivc_relation: IvcRelation | None = _described(
        "How the tumour meets the IVC: abutted, compressed, wall_invaded or "
        "intramural (growing within the caval wall)"
    )
    involved_segment_length_cm: Centimetres | None = _described(
        "Length of the IVC segment involved (cm; sets the graft length)"
    )
    ivc_patency: Patency | None = _described(
        "IVC lumen at the tumour: patent, partially occluded or occluded (chooses the "
        "reconstruction)"
    )
    collaterals: bool | None = _described(
        "Collateral veins around an occluded IVC (allow ligation without reconstruction)"
    )
    hepatic_veins_involved: bool | None = _described(
        "Tumour or thrombus in or at the ostia of the hepatic veins"
    )
    budd_chiari: bool | None = _described(
        "Hepatic venous outflow obstruction (Budd–Chiari) on imaging"
    )
    relation_to_diaphragm: DiaphragmRelation | None = _described(
        "Cranial end of tumour or thrombus below, at or above the diaphragm"
    )
    right_atrium_extension: bool | None = _described(
        "Tumour or thrombus reaches into the right atrium (cardiopulmonary bypass)"
    )
    right_renal_vein_patency: Patency | None = _described("Right renal vein lumen")
    left_renal_vein_patency: Patency | None = _described("Left renal vein lumen")
    vessel_dilated: bool | None = _described(
        "Vessel of origin dilated by the tumour (zhang2021 Discussion: key imaging findings)"
    )
    uneven_enhancement: bool | None = _described(
        "Uneven contrast enhancement (zhang2021 Discussion: key imaging findings)"
    )
    fat: bool | None = _described(
        "Macroscopic fat in the mass (suggests liposarcoma; zhang2021 Discussion)"
    )
    calcification: bool | None = _described(
        "Calcification in the mass (liposarcoma in 30 %; zhang2021 Discussion)"
    )
    necrosis: bool | None = _described("Necrosis in the mass on imaging")
    target_sign: bool | None = _described(
        "Target sign on MRI (suggests a neurogenic tumour; zhang2021 Discussion)"
    )
    paraspinal: bool | None = _described("Mass in the paraspinal space")
    peritumoural_reaction: bool | None = _described(
        "Extensive reaction area around the tumour (zhang2021 neoadjuvant criterion 1)"
    )
    organs: list[OrganInvolvement] = _listed(
        "Neighbouring organs and their involvement (zhang2021 Table 1)"
    )
    involvement_assessed: bool | None = _described(
        "True when imaging was read for involvement of the renal veins and every "
        "neighbouring organ: structures not listed are then free. Otherwise a structure is "
        "free only when listed with extent 'none'; listing one involved organ says nothing "
        "about the others"
    )

    contralateral_kidney: KidneyFunction | None = _described(
        "Function of the kidney opposite the tumour side (decides whether a nephrectomy is safe)"
    )
    right_kidney: KidneyFunction | None = _described("Function of the right kidney")
    left_kidney: KidneyFunction | None = _described("Function of the left kidney")
    regional_nodes: bool | None = _described("Enlarged regional lymph nodes (AJCC N)")
    distant_metastasis: bool | None = _described(
        "Distant metastasis at presentation (AJCC M; turns the plan to systemic therapy)"
    )
    metastasis_sites: list[MetastasisSite] = _listed("Sites of distant metastasis")

    imaging_type: ImagingType | None = _described(
        "yang2025 imaging type as entered by the radiologist; wins over the rule"
    )

    @model_validator(mode="after")
    def _consistent(self) -> Imaging:
        problems: list[str] = []
        thrombus = self.tumour_thrombus
        if thrombus is not None and self.no_tumour_thrombus:
            problems.append(
                "no_tumour_thrombus: true but a tumour_thrombus is described; keep one of them"
            )
        if thrombus is not None and thrombus.vessel is Vessel.ivc and self.ivc_involved is False:
            problems.append(
                "tumour_thrombus.vessel: the thrombus is in the IVC but ivc_involved is false; "
                "set ivc_involved: true or correct the thrombus vessel"
            )
        if (
            thrombus is not None
            and thrombus.vessel is Vessel.renal_vein
            and not self.renal_veins_involved
            and self.vessel_of_origin is not Vessel.renal_vein
        ):
            problems.append(
                "tumour_thrombus.vessel: a renal-vein thrombus needs renal_veins_involved "
                "(right, left) or vessel_of_origin renal_vein"
            )
        if self.vessel_of_origin is Vessel.ivc and self.ivc_involved is False:
            problems.append("ivc_involved: false contradicts vessel_of_origin ivc")
        if self.intraluminal_component is False and thrombus is not None:
            problems.append(
                "intraluminal_component: false contradicts a tumour thrombus inside the vessel"
            )
        fraction = self.intraluminal_fraction
        if fraction is not None:
            if self.intraluminal_component is False and fraction > 0:
                problems.append(
                    "intraluminal_fraction: above 0 contradicts intraluminal_component false"
                )
            if self.extraluminal_component is False and fraction < 1:
                problems.append(
                    "intraluminal_fraction: below 1 contradicts extraluminal_component false"
                )
        if self.intraluminal_component is False and self.extraluminal_component is False:
            problems.append(
                "intraluminal_component and extraluminal_component cannot both be false"
            )
        lower, upper = self.ivc_lower_extent, self.ivc_upper_extent
        order = list(IvcLandmark)
        if lower is not None and upper is not None and order.index(lower) > order.index(upper):
            problems.append(
                f"ivc_lower_extent: {lower.value} lies above ivc_upper_extent {upper.value}"
            )
        if self.ivc_involved is False and (lower or upper or self.ivc_segments):
            problems.append("ivc_involved: false but IVC extents or segments are given")
        pct, extent = self.wall_circumference_pct, self.ivc_wall_involvement
        if (
            pct is not None
            and extent is not None
            and (
                (extent is WallInvolvement.none and pct > 0)
                or (extent is WallInvolvement.circumferential and pct < 100)
                or (extent is WallInvolvement.partial and pct in (0, 100))
            )
        ):
            problems.append(
                f"ivc_wall_involvement: {extent.value} contradicts wall_circumference_pct {pct:g}"
            )
        if self.distant_metastasis is False and self.metastasis_sites:
            problems.append("metastasis_sites: sites given but distant_metastasis is false")
        if self.ivc_involved is False and (
            self.right_atrium_extension or self.ivc_relation is IvcRelation.intramural
        ):
            problems.append(
                "ivc_involved: false contradicts right_atrium_extension or an intramural IVC tumour"
            )
        atrium = IvcLandmark.right_atrium
        if self.right_atrium_extension is False and self.highest_landmark is atrium:
            problems.append(
                "right_atrium_extension: false contradicts an extent up to the right atrium"
            )
        refuse(problems)
        return self

    @property
    def wall_extent(self) -> WallInvolvement | None:
        if self.ivc_wall_involvement is not None:
            return self.ivc_wall_involvement
        pct = self.wall_circumference_pct
        if pct is None:
            return None
        if pct == 0:
            return WallInvolvement.none
        return WallInvolvement.circumferential if pct >= 100 else WallInvolvement.partial

    @property
    def highest_landmark(self) -> IvcLandmark | None:
        """The most cranial IVC point reached by tumour or thrombus."""
        order = list(IvcLandmark)
        points = [p for p in (self.ivc_upper_extent,) if p is not None]
        if self.tumour_thrombus is not None and self.tumour_thrombus.upper_extent is not None:
            points.append(self.tumour_thrombus.upper_extent)
        return max(points, key=order.index) if points else None

    @property
    def involvement_known(self) -> bool:
        """Whether every neighbouring structure was read; never inferred from the lists."""
        return bool(self.involvement_assessed)

    def organ_extent(self, organ: Organ) -> InvolvementExtent | None:
        """The worst recorded extent; ``none`` when the structure is recorded as free or the
        whole field was read (``involvement_assessed``); ``None`` when nobody looked."""
        extents = [o.extent for o in self.organs if o.organ is organ]
        if extents:
            return max(extents, key=_EXTENT_RANK.__getitem__)
        return InvolvementExtent.none if self.involvement_known else None

    def kidney(self, which: Side) -> KidneyFunction | None:
        """The function of the right or left kidney, from the per-side field or, for the side
        opposite the tumour, from ``contralateral_kidney``."""
        own = self.right_kidney if which is Side.right else self.left_kidney
        if own is not None:
            return own
        opposite = {Side.right: Side.left, Side.left: Side.right}
        if self.side is not None and opposite.get(self.side) is which:
            return self.contralateral_kidney
        return None
