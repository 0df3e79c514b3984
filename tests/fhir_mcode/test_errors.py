"""A file that cannot be read names the resource, its position and the field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rvlms.case import Case
from rvlms.fhir import FhirFileInvalid, case_bundle, cases_from_resources, read_fhir_file


def _items(case: Case) -> list[tuple[str, dict[str, object]]]:
    return [(f"entry[{i}]", e["resource"]) for i, e in enumerate(case_bundle(case)["entry"])]


def test_a_malformed_resource_is_named_with_its_field(zhang: list[Case]) -> None:
    items = _items(zhang[0])
    items[1][1]["valueQuantity"] = {"value": "seven"}
    with pytest.raises(FhirFileInvalid) as caught:
        cases_from_resources(items, "case1.json")
    assert caught.value.problems[0].path.startswith("entry[1](Observation/")
    assert "valueQuantity.value" in caught.value.problems[0].path


def test_resources_of_an_absent_patient_and_unknown_types_are_refused(zhang: list[Case]) -> None:
    items = _items(zhang[0])
    orphan = [(w, r) for w, r in items if r["resourceType"] != "Patient"]
    with pytest.raises(FhirFileInvalid, match="no Patient resource"):
        cases_from_resources(orphan, "f")
    with pytest.raises(FhirFileInvalid, match="'Tumour' is not a FHIR R4B resource type"):
        cases_from_resources([*items, ("entry[99]", {"resourceType": "Tumour"})], "f")


def test_an_implausible_value_is_refused_with_the_resource_it_came_from(zhang: list[Case]) -> None:
    """A creatinine of 1 µmol/L is refused by the case record; the message names the
    Observation it was read from, not a case path alone."""
    items = _items(zhang[0])
    creatinine = {
        "resourceType": "Observation",
        "id": "crea",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "14682-9"}]},
        "subject": {"reference": f"Patient/{items[0][1]['id']}"},
        "valueQuantity": {
            "value": -5,
            "unit": "umol/L",
            "code": "umol/L",
            "system": "http://unitsofmeasure.org",
        },
    }
    with pytest.raises(FhirFileInvalid) as caught:
        cases_from_resources([*items, ("entry[50]", creatinine)], "f")
    assert any("entry[50](Observation/crea)" in p.path for p in caught.value.problems)
    assert any("labs.creatinine_umol_l" in p.message for p in caught.value.problems)


def test_a_folder_without_ndjson_and_a_bundle_entry_list_that_is_not_a_list(tmp_path: Path) -> None:
    with pytest.raises(FhirFileInvalid, match=r"holds no \.ndjson file"):
        read_fhir_file(tmp_path)
    (tmp_path / "b.json").write_text(json.dumps({"resourceType": "Bundle", "entry": {}}), "utf-8")
    with pytest.raises(FhirFileInvalid, match=r"Bundle\.entry must be a list"):
        read_fhir_file(tmp_path / "b.json")
