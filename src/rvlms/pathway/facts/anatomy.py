"""Facts of the tumour's anatomy on pre-operative imaging: origin, IVC extent, thrombus,
wall, patency, renal veins, hepatic veins and the diaphragm."""

from __future__ import annotations

from typing import Any

from rvlms.case import Case
from rvlms.case.vocab import (
    ADRENAL_ORIGINS,
    GONADAL_VEINS,
    ILIAC_VEINS,
    DiaphragmRelation,
    IvcLandmark,
    IvcRelation,
    Side,
    Symptom,
    Vessel,
    WallInvolvement,
)
from rvlms.imaging import Classification
from rvlms.pathway.conditions import MISSING
from rvlms.pathway.facts.catalogue import fact, known

_LANDMARKS = list(IvcLandmark)


def _at_or_above(c: Classification, landmark: IvcLandmark) -> bool | None:
    top = c.highest_landmark
    return None if top is None else _LANDMARKS.index(top) >= _LANDMARKS.index(landmark)


@fact("vessel of origin", "imaging.vessel_of_origin")
def vessel_of_origin(case: Case, _: Classification) -> Any:
    """The generic names (``renal_vein``, ``gonadal_vein``, ``iliac_vein``) group the specific
    ones, so rules written for a gonadal tumour also hold for an ovarian one."""
    v = case.imaging.vessel_of_origin
    if v in (None, Vessel.unknown):
        return MISSING
    if v in GONADAL_VEINS:
        return Vessel.gonadal_vein.value
    if v in ILIAC_VEINS:
        return Vessel.iliac_vein.value
    if v in ADRENAL_ORIGINS:
        return Vessel.adrenal_vein.value
    return v.value


@fact("vessel of origin as recorded", "imaging.vessel_of_origin")
def vessel_of_origin_exact(case: Case, _: Classification) -> Any:
    v = case.imaging.vessel_of_origin
    return MISSING if v in (None, Vessel.unknown) else v.value


@fact("tumour side", "imaging.side")
def side(case: Case, _: Classification) -> Any:
    return known(case.imaging.side and case.imaging.side.value)


@fact("maximum tumour diameter (cm)", "imaging.max_diameter_cm", "pathology.size_cm")
def size_cm(case: Case, _: Classification) -> Any:
    if case.pathology and case.pathology.size_cm is not None:
        return case.pathology.size_cm
    return known(case.imaging.max_diameter_cm)


@fact("IVC involved", "imaging.ivc_involved")
def ivc_involved(case: Case, _: Classification) -> Any:
    if case.imaging.ivc_involved is not None:
        return case.imaging.ivc_involved
    if case.imaging.vessel_of_origin is Vessel.ivc or case.imaging.ivc_segments:
        return True
    return MISSING


@fact("highest IVC level", "imaging.ivc_upper_extent", "imaging.ivc_segments")
def ivc_level(case: Case, c: Classification) -> Any:
    if c.ivc_level is not None:
        return c.ivc_level.value
    return "none" if case.imaging.ivc_involved is False else MISSING


@fact(
    "long caval extent (across the renal veins from below to above, or 10 cm or more)",
    "imaging.ivc_lower_extent",
    "imaging.involved_segment_length_cm",
)
def long_caval_extent(case: Case, c: Classification) -> Any:
    """A tumour running from the infrarenal IVC (or the iliac confluence) past both renal veins
    to the suprarenal IVC needs segmental resection, a graft and control of both renal veins;
    the 10 cm mark is an rvlms proposal."""
    imaging = case.imaging
    if imaging.ivc_involved is False:
        return False
    length = imaging.involved_segment_length_cm
    if length is not None and length >= 10:
        return True
    if imaging.ivc_segments:
        levels = set(imaging.ivc_segments)
        return len(levels) == 3 or {"I", "III"} <= {v.value for v in levels}
    top, bottom = c.highest_landmark, imaging.ivc_lower_extent
    if top is not None and _LANDMARKS.index(top) < _LANDMARKS.index(IvcLandmark.renal_veins):
        return False
    if top is None or bottom is None:
        return MISSING
    low, high = _LANDMARKS.index(bottom), _LANDMARKS.index(top)
    crosses = low <= _LANDMARKS.index(IvcLandmark.infrarenal) and high >= _LANDMARKS.index(
        IvcLandmark.suprarenal_infrahepatic
    )
    from_confluence = bottom is IvcLandmark.iliac_confluence and high >= _LANDMARKS.index(
        IvcLandmark.renal_veins
    )
    return crosses or from_confluence


