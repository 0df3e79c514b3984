"""Residual tumour (R) classification.

Oracle: Wittekind C et al., Cancer 2009, doi 10.1002/cncr.24320 (clinical brief section 4.5).
"""

import pytest

from rvlms.scores import ResidualTumour, macroscopically_complete


@pytest.mark.parametrize(
    ("r", "complete"),
    [
        (ResidualTumour.R0, True),
        (ResidualTumour.R1, True),
        (ResidualTumour.R2, False),
        (ResidualTumour.RX, None),
    ],
)
def test_macroscopic_completeness(r: ResidualTumour, complete: bool | None) -> None:
    """Only R2 leaves gross residue; RX cannot be assessed and is counted as neither."""
    assert macroscopically_complete(r) is complete


def test_descriptions_follow_the_definitions() -> None:
    assert "cannot be assessed" in ResidualTumour.RX.description
    assert "no residual" in ResidualTumour.R0.description
    assert "microscopic" in ResidualTumour.R1.description
    assert "macroscopic" in ResidualTumour.R2.description


def test_zhang2021_negative_margins_are_complete_resections() -> None:
    """zhang2021 Table 1: resection margin negative in all four cases (R0)."""
    assert macroscopically_complete(ResidualTumour("R0")) is True
