"""The plan for each zhang2021 patient agrees with what the team did, or says why not.

Sources: zhang2021 Table 1, Methods (laparoscopic surgery cases 1–3, open surgery case 4),
Results and Discussion.
"""

from __future__ import annotations

import datetime as dt

import pytest

from rvlms.case import Case
from rvlms.examples import load_zhang2021
from rvlms.pathway import Plan, build_plan


@pytest.fixture(scope="module")
def plans() -> list[Plan]:
    """What the map advises with what the MDT knew before surgery."""
    return [build_plan(case, timepoint="preoperative") for case in load_zhang2021()]


@pytest.fixture(scope="module")
def current() -> list[Plan]:
    """What the map advises now, with the resection specimen and the follow-up."""
    return [build_plan(case) for case in load_zhang2021()]


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    return load_zhang2021()


def test_paraganglioma_safety_first_where_not_excluded(plans: list[Plan]) -> None:
    """Cases 1–3 received phenoxybenzamine because paraganglioma could not be excluded; case 4
    had a pre-operative biopsy diagnosis of LMS (Discussion)."""
    for plan in plans[:3]:
        warnings = [w.id for w in plan.warnings]
        assert "workup.metanephrines-first" in warnings
        assert "mdt.no-biopsy-before-metanephrines" in warnings
        assert "workup.alpha-blockade-until-excluded" in warnings
        assert plan.warnings[0].stage.value in ("presentation", "workup")
    assert plans[3].warnings == []


def test_case1_sympathetic_symptoms_flagged(plans: list[Plan]) -> None:
    """Case 1 presented with abdominal pain, palpitation and headache (Table 1)."""
    warning = next(w for w in plans[0].warnings if w.id == "presentation.sympathetic-symptoms")
    assert any("palpitation" in b or "sympathetic" in b for b in warning.because)


def test_case1_laparoscopic_partial_clamp(plans: list[Plan]) -> None:
    """Case 1: retroperitoneal laparoscopy, Satinsky partial clamp, 4-0 Prolene closure."""
    d = plans[0].decisions
    assert d.approach.preferred == "laparoscopic"
    assert d.vascular_control.preferred == "partial_clamp"


def test_reconstruction_undecided_explains_missing_facts(plans: list[Plan]) -> None:
    """The paper does not give the share of the circumference involved or the patency, so the
    plan leaves the reconstruction open and says what is needed (the team closed primarily)."""
    for plan in plans[:3]:
        assert plan.decisions.reconstruction.preferred is None
        missing = {m.fact: m.needed_for for m in plan.missing_facts}
        assert "reconstruction" in missing["imaging.wall_circumference_pct"]
        assert "reconstruction" in missing["imaging.ivc_patency"]


def test_resection_specimen_settles_the_paraganglioma_question(current: list[Plan]) -> None:
    """After resection the specimen is leiomyosarcoma: the pre-operative paraganglioma
    warnings are gone from the current plan."""
    for plan in current:
        assert plan.timepoint == "current"
        assert not {"workup.metanephrines-first", "mdt.no-biopsy-before-metanephrines"} & {
            w.id for w in plan.warnings
        }


def test_case1_recurrence_leads_to_radiotherapy_discussion(current: list[Plan]) -> None:
    """Case 1: asymptomatic local recurrence at 15 months, radiotherapy recommended."""
    plan = current[0]
    recurrence = next(w for w in plan.warnings if w.id == "recurrence.local")
    assert "radiotherapy" in recurrence.text
    rt = plan.recommendation("adjuvant.zhang-radiotherapy")
    assert rt is not None and rt.status == "superseded"
    assert rt.superseded_by is not None
    assert "bonvalot2020_strass" in {e.source for e in rt.superseded_by.evidence}


def test_case1_follow_up_dates(cases: list[Case]) -> None:
    """Schedule of zhang2021 Methods: 1 month, every 3 months to 2 years, every 6 months after.
    The paper gives no operation date, so the plan uses months and asks for the date; with a
    date the calendar is concrete."""
    plan = build_plan(cases[0])
    assert [v.months_after_surgery for v in plan.follow_up][:11] == [
        1,
        3,
        6,
        9,
        12,
        15,
        18,
        21,
        24,
        30,
        36,
    ]
    assert all(v.date is None for v in plan.follow_up)
    assert "operation.date" in {m.fact for m in plan.missing_facts}

    dated = cases[0].model_copy(deep=True)
    assert dated.operation is not None
    dated.operation.date = dt.date(2019, 1, 31)
    visits = build_plan(dated).follow_up
    assert [v.date for v in visits[:4]] == [
        dt.date(2019, 2, 28),
        dt.date(2019, 4, 30),
        dt.date(2019, 7, 31),
        dt.date(2019, 10, 31),
    ]
    assert visits[-1].months_after_surgery == 60
    assert visits[-1].date == dt.date(2024, 1, 31)


