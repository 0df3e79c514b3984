"""IVC level and the yang2025 imaging type under the proposed operational definition."""

from __future__ import annotations

from typing import Any

import pytest

from rvlms.case import parse_case
from rvlms.examples import load_zhang2021
from rvlms.imaging import ImagingDefinition, classify, default_definition


def _classify(imaging: dict[str, Any], definition: ImagingDefinition | None = None) -> Any:
    return classify(parse_case({"case_id": "t", "imaging": imaging}), definition)


def test_zhang_cases() -> None:
    """zhang2021 Table 1: all four middle-segment (level II); case 2 is a renal-vein tumour."""
    results = [classify(c) for c in load_zhang2021()]
    assert [r.ivc_level.value if r.ivc_level else None for r in results] == ["II"] * 4
    assert [r.imaging_type.value if r.imaging_type else None for r in results] == [
        "extraluminal",
        "peripheral",
        "intermediate",
        "intermediate",
    ]
    assert all(r.imaging_type_source == "rule" for r in results)
    assert all("proposed, not from yang2025" in r.definition for r in results)


@pytest.mark.parametrize(
    ("lower", "upper", "levels"),
    [
        ("iliac_confluence", "infrarenal", ["I"]),
        ("infrarenal", "renal_veins", ["I", "II"]),
        ("renal_veins", "retrohepatic", ["II"]),
        ("suprarenal_infrahepatic", "hepatic_veins", ["II", "III"]),
        ("infrarenal", "right_atrium", ["I", "II", "III"]),
        (None, "suprahepatic", ["III"]),
    ],
)
def test_levels_from_landmarks(lower: str | None, upper: str, levels: list[str]) -> None:
    imaging: dict[str, Any] = {"ivc_involved": True, "ivc_upper_extent": upper}
    if lower:
        imaging["ivc_lower_extent"] = lower
    result = _classify(imaging)
    assert [v.value for v in result.ivc_levels] == levels
    assert result.ivc_level is not None and result.ivc_level.value == levels[-1]
    assert result.ivc_level_source == "rule"


def test_thrombus_extent_raises_the_level() -> None:
    result = _classify(
        {
            "ivc_involved": True,
            "ivc_lower_extent": "renal_veins",
            "ivc_upper_extent": "renal_veins",
            "tumour_thrombus": {"vessel": "ivc", "upper_extent": "right_atrium"},
        }
    )
    assert result.ivc_level is not None and result.ivc_level.value == "III"


def test_radiologist_level_wins() -> None:
    result = _classify(
        {"ivc_involved": True, "ivc_segments": ["I"], "ivc_upper_extent": "hepatic_veins"}
    )
    assert result.ivc_level is not None and result.ivc_level.value == "I"
    assert result.ivc_level_source == "radiologist"


@pytest.mark.parametrize(
    ("fraction", "expected"),
    [
        (1.0, "intraluminal"),
        (0.9, "intraluminal"),
        (0.89, "intermediate"),
        (0.5, "intermediate"),
        (0.11, "intermediate"),
        (0.1, "extraluminal"),
        (0.0, "extraluminal"),
    ],
)
def test_fraction_thresholds(fraction: float, expected: str) -> None:
    """Clinical brief §1.3 [P]: ≥ 0.9 intraluminal, ≤ 0.1 extraluminal, otherwise intermediate."""
    result = _classify({"vessel_of_origin": "ivc", "intraluminal_fraction": fraction})
    assert result.imaging_type is not None and result.imaging_type.value == expected


@pytest.mark.parametrize("vessel", ["renal_vein", "adrenal_vein", "gonadal_vein", "iliac_vein"])
def test_tributary_origin_is_peripheral(vessel: str) -> None:
    result = _classify({"vessel_of_origin": vessel})
    assert result.imaging_type is not None and result.imaging_type.value == "peripheral"


def test_radiologist_type_wins_and_disagreement_is_shown() -> None:
    result = _classify(
        {"vessel_of_origin": "ivc", "intraluminal_fraction": 0.95, "imaging_type": "intermediate"}
    )
    assert result.imaging_type is not None and result.imaging_type.value == "intermediate"
    assert result.imaging_type_source == "radiologist"
    assert result.rule_imaging_type is not None and result.rule_imaging_type.value == "intraluminal"
    assert any("would give intraluminal" in r for r in result.reasons)


def test_missing_facts_give_no_type() -> None:
    result = _classify({})
    assert result.imaging_type is None and result.imaging_type_source is None
    assert {m.fact for m in result.missing} >= {
        "imaging.vessel_of_origin",
        "imaging.ivc_upper_extent",
    }
    partial = _classify({"vessel_of_origin": "ivc", "extraluminal_component": True})
    assert partial.imaging_type is None
    assert [m.fact for m in partial.missing if m.needed_for.startswith("imaging type")] == [
        "imaging.intraluminal_component"
    ]


def test_thresholds_are_configurable() -> None:
    stricter = default_definition().model_copy(
        update={
            "id": "local-v2",
            "intraluminal_min_fraction": 0.8,
            "extraluminal_max_fraction": 0.2,
        }
    )
    result = _classify({"vessel_of_origin": "ivc", "intraluminal_fraction": 0.85}, stricter)
    assert result.imaging_type is not None and result.imaging_type.value == "intraluminal"
    assert result.definition.startswith("definition used: local-v2")


def test_inverted_thresholds_refused() -> None:
    data = default_definition().model_dump()
    data.update(intraluminal_min_fraction=0.2, extraluminal_max_fraction=0.5)
    with pytest.raises(ValueError, match="extraluminal_max_fraction"):
        ImagingDefinition.model_validate(data)
