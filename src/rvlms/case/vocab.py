"""Controlled vocabularies of the case record.

Every categorical variable of the case record draws its values from one of these
enumerations, so that a registry, an audit or another program reads the same words
the decision map reasons with. The values are stable identifiers (part of the public
contract); the human labels live in ``LABELS``.
"""

from __future__ import annotations

from enum import StrEnum

from rvlms.scores import Sex


class Side(StrEnum):
    right = "right"
    left = "left"
    bilateral = "bilateral"
    midline = "midline"


class Symptom(StrEnum):
    """Presenting complaints named by zhang2021 (Background, Discussion; Table 1)."""

    none = "none"
    abdominal_pain = "abdominal_pain"
    back_pain = "back_pain"
    lower_limb_oedema = "lower_limb_oedema"
    lower_limb_numbness = "lower_limb_numbness"
    palpitation = "palpitation"
    headache = "headache"
    hypertensive_episodes = "hypertensive_episodes"
    sweating = "sweating"
    ascites = "ascites"
    budd_chiari_signs = "budd_chiari_signs"
    dyspnoea = "dyspnoea"
    weight_loss = "weight_loss"
    palpable_mass = "palpable_mass"
    haematuria = "haematuria"
    fever = "fever"
    deep_vein_thrombosis = "deep_vein_thrombosis"
    pulmonary_embolism = "pulmonary_embolism"
    jaundice = "jaundice"
    hepatomegaly = "hepatomegaly"
    flank_pain = "flank_pain"
    leg_pain = "leg_pain"
    nausea_vomiting = "nausea_vomiting"
    abdominal_distension = "abdominal_distension"
    early_satiety = "early_satiety"
    fatigue = "fatigue"
    anaemia = "anaemia"
    syncope = "syncope"
    chest_pain = "chest_pain"
    abdominal_wall_collaterals = "abdominal_wall_collaterals"
    varicocele = "varicocele"


class HistoryItem(StrEnum):
    """Past history of Table 1 and the associations cited by zhang2021 (Discussion, ref. 11)."""

    hypertension = "hypertension"
    hyperlipidaemia = "hyperlipidaemia"
    diabetes = "diabetes"
    uterine_fibroids = "uterine_fibroids"
    endocrine_tumour = "endocrine_tumour"
    previous_malignancy = "previous_malignancy"
    previous_abdominal_surgery = "previous_abdominal_surgery"
    coronary_disease = "coronary_disease"
    chronic_kidney_disease = "chronic_kidney_disease"
    venous_thrombosis = "venous_thrombosis"


class TestResult(StrEnum):
    __test__ = False

    not_done = "not_done"
    normal = "normal"
    borderline = "borderline"
    abnormal = "abnormal"


class ImagingModality(StrEnum):
    cect = "cect"
    ctu = "ctu"
    mri = "mri"
    pet_ct = "pet_ct"
    ultrasound = "ultrasound"
    chest_ct = "chest_ct"
    doppler_ultrasound = "doppler_ultrasound"
    echocardiography = "echocardiography"
    transoesophageal_echocardiography = "transoesophageal_echocardiography"
    cavography = "cavography"
    angiography = "angiography"


class ContrastPhase(StrEnum):
    unenhanced = "unenhanced"
    arterial = "arterial"
    portal_venous = "portal_venous"
    nephrographic = "nephrographic"
    excretory = "excretory"
    delayed = "delayed"


class Vessel(StrEnum):
    """Vessel of origin or involvement (zhang2021 Background: IVC, renal, adrenal, iliac veins).

    ``gonadal_vein`` and ``iliac_vein`` stay for reports that do not say which one;
    ``adrenal_gland`` is a tumour reported as arising in the gland rather than its vein.
    """

    ivc = "ivc"
    renal_vein = "renal_vein"
    adrenal_vein = "adrenal_vein"
    adrenal_gland = "adrenal_gland"
    gonadal_vein = "gonadal_vein"
    ovarian_vein = "ovarian_vein"
    testicular_vein = "testicular_vein"
    iliac_vein = "iliac_vein"
    common_iliac_vein = "common_iliac_vein"
    external_iliac_vein = "external_iliac_vein"
    internal_iliac_vein = "internal_iliac_vein"
    unknown = "unknown"


