"""Reading FHIR R4B prefetch into the case record (``read_prefetch`` + ``map_prefetch``)."""

from __future__ import annotations

import datetime as dt

import pytest

from rvlms.case.vocab import MetastasisSite, TestResult, Vessel
from rvlms.cds.codes import lookup_icd10, normalise_icd10
from rvlms.pathway import build_plan

from .conftest import load_request, map_request


def test_zhang_case1_demographics_size_and_site() -> None:
    """zhang2021 Table 1 case 1: female, 33 years, 7.2 cm, IVC origin on the right."""
    case = map_request(load_request("zhang2021_case1_no_metanephrines")).case
    assert case.demographics.sex == "female"
    assert case.demographics.age_years == 33
    assert case.imaging.max_diameter_cm == 7.2
    assert case.imaging.vessel_of_origin is Vessel.ivc
    assert case.imaging.side == "right"
    assert case.presentation.diagnosis_date == dt.date(2019, 6, 3)


def test_age_is_counted_on_the_day_of_the_call() -> None:
    request = load_request("zhang2021_case1_no_metanephrines")
    assert map_request(request, dt.date(2026, 3, 13)).case.demographics.age_years == 32
    assert map_request(request, dt.date(2026, 3, 14)).case.demographics.age_years == 33


def test_creatinine_in_mg_per_dl_is_converted_to_micromol_per_litre() -> None:
    """1 mg/dL creatinine = 88.4 µmol/L (the factor of rvlms.scores.egfr, CKD-EPI 2021)."""
    case = map_request(load_request("zhang2021_case1_no_metanephrines")).case
    assert case.labs.creatinine_umol_l == pytest.approx(70.7)


def test_a_condition_is_not_histological_proof() -> None:
    """A leiomyosarcoma on the problem list does not fill the biopsy: only metanephrines or
    histology exclude paraganglioma (zhang2021 Discussion; Lenders 2014)."""
    mapping = map_request(load_request("zhang2021_case1_no_metanephrines"))
    assert mapping.in_scope
    assert mapping.case.biopsy is None
    assert "workup.metanephrines-first" in build_plan(mapping.case).fired


def test_normal_metanephrines_are_read_from_the_interpretation() -> None:
    hormones = map_request(load_request("zhang2021_case1_normal_metanephrines")).case.labs.hormones
    assert hormones.plasma_free_metanephrines.result is TestResult.normal
    assert hormones.urine_fractionated_metanephrines.result is TestResult.normal


def test_a_value_above_the_reference_range_counts_as_raised() -> None:
    hormones = map_request(load_request("raised_normetanephrine")).case.labs.hormones
    assert hormones.plasma_free_metanephrines.result is TestResult.abnormal


def test_a_raised_result_is_not_hidden_by_a_later_normal_one() -> None:
    """Safety choice: any raised metanephrine counts as raised (Lenders 2014: manage as
    paraganglioma until proven otherwise)."""
    request = load_request("raised_normetanephrine")
    request["prefetch"]["observations"]["entry"].append(
        {
            "resource": {
                "resourceType": "Observation",
                "id": "later-normal",
                "status": "final",
                "code": {"coding": [{"system": "http://loinc.org", "code": "43108-0"}]},
                "subject": {"reference": "Patient/zhang-case1"},
                "effectiveDateTime": "2019-07-01",
                "interpretation": [{"coding": [{"code": "N"}]}],
            }
        }
    )
    hormones = map_request(request).case.labs.hormones
    assert hormones.plasma_free_metanephrines.result is TestResult.abnormal


def test_metastatic_case_after_resection() -> None:
    mapping = map_request(load_request("metastatic_after_resection"))
    case = mapping.case
    assert case.demographics.sex == "male" and case.demographics.age_years == 60
    assert case.imaging.distant_metastasis is True
    assert case.imaging.metastasis_sites == [MetastasisSite.lung]
    assert case.history.conditions == ["hypertension"]
    assert case.operation is not None
    assert case.operation.date == dt.date(2024, 2, 10)
    assert [(o.item, o.side) for o in case.operation.organs_resected] == [("nephrectomy", "right")]
    assert case.pathology is not None
    assert case.pathology.histology == "leiomyosarcoma"
    assert case.pathology.size_cm == 10.5
    assert case.pathology.fnclcc_grade == "G3"
    assert case.pathology.margin == "R1"
    assert case.labs.creatinine_umol_l == 96
    assert case.biopsy is None
    ignored = {i.source: i.reason for i in mapping.ignored}
    assert "refuted" in ignored["Condition/ruled-out-paraganglioma"]