@fact(
    "tumour or thrombus reaches the retrohepatic IVC or higher",
    "imaging.ivc_upper_extent",
    "imaging.tumour_thrombus.upper_extent",
)
def retrohepatic_extension(case: Case, c: Classification) -> Any:
    if case.imaging.ivc_involved is False:
        return False
    reached = _at_or_above(c, IvcLandmark.retrohepatic)
    if reached is not None:
        return reached
    if c.ivc_level is not None and c.ivc_level.value == "I":
        return False
    if c.ivc_level is not None and c.ivc_level.value == "III":
        return True
    return MISSING


@fact(
    "extension into the right atrium",
    "imaging.right_atrium_extension",
    "imaging.ivc_upper_extent",
)
def right_atrium(case: Case, c: Classification) -> Any:
    from rvlms.case.vocab import Organ

    imaging = case.imaging
    if imaging.right_atrium_extension is not None:
        return imaging.right_atrium_extension
    if any(o.organ is Organ.right_atrium and o.extent.value != "none" for o in imaging.organs):
        return True
    if imaging.ivc_involved is False:
        return False
    top = c.highest_landmark
    if top is not None:
        return top is IvcLandmark.right_atrium
    if c.ivc_level is not None and c.ivc_level.value != "III":
        return False
    return MISSING


@fact(
    "cranial end of tumour or thrombus relative to the diaphragm",
    "imaging.relation_to_diaphragm",
)
def relation_to_diaphragm(case: Case, c: Classification) -> Any:
    """Below the diaphragm the hepatocaval confluence is controlled from the abdomen; above it
    (or in the atrium) cardiopulmonary bypass is needed (Eyraud chapter). A tumour reaching
    the hepatic veins or the suprahepatic IVC is not placed below the diaphragm by default."""
    imaging = case.imaging
    if imaging.relation_to_diaphragm is not None:
        return imaging.relation_to_diaphragm.value
    if right_atrium(case, c) is True:
        return DiaphragmRelation.above.value
    if imaging.ivc_involved is False:
        return DiaphragmRelation.below.value
    below = _at_or_above(c, IvcLandmark.hepatic_veins)
    if below is False:
        return DiaphragmRelation.below.value
    if below is None and c.ivc_level is not None and c.ivc_level.value != "III":
        return DiaphragmRelation.below.value
    return MISSING


@fact("hepatic veins involved", "imaging.hepatic_veins_involved")
def hepatic_veins_involved(case: Case, c: Classification) -> Any:
    imaging = case.imaging
    if imaging.hepatic_veins_involved is not None:
        return imaging.hepatic_veins_involved
    if imaging.budd_chiari:
        return True
    if imaging.ivc_involved is False:
        return False
    reached = _at_or_above(c, IvcLandmark.hepatic_veins)
    if reached is False:
        return False
    if reached is None and c.ivc_level is not None and c.ivc_level.value != "III":
        return False
    return MISSING


@fact("Budd–Chiari syndrome", "imaging.budd_chiari", "presentation.symptoms")
def budd_chiari(case: Case, c: Classification) -> Any:
    if case.imaging.budd_chiari is not None:
        return case.imaging.budd_chiari
    if Symptom.budd_chiari_signs in case.presentation.symptoms:
        return True
    if hepatic_veins_involved(case, c) is False:
        return False
    return MISSING


@fact("tumour thrombus", "imaging.tumour_thrombus", "imaging.no_tumour_thrombus")
def tumour_thrombus(case: Case, _: Classification) -> Any:
    if case.imaging.tumour_thrombus is not None:
        return True
    return False if case.imaging.no_tumour_thrombus else MISSING


@fact("IVC wall involvement", "imaging.wall_circumference_pct", "imaging.ivc_wall_involvement")
def ivc_wall(case: Case, _: Classification) -> Any:
    """Qualitative extent; ≥ 50 % of the circumference counts as 'half or more'."""
    if case.imaging.ivc_involved is False:
        return WallInvolvement.none.value
    extent = case.imaging.wall_extent
    if extent is None and case.imaging.ivc_relation in (
        IvcRelation.abutted,
        IvcRelation.compressed,
    ):
        return WallInvolvement.none.value
    return MISSING if extent is None else extent.value


