"""Observations read into the case record: tumour size, metanephrines, creatinine, grade
and margin (the rules are listed in :mod:`rvlms.fhir.mapping`)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from rvlms.fhir.builder import Builder, Dated, Located
from rvlms.fhir.codes import GRADES, INTERPRETATIONS, LOINC, OBSERVATIONS, lookup, match_name
from rvlms.fhir.readers import (
    codings,
    concept_text,
    creatinine_umol,
    display_of,
    quantity_cm,
    when_of,
)

__all__ = ["SKIPPED_STATUS", "read_observations"]

SKIPPED_STATUS = {"entered-in-error", "cancelled", "not-done", "preparation"}
_LONGEST_DIMENSION = "33728-7"
_GRADE_TEXT = re.compile(r"(?:\bG|grade\s*)([123])\b", re.I)
_MARGIN_TEXT = re.compile(r"\bR\s*([012])\b")


def _observation_kind(observation: Any) -> tuple[str, str] | None:
    entry = lookup(OBSERVATIONS, codings(observation.code))
    if entry is not None:
        return entry.target.split(":", 1)[1], entry.label
    pattern = match_name(concept_text(observation.code), "observation:")
    if pattern is not None:
        return pattern.target.split(":", 1)[1], f"matched by name ({pattern.description})"
    return None


def _observation_when(observation: Any) -> str:
    period = observation.effectivePeriod
    return when_of(
        observation.effectiveDateTime, period.start if period else None, observation.issued
    )


def _size(observation: Any) -> tuple[float, str] | None:
    for component in observation.component or []:
        if (LOINC, _LONGEST_DIMENSION) in codings(component.code):
            return quantity_cm(component.valueQuantity)
    return quantity_cm(observation.valueQuantity)


def _metanephrine_result(observation: Any) -> str | None:
    """Raised or normal from the interpretation flags, else from the reference range."""
    flags = [c for concept in observation.interpretation or [] for _, c in codings(concept)]
    for component in observation.component or []:
        flags += [c for concept in component.interpretation or [] for _, c in codings(concept)]
    results = {INTERPRETATIONS.get((flag or "").upper()) for flag in flags}
    if "abnormal" in results:
        return "abnormal"
    if "normal" in results:
        return "normal"
    quantity = observation.valueQuantity
    for reference in observation.referenceRange or []:
        high = reference.high
        if (
            quantity is not None
            and quantity.value is not None
            and high is not None
            and high.value is not None
        ):
            return "abnormal" if Decimal(quantity.value) > Decimal(high.value) else "normal"
    return None


def _grade(observation: Any) -> tuple[str, str] | None:
    entry = lookup(GRADES, codings(observation.valueCodeableConcept))
    if entry is not None:
        return entry.target.split(":", 1)[1], entry.label
    text = " ".join(
        t for t in (concept_text(observation.valueCodeableConcept), observation.valueString) if t
    )
    match = _GRADE_TEXT.search(text)
    if match:
        return f"G{match.group(1)}", f"grade read from the text '{text[:40]}'"
    if observation.valueInteger in (1, 2, 3):
        return f"G{observation.valueInteger}", "grade as a number"
    return None


def _margin(observation: Any) -> tuple[str, str] | None:
    concept = observation.valueCodeableConcept
    texts = [code or "" for _, code in codings(concept)]
    texts += [concept_text(concept), observation.valueString or ""]
    for text in texts:
        match = _MARGIN_TEXT.search(text)
        if match:
            return f"R{match.group(1)}", f"residual tumour class read from '{text[:40]}'"
    return None


def read_observations(b: Builder, observations: list[Located]) -> None:
    latest: dict[str, Dated] = {}
    metanephrines: dict[str, list[tuple[Located, str, str]]] = {}

    def keep(key: str, item: Dated) -> None:
        if key not in latest or item.when >= latest[key].when:
            latest[key] = item

    for found in observations:
        observation = found.resource
        if observation.status in SKIPPED_STATUS:
            b.skip(found, f"status {observation.status}")
            continue
        kind = _observation_kind(observation)
        if kind is None:
            b.skip(found, display_of(observation.code))
            continue
        name, via = kind
        when = _observation_when(observation)
        if name in ("tumour_size", "tumour_longest_dimension"):
            size = _size(observation)
            if size is None:
                b.skip(found, "tumour size without a value in cm or mm")
                continue
            target = "pathology.size_cm" if observation.specimen else "imaging.max_diameter_cm"
            keep(target, Dated(when, found, size, via))
        elif name in ("plasma_metanephrines", "urine_metanephrines"):
            result = _metanephrine_result(observation)
            if result is None:
                b.skip(
                    found,
                    "metanephrines without an interpretation or reference range: "
                    "raised or normal cannot be told",
                )
                continue
            metanephrines.setdefault(name, []).append((found, result, via))
        elif name == "creatinine":
            code = next((c for s, c in codings(observation.code) if s == LOINC), None)
            value = creatinine_umol(observation.valueQuantity, code)
            if value is None:
                b.skip(found, "creatinine without a value in mg/dL or µmol/L")
                continue
            keep("labs.creatinine_umol_l", Dated(when, found, value, via))
        elif name == "histologic_grade":
            grade = _grade(observation)
            if grade is None:
                b.skip(found, "histologic grade without a G1–G3 value")
                continue
            keep(
                "pathology.fnclcc_grade",
                Dated(when, found, (grade[0], grade[0]), f"{via}; {grade[1]}"),
            )
        elif name == "margin":
            margin = _margin(observation)
            if margin is None:
                b.skip(found, "margin without an R0/R1/R2 value")
                continue
            keep(
                "pathology.margin",
                Dated(when, found, (margin[0], margin[0]), f"{via}; {margin[1]}"),
            )

    for path, item in latest.items():
        value, shown = item.value
        b.put(path, value, item.found, shown, item.via)
    fields = {
        "plasma_metanephrines": "labs.hormones.plasma_free_metanephrines",
        "urine_metanephrines": "labs.hormones.urine_fractionated_metanephrines",
    }
    for name, results in metanephrines.items():
        raised = [r for r in results if r[1] == "abnormal"]
        found, result, via = (raised or results)[-1]
        b.put(
            f"{fields[name]}.result",
            result,
            found,
            "raised" if result == "abnormal" else "normal",
            via,
        )