GONADAL_VEINS = frozenset({Vessel.gonadal_vein, Vessel.ovarian_vein, Vessel.testicular_vein})
ILIAC_VEINS = frozenset(
    {
        Vessel.iliac_vein,
        Vessel.common_iliac_vein,
        Vessel.external_iliac_vein,
        Vessel.internal_iliac_vein,
    }
)
ADRENAL_ORIGINS = frozenset({Vessel.adrenal_vein, Vessel.adrenal_gland})
TRIBUTARIES = frozenset({Vessel.renal_vein} | ADRENAL_ORIGINS | GONADAL_VEINS | ILIAC_VEINS)


class IvcLandmark(StrEnum):
    """Landmarks along the IVC from caudal to cranial, used to derive the IVC level.

    Order matters: the members are listed from the iliac confluence up to the right atrium.
    """

    iliac_confluence = "iliac_confluence"
    infrarenal = "infrarenal"
    renal_veins = "renal_veins"
    suprarenal_infrahepatic = "suprarenal_infrahepatic"
    retrohepatic = "retrohepatic"
    hepatic_veins = "hepatic_veins"
    suprahepatic = "suprahepatic"
    right_atrium = "right_atrium"


class IvcLevel(StrEnum):
    I = "I"  # noqa: E741
    II = "II"
    III = "III"


class ImagingType(StrEnum):
    """The four imaging types of yang2025 (Abstract, Results)."""

    intraluminal = "intraluminal"
    intermediate = "intermediate"
    extraluminal = "extraluminal"
    peripheral = "peripheral"


class Patency(StrEnum):
    patent = "patent"
    partially_occluded = "partially_occluded"
    occluded = "occluded"


class DiaphragmRelation(StrEnum):
    """Where the cranial end of tumour or thrombus lies relative to the diaphragm: below it
    the hepatocaval confluence is reached from the abdomen (total hepatic vascular exclusion,
    veno-venous bypass); above it cardiopulmonary bypass is needed (Eyraud chapter)."""

    below = "below"
    at = "at"
    above = "above"


class IvcRelation(StrEnum):
    """How the tumour meets the IVC wall: outside it (abutting or compressing), through it
    (wall invaded) or growing within it (intramural, the primary caval-wall tumour)."""

    abutted = "abutted"
    compressed = "compressed"
    wall_invaded = "wall_invaded"
    intramural = "intramural"


class WorkingDiagnosis(StrEnum):
    """What the team thought the mass was before histology."""

    vascular_leiomyosarcoma = "vascular_leiomyosarcoma"
    retroperitoneal_sarcoma = "retroperitoneal_sarcoma"
    renal_cell_carcinoma_with_thrombus = "renal_cell_carcinoma_with_thrombus"
    adrenal_tumour = "adrenal_tumour"
    adrenocortical_carcinoma = "adrenocortical_carcinoma"
    paraganglioma = "paraganglioma"
    bland_ivc_thrombosis = "bland_ivc_thrombosis"
    liposarcoma = "liposarcoma"
    neurogenic_tumour = "neurogenic_tumour"
    lymphoma = "lymphoma"
    metastasis = "metastasis"
    hepatic_tumour = "hepatic_tumour"
    gynaecological_tumour = "gynaecological_tumour"
    other = "other"
    unknown = "unknown"


class WallInvolvement(StrEnum):
    """How much of the IVC wall the tumour involves, when no percentage is measured."""

    none = "none"
    partial = "partial"
    circumferential = "circumferential"


class Organ(StrEnum):
    kidney = "kidney"
    adrenal = "adrenal"
    liver = "liver"
    renal_artery = "renal_artery"
    duodenum = "duodenum"
    pancreas = "pancreas"
    colon = "colon"
    ureter = "ureter"
    aorta = "aorta"
    superior_mesenteric_artery = "superior_mesenteric_artery"
    coeliac_trunk = "coeliac_trunk"
    portal_vein = "portal_vein"
    psoas = "psoas"
    spine = "spine"
    right_atrium = "right_atrium"
    spleen = "spleen"
    stomach = "stomach"
    small_bowel = "small_bowel"
    mesentery = "mesentery"
    iliac_artery = "iliac_artery"
    diaphragm = "diaphragm"