@fact("relation of the tumour to the IVC wall", "imaging.ivc_relation")
def ivc_relation(case: Case, _: Classification) -> Any:
    relation = case.imaging.ivc_relation
    if relation is None and case.imaging.ivc_involved is False:
        return "not_involved"
    return known(relation and relation.value)


@fact("share of the IVC circumference involved (%)", "imaging.wall_circumference_pct")
def wall_circumference_pct(case: Case, _: Classification) -> Any:
    pct = case.imaging.wall_circumference_pct
    if pct is None and case.imaging.ivc_wall_involvement is WallInvolvement.circumferential:
        return 100.0
    return known(pct)


@fact("IVC patency", "imaging.ivc_patency")
def ivc_patency(case: Case, _: Classification) -> Any:
    return known(case.imaging.ivc_patency and case.imaging.ivc_patency.value)


@fact("collateral veins on imaging", "imaging.collaterals")
def collaterals(case: Case, _: Classification) -> Any:
    return known(case.imaging.collaterals)


def renal_vein(case: Case, which: Side) -> Any:
    imaging = case.imaging
    if which in imaging.renal_veins_involved or Side.bilateral in imaging.renal_veins_involved:
        return True
    if imaging.vessel_of_origin is Vessel.renal_vein:
        if imaging.side is None:
            return MISSING
        return imaging.side in (which, Side.bilateral)
    if imaging.ivc_involved is False or imaging.involvement_known:
        return False
    return MISSING


@fact("right renal vein involved", "imaging.renal_veins_involved", "imaging.vessel_of_origin")
def right_renal_vein_involved(case: Case, _: Classification) -> Any:
    return renal_vein(case, Side.right)


@fact("left renal vein involved", "imaging.renal_veins_involved", "imaging.vessel_of_origin")
def left_renal_vein_involved(case: Case, _: Classification) -> Any:
    return renal_vein(case, Side.left)


@fact("both renal veins involved", "imaging.renal_veins_involved")
def both_renal_veins_involved(case: Case, _: Classification) -> Any:
    right, left = renal_vein(case, Side.right), renal_vein(case, Side.left)
    if right is False or left is False:
        return False
    return True if right is True and left is True else MISSING


@fact("right renal vein patency", "imaging.right_renal_vein_patency")
def right_renal_vein_patency(case: Case, _: Classification) -> Any:
    p = case.imaging.right_renal_vein_patency
    return known(p and p.value)


@fact("left renal vein patency", "imaging.left_renal_vein_patency")
def left_renal_vein_patency(case: Case, _: Classification) -> Any:
    p = case.imaging.left_renal_vein_patency
    return known(p and p.value)


@fact("distant metastasis", "imaging.distant_metastasis")
def distant_metastasis(case: Case, _: Classification) -> Any:
    return known(case.imaging.distant_metastasis)


@fact("regional lymph-node metastasis", "imaging.regional_nodes")
def regional_nodes(case: Case, _: Classification) -> Any:
    return known(case.imaging.regional_nodes)


@fact("peritumoural reaction on imaging", "imaging.peritumoural_reaction")
def peritumoural_reaction(case: Case, _: Classification) -> Any:
    return known(case.imaging.peritumoural_reaction)


@fact("fat in the mass", "imaging.fat")
def fat(case: Case, _: Classification) -> Any:
    return known(case.imaging.fat)


@fact("calcification", "imaging.calcification")
def calcification(case: Case, _: Classification) -> Any:
    return known(case.imaging.calcification)


@fact("target sign", "imaging.target_sign")
def target_sign(case: Case, _: Classification) -> Any:
    return known(case.imaging.target_sign)


@fact("paraspinal position", "imaging.paraspinal")
def paraspinal(case: Case, _: Classification) -> Any:
    return known(case.imaging.paraspinal)


@fact("imaging type (yang2025)", "imaging.imaging_type", "imaging.intraluminal_component")
def imaging_type(case: Case, c: Classification) -> Any:
    return known(c.imaging_type and c.imaging_type.value)
