"""Facts of the neighbouring organs and arteries: what is invaded, on which side, and what
that means for en bloc and multivisceral resection.

A structure counts as free only when it was read and found free (listed with extent
``none``, or ``imaging.involvement_assessed``); listing one involved organ says nothing about
the others.
"""

from __future__ import annotations

from typing import Any

from rvlms.case import Case
from rvlms.case.vocab import InvolvementExtent, Organ, Side, Vessel
from rvlms.imaging import Classification
from rvlms.pathway.conditions import MISSING
from rvlms.pathway.facts.catalogue import fact

INVADING = (InvolvementExtent.adhesion, InvolvementExtent.invasion, InvolvementExtent.encasement)
MAJOR_ARTERIES = (
    Organ.superior_mesenteric_artery,
    Organ.aorta,
    Organ.coeliac_trunk,
    Organ.portal_vein,
)
_MAJOR_ORGANS = (Organ.liver, Organ.pancreas, Organ.duodenum, Organ.aorta, Organ.portal_vein)
VISCERA = (
    Organ.liver,
    Organ.pancreas,
    Organ.duodenum,
    Organ.colon,
    Organ.spleen,
    Organ.stomach,
    Organ.small_bowel,
    Organ.mesentery,
    Organ.psoas,
    Organ.ureter,
    Organ.diaphragm,
)
_LATERAL = (Side.right, Side.left)


def invaded(case: Case, *organs: Organ, extents: tuple[InvolvementExtent, ...] = INVADING) -> Any:
    """True when any of the organs has one of the extents; False when all were read and none
    has; otherwise missing."""
    found = [case.imaging.organ_extent(o) for o in organs]
    if any(e in extents for e in found if e is not None):
        return True
    return MISSING if any(e is None for e in found) else False


def invaded_sides(case: Case, organ: Organ) -> set[Side]:
    """The right/left sides recorded for an organ that is adherent, invaded or encased."""
    return {
        o.side
        for o in case.imaging.organs
        if o.organ is organ and o.extent in INVADING and o.side in _LATERAL
    }


def organ_side(case: Case, organ: Organ) -> Any:
    """The side of an involved organ: its own side as recorded, else the tumour's side when
    that is right or left. A midline or bilateral tumour never gives an organ its side."""
    sides = invaded_sides(case, organ)
    if len(sides) == 1:
        return next(iter(sides)).value
    if len(sides) > 1:
        return Side.bilateral.value
    tumour = case.imaging.side
    return tumour.value if tumour in _LATERAL else MISSING


@fact("renal artery encased", "imaging.organs")
def renal_artery_encased(case: Case, _: Classification) -> Any:
    return invaded(
        case, Organ.renal_artery, extents=(InvolvementExtent.encasement, InvolvementExtent.invasion)
    )


@fact("kidney invaded or adherent", "imaging.organs")
def kidney_invaded(case: Case, _: Classification) -> Any:
    return invaded(case, Organ.kidney)


@fact("side of the invaded kidney", "imaging.organs")
def kidney_side(case: Case, _: Classification) -> Any:
    """From the kidney (or renal artery) entry; a renal-vein tumour gives its own side."""
    for organ in (Organ.kidney, Organ.renal_artery):
        own = invaded_sides(case, organ)
        if len(own) == 1:
            return next(iter(own)).value
    if case.imaging.vessel_of_origin is Vessel.renal_vein and case.imaging.side in _LATERAL:
        return case.imaging.side.value
    return organ_side(case, Organ.kidney)


@fact("side of the involved renal vein", "imaging.renal_veins_involved", "imaging.side")
def renal_vein_side(case: Case, _: Classification) -> Any:
    imaging = case.imaging
    if imaging.vessel_of_origin is Vessel.renal_vein:
        return imaging.side.value if imaging.side in _LATERAL else MISSING
    sides = set(imaging.renal_veins_involved)
    if len(sides) == 1 and next(iter(sides)) in _LATERAL:
        return next(iter(sides)).value
    return MISSING


