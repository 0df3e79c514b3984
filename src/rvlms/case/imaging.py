"""Pre-operative imaging: the raw findings the classification and the surgical plan read.

The raw inputs are stored rather than only a derived type, so that a case can be
re-classified when the full definition of the yang2025 imaging types becomes available
(clinical brief §1.3).
"""

from __future__ import annotations

import datetime as dt

from pydantic import Field, model_validator

from rvlms.case.base import Centimetres, Fraction, Percent, RecordModel
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


class ImagingStudy(RecordModel):
    modality: ImagingModality
    phases: list[ContrastPhase] = Field(default_factory=list)
    date: dt.date | None = None


class OrganInvolvement(RecordModel):
    organ: Organ
    side: Side | None = None
    extent: InvolvementExtent


class TumourThrombus(RecordModel):
    vessel: Vessel = Vessel.ivc
    length_cm: Centimetres | None = None
    upper_extent: IvcLandmark | None = Field(
        default=None, description="Most cranial point reached by the thrombus along the IVC"
    )


class Imaging(RecordModel):
    studies: list[ImagingStudy] = Field(default_factory=list)

    vessel_of_origin: Vessel | None = None
    side: Side | None = None
    max_diameter_cm: Centimetres | None = None

    ivc_involved: bool | None = None
    renal_veins_involved: list[Side] = Field(default_factory=list)
    ivc_lower_extent: IvcLandmark | None = Field(
        default=None, description="Most caudal IVC landmark reached by tumour or thrombus"
    )
    ivc_upper_extent: IvcLandmark | None = Field(
        default=None, description="Most cranial IVC landmark reached by tumour or thrombus"
    )
    ivc_segments: list[IvcLevel] = Field(
        default_factory=list,
        description="IVC levels stated by the radiologist; when given they win over the landmarks",
    )

    intraluminal_component: bool | None = None
    extraluminal_component: bool | None = None
    intraluminal_fraction: Fraction | None = Field(
        default=None, description="Estimated share of tumour volume inside the vessel lumen (0–1)"
    )
    tumour_thrombus: TumourThrombus | None = None
    no_tumour_thrombus: bool = Field(
        default=False, description="True when imaging shows there is no tumour thrombus"
    )
    wall_circumference_pct: Percent | None = Field(
        default=None, description="Share of the IVC circumference involved by tumour"
    )
    ivc_wall_involvement: WallInvolvement | None = Field(
        default=None,
        description="Qualitative wall involvement when no percentage is measured; derived "
        "from wall_circumference_pct when that is given",
    )
    ivc_relation: IvcRelation | None = Field(
        default=None,
        description="How the tumour meets the IVC: abutted, compressed, wall_invaded or "
        "intramural (growing within the caval wall)",
    )
    involved_segment_length_cm: Centimetres | None = None
    ivc_patency: Patency | None = None
    collaterals: bool | None = None
    hepatic_veins_involved: bool | None = Field(
        default=None, description="Tumour or thrombus in or at the ostia of the hepatic veins"
    )
    budd_chiari: bool | None = Field(
        default=None, description="Hepatic venous outflow obstruction (Budd–Chiari) on imaging"
    )
    relation_to_diaphragm: DiaphragmRelation | None = Field(
        default=None,
        description="Cranial end of tumour or thrombus below, at or above the diaphragm",
    )
    right_atrium_extension: bool | None = Field(
        default=None, description="Tumour or thrombus reaches into the right atrium"
    )
    right_renal_vein_patency: Patency | None = None
    left_renal_vein_patency: Patency | None = None
    vessel_dilated: bool | None = None
    uneven_enhancement: bool | None = None
    fat: bool | None = None
    calcification: bool | None = None
    necrosis: bool | None = None
    target_sign: bool | None = None
    paraspinal: bool | None = None
    peritumoural_reaction: bool | None = Field(
        default=None,
        description="Extensive reaction area around the tumour (zhang2021 neoadjuvant criterion 1)",
    )
    organs: list[OrganInvolvement] = Field(default_factory=list)
    involvement_assessed: bool | None = Field(
        default=None,
        description="True when imaging was read for involvement of the renal veins and every "
        "neighbouring organ: structures not listed are then free. Otherwise a structure is "
        "free only when listed with extent 'none'; listing one involved organ says nothing "
        "about the others",
    )

    contralateral_kidney: KidneyFunction | None = Field(
        default=None, description="The kidney opposite the tumour side"
    )
    right_kidney: KidneyFunction | None = None
    left_kidney: KidneyFunction | None = None
    regional_nodes: bool | None = None
    distant_metastasis: bool | None = None
    metastasis_sites: list[MetastasisSite] = Field(default_factory=list)

    imaging_type: ImagingType | None = Field(
        default=None,
        description="yang2025 imaging type as entered by the radiologist; wins over the rule",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Imaging:
        thrombus = self.tumour_thrombus
        if thrombus is not None and self.no_tumour_thrombus:
            raise ValueError(
                "tumour_thrombus is described but no_tumour_thrombus is true; keep one of them"
            )
        if thrombus is not None and thrombus.vessel is Vessel.ivc and self.ivc_involved is False:
            raise ValueError(
                "tumour_thrombus.vessel: the thrombus is in the IVC but ivc_involved is false; "
                "set ivc_involved: true or correct the thrombus vessel"
            )
        if (
            thrombus is not None
            and thrombus.vessel is Vessel.renal_vein
            and not self.renal_veins_involved
            and self.vessel_of_origin is not Vessel.renal_vein
        ):
            raise ValueError(
                "tumour_thrombus.vessel: a renal-vein thrombus needs renal_veins_involved "
                "(right, left) or vessel_of_origin renal_vein"
            )
        if self.vessel_of_origin is Vessel.ivc and self.ivc_involved is False:
            raise ValueError("ivc_involved: false contradicts vessel_of_origin ivc")
        if self.intraluminal_component is False and thrombus is not None:
            raise ValueError(
                "intraluminal_component: false contradicts a tumour thrombus inside the vessel"
            )
        fraction = self.intraluminal_fraction
        if fraction is not None:
            if self.intraluminal_component is False and fraction > 0:
                raise ValueError(
                    "intraluminal_fraction: above 0 contradicts intraluminal_component false"
                )
            if self.extraluminal_component is False and fraction < 1:
                raise ValueError(
                    "intraluminal_fraction: below 1 contradicts extraluminal_component false"
                )
        if self.intraluminal_component is False and self.extraluminal_component is False:
            raise ValueError(
                "intraluminal_component and extraluminal_component cannot both be false"
            )
        lower, upper = self.ivc_lower_extent, self.ivc_upper_extent
        order = list(IvcLandmark)
        if lower is not None and upper is not None and order.index(lower) > order.index(upper):
            raise ValueError(
                f"ivc_lower_extent: {lower.value} lies above ivc_upper_extent {upper.value}"
            )
        if self.ivc_involved is False and (lower or upper or self.ivc_segments):
            raise ValueError("ivc_involved: false but IVC extents or segments are given")
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
            raise ValueError(
                f"ivc_wall_involvement: {extent.value} contradicts wall_circumference_pct {pct:g}"
            )
        if self.distant_metastasis is False and self.metastasis_sites:
            raise ValueError("metastasis_sites given but distant_metastasis is false")
        if self.ivc_involved is False and (
            self.right_atrium_extension or self.ivc_relation is IvcRelation.intramural
        ):
            raise ValueError(
                "ivc_involved: false contradicts right_atrium_extension or an intramural IVC tumour"
            )
        atrium = IvcLandmark.right_atrium
        if self.right_atrium_extension is False and self.highest_landmark is atrium:
            raise ValueError(
                "right_atrium_extension: false contradicts an extent up to the right atrium"
            )
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
        order = list(InvolvementExtent)
        if extents:
            return max(extents, key=order.index)
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
