"""Citation keys of the scores and the reference each key stands for.

Every result object carries one of these keys so that a rendered plan or report can resolve it
against the bibliography; the text is the short reference shown next to a computed value.
"""

from types import MappingProxyType
from typing import Final, Literal

CitationKey = Literal[
    "fnclcc_guillou1997",
    "ajcc8_retroperitoneum",
    "clavien_dindo2004",
    "ckd_epi_2021",
    "kdigo_gfr_categories",
    "residual_tumour_wittekind2009",
    "asa_physical_status",
]

CITATIONS: Final = MappingProxyType[CitationKey, str](
    {
        "fnclcc_guillou1997": (
            "Guillou L et al., J Clin Oncol 1997;15:350-62; NCI PDQ Adult STS (HP)"
        ),
        "ajcc8_retroperitoneum": (
            "Pollock RE et al., AJCC Cancer Staging Manual 8th ed., Springer 2017, pp 531-7 "
            "(soft tissue sarcoma of the retroperitoneum); NCI PDQ Adult STS (HP)"
        ),
        "clavien_dindo2004": "Dindo D, Demartines N, Clavien PA, Ann Surg 2004;240:205-13",
        "ckd_epi_2021": (
            "Inker LA et al., N Engl J Med 2021;385:1737-49, PMID 34554658 "
            "(CKD-EPI 2021 creatinine equation without race)"
        ),
        "kdigo_gfr_categories": "KDIGO 2012 CKD guideline, GFR categories G1-G5",
        "residual_tumour_wittekind2009": (
            "Wittekind C et al., Cancer 2009, doi 10.1002/cncr.24320 "
            "(UICC/AJCC residual tumour classification)"
        ),
        "asa_physical_status": (
            "American Society of Anesthesiologists, ASA Physical Status Classification System"
        ),
    }
)