@fact("adrenal invaded or adherent", "imaging.organs")
def adrenal_invaded(case: Case, _: Classification) -> Any:
    return invaded(case, Organ.adrenal)


@fact("side of the adrenal gland", "imaging.organs", "imaging.side")
def adrenal_side(case: Case, _: Classification) -> Any:
    return organ_side(case, Organ.adrenal)


@fact("mass in the adrenal region", "imaging.organs", "imaging.vessel_of_origin")
def adrenal_region(case: Case, _: Classification) -> Any:
    """zhang2021 cases 1, 3 and 4 lay in the right adrenal area (Methods, Fig. 1)."""
    imaging = case.imaging
    if imaging.vessel_of_origin in (Vessel.adrenal_vein, Vessel.adrenal_gland):
        return True
    extent = imaging.organ_extent(Organ.adrenal)
    if extent is not None and extent is not InvolvementExtent.none:
        return True
    return MISSING if extent is None else False


@fact("liver invaded", "imaging.organs")
def liver_invaded(case: Case, _: Classification) -> Any:
    return invaded(case, Organ.liver)


@fact("bowel (duodenum or colon) invaded", "imaging.organs")
def bowel_invaded(case: Case, _: Classification) -> Any:
    return invaded(case, Organ.duodenum, Organ.colon)


def _organ_fact(organ: Organ, label: str) -> None:
    def derive(case: Case, _: Classification) -> Any:
        return invaded(case, organ)

    derive.__name__ = f"{organ.value}_invaded"
    derive.__doc__ = f"{label}: adherent, invaded or encased on imaging."
    fact(label, "imaging.organs")(derive)


for _organ, _label in (
    (Organ.pancreas, "pancreas invaded or adherent"),
    (Organ.duodenum, "duodenum invaded or adherent"),
    (Organ.colon, "colon invaded or adherent"),
    (Organ.spleen, "spleen invaded or adherent"),
    (Organ.stomach, "stomach invaded or adherent"),
    (Organ.small_bowel, "small bowel invaded or adherent"),
    (Organ.psoas, "psoas invaded"),
    (Organ.ureter, "ureter invaded"),
    (Organ.diaphragm, "diaphragm invaded"),
    (Organ.aorta, "aorta invaded or encased"),
    (Organ.spine, "spine invaded"),
):
    _organ_fact(_organ, _label)


@fact("SMA, aorta, coeliac trunk, portal vein or spine involved", "imaging.organs")
def unresectable_structures(case: Case, _: Classification) -> Any:
    """The structures STRASS2 lists for non-resectability (clinical brief §2.4). Teams resect
    many of these tumours with arterial or portal reconstruction; the plan sends them to an
    expert centre rather than calling them unresectable."""
    return invaded(case, *MAJOR_ARTERIES, Organ.spine)


@fact("several major organs infiltrated", "imaging.organs")
def multiple_major_organs(case: Case, _: Classification) -> Any:
    extents = (InvolvementExtent.invasion, InvolvementExtent.encasement)
    found = [case.imaging.organ_extent(o) for o in _MAJOR_ORGANS]
    if sum(e in extents for e in found) >= 2:
        return True
    unknown = sum(e is None for e in found)
    return MISSING if sum(e in extents for e in found) + unknown >= 2 else False


@fact("organ beyond the kidney and adrenal to resect (multivisceral)", "imaging.organs")
def multivisceral(case: Case, _: Classification) -> Any:
    return invaded(case, *VISCERA, Organ.aorta)


@fact("organ needing en bloc resection", "imaging.organs")
def en_bloc_organ(case: Case, c: Classification) -> Any:
    """Kidney, renal artery or any viscus (liver, pancreas, duodenum, colon, spleen, stomach,
    small bowel, psoas, ureter, diaphragm, aorta) adherent, invaded or encased."""
    values = [renal_artery_encased(case, c), kidney_invaded(case, c), multivisceral(case, c)]
    if any(v is True for v in values):
        return True
    return MISSING if any(v is MISSING for v in values) else False