def test_a_pathology_report_before_any_operation_is_a_biopsy() -> None:
    request = load_request("metastatic_after_resection")
    request["prefetch"]["procedures"] = None
    case = map_request(request).case
    assert case.operation is None and case.pathology is not None
    assert case.biopsy is not None and case.biopsy.done
    assert case.biopsy.result == "leiomyosarcoma"
    assert case.biopsy.date == dt.date(2024, 2, 15)


def test_not_in_scope_without_the_disease() -> None:
    mapping = map_request(load_request("not_in_scope"))
    assert not mapping.in_scope
    assert "no leiomyosarcoma" in mapping.scope_reason


@pytest.mark.parametrize(
    ("code", "target"),
    [
        ("C48.0", "primary:retroperitoneum"),
        ("c480", "primary:retroperitoneum"),
        ("C49.4", "primary:abdominal_soft_tissue"),
        ("C78.01", "metastasis:lung"),
        ("C78.7", "metastasis:liver"),
        ("C78.6", "metastasis:peritoneum"),
        ("C79.51", "metastasis:bone"),
        ("C79.3", "metastasis:other"),
        ("C77.2", "nodes"),
        ("I10", "history:hypertension"),
        ("C48.1", None),
        ("C49.2", None),
        ("I20.0", None),
    ],
)
def test_icd10_codes_are_read_by_prefix(code: str, target: str | None) -> None:
    """ICD-10-CM writes C78.01 (right lung) where ICD-10 writes C78.0; both are lung."""
    entry = lookup_icd10([("http://hl7.org/fhir/sid/icd-10-cm", code)])
    assert (entry.target if entry else None) == target


def test_icd10_normalisation() -> None:
    assert normalise_icd10(" c7801 ") == "C78.01"
    assert normalise_icd10("I10") == "I10"


def _prefetch_of(resources: list[dict[str, object]]) -> dict[str, object]:
    """A CDS Hooks prefetch holding exported resources, as an EHR's FHIR server returns them."""
    searches = {
        "conditions": "Condition",
        "observations": "Observation",
        "procedures": "Procedure",
        "reports": "DiagnosticReport",
    }
    prefetch: dict[str, object] = {
        "patient": next(r for r in resources if r["resourceType"] == "Patient")
    }
    for key, kind in searches.items():
        prefetch[key] = {
            "resourceType": "Bundle",
            "type": "searchset",
            "entry": [{"resource": r} for r in resources if r["resourceType"] == kind],
        }
    return prefetch


def test_the_prefetch_and_the_fhir_import_share_one_mapping() -> None:
    """An rvlms FHIR export sent as a prefetch is read by the same code as the import
    (rvlms.fhir.mapping): zhang2021 case 4's site, size, grade, margin, nephrectomy,
    hypertension and pre-operative biopsy come through the CDS path unchanged."""
    from rvlms.cds import mapping as cds_mapping
    from rvlms.cds.prefetch import read_prefetch
    from rvlms.examples import load_zhang2021
    from rvlms.fhir import case_resources
    from rvlms.fhir import mapping as fhir_mapping

    assert cds_mapping.read_resources is fhir_mapping.read_resources
    case = load_zhang2021()[3]
    resources = case_resources(case)
    patient_id = str(resources[0]["id"])
    read = cds_mapping.map_prefetch(
        read_prefetch(_prefetch_of(resources), patient_id), patient_id, dt.date(2026, 11, 21)
    )
    got = read.case
    assert read.in_scope
    assert got.imaging.vessel_of_origin is Vessel.ivc and got.imaging.side == "right"
    assert got.imaging.max_diameter_cm == 10.7
    assert got.pathology is not None and case.pathology is not None
    assert (got.pathology.size_cm, got.pathology.fnclcc_grade, got.pathology.margin) == (
        case.pathology.size_cm,
        case.pathology.fnclcc_grade,
        case.pathology.margin,
    )
    assert got.pathology.histology == "leiomyosarcoma"
    assert got.biopsy is not None and got.biopsy.result == "leiomyosarcoma"
    assert got.operation is not None
    assert [(o.item, o.side) for o in got.operation.organs_resected] == [("nephrectomy", "right")]
    assert [h.value for h in got.history.conditions] == ["hypertension"]
