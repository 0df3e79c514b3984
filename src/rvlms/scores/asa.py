"""ASA physical status classification.

zhang2021 (Table 1; Results) assessed all four patients as ASA 2; STRASS required ASA <= 2 and
STRASS2 ASA < 3 for eligibility. The emergency suffix "E" is independent of the class, so it is
kept as its own flag. Source: American Society of Anesthesiologists, ASA Physical Status
Classification System.
"""

import re
from enum import IntEnum
from typing import Literal

from pydantic import computed_field

from rvlms.scores.citations import CITATIONS
from rvlms.scores.errors import ScoreInputError
from rvlms.scores.result import ScoreResult


class AsaClass(IntEnum):
    """ASA physical status class 1-6."""

    HEALTHY = 1
    MILD_SYSTEMIC_DISEASE = 2
    SEVERE_SYSTEMIC_DISEASE = 3
    CONSTANT_THREAT_TO_LIFE = 4
    MORIBUND = 5
    BRAIN_DEAD_DONOR = 6

    @property
    def description(self) -> str:
        return _DESCRIPTION[self]


_DESCRIPTION = {
    AsaClass.HEALTHY: "a normal healthy patient",
    AsaClass.MILD_SYSTEMIC_DISEASE: "a patient with mild systemic disease",
    AsaClass.SEVERE_SYSTEMIC_DISEASE: "a patient with severe systemic disease",
    AsaClass.CONSTANT_THREAT_TO_LIFE: (
        "a patient with severe systemic disease that is a constant threat to life"
    ),
    AsaClass.MORIBUND: "a moribund patient who is not expected to survive without the operation",
    AsaClass.BRAIN_DEAD_DONOR: "a declared brain-dead patient whose organs are being removed",
}

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6}
_ASA_PATTERN = re.compile(r"^(?:asa)?([1-6]|i{1,3}|iv|vi?)(e?)$")


class AsaStatus(ScoreResult):
    """An ASA class with the emergency flag, e.g. label "ASA 3E"."""

    asa_class: AsaClass
    emergency: bool
    source: str = CITATIONS["asa_physical_status"]
    citation_key: Literal["asa_physical_status"] = "asa_physical_status"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def label(self) -> str:
        return f"ASA {int(self.asa_class)}{'E' if self.emergency else ''}"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def description(self) -> str:
        return self.asa_class.description


def asa_status(asa_class: AsaClass | int, *, emergency: bool = False) -> AsaStatus:
    """ASA status from a class number 1-6 and the emergency flag."""
    if isinstance(asa_class, bool) or asa_class not in {c.value for c in AsaClass}:
        raise ScoreInputError("asa_class", asa_class, "a class from 1 to 6")
    return AsaStatus(asa_class=AsaClass(asa_class), emergency=emergency)


def parse_asa(text: str) -> AsaStatus:
    """Read "2", "ASA 2", "3E", "ASA IIIE" or "iv e" as written in anaesthetic records."""
    match = _ASA_PATTERN.match("".join(str(text).split()).lower())
    if match is None:
        raise ScoreInputError(
            "asa", text, "ASA class 1-6 (or I-VI), optionally followed by E for emergency"
        )
    number, suffix = match.groups()
    value = int(number) if number.isdigit() else _ROMAN[number]
    return asa_status(value, emergency=suffix == "e")
