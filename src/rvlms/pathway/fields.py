"""Labels of the case fields a plan asks for when a fact is missing.

One field can feed several facts; the label shown for a missing field is the field's own,
never the label of whichever fact happened to use it first.
"""

from __future__ import annotations

FIELD_LABELS: dict[str, str] = {
    "imaging.organs": "organs and arteries read on imaging (each with its extent and side)",
    "imaging.renal_veins_involved": "renal veins involved",
    "imaging.vessel_of_origin": "vessel of origin",
    "imaging.side": "tumour side",
    "imaging.max_diameter_cm": "maximum tumour diameter (cm)",
    "imaging.ivc_involved": "IVC involved",
    "imaging.ivc_upper_extent": "most cranial IVC point reached by tumour or thrombus",
    "imaging.ivc_lower_extent": "most caudal IVC point reached by tumour or thrombus",
    "imaging.ivc_segments": "IVC levels stated by the radiologist",
    "imaging.tumour_thrombus": "tumour thrombus",
    "imaging.wall_circumference_pct": "share of the IVC circumference involved (%)",
    "imaging.ivc_wall_involvement": "IVC wall involvement",
    "imaging.ivc_relation": "relation of the tumour to the IVC wall",
    "imaging.ivc_patency": "IVC patency",
    "imaging.collaterals": "collateral veins on imaging",
    "imaging.hepatic_veins_involved": "hepatic veins involved",
    "imaging.budd_chiari": "Budd–Chiari syndrome",
    "imaging.relation_to_diaphragm": "cranial end of tumour or thrombus relative to the diaphragm",
    "imaging.right_atrium_extension": "extension into the right atrium",
    "imaging.contralateral_kidney": "function of the other kidney",
    "imaging.distant_metastasis": "distant metastasis (staging)",
    "imaging.involved_segment_length_cm": "length of the involved IVC segment (cm)",
    "labs.hormones.plasma_free_metanephrines": "plasma free metanephrines",
    "labs.hormones.urine_fractionated_metanephrines": "urinary fractionated metanephrines",
    "labs.creatinine_umol_l": "serum creatinine (µmol/L)",
    "biopsy.result": "biopsy result",
    "biopsy.mitoses_per_10hpf": "mitoses on the biopsy (per 10 HPF)",
    "preferences.wishes_kidney_preservation": "patient's wish to keep the kidney",
    "pathology.margin": "resection margin (R0/R1/R2)",
    "pathology.fnclcc_grade": "FNCLCC grade",
    "operation.test_clamp_tolerated": "IVC test clamp tolerated (in theatre)",
    "mdt.decision": "MDT decision",
}


def field_label(path: str, fallback: str | None = None) -> str:
    if path in FIELD_LABELS:
        return FIELD_LABELS[path]
    return fallback or path.split(".")[-1].replace("_", " ")