class InvolvementExtent(StrEnum):
    """From least to most: ``none`` records that the structure was read and is free."""

    none = "none"
    abutment = "abutment"
    compression = "compression"
    adhesion = "adhesion"
    invasion = "invasion"
    encasement = "encasement"


class KidneyFunction(StrEnum):
    normal = "normal"
    impaired = "impaired"
    hydronephrosis = "hydronephrosis"
    horseshoe = "horseshoe"
    non_functioning = "non_functioning"
    absent = "absent"


class MetastasisSite(StrEnum):
    lung = "lung"
    liver = "liver"
    bone = "bone"
    peritoneum = "peritoneum"
    lymph_nodes = "lymph_nodes"
    other = "other"


class BiopsyMethod(StrEnum):
    percutaneous_core = "percutaneous_core"
    fine_needle_aspiration = "fine_needle_aspiration"
    laparoscopic = "laparoscopic"
    open = "open"
    endoscopic = "endoscopic"
    endovascular = "endovascular"


class BiopsyResult(StrEnum):
    leiomyosarcoma = "leiomyosarcoma"
    smooth_muscle_tumour = "smooth_muscle_tumour"
    other_sarcoma = "other_sarcoma"
    liposarcoma = "liposarcoma"
    paraganglioma = "paraganglioma"
    neurogenic_tumour = "neurogenic_tumour"
    lymphoma = "lymphoma"
    metastasis = "metastasis"
    carcinoma = "carcinoma"
    benign = "benign"
    indeterminate = "indeterminate"
    non_diagnostic = "non_diagnostic"


class MdtDecision(StrEnum):
    surgery = "surgery"
    neoadjuvant_then_surgery = "neoadjuvant_then_surgery"
    systemic_therapy = "systemic_therapy"
    radiotherapy = "radiotherapy"
    surveillance = "surveillance"
    clinical_trial = "clinical_trial"
    best_supportive_care = "best_supportive_care"
    further_work_up = "further_work_up"


class Approach(StrEnum):
    """Surgical approach (plan contract vocabulary)."""

    laparoscopic = "laparoscopic"
    robotic = "robotic"
    open = "open"


class Access(StrEnum):
    retroperitoneal = "retroperitoneal"
    transperitoneal = "transperitoneal"
    thoracoabdominal = "thoracoabdominal"


class VascularControl(StrEnum):
    """Vascular control (plan contract vocabulary)."""

    none = "none"
    partial_clamp = "partial_clamp"
    complete_clamp = "complete_clamp"
    veno_venous_bypass = "veno_venous_bypass"
    total_hepatic_vascular_exclusion = "total_hepatic_vascular_exclusion"
    cardiopulmonary_bypass = "cardiopulmonary_bypass"
    hypothermic_circulatory_arrest = "hypothermic_circulatory_arrest"


class Reconstruction(StrEnum):
    """Venous reconstruction (plan contract vocabulary; yang2025 counts repair, patch, ligation)."""

    none = "none"
    primary_repair = "primary_repair"
    patch = "patch"
    tube_graft = "tube_graft"
    ligation = "ligation"
    renal_vein_ligation = "renal_vein_ligation"
    renal_vein_reimplantation = "renal_vein_reimplantation"
    end_to_end_repair = "end_to_end_repair"
    renal_autotransplantation = "renal_autotransplantation"
    vein_of_origin_ligation = "vein_of_origin_ligation"


class GraftMaterial(StrEnum):
    suture = "suture"
    bovine_pericardium = "bovine_pericardium"
    autologous_vein = "autologous_vein"
    ptfe = "ptfe"
    ringed_ptfe = "ringed_ptfe"
    dacron = "dacron"
    homograft = "homograft"


class OrganResection(StrEnum):
    """Organ resection items (plan contract vocabulary)."""

    nephrectomy = "nephrectomy"
    partial_nephrectomy = "partial_nephrectomy"
    adrenalectomy = "adrenalectomy"
    partial_adrenalectomy = "partial_adrenalectomy"
    liver_resection = "liver_resection"
    duodenal_resection = "duodenal_resection"
    pancreatoduodenectomy = "pancreatoduodenectomy"
    colectomy = "colectomy"
    ureter_resection = "ureter_resection"
    psoas_resection = "psoas_resection"
    splenectomy = "splenectomy"
    distal_pancreatectomy = "distal_pancreatectomy"
    small_bowel_resection = "small_bowel_resection"
    ex_vivo_liver_resection = "ex_vivo_liver_resection"
    aortic_resection = "aortic_resection"
    diaphragm_resection = "diaphragm_resection"


