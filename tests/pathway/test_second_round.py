"""The fourteen classes of wrong or dangerous plans, each on a case built for it, and the
options every decision carries (the contingency plan taken into theatre)."""

from __future__ import annotations

from typing import Any

from rvlms.case import parse_case
from rvlms.concordance import CHECKS, before_the_mdt
from rvlms.examples import load_zhang2021
from rvlms.pathway import Plan, build_plan, evaluate_case

from .test_clinical_paths import BASE


def plan_for(**imaging: Any) -> Plan:
    data = {**BASE, "imaging": {**BASE["imaging"], **imaging}}
    return build_plan(parse_case(data))


def options(plan: Plan, decision: str) -> dict[str, str]:
    return {o.option: o.status for o in getattr(plan.decisions, decision).options}


def no_safety_violation(plan: Plan, data: dict[str, Any]) -> None:
    case = parse_case(data)
    _, facts, _ = evaluate_case(case)
    broken = [name for name, check in CHECKS.items() if check(case, facts, plan)]
    assert broken == []


def test_1_organ_side_is_the_invaded_organs() -> None:
    """A right-sided IVC tumour invading the left kidney: a left nephrectomy, never right; a
    midline tumour never gives 'nephrectomy (midline)'."""
    plan = plan_for(organs=[{"organ": "kidney", "side": "left", "extent": "invasion"}])
    nephrectomy = next(o for o in plan.decisions.organ_resection if o.item == "nephrectomy")
    assert (nephrectomy.side, nephrectomy.role) == ("left", "recommended")
    midline = plan_for(side="midline", organs=[{"organ": "kidney", "extent": "invasion"}])
    sides = {o.side for o in midline.decisions.organ_resection if o.item == "nephrectomy"}
    assert "midline" not in sides


def test_2_open_surgery_for_large_long_or_multivisceral_disease() -> None:
    assert plan_for(max_diameter_cm=27).decisions.approach.preferred == "open"
    pancreas = plan_for(organs=[{"organ": "pancreas", "extent": "invasion"}])
    assert pancreas.decisions.approach.preferred == "open"
    assert {"distal_pancreatectomy", "pancreatoduodenectomy"} <= {
        o.item for o in pancreas.decisions.organ_resection
    }
    long = plan_for(
        ivc_lower_extent="iliac_confluence",
        ivc_upper_extent="suprarenal_infrahepatic",
        renal_veins_involved=["right", "left"],
    )
    assert long.decisions.approach.preferred == "open"
    assert "robotic" in options(plan_for(), "approach")


def test_3_metastatic_patients_get_no_surgical_technique() -> None:
    data = {
        **BASE,
        "presentation": {"symptoms": ["abdominal_pain"], "ecog": 1},
        "imaging": {**BASE["imaging"], "distant_metastasis": True, "metastasis_sites": ["liver"]},
    }
    plan = build_plan(parse_case(data))
    d = plan.decisions
    for name in ("approach", "vascular_control", "reconstruction"):
        assert getattr(d, name).decided_by == "not_applicable"
    assert d.resectability.preferred == "not_resectable"
    assert d.systemic_therapy.preferred == "doxorubicin_trabectedin"
    assert "doxorubicin" in d.systemic_therapy.alternatives
    fired = set(plan.fired)
    assert not fired & {
        "vascular.thrombus-milking",
        "surgery.blood-loss-risk",
        "vascular.partial-clamp",
    }
    unknown_ecog = plan_for(distant_metastasis=True).decisions.systemic_therapy
    assert unknown_ecog.undecided
    assert "presentation.ecog" in {f.fact for f in unknown_ecog.deciding_facts}


def test_4_bypass_by_the_diaphragm_not_the_level() -> None:
    below = plan_for(ivc_upper_extent="hepatic_veins", relation_to_diaphragm="below")
    assert below.decisions.vascular_control.preferred == "total_hepatic_vascular_exclusion"
    assert "veno_venous_bypass" in below.decisions.vascular_control.alternatives
    atrium = plan_for(
        ivc_upper_extent="right_atrium",
        tumour_thrombus={"vessel": "ivc", "upper_extent": "right_atrium"},
    )
    assert atrium.decisions.vascular_control.preferred == "cardiopulmonary_bypass"
    assert "vascular.thrombus-milking" not in atrium.fired


