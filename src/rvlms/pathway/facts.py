"""The named facts the decision map reasons with, derived from one case record.

Rules in the knowledge files never read the case directly; they name facts from this
catalogue. Each fact has a label for people, the case field(s) a clinician fills in to
provide it (shown when it is missing), and a derivation. A derivation returns ``MISSING``
when the case does not hold the answer, never a default.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from rvlms.case import Case
from rvlms.case.vocab import (
    BiopsyResult,
    ContrastPhase,
    EventKind,
    ImagingModality,
    InvolvementExtent,
    IvcLandmark,
    KidneyFunction,
    Organ,
    OrganResection,
    Side,
    Symptom,
    TestResult,
    TherapyKind,
    TherapyStatus,
    Vessel,
    WallInvolvement,
)
from rvlms.imaging import Classification
from rvlms.pathway.conditions import MISSING, Facts
from rvlms.scores import FnclccGrade, ResidualTumour, ckd_epi_2021

Derivation = Callable[[Case, Classification], Any]


@dataclass(frozen=True)
class Fact:
    name: str
    label: str
    fields: tuple[str, ...]
    derive: Derivation
    doc: str = ""


CATALOGUE: dict[str, Fact] = {}


def fact(label: str, *fields: str) -> Callable[[Derivation], Derivation]:
    def register(derive: Derivation) -> Derivation:
        name = derive.__name__
        CATALOGUE[name] = Fact(name, label, fields, derive, (derive.__doc__ or "").strip())
        return derive

    return register


def _known(value: Any) -> Any:
    return MISSING if value is None else value


_INVADING = (InvolvementExtent.adhesion, InvolvementExtent.invasion, InvolvementExtent.encasement)
_SYMPATHETIC = {
    Symptom.palpitation,
    Symptom.headache,
    Symptom.hypertensive_episodes,
    Symptom.sweating,
}
_UNRESECTABLE_ORGANS = {
    Organ.superior_mesenteric_artery,
    Organ.aorta,
    Organ.coeliac_trunk,
    Organ.portal_vein,
    Organ.spine,
}
_MAJOR_ORGANS = {Organ.liver, Organ.pancreas, Organ.duodenum, Organ.aorta, Organ.portal_vein}
_LANDMARKS = list(IvcLandmark)


# --- presentation -------------------------------------------------------------------


@fact("symptoms", "presentation.symptoms")
def symptoms(case: Case, _: Classification) -> Any:
    return [s.value for s in case.presentation.symptoms] or MISSING


@fact(
    "sympathetic symptoms (palpitation, headache, sweating, hypertensive episodes)",
    "presentation.symptoms",
)
def sympathetic_symptoms(case: Case, _: Classification) -> Any:
    """Zhang 2021 Discussion: paraganglioma often shows palpitation, hypertension, crises."""
    if not case.presentation.symptoms:
        return MISSING
    return bool(_SYMPATHETIC & set(case.presentation.symptoms))


@fact("hypertension", "history.conditions")
def hypertension(case: Case, _: Classification) -> Any:
    from rvlms.case.vocab import HistoryItem

    if HistoryItem.hypertension in case.history.conditions:
        return True
    return False if case.history.none_known or case.history.conditions else MISSING


@fact("age (years)", "demographics.age_years")
def age(case: Case, _: Classification) -> Any:
    return _known(case.demographics.age_years)


# --- work-up ------------------------------------------------------------------------


def _metanephrine_results(case: Case) -> list[TestResult]:
    hormones = case.labs.hormones
    return [
        t.result
        for t in (hormones.plasma_free_metanephrines, hormones.urine_fractionated_metanephrines)
        if t.done
    ]


@fact(
    "metanephrines measured (plasma free or urinary fractionated)",
    "labs.hormones.plasma_free_metanephrines",
    "labs.hormones.urine_fractionated_metanephrines",
)
def metanephrines_done(case: Case, _: Classification) -> Any:
    return bool(_metanephrine_results(case))


@fact(
    "metanephrines raised",
    "labs.hormones.plasma_free_metanephrines",
    "labs.hormones.urine_fractionated_metanephrines",
)
def metanephrines_raised(case: Case, _: Classification) -> Any:
    results = _metanephrine_results(case)
    if not results:
        return MISSING
    return any(r in (TestResult.abnormal, TestResult.borderline) for r in results)


@fact(
    "catecholamines or 24-h VMA measured",
    "labs.hormones.plasma_catecholamines",
    "labs.hormones.urine_vma_24h",
)
def legacy_catecholamine_tests(case: Case, _: Classification) -> Any:
    hormones = case.labs.hormones
    return hormones.plasma_catecholamines.done or hormones.urine_vma_24h.done


@fact(
    "adrenal cortical work-up done (ACTH, cortisol rhythm or dexamethasone test)",
    "labs.hormones.dexamethasone_suppression",
)
def cortisol_workup_done(case: Case, _: Classification) -> Any:
    h = case.labs.hormones
    return h.acth.done or h.cortisol_rhythm.done or h.dexamethasone_suppression.done


@fact("dexamethasone suppression test done", "labs.hormones.dexamethasone_suppression")
def dexamethasone_test_done(case: Case, _: Classification) -> Any:
    return case.labs.hormones.dexamethasone_suppression.done


@fact("renin–aldosterone measured", "labs.hormones.renin_aldosterone_recumbent")
def aldosterone_done(case: Case, _: Classification) -> Any:
    h = case.labs.hormones
    return h.renin_aldosterone_standing.done or h.renin_aldosterone_recumbent.done


@fact(
    "leiomyosarcoma proven histologically (biopsy or resection specimen)",
    "biopsy.result",
    "pathology.histology",
)
def histology_lms(case: Case, _: Classification) -> Any:
    """In a pre-operative view (``timepoint="preoperative"``) the resection specimen is not
    part of the case, so only a biopsy counts, as it did for the MDT before surgery."""
    biopsy = case.biopsy
    if biopsy and biopsy.done and biopsy.result is BiopsyResult.leiomyosarcoma:
        return True
    histology = case.pathology.histology if case.pathology else None
    return bool(histology and "leiomyosarcoma" in histology.lower())


@fact(
    "paraganglioma excluded",
    "labs.hormones.plasma_free_metanephrines",
    "labs.hormones.urine_fractionated_metanephrines",
    "biopsy.result",
)
def paraganglioma_excluded(case: Case, c: Classification) -> Any:
    """Excluded by normal metanephrines (Lenders 2014) or a histological diagnosis of LMS.

    Catecholamines and VMA do not exclude it: VMA is not a screening test (CHEP 2017).
    """
    results = _metanephrine_results(case)
    if results and all(r is TestResult.normal for r in results):
        return True
    return bool(histology_lms(case, c))


@fact("alpha-blockade days before surgery", "preoperative.alpha_blockade_days")
def alpha_blockade_days(case: Case, _: Classification) -> Any:
    return _known(case.preoperative.alpha_blockade_days)


@fact("contrast CT done", "imaging.studies")
def cect_done(case: Case, _: Classification) -> Any:
    return any(s.modality is ImagingModality.cect for s in case.imaging.studies)


@fact("portal-venous phase acquired", "imaging.studies")
def portal_venous_phase(case: Case, _: Classification) -> Any:
    studies = [
        s for s in case.imaging.studies if s.modality in (ImagingModality.cect, ImagingModality.ctu)
    ]
    if not studies or not any(s.phases for s in studies):
        return MISSING
    return any(ContrastPhase.portal_venous in s.phases for s in studies)


@fact("CT urography done", "imaging.studies")
def ctu_done(case: Case, _: Classification) -> Any:
    return any(s.modality is ImagingModality.ctu for s in case.imaging.studies)


@fact("chest imaging done (staging)", "imaging.studies")
def chest_imaging_done(case: Case, _: Classification) -> Any:
    return any(
        s.modality in (ImagingModality.chest_ct, ImagingModality.pet_ct)
        for s in case.imaging.studies
    )


@fact("biopsy done", "biopsy.done")
def biopsy_done(case: Case, _: Classification) -> Any:
    return bool(case.biopsy and case.biopsy.done)


@fact("biopsy result", "biopsy.result")
def biopsy_result(case: Case, _: Classification) -> Any:
    if case.biopsy is None or not case.biopsy.done:
        return MISSING
    return _known(case.biopsy.result)


@fact(
    "biopsy shows high malignant potential (mitoses ≥ 10/10 HPF, atypia or Ki-67 ≥ 20 %)",
    "biopsy.mitoses_per_10hpf",
    "biopsy.atypia",
    "biopsy.ki67_pct",
)
def biopsy_high_malignant_potential(case: Case, _: Classification) -> Any:
    """Zhang 2021 names high mitotic activity, atypia or high Ki-67 without cut-offs; the
    thresholds here are an rvlms proposal (FNCLCC mitotic score ≥ 2; Ki-67 ≥ 20 %)."""
    biopsy = case.biopsy
    if biopsy is None or not biopsy.done:
        return MISSING
    signs = [
        None if biopsy.mitoses_per_10hpf is None else biopsy.mitoses_per_10hpf >= 10,
        biopsy.atypia,
        None if biopsy.ki67_pct is None else biopsy.ki67_pct >= 20,
    ]
    if any(signs):
        return True
    return MISSING if None in signs else False


# --- imaging ------------------------------------------------------------------------


@fact("vessel of origin", "imaging.vessel_of_origin")
def vessel_of_origin(case: Case, _: Classification) -> Any:
    v = case.imaging.vessel_of_origin
    return MISSING if v in (None, Vessel.unknown) else v.value


@fact("tumour side", "imaging.side")
def side(case: Case, _: Classification) -> Any:
    return _known(case.imaging.side and case.imaging.side.value)


@fact("maximum tumour diameter (cm)", "imaging.max_diameter_cm", "pathology.size_cm")
def size_cm(case: Case, _: Classification) -> Any:
    if case.pathology and case.pathology.size_cm is not None:
        return case.pathology.size_cm
    return _known(case.imaging.max_diameter_cm)


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
    "tumour or thrombus reaches the retrohepatic IVC or higher",
    "imaging.ivc_upper_extent",
    "imaging.tumour_thrombus.upper_extent",
)
def retrohepatic_extension(case: Case, c: Classification) -> Any:
    if case.imaging.ivc_involved is False:
        return False
    top = c.highest_landmark
    if top is not None:
        return _LANDMARKS.index(top) >= _LANDMARKS.index(IvcLandmark.retrohepatic)
    if c.ivc_level is not None and c.ivc_level.value == "I":
        return False
    return MISSING


@fact(
    "extension into the right atrium",
    "imaging.ivc_upper_extent",
    "imaging.tumour_thrombus.upper_extent",
)
def right_atrium(case: Case, c: Classification) -> Any:
    if any(o.organ is Organ.right_atrium for o in case.imaging.organs):
        return True
    if case.imaging.ivc_involved is False:
        return False
    top = c.highest_landmark
    if top is not None:
        return top is IvcLandmark.right_atrium
    if c.ivc_level is not None and c.ivc_level.value != "III":
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
    return MISSING if extent is None else extent.value


@fact("share of the IVC circumference involved (%)", "imaging.wall_circumference_pct")
def wall_circumference_pct(case: Case, _: Classification) -> Any:
    pct = case.imaging.wall_circumference_pct
    if pct is None and case.imaging.ivc_wall_involvement is WallInvolvement.circumferential:
        return 100.0
    return _known(pct)


@fact("IVC patency", "imaging.ivc_patency")
def ivc_patency(case: Case, _: Classification) -> Any:
    return _known(case.imaging.ivc_patency and case.imaging.ivc_patency.value)


@fact("collateral veins on imaging", "imaging.collaterals")
def collaterals(case: Case, _: Classification) -> Any:
    return _known(case.imaging.collaterals)


@fact("right renal vein involved", "imaging.renal_veins_involved", "imaging.vessel_of_origin")
def right_renal_vein_involved(case: Case, _: Classification) -> Any:
    return _renal_vein(case, Side.right)


@fact("left renal vein involved", "imaging.renal_veins_involved", "imaging.vessel_of_origin")
def left_renal_vein_involved(case: Case, _: Classification) -> Any:
    return _renal_vein(case, Side.left)


def _renal_vein(case: Case, which: Side) -> Any:
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


def _involved(case: Case, found: bool) -> Any:
    """A structure found involved is a fact; one not listed is only known to be free when
    the imaging was read for involvement (``imaging.involvement_assessed``)."""
    return True if found else (False if case.imaging.involvement_known else MISSING)


@fact("renal artery encased", "imaging.organs")
def renal_artery_encased(case: Case, _: Classification) -> Any:
    extent = case.imaging.organ_extent(Organ.renal_artery)
    return _involved(case, extent in (InvolvementExtent.encasement, InvolvementExtent.invasion))


@fact("kidney invaded or adherent", "imaging.organs")
def kidney_invaded(case: Case, _: Classification) -> Any:
    return _involved(case, case.imaging.organ_extent(Organ.kidney) in _INVADING)


@fact("adrenal invaded or adherent", "imaging.organs")
def adrenal_invaded(case: Case, _: Classification) -> Any:
    return _involved(case, case.imaging.organ_extent(Organ.adrenal) in _INVADING)


@fact("mass in the adrenal region", "imaging.organs", "imaging.vessel_of_origin")
def adrenal_region(case: Case, _: Classification) -> Any:
    """zhang2021 cases 1, 3 and 4 lay in the right adrenal area (Methods, Fig. 1)."""
    return _involved(
        case,
        case.imaging.vessel_of_origin is Vessel.adrenal_vein
        or any(o.organ is Organ.adrenal for o in case.imaging.organs),
    )


@fact("liver invaded", "imaging.organs")
def liver_invaded(case: Case, _: Classification) -> Any:
    return _involved(case, case.imaging.organ_extent(Organ.liver) in _INVADING)


@fact("bowel (duodenum or colon) invaded", "imaging.organs")
def bowel_invaded(case: Case, _: Classification) -> Any:
    return _involved(
        case,
        any(case.imaging.organ_extent(o) in _INVADING for o in (Organ.duodenum, Organ.colon)),
    )


@fact("SMA, aorta, coeliac trunk, portal vein or spine involved", "imaging.organs")
def unresectable_structures(case: Case, _: Classification) -> Any:
    """STRASS2 eligibility defines non-resectability by these structures (clinical brief §2.4)."""
    return _involved(
        case,
        any(o.organ in _UNRESECTABLE_ORGANS and o.extent in _INVADING for o in case.imaging.organs),
    )


@fact("several major organs infiltrated", "imaging.organs")
def multiple_major_organs(case: Case, _: Classification) -> Any:
    hit = {
        o.organ
        for o in case.imaging.organs
        if o.organ in _MAJOR_ORGANS
        and o.extent in (InvolvementExtent.invasion, InvolvementExtent.encasement)
    }
    return _involved(case, len(hit) >= 2)


@fact("organ needing en bloc resection", "imaging.organs")
def en_bloc_organ(case: Case, c: Classification) -> Any:
    values = [
        f(case, c) for f in (renal_artery_encased, kidney_invaded, liver_invaded, bowel_invaded)
    ]
    if any(v is True for v in values):
        return True
    return MISSING if any(v is MISSING for v in values) else False


@fact("distant metastasis", "imaging.distant_metastasis")
def distant_metastasis(case: Case, _: Classification) -> Any:
    return _known(case.imaging.distant_metastasis)


@fact("regional lymph-node metastasis", "imaging.regional_nodes")
def regional_nodes(case: Case, _: Classification) -> Any:
    return _known(case.imaging.regional_nodes)


@fact("peritumoural reaction on imaging", "imaging.peritumoural_reaction")
def peritumoural_reaction(case: Case, _: Classification) -> Any:
    return _known(case.imaging.peritumoural_reaction)


@fact("fat in the mass", "imaging.fat")
def fat(case: Case, _: Classification) -> Any:
    return _known(case.imaging.fat)


@fact("calcification", "imaging.calcification")
def calcification(case: Case, _: Classification) -> Any:
    return _known(case.imaging.calcification)


@fact("target sign", "imaging.target_sign")
def target_sign(case: Case, _: Classification) -> Any:
    return _known(case.imaging.target_sign)


@fact("paraspinal position", "imaging.paraspinal")
def paraspinal(case: Case, _: Classification) -> Any:
    return _known(case.imaging.paraspinal)


@fact("imaging type (yang2025)", "imaging.imaging_type", "imaging.intraluminal_component")
def imaging_type(case: Case, c: Classification) -> Any:
    return _known(c.imaging_type and c.imaging_type.value)


# --- kidneys ------------------------------------------------------------------------


@fact("solitary kidney", "imaging.contralateral_kidney")
def solitary_kidney(case: Case, _: Classification) -> Any:
    kidney = case.imaging.contralateral_kidney
    return MISSING if kidney is None else kidney is KidneyFunction.absent


@fact("contralateral kidney impaired", "imaging.contralateral_kidney")
def contralateral_impaired(case: Case, _: Classification) -> Any:
    kidney = case.imaging.contralateral_kidney
    return MISSING if kidney is None else kidney is KidneyFunction.impaired


@fact(
    "eGFR before surgery (CKD-EPI 2021)",
    "labs.creatinine_umol_l",
    "demographics.age_years",
    "demographics.sex",
)
def egfr(case: Case, _: Classification) -> Any:
    creatinine, years, sex = (
        case.labs.creatinine_umol_l,
        case.demographics.age_years,
        case.demographics.sex,
    )
    if creatinine is None or years is None or sex is None or years < 18:
        return MISSING
    return ckd_epi_2021(creatinine, years, sex).rounded


@fact("patient wishes to keep the kidney", "preferences.wishes_kidney_preservation")
def wishes_kidney_preservation(case: Case, _: Classification) -> Any:
    return _known(case.preferences.wishes_kidney_preservation)


# --- operation, pathology, follow-up -------------------------------------------------


@fact("operated", "operation")
def operated(case: Case, _: Classification) -> Any:
    return case.operation is not None


@fact("operation date", "operation.date")
def operation_date(case: Case, _: Classification) -> Any:
    return _known(case.operation.date if case.operation else None)


@fact("nephrectomy done", "operation.organs_resected")
def nephrectomy_done(case: Case, _: Classification) -> Any:
    if case.operation is None:
        return MISSING
    return case.operation.resected(OrganResection.nephrectomy)


@fact("ASA class", "preoperative.asa")
def asa(case: Case, _: Classification) -> Any:
    return _known(case.preoperative.asa and int(case.preoperative.asa))


@fact("resection margin", "pathology.margin")
def margin(case: Case, _: Classification) -> Any:
    m = case.pathology.margin if case.pathology else None
    return MISSING if m is None or m is ResidualTumour.RX else m.value


@fact("FNCLCC grade", "pathology.fnclcc_grade", "pathology.mitoses_per_10hpf")
def fnclcc_grade(case: Case, _: Classification) -> Any:
    from rvlms.scores import fnclcc_grade as grade_of

    pathology = case.pathology
    if pathology is None:
        return MISSING
    reported = pathology.fnclcc_grade
    if reported is not None and reported is not FnclccGrade.GX:
        return reported.value
    result = grade_of(pathology.differentiation, pathology.mitoses_per_10hpf, pathology.necrosis)
    return MISSING if result.grade is FnclccGrade.GX else result.grade.value
    return MISSING


@fact("local recurrence", "follow_up.events")
def local_recurrence(case: Case, _: Classification) -> Any:
    return case.follow_up.first(EventKind.local_recurrence) is not None


@fact("distant metastasis during follow-up", "follow_up.events")
def metastasis_in_follow_up(case: Case, _: Classification) -> Any:
    return case.follow_up.first(EventKind.distant_metastasis) is not None


@fact("recurrent tumour", "follow_up.events")
def recurrent_tumour(case: Case, c: Classification) -> Any:
    """The tumour being treated is a local recurrence (zhang2021's third neoadjuvant and
    adjuvant situation)."""
    return bool(local_recurrence(case, c))


@fact("patient declines chemotherapy", "preferences.declines_chemotherapy", "adjuvant")
def declines_chemotherapy(case: Case, _: Classification) -> Any:
    if case.preferences.declines_chemotherapy is not None:
        return case.preferences.declines_chemotherapy
    return (
        any(
            t.kind is TherapyKind.chemotherapy and t.status is TherapyStatus.declined
            for t in case.adjuvant
        )
        or MISSING
    )


def derive_facts(case: Case, classification: Classification) -> Facts:
    """Every fact of the catalogue for one case; missing ones are absent from the mapping."""
    facts: Facts = {}
    for name, entry in CATALOGUE.items():
        value = entry.derive(case, classification)
        if value is not MISSING:
            facts[name] = value
    return facts


@cache
def labels() -> dict[str, str]:
    return {name: entry.label for name, entry in CATALOGUE.items()}
