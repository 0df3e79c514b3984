"""Facts of the operation, the specimen, the MDT's decision and the follow-up."""

from __future__ import annotations

from typing import Any

from rvlms.case import Case
from rvlms.case.vocab import EventKind, OrganResection, TherapyKind, TherapyStatus
from rvlms.imaging import Classification
from rvlms.pathway.conditions import MISSING
from rvlms.pathway.facts.catalogue import fact, known
from rvlms.scores import FnclccGrade, ResidualTumour

# --- operation, pathology, follow-up -------------------------------------------------


@fact("operated", "operation")
def operated(case: Case, _: Classification) -> Any:
    return case.operation is not None


@fact("operation date", "operation.date")
def operation_date(case: Case, _: Classification) -> Any:
    return known(case.operation.date if case.operation else None)


@fact("nephrectomy done", "operation.organs_resected")
def nephrectomy_done(case: Case, _: Classification) -> Any:
    if case.operation is None:
        return MISSING
    return case.operation.resected(OrganResection.nephrectomy)


@fact("ASA class", "preoperative.asa")
def asa(case: Case, _: Classification) -> Any:
    return known(case.preoperative.asa and int(case.preoperative.asa))


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


@fact("MDT decision", "mdt.decision")
def mdt_decision(case: Case, _: Classification) -> Any:
    return known(case.mdt and case.mdt.decision and case.mdt.decision.value)


@fact("IVC test clamp tolerated", "operation.test_clamp_tolerated")
def test_clamp_tolerated(case: Case, _: Classification) -> Any:
    """Whether clamping the IVC was tolerated haemodynamically; known only in theatre, which is
    why ligation of a patent IVC stays a contingency in the plan."""
    return known(case.operation.test_clamp_tolerated if case.operation else None)


@fact("high operative risk (ASA 4 or more, or ECOG 3–4)", "preoperative.asa", "presentation.ecog")
def high_operative_risk(case: Case, _: Classification) -> Any:
    """ASA 4–5 or ECOG 3–4. The trials of resection for retroperitoneal sarcoma enrolled ASA
    ≤ 2 (STRASS) or < 3 (STRASS2); a major caval resection in a patient at constant threat to
    life is an MDT question, not a default."""
    asa = case.preoperative.asa
    ecog = case.presentation.ecog
    flags = [None if asa is None else int(asa) >= 4, None if ecog is None else ecog >= 3]
    if any(flags):
        return True
    return MISSING if None in flags and not any(f is False for f in flags) else False