def test_5_solitary_kidney_never_contradicted() -> None:
    data = {
        **BASE,
        "imaging": {
            **BASE["imaging"],
            "contralateral_kidney": "absent",
            "renal_veins_involved": ["right"],
            "organs": [{"organ": "kidney", "side": "right", "extent": "adhesion"}],
        },
    }
    plan = build_plan(parse_case(data))
    assert "reconstruction.solitary-kidney" in [w.id for w in plan.warnings]
    assert not any(
        o.item == "nephrectomy" and o.role == "recommended" for o in plan.decisions.organ_resection
    )
    kidney_sparing = options(plan, "reconstruction")
    assert {"renal_vein_reimplantation", "end_to_end_repair", "renal_autotransplantation"} <= set(
        kidney_sparing
    )
    no_safety_violation(plan, data)


def test_6_renal_vein_tumours_offer_kidney_sparing_and_ligation() -> None:
    left = plan_for(
        vessel_of_origin="renal_vein",
        side="left",
        ivc_involved=False,
        ivc_lower_extent=None,
        ivc_upper_extent=None,
        wall_circumference_pct=None,
        ivc_patency=None,
    )
    opts = options(left, "reconstruction")
    assert {"end_to_end_repair", "renal_vein_reimplantation", "renal_vein_ligation"} <= set(opts)
    gonadal = plan_for(
        vessel_of_origin="ovarian_vein",
        ivc_involved=False,
        ivc_lower_extent=None,
        ivc_upper_extent=None,
        wall_circumference_pct=None,
        ivc_patency=None,
    )
    assert "vein_of_origin_ligation" in gonadal.decisions.reconstruction.alternatives


def test_7_ligation_only_with_collaterals_or_a_tolerated_test_clamp() -> None:
    occluded = plan_for(ivc_patency="occluded", collaterals=False, wall_circumference_pct=100)
    assert occluded.decisions.reconstruction.preferred == "tube_graft"
    assert options(occluded, "reconstruction").get("ligation") in (None, "unmet")
    patent = plan_for(wall_circumference_pct=60)
    ligation = next(o for o in patent.decisions.reconstruction.options if o.option == "ligation")
    assert ligation.status == "unknown" and "test clamp" in ligation.condition


def test_8_trial_criteria_are_not_contraindications() -> None:
    aorta = plan_for(organs=[{"organ": "aorta", "extent": "encasement"}])
    assert aorta.decisions.resectability.preferred == "resectable_expert_centre"
    assert "not_resectable" in aorta.decisions.resectability.alternatives
    atrium = plan_for(ivc_upper_extent="right_atrium")
    assert atrium.decisions.resectability.preferred == "resectable_expert_centre"


def test_9_diagnostic_biopsy_excludes_paraganglioma() -> None:
    data = {
        **BASE,
        "labs": {},
        "biopsy": {
            "done": True,
            "method": "percutaneous_core",
            "result": "smooth_muscle_tumour",
            "ihc": {"desmin": "positive", "sma": "positive"},
        },
    }
    plan = build_plan(parse_case(data))
    warned = {w.id for w in plan.warnings}
    assert not warned & {"workup.metanephrines-first", "mdt.no-biopsy-before-metanephrines"}
    non_diagnostic = {**data, "biopsy": {"done": True, "result": "non_diagnostic"}}
    plan = build_plan(parse_case(non_diagnostic))
    assert "workup.metanephrines-first" in {w.id for w in plan.warnings}
    assert "mdt.no-biopsy-before-metanephrines" not in plan.fired
    assert not any("No biopsy until" in w.text for w in plan.warnings)


def test_10_atypia_alone_is_not_high_malignant_potential() -> None:
    data = {
        **BASE,
        "biopsy": {
            "done": True,
            "result": "leiomyosarcoma",
            "atypia": True,
            "mitoses_per_10hpf": 3,
            "ki67_pct": 5,
            "grade": "G1",
        },
    }
    assert "neoadjuvant.zhang-criteria" not in build_plan(parse_case(data)).fired
    high = {**data, "biopsy": {**data["biopsy"], "mitoses_per_10hpf": 25}}
    assert "neoadjuvant.zhang-criteria" in build_plan(parse_case(high)).fired


