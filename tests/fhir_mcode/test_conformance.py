"""Every exported resource against the mCODE STU4 rules extracted from the IG's FHIR
Shorthand (src/rvlms/fhir/mcode_requirements.yaml), and against the R4B resource models."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class

from rvlms.case import Case
from rvlms.fhir import case_resources, check_resource, must_support_gaps
from rvlms.fhir.conformance import requirements

PROFILES_USED = {
    "mcode-cancer-patient",
    "mcode-primary-cancer-condition",
    "mcode-secondary-cancer-condition",
    "mcode-tumor-size",
    "mcode-tumor",
    "mcode-tumor-specimen",
    "mcode-tnm-primary-tumor-category",
    "mcode-tnm-regional-nodes-category",
    "mcode-tnm-distant-metastases-category",
    "mcode-tnm-stage-group",
    "mcode-histologic-grade",
    "mcode-cancer-related-surgical-procedure",
    "mcode-radiotherapy-course-summary",
    "mcode-cancer-related-medication-request",
    "mcode-cancer-disease-status",
}


def _all(cases: list[Case]) -> list[dict[str, Any]]:
    return [r for case in cases for r in case_resources(case)]


@pytest.fixture(scope="module")
def exported(zhang: list[Case], synthetic: list[Case], full_case: Case) -> list[dict[str, Any]]:
    return _all([*zhang, *synthetic, full_case])


def test_the_rules_name_their_source_commit() -> None:
    data = requirements()
    assert data["source"]["repository"] == "HL7/fhir-mCODE-ig"
    for name, rules in data["profiles"].items():
        assert rules["path"].startswith("input/fsh/"), name
        assert len(rules["commit"]) == 40, name


def test_every_resource_meets_the_rules_of_its_profile(exported: list[dict[str, Any]]) -> None:
    problems = [p for resource in exported for p in check_resource(resource)]
    assert problems == []
    used = {u.rsplit("/", 1)[1] for r in exported for u in r.get("meta", {}).get("profile", [])}
    assert used == PROFILES_USED


def test_every_resource_is_a_valid_r4_resource(exported: list[dict[str, Any]]) -> None:
    for resource in exported:
        model = get_fhir_model_class(resource["resourceType"])
        assert model.model_validate(resource).model_dump(mode="json") == resource


def test_must_support_elements_are_sent_or_their_absence_is_explained(
    exported: list[dict[str, Any]],
) -> None:
    assert must_support_gaps(exported) == {}


def test_zhang2021_case4_is_staged_iiib(zhang: list[Case]) -> None:
    """zhang2021 case 4: 10.7 cm, FNCLCC G2, N0 M0 -> T3, AJCC 8th retroperitoneum IIIB."""
    resources = [r for r in case_resources(zhang[3]) if "profile" in r.get("meta", {})]
    group = next(r for r in resources if r["meta"]["profile"][0].endswith("tnm-stage-group"))
    assert group["valueCodeableConcept"]["coding"][0] == {
        "system": "http://cancerstaging.org",
        "code": "3B",
        "display": "IIIB",
    }
    t = next(r for r in resources if r["meta"]["profile"][0].endswith("primary-tumor-category"))
    assert t["valueCodeableConcept"]["coding"][0]["code"] == "cT3"


@pytest.mark.parametrize(
    ("profile", "breakage", "expected"),
    [
        ("mcode-tumor-size", lambda r: r.pop("focus"), "must-have-focus-or-specimen"),
        ("mcode-tumor-size", lambda r: r["code"]["coding"][0].update(code="33728-7"), "21889-1"),
        (
            "mcode-tumor-size",
            lambda r: r["component"][0]["valueQuantity"].update(code="in"),
            "TumorSizeUnitsVS",
        ),
        (
            "mcode-primary-cancer-condition",
            lambda r: r["bodySite"][0]["extension"][0]["valueCodeableConcept"]["coding"][0].update(
                code="66459002"
            ),
            "LateralityQualifierVS",
        ),
        ("mcode-tnm-stage-group", lambda r: r.pop("method"), "method is required"),
        (
            "mcode-cancer-disease-status",
            lambda r: r["valueCodeableConcept"]["coding"][0].update(code="385633008"),
            "ConditionStatusTrendVS",
        ),
        (
            "mcode-cancer-related-surgical-procedure",
            lambda r: r["category"]["coding"][0].update(code="71388002"),
            "387713003",
        ),
    ],
)
def test_a_broken_resource_is_caught(
    exported: list[dict[str, Any]], profile: str, breakage: Any, expected: str
) -> None:
    resource = copy.deepcopy(
        next(
            r
            for r in exported
            if r.get("meta", {}).get("profile", [""])[0].endswith(profile)
            and (profile != "mcode-tumor-size" or "focus" in r)
        )
    )
    breakage(resource)
    assert any(expected in p for p in check_resource(resource)), check_resource(resource)
