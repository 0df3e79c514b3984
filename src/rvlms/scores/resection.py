"""Residual tumour (R) classification after resection.

zhang2021 (Table 1) reports negative margins in all four patients, yang2025 (abstract) R1/R2 in 3 of
24. Source: Wittekind C et al., Cancer 2009, doi 10.1002/cncr.24320 (UICC/AJCC R classification).
"""

from enum import StrEnum


class ResidualTumour(StrEnum):
    """R category of a resection."""

    RX = "RX"
    R0 = "R0"
    R1 = "R1"
    R2 = "R2"

    @property
    def description(self) -> str:
        return _DESCRIPTION[self]


_DESCRIPTION = {
    ResidualTumour.RX: "presence of residual tumour cannot be assessed",
    ResidualTumour.R0: "no residual tumour (margins microscopically negative)",
    ResidualTumour.R1: (
        "microscopic residual tumour (no gross residue, margin involved on microscopy)"
    ),
    ResidualTumour.R2: "macroscopic (gross) residual tumour",
}


def macroscopically_complete(r: ResidualTumour) -> bool | None:
    """Whether no gross tumour was left: True for R0 and R1, False for R2, None for RX.

    Follows from the definitions themselves (only R2 has gross residue). It is the complete vs
    incomplete split the retroperitoneal sarcoma nomograms use. RX gives None because a
    resection that cannot be assessed must not be counted as either.
    """
    if r is ResidualTumour.RX:
        return None
    return r is not ResidualTumour.R2