def test_11_hepatic_veins_raise_hepatobiliary_surgery() -> None:
    plan = plan_for(
        ivc_upper_extent="hepatic_veins",
        hepatic_veins_involved=True,
        budd_chiari=True,
        relation_to_diaphragm="below",
    )
    assert "organ.hepatic-veins" in [w.id for w in plan.warnings]
    items = {o.item for o in plan.decisions.organ_resection}
    assert {"liver_resection", "ex_vivo_liver_resection"} <= items
    assert plan.decisions.vascular_control.preferred == "total_hepatic_vascular_exclusion"


def test_12_current_plan_of_an_operated_case_is_post_operative() -> None:
    plan = build_plan(load_zhang2021()[0])
    stages = {s.stage.value for s in plan.stages if s.recommendations}
    assert not stages & {"workup", "mdt_biopsy", "surgical_plan"}
    assert plan.decisions.reconstruction.decided_by == "operation"
    assert plan.decisions.reconstruction.preferred == "primary_repair"


def test_13_undecided_reads_as_undecided_and_labels_are_the_fields() -> None:
    plan = build_plan(before_the_mdt(load_zhang2021()[0]), timepoint="preoperative")
    reconstruction = plan.decisions.reconstruction
    assert reconstruction.undecided
    assert {"primary_repair", "tube_graft"} <= set(options(plan, "reconstruction"))
    assert reconstruction.deciding_facts
    data = {**BASE, "imaging": {**BASE["imaging"], "involvement_assessed": None}}
    labels = {m.fact: m.label for m in build_plan(parse_case(data)).missing_facts}
    assert "adrenal" not in labels["imaging.organs"]


def test_14_listing_one_organ_leaves_the_others_unknown() -> None:
    plan = plan_for(involvement_assessed=None, organs=[{"organ": "adrenal", "extent": "abutment"}])
    assert plan.decisions.approach.preferred is None
    assert "imaging.organs" in {m.fact for m in plan.missing_facts}


def test_no_decision_without_a_preferred_option_or_options() -> None:
    cases = [*load_zhang2021(), parse_case({"case_id": "empty"}), parse_case(BASE)]
    for case in cases:
        for timepoint in ("preoperative", "current"):
            plan = build_plan(case, timepoint=timepoint)  # type: ignore[arg-type]
            for name, d in plan.decisions.by_name().items():
                assert d.preferred or d.options or d.decided_by != "rules", (case.case_id, name)


def test_13_explain_tells_unknown_scope_from_outside_scope() -> None:
    from rvlms.pathway.explain import explain

    staging_unknown = parse_case(
        {**BASE, "imaging": {k: v for k, v in BASE["imaging"].items() if k != "distant_metastasis"}}
    )
    assert "missing facts" in explain(staging_unknown, "surgery.six-steps").verdict
    metastatic = parse_case({**BASE, "imaging": {**BASE["imaging"], "distant_metastasis": True}})
    assert "outside its scope" in explain(metastatic, "surgery.six-steps").verdict


def test_1_right_renal_vein_nephrectomy_is_always_right_sided() -> None:
    """Both renal veins involved: the right-renal-vein nephrectomy still names the right side."""
    plan = plan_for(renal_veins_involved=["right", "left"])
    sides = {o.side for o in plan.decisions.organ_resection if o.item == "nephrectomy"}
    assert sides == {"right"}


def test_unfit_patient_is_not_surgery_first() -> None:
    """ASA 4: the trials enrolled ASA ≤ 2 (STRASS) or < 3 (STRASS2); no default resection."""
    data = {**BASE, "preoperative": {"asa": 4}}
    plan = build_plan(parse_case(data))
    assert "mdt.operative-risk" in [w.id for w in plan.warnings]
    assert plan.decisions.resectability.preferred == "not_resectable"
    assert "resectable" in plan.decisions.resectability.alternatives
    assert "mdt.surgery-first" not in plan.fired


def test_raised_metanephrines_suspend_the_sarcoma_resection_decision() -> None:
    data = {**BASE, "labs": {"hormones": {"plasma_free_metanephrines": {"result": "abnormal"}}}}
    plan = build_plan(parse_case(data))
    assert plan.decisions.resectability.decided_by == "not_applicable"
    assert "mdt.surgery-first" not in plan.fired
