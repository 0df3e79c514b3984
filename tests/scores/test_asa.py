"""ASA physical status.

Oracle: ASA Physical Status Classification System (clinical brief section 4.6).
"""

import pytest

from rvlms.scores import AsaClass, AsaStatus, asa_status, parse_asa


@pytest.mark.parametrize(
    ("text", "asa_class", "emergency"),
    [
        ("1", AsaClass.HEALTHY, False),
        ("2", AsaClass.MILD_SYSTEMIC_DISEASE, False),
        ("ASA 2", AsaClass.MILD_SYSTEMIC_DISEASE, False),
        ("3E", AsaClass.SEVERE_SYSTEMIC_DISEASE, True),
        ("ASA IIIE", AsaClass.SEVERE_SYSTEMIC_DISEASE, True),
        ("iv e", AsaClass.CONSTANT_THREAT_TO_LIFE, True),
        ("V", AsaClass.MORIBUND, False),
        ("6", AsaClass.BRAIN_DEAD_DONOR, False),
    ],
)
def test_parse_asa(text: str, asa_class: AsaClass, emergency: bool) -> None:
    status = parse_asa(text)
    assert (status.asa_class, status.emergency) == (asa_class, emergency)


@pytest.mark.parametrize("text", ["0", "7", "VII", "ASA", "2X", ""])
def test_parse_asa_rejects_unknown_classes(text: str) -> None:
    with pytest.raises(ValueError, match="ASA class 1-6"):
        parse_asa(text)


@pytest.mark.parametrize("bad", [0, 7, True])
def test_asa_status_rejects_numbers_outside_1_to_6(bad: int) -> None:
    with pytest.raises(ValueError, match="asa_class"):
        asa_status(bad)


def test_zhang2021_patients_were_asa_2() -> None:
    """zhang2021 Table 1 and Results: pre-operative ASA grade 2 in all four patients."""
    status = parse_asa("2")
    assert status.label == "ASA 2"
    assert status.description == "a patient with mild systemic disease"
    assert status.citation_key == "asa_physical_status"


def test_emergency_suffix_and_round_trip() -> None:
    status = asa_status(3, emergency=True)
    assert status.label == "ASA 3E"
    assert AsaStatus.model_validate_json(status.model_dump_json()) == status


def test_every_class_has_a_description() -> None:
    """ASA 1 normal healthy ... 6 declared brain-dead organ donor (clinical brief 4.6)."""
    assert [int(c) for c in AsaClass] == [1, 2, 3, 4, 5, 6]
    assert "constant threat to life" in AsaClass.CONSTANT_THREAT_TO_LIFE.description
    assert "brain-dead" in AsaClass.BRAIN_DEAD_DONOR.description
