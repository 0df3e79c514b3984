"""The public surface of ``rvlms.scores`` and the citation keys its results carry."""

import typing

import pytest

import rvlms.scores as scores
from rvlms.scores import (
    CITATIONS,
    AjccResult,
    AsaStatus,
    CitationKey,
    ClavienResult,
    EgfrResult,
    FnclccResult,
)

EXPECTED_PUBLIC_NAMES = {
    "CITATIONS",
    "AjccResult",
    "AsaClass",
    "AsaStatus",
    "CitationKey",
    "ClavienDindoGrade",
    "ClavienResult",
    "CreatinineUnit",
    "Differentiation",
    "EgfrResult",
    "FnclccGrade",
    "FnclccResult",
    "GfrCategory",
    "Intervention",
    "MCategory",
    "NCategory",
    "Necrosis",
    "OrganDysfunction",
    "ResidualTumour",
    "ScoreInputError",
    "ScoreResult",
    "Sex",
    "StageGroup",
    "TCategory",
    "ajcc_stage",
    "asa_status",
    "ckd_epi_2021",
    "classify",
    "describe_grade",
    "fnclcc_grade",
    "gfr_category",
    "macroscopically_complete",
    "mitotic_score",
    "necrosis_from_percent",
    "parse_asa",
    "parse_grade",
    "stage_group",
    "t_category",
}

BIBLIOGRAPHY_KEYS = {
    "fnclcc_guillou1997",
    "ajcc8_retroperitoneum",
    "clavien_dindo2004",
    "ckd_epi_2021",
    "kdigo_gfr_categories",
    "residual_tumour_wittekind2009",
    "asa_physical_status",
}


def test_all_lists_exactly_the_public_names() -> None:
    assert set(scores.__all__) == EXPECTED_PUBLIC_NAMES
    assert len(scores.__all__) == len(EXPECTED_PUBLIC_NAMES)
    for name in scores.__all__:
        assert getattr(scores, name) is not None


def test_citation_keys_are_the_bibliography_keys() -> None:
    assert set(typing.get_args(CitationKey)) == BIBLIOGRAPHY_KEYS
    assert set(CITATIONS) == BIBLIOGRAPHY_KEYS
    assert all(text.strip() for text in CITATIONS.values())


@pytest.mark.parametrize(
    "result_type", [FnclccResult, AjccResult, ClavienResult, EgfrResult, AsaStatus]
)
def test_every_result_defaults_to_a_known_citation(result_type: type[scores.ScoreResult]) -> None:
    assert issubclass(result_type, scores.ScoreResult)
    fields = result_type.model_fields
    key = fields["citation_key"].default
    assert key in CITATIONS
    assert fields["source"].default == CITATIONS[key]
    assert result_type.model_config.get("frozen") is True


def test_score_input_error_is_a_value_error_with_field_and_expectation() -> None:
    with pytest.raises(scores.ScoreInputError) as caught:
        scores.t_category(-2)
    assert isinstance(caught.value, ValueError)
    assert caught.value.field == "size_cm"
    assert "> 0" in caught.value.expected