def test_case2_renal_vein_control_and_conversion(plans: list[Plan]) -> None:
    """Case 2: right renal-vein LMS; laparoscopy converted to open, bulldog clamp on the renal
    vein, Satinsky clamp on the IVC at the renal level."""
    plan = plans[1]
    assert plan.classification.imaging_type == "peripheral"
    fired = set(plan.fired)
    assert {"vascular.renal-vein-bulldog", "surgery.conversion-renal-vein"} <= fired
    assert plan.decisions.vascular_control.preferred == "partial_clamp"
    nephrectomy = next(o for o in plan.decisions.organ_resection if o.item == "nephrectomy")
    assert (nephrectomy.role, nephrectomy.side) == ("consider", "right")
    assert "renal_vein_reimplantation" in plan.decisions.reconstruction.alternatives
    kidney = {m.fact for m in plan.missing_facts}
    assert {"imaging.contralateral_kidney", "preferences.wishes_kidney_preservation"} <= kidney


def test_case3_thrombus_blood_loss_expected(plans: list[Plan]) -> None:
    """Case 3: 3 cm IVC thrombus, partial clamp below it, 1500 ml blood loss."""
    plan = plans[2]
    assert plan.classification.imaging_type == "intermediate"
    assert {"vascular.thrombus-milking", "surgery.blood-loss-risk"} <= set(plan.fired)
    assert plan.decisions.approach.preferred == "laparoscopic"


def test_case4_open_en_bloc_nephrectomy_staged_control(plans: list[Plan]) -> None:
    """Case 4: tumour wrapping the right renal artery, thrombus to the retrohepatic IVC: open,
    en bloc right nephrectomy, staged clamping with liver mobilisation."""
    plan = plans[3]
    d = plan.decisions
    assert d.approach.preferred == "open"
    assert d.vascular_control.preferred == "complete_clamp"
    assert "vascular.staged-retrohepatic" in d.vascular_control.rules
    staged = plan.recommendation("vascular.staged-retrohepatic")
    assert staged is not None and "Pringle" in staged.text
    nephrectomy = next(o for o in d.organ_resection if o.item == "nephrectomy")
    assert (nephrectomy.role, nephrectomy.side) == ("recommended", "right")
    assert "renal artery encased: yes" in nephrectomy.because


def test_adjuvant_criteria_flagged_as_superseded(current: list[Plan]) -> None:
    """Cases 2 and 4 were G2; only case 4 (10.7 cm) is also large (> 5 cm)."""
    chemo = current[3].recommendation("adjuvant.zhang-chemotherapy")
    assert chemo is not None and chemo.status == "superseded"
    assert current[1].recommendation("adjuvant.zhang-chemotherapy") is None
    assert plans_have_no_pathology_stage(current[3])


def plans_have_no_pathology_stage(plan: Plan) -> bool:
    return any(s.recommendations for s in plan.stages if s.stage.value == "pathology_adjuvant")


def test_every_recommendation_carries_evidence_and_reasons(plans: list[Plan]) -> None:
    for plan in plans:
        items = [*plan.warnings, *(r for s in plan.stages for r in s.recommendations)]
        assert items
        for item in items:
            assert item.evidence, item.id
            assert item.because, item.id
            assert all(e.citation for e in item.evidence)
        cited = {e.source for item in items for e in item.evidence}
        assert cited <= {s.key for s in plan.sources}


def test_alternative_follow_up_by_grade(current: list[Plan], plans: list[Plan]) -> None:
    """G1 (cases 1, 3) gets the low-grade ESMO alternative, G2 (cases 2, 4) the high-grade one;
    before surgery the grade is unknown and the high-grade schedule is offered."""
    assert {p.follow_up_alternative.id for p in plans if p.follow_up_alternative} == {
        "esmo_high_grade"
    }
    ids = [p.follow_up_alternative.id if p.follow_up_alternative else None for p in current]
    assert ids == ["esmo_low_grade", "esmo_high_grade", "esmo_low_grade", "esmo_high_grade"]
