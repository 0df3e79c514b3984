"""Facts of the presentation and the work-up: symptoms, hormones, histology, tests, biopsy."""

from __future__ import annotations

from typing import Any

from rvlms.case import Case
from rvlms.case.vocab import (
    BiopsyResult,
    ContrastPhase,
    HistoryItem,
    ImagingModality,
    Stain,
    Symptom,
    TestResult,
    WorkingDiagnosis,
)
from rvlms.imaging import Classification
from rvlms.pathway.conditions import MISSING
from rvlms.pathway.facts.catalogue import fact, known

_SYMPATHETIC = {
    Symptom.palpitation,
    Symptom.headache,
    Symptom.hypertensive_episodes,
    Symptom.sweating,
}
_OTHER_DIAGNOSES = {
    BiopsyResult.other_sarcoma,
    BiopsyResult.liposarcoma,
    BiopsyResult.neurogenic_tumour,
    BiopsyResult.lymphoma,
    BiopsyResult.metastasis,
    BiopsyResult.carcinoma,
}


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
    if HistoryItem.hypertension in case.history.conditions:
        return True
    return False if case.history.none_known or case.history.conditions else MISSING


@fact("age (years)", "demographics.age_years")
def age(case: Case, _: Classification) -> Any:
    return known(case.demographics.age_years)


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
    """Excluded by normal metanephrines (Lenders 2014), by histology of leiomyosarcoma, or by
    a diagnostic biopsy: a smooth-muscle tumour (desmin or SMA positive) or another named
    tumour. Catecholamines and VMA do not exclude it: VMA is not a screening test (CHEP 2017).
    A non-diagnostic or indeterminate biopsy leaves the question open."""
    results = _metanephrine_results(case)
    if results and all(r is TestResult.normal for r in results):
        return True
    if histology_lms(case, c):
        return True
    return bool(biopsy_diagnostic(case, c) is True)


@fact("diagnostic biopsy (smooth-muscle tumour or another named tumour)", "biopsy.result")
def biopsy_diagnostic(case: Case, _: Classification) -> Any:
    """A biopsy settles the diagnosis when it names leiomyosarcoma, a smooth-muscle tumour with
    desmin or SMA staining, or another tumour; not when it is non-diagnostic."""
    biopsy = case.biopsy
    if biopsy is None or not biopsy.done or biopsy.result is None:
        return MISSING
    if biopsy.result is BiopsyResult.leiomyosarcoma or biopsy.result in _OTHER_DIAGNOSES:
        return True
    if biopsy.result is BiopsyResult.smooth_muscle_tumour:
        stains = (biopsy.ihc.desmin, biopsy.ihc.sma, biopsy.ihc.h_caldesmon)
        return any(s in (Stain.positive, Stain.focal) for s in stains)
    return False


@fact("alpha-blockade days before surgery", "preoperative.alpha_blockade_days")
def alpha_blockade_days(case: Case, _: Classification) -> Any:
    return known(case.preoperative.alpha_blockade_days)


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
    return known(case.biopsy.result)


@fact(
    "biopsy shows high malignant potential (mitoses ≥ 10/10 HPF, Ki-67 ≥ 20 % or FNCLCC G2–G3)",
    "biopsy.mitoses_per_10hpf",
    "biopsy.ki67_pct",
    "biopsy.grade",
)
def biopsy_high_malignant_potential(case: Case, _: Classification) -> Any:
    """Zhang 2021 names high mitotic activity, atypia or high Ki-67 without cut-offs. Atypia is
    present in almost every leiomyosarcoma, so it does not count here; mitoses, Ki-67 and the
    FNCLCC grade do (thresholds are an rvlms proposal: FNCLCC mitotic score ≥ 2, Ki-67 ≥ 20 %)."""
    biopsy = case.biopsy
    if biopsy is None or not biopsy.done:
        return MISSING
    signs = [
        None if biopsy.mitoses_per_10hpf is None else biopsy.mitoses_per_10hpf >= 10,
        None if biopsy.ki67_pct is None else biopsy.ki67_pct >= 20,
        None if biopsy.grade is None or biopsy.grade.value == "GX" else biopsy.grade.value != "G1",
    ]
    if any(signs):
        return True
    return MISSING if None in signs else False


@fact("working diagnosis before histology", "presentation.working_diagnosis")
def working_diagnosis(case: Case, _: Classification) -> Any:
    d = case.presentation.working_diagnosis
    return MISSING if d in (None, WorkingDiagnosis.unknown) else d.value


@fact("MRI done", "imaging.studies")
def mri_done(case: Case, _: Classification) -> Any:
    return any(s.modality is ImagingModality.mri for s in case.imaging.studies)


@fact("echocardiography done", "imaging.studies")
def echocardiography_done(case: Case, _: Classification) -> Any:
    return any(
        s.modality
        in (ImagingModality.echocardiography, ImagingModality.transoesophageal_echocardiography)
        for s in case.imaging.studies
    )


@fact("ECOG performance status", "presentation.ecog")
def ecog(case: Case, _: Classification) -> Any:
    return known(case.presentation.ecog)
