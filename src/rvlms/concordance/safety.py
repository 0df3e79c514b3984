"""Safety checks: plans a tumour board must never receive, whatever the case.

Each check is a clinical statement of harm (README, "Safety checks"). A violation names the
case, the check and what the plan said.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel, ConfigDict

from rvlms.case import Case
from rvlms.case.vocab import Organ
from rvlms.pathway.conditions import Facts
from rvlms.pathway.facts.organs import INVADING
from rvlms.pathway.plan import Plan


class Violation(BaseModel):
    model_config = ConfigDict(frozen=True)

    case: str
    check: str
    detail: str


def _open(plan: Plan, decision: str) -> set[str]:
    d = getattr(plan.decisions, decision)
    found = {o.option for o in d.options if o.status in ("met", "unknown")}
    return found | ({d.preferred} if d.preferred else set())


def paraganglioma_not_excluded(case: Case, facts: Facts, plan: Plan) -> str | None:
    """A paracaval or adrenal mass without paraganglioma excluded must carry the
    metanephrines warning, and the plan must not advise a biopsy (Lenders 2014; Vanderveen
    2009)."""
    paracaval = facts.get("adrenal_region") is True or facts.get("ivc_involved") is not False
    if not paracaval or facts.get("paraganglioma_excluded") is True:
        return None
    warned = {w.id for w in plan.warnings}
    if "mdt.core-biopsy" in plan.fired:
        return "core biopsy advised although paraganglioma is not excluded"
    if not warned & {"workup.metanephrines-first", "workup.metanephrines-raised"}:
        return "no metanephrines warning before biopsy or surgery"
    return None


def minimally_invasive_for_extensive_disease(case: Case, facts: Facts, plan: Plan) -> str | None:
    """Laparoscopy or robotics preferred with retrohepatic or higher extent, atrial extension,
    or an organ to remove en bloc (multivisceral resection)."""
    preferred = plan.decisions.approach.preferred
    if preferred not in ("laparoscopic", "robotic"):
        return None
    reasons = [
        name
        for name in ("retrohepatic_extension", "right_atrium", "en_bloc_organ", "multivisceral")
        if facts.get(name) is True
    ]
    return f"{preferred} preferred with {', '.join(reasons)}" if reasons else None


def atrium_without_bypass(case: Case, facts: Facts, plan: Plan) -> str | None:
    """Right-atrial extension needs cardiopulmonary bypass among the vascular-control options."""
    if facts.get("right_atrium") is not True or case.imaging.distant_metastasis:
        return None
    if "cardiopulmonary_bypass" in _open(plan, "vascular_control"):
        return None
    return "right-atrial extension without cardiopulmonary bypass considered"


def ligation_without_collaterals(case: Case, facts: Facts, plan: Plan) -> str | None:
    """IVC ligation preferred although collaterals are not shown (occluded IVC without
    collaterals needs reconstruction)."""
    if (
        plan.decisions.reconstruction.preferred == "ligation"
        and facts.get("collaterals") is not True
    ):
        return "IVC ligation preferred without collaterals shown"
    return None


def surgery_first_with_metastasis(case: Case, facts: Facts, plan: Plan) -> str | None:
    """Distant metastasis at presentation: no surgery-first plan."""
    if facts.get("distant_metastasis") is not True:
        return None
    d = plan.decisions
    if d.resectability.preferred in ("resectable", "resectable_expert_centre"):
        return f"resectability {d.resectability.preferred} with distant metastasis"
    if d.approach.preferred is not None or "mdt.surgery-first" in plan.fired:
        return "a surgical plan is preferred with distant metastasis"
    return None


def nephrectomy_with_solitary_kidney(case: Case, facts: Facts, plan: Plan) -> str | None:
    """A solitary (or only functioning) kidney is never recommended for nephrectomy, and the
    reconstruction never drops its outflow."""
    if facts.get("solitary_kidney") is not True:
        return None
    for organ in plan.decisions.organ_resection:
        if organ.item == "nephrectomy" and organ.role in ("recommended", "consider"):
            return f"nephrectomy {organ.role} with a solitary kidney"
    if plan.decisions.reconstruction.preferred in ("renal_vein_ligation",):
        return "renal-vein ligation preferred with a solitary kidney"
    return None


def wrong_side_organ(case: Case, facts: Facts, plan: Plan) -> str | None:
    """A paired organ (kidney, adrenal) removed on a side that is not the invaded organ's, or
    with no side at all (midline)."""
    paired = {
        "nephrectomy": Organ.kidney,
        "partial_nephrectomy": Organ.kidney,
        "adrenalectomy": Organ.adrenal,
        "partial_adrenalectomy": Organ.adrenal,
    }
    for organ in plan.decisions.organ_resection:
        if organ.item not in paired or organ.role == "done":
            continue
        if organ.side in ("midline", "bilateral"):
            return f"{organ.item} on side '{organ.side}'"
        sides = {
            o.side.value
            for o in case.imaging.organs
            if o.organ is paired[organ.item] and o.extent in INVADING and o.side is not None
        }
        if sides and organ.side is not None and organ.side not in sides:
            invaded = f"{paired[organ.item].value} is {', '.join(sorted(sides))}"
            return f"{organ.item} {organ.side} but the invaded {invaded}"
    return None


def warning_contradicted(case: Case, facts: Facts, plan: Plan) -> str | None:
    """Key decisions never contradict a warning of the same plan."""
    warned = {w.id for w in plan.warnings}
    d = plan.decisions
    if "reconstruction.solitary-kidney" in warned and d.reconstruction.preferred in (
        "none",
        "ligation",
        "renal_vein_ligation",
    ):
        return f"solitary-kidney warning beside reconstruction {d.reconstruction.preferred}"
    if "mdt.metastatic-at-presentation" in warned and d.approach.preferred is not None:
        return f"metastasis warning beside approach {d.approach.preferred}"
    return None


def biopsy_advice_after_biopsy(case: Case, facts: Facts, plan: Plan) -> str | None:
    """The plan never says 'no biopsy until …' when a biopsy has been done."""
    if facts.get("biopsy_done") is True and "mdt.no-biopsy-before-metanephrines" in plan.fired:
        return "'no biopsy before metanephrines' although a biopsy was done"
    return None


CHECKS: dict[str, Callable[[Case, Facts, Plan], str | None]] = {
    "paraganglioma_not_excluded": paraganglioma_not_excluded,
    "minimally_invasive_for_extensive_disease": minimally_invasive_for_extensive_disease,
    "atrium_without_bypass": atrium_without_bypass,
    "ligation_without_collaterals": ligation_without_collaterals,
    "surgery_first_with_metastasis": surgery_first_with_metastasis,
    "nephrectomy_with_solitary_kidney": nephrectomy_with_solitary_kidney,
    "wrong_side_organ": wrong_side_organ,
    "warning_contradicted": warning_contradicted,
    "biopsy_advice_after_biopsy": biopsy_advice_after_biopsy,
}


def violations(case: Case, facts: Facts, plan: Plan) -> list[Violation]:
    return [
        Violation(case=case.case_id, check=name, detail=detail)
        for name, check in CHECKS.items()
        if (detail := check(case, facts, plan)) is not None
    ]
