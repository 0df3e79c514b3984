"""Paths through the decision map beyond the four zhang2021 patients (clinical brief §2–§7)."""

from __future__ import annotations

from typing import Any

from rvlms.case import parse_case
from rvlms.pathway import Plan, build_plan

BASE: dict[str, Any] = {
    "case_id": "path",
    "demographics": {"sex": "female", "age_years": 58},
    "presentation": {"symptoms": ["abdominal_pain"]},
    "labs": {
        "hormones": {"plasma_free_metanephrines": {"result": "normal"}},
        "creatinine_umol_l": 80,
    },
    "imaging": {
        "studies": [
            {"modality": "cect", "phases": ["portal_venous"]},
            {"modality": "ctu"},
            {"modality": "chest_ct"},
        ],
        "vessel_of_origin": "ivc",
        "side": "right",
        "max_diameter_cm": 8,
        "ivc_involved": True,
        "ivc_lower_extent": "infrarenal",
        "ivc_upper_extent": "renal_veins",
        "intraluminal_component": True,
        "extraluminal_component": True,
        "wall_circumference_pct": 30,
        "ivc_patency": "patent",
        "collaterals": False,
        "contralateral_kidney": "normal",
        "involvement_assessed": True,
        "distant_metastasis": False,
    },
}


def plan_for(**imaging: Any) -> Plan:
    data = {**BASE, "imaging": {**BASE["imaging"], **imaging}}
    return build_plan(parse_case(data))


def test_complete_case_has_every_decision() -> None:
    plan = plan_for()
    d = plan.decisions
    assert (d.approach.preferred, d.vascular_control.preferred, d.reconstruction.preferred) == (
        "laparoscopic",
        "partial_clamp",
        "primary_repair",
    )
    assert "patch" in d.reconstruction.alternatives
    assert plan.warnings == []
    assert "mdt.core-biopsy" in plan.fired


def test_half_circumference_patent_gets_a_graft() -> None:
    """Yoshidome: circumferential resection when half or more is invaded; ringed PTFE (Pantoja)."""
    d = plan_for(wall_circumference_pct=60).decisions
    assert d.reconstruction.preferred == "tube_graft"
    assert "ligation" in d.reconstruction.alternatives


def test_occluded_ivc_with_collaterals_is_ligated() -> None:
    """WJS 2020, Fiore 2012, JVS-VL 2024: no reconstruction of an occluded IVC with collaterals."""
    d = plan_for(ivc_patency="occluded", collaterals=True, wall_circumference_pct=100).decisions
    assert d.reconstruction.preferred == "ligation"
    assert d.vascular_control.preferred == "complete_clamp"


def test_level_three_needs_cardiopulmonary_bypass() -> None:
    plan = plan_for(ivc_upper_extent="hepatic_veins")
    assert plan.classification.ivc_level == "III"
    assert plan.decisions.vascular_control.preferred == "cardiopulmonary_bypass"
    assert plan.decisions.approach.preferred == "open"
    assert "vascular.cardiopulmonary-bypass" in [w.id for w in plan.warnings]


def test_right_atrium_questions_surgery_first() -> None:
    plan = plan_for(ivc_upper_extent="right_atrium")
    warnings = [w.id for w in plan.warnings]
    assert "mdt.right-atrium" in warnings
    assert "mdt.surgery-first" not in plan.fired


def test_metastatic_at_presentation_is_not_surgery_first() -> None:
    plan = plan_for(distant_metastasis=True, metastasis_sites=["lung"])
    assert "mdt.metastatic-at-presentation" in [w.id for w in plan.warnings]
    assert "mdt.surgery-first" not in plan.fired
    assert plan.decisions.approach.preferred is None
    olaratumab = plan.recommendation("systemic.zhang-olaratumab")
    assert olaratumab is not None and olaratumab.status == "superseded"
    assert "systemic.first-line-lms" in plan.fired


def test_unresectable_structures() -> None:
    plan = plan_for(organs=[{"organ": "superior_mesenteric_artery", "extent": "encasement"}])
    assert "mdt.unresectable" in [w.id for w in plan.warnings]


def test_raised_metanephrines() -> None:
    data = {**BASE, "labs": {"hormones": {"plasma_free_metanephrines": {"result": "abnormal"}}}}
    plan = build_plan(parse_case(data))
    warnings = [w.id for w in plan.warnings]
    assert "workup.metanephrines-raised" in warnings
    assert "mdt.no-biopsy-before-metanephrines" in warnings
    assert "mdt.core-biopsy" not in plan.fired


def test_solitary_kidney_with_renal_vein() -> None:
    plan = plan_for(contralateral_kidney="absent", renal_veins_involved=["left"])
    assert "reconstruction.solitary-kidney" in [w.id for w in plan.warnings]
    assert "organ.kidney-sparing" in plan.fired
    assert "reconstruction.left-renal-vein" in plan.fired


def test_ivc_not_involved() -> None:
    data = {
        **BASE,
        "imaging": {
            "vessel_of_origin": "gonadal_vein",
            "ivc_involved": False,
            "distant_metastasis": False,
            "contralateral_kidney": "normal",
        },
    }
    plan = build_plan(parse_case(data))
    assert plan.decisions.vascular_control.preferred == "none"
    assert plan.decisions.reconstruction.preferred == "none"
    assert plan.classification.imaging_type == "peripheral"


def test_unlisted_organs_are_unknown_until_assessed() -> None:
    """Without an organ read of the imaging, 'no organ listed' is not 'no organ involved':
    the open-vs-laparoscopic choice stays open and asks for it."""
    plan = plan_for(involvement_assessed=None)
    assert plan.decisions.approach.preferred is None
    assert "organ needing en bloc resection" in plan.decisions.approach.undecided_because
    assert "imaging.organs" in {m.fact for m in plan.missing_facts}


def test_empty_case_guesses_nothing() -> None:
    """Missing facts are never guessed: every key decision stays open and the plan says why."""
    plan = build_plan(parse_case({"case_id": "empty"}))
    d = plan.decisions
    assert (d.approach.preferred, d.vascular_control.preferred, d.reconstruction.preferred) == (
        None,
        None,
        None,
    )
    assert d.approach.undecided_because
    missing = {m.fact for m in plan.missing_facts}
    assert {"imaging.vessel_of_origin", "imaging.distant_metastasis"} <= missing
    assert plan.classification.imaging_type is None
    assert "workup.metanephrines-first" in [w.id for w in plan.warnings]


def test_radiologist_type_shown_in_plan() -> None:
    plan = plan_for(imaging_type="intraluminal")
    assert plan.classification.imaging_type == "intraluminal"
    assert plan.classification.imaging_type_source == "radiologist"
    assert plan.classification.rule_imaging_type == "intermediate"