class Resectability(StrEnum):
    """Whether, and where, the tumour can be resected (plan contract vocabulary).

    ``resectable_expert_centre`` separates tumours that teams do resect, with vascular, aortic,
    hepatic or cardiac reconstruction, from those that cannot be resected at all.
    """

    resectable = "resectable"
    resectable_expert_centre = "resectable_expert_centre"
    not_resectable = "not_resectable"


class PerioperativeTherapy(StrEnum):
    """Neoadjuvant or adjuvant treatment (plan contract vocabulary)."""

    none = "none"
    chemotherapy = "chemotherapy"
    radiotherapy = "radiotherapy"
    chemoradiotherapy = "chemoradiotherapy"
    clinical_trial = "clinical_trial"


class SystemicTherapy(StrEnum):
    """Systemic treatment of advanced (metastatic or unresectable) disease (plan vocabulary)."""

    not_indicated = "not_indicated"
    doxorubicin_trabectedin = "doxorubicin_trabectedin"
    doxorubicin = "doxorubicin"
    doxorubicin_ifosfamide = "doxorubicin_ifosfamide"
    doxorubicin_dacarbazine = "doxorubicin_dacarbazine"
    gemcitabine_docetaxel = "gemcitabine_docetaxel"
    trabectedin = "trabectedin"
    later_line = "later_line"
    clinical_trial = "clinical_trial"
    best_supportive_care = "best_supportive_care"


class Stain(StrEnum):
    positive = "positive"
    negative = "negative"
    focal = "focal"
    not_done = "not_done"


class TherapyKind(StrEnum):
    chemotherapy = "chemotherapy"
    radiotherapy = "radiotherapy"
    targeted = "targeted"
    clinical_trial = "clinical_trial"
    alpha_blockade = "alpha_blockade"


class TherapyStatus(StrEnum):
    recommended = "recommended"
    declined = "declined"
    received = "received"
    ongoing = "ongoing"
    stopped = "stopped"


class EventKind(StrEnum):
    local_recurrence = "local_recurrence"
    distant_metastasis = "distant_metastasis"
    death = "death"


class VitalStatus(StrEnum):
    """Status at last contact; zhang2021 Table 1 uses AWR (alive with recurrence) and AOD."""

    alive_without_disease = "alive_without_disease"
    alive_with_disease = "alive_with_disease"
    dead_of_disease = "dead_of_disease"
    dead_of_other_cause = "dead_of_other_cause"
    lost_to_follow_up = "lost_to_follow_up"


__all__ = [
    "ADRENAL_ORIGINS",
    "GONADAL_VEINS",
    "ILIAC_VEINS",
    "TRIBUTARIES",
    "Access",
    "Approach",
    "BiopsyMethod",
    "BiopsyResult",
    "ContrastPhase",
    "DiaphragmRelation",
    "EventKind",
    "GraftMaterial",
    "HistoryItem",
    "ImagingModality",
    "ImagingType",
    "InvolvementExtent",
    "IvcLandmark",
    "IvcLevel",
    "IvcRelation",
    "KidneyFunction",
    "MdtDecision",
    "MetastasisSite",
    "Organ",
    "OrganResection",
    "Patency",
    "PerioperativeTherapy",
    "Reconstruction",
    "Resectability",
    "Sex",
    "Side",
    "Stain",
    "Symptom",
    "SystemicTherapy",
    "TestResult",
    "TherapyKind",
    "TherapyStatus",
    "VascularControl",
    "Vessel",
    "VitalStatus",
    "WallInvolvement",
    "WorkingDiagnosis",
    "vocabulary_key",
]


def vocabulary_key(word: str) -> str:
    """The spelling two vocabulary words are compared by: case, spaces and hyphens ignored."""
    return "_".join(word.strip().lower().replace("-", " ").replace("_", " ").split())
