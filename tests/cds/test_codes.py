"""The terminology table: every code has a source, unverified codes and proposals say so."""

from __future__ import annotations

from rvlms.cds import codes
from rvlms.cds.codes import CodeEntry, lookup, other_histology

from .conftest import load_request, map_request

TABLES = {
    "DIAGNOSES": codes.DIAGNOSES,
    "OBSERVATIONS": codes.OBSERVATIONS,
    "GRADES": codes.GRADES,
    "PROCEDURES": codes.PROCEDURES,
    "BODY_SITES": codes.BODY_SITES,
    "LATERALITY": codes.LATERALITY,
}


def _entries() -> list[CodeEntry]:
    return [entry for table in TABLES.values() for entry in table.values()]


def test_every_code_names_its_source() -> None:
    for entry in _entries():
        assert entry.source.strip(), entry
        assert entry.display.strip(), entry
    for prefix, target, display, source in codes.ICD10_PREFIXES:
        assert prefix and target and display and source


def test_unverified_codes_are_marked_in_their_label() -> None:
    unverified = [e for e in _entries() if not e.verified]
    assert unverified
    assert all("unverified code" in e.label for e in unverified)
    assert all("unverified" not in e.label for e in _entries() if e.verified)


def test_leiomyosarcoma_is_icd_o_3_8890_3_in_both_system_uris() -> None:
    """ICD-O-3 8890/3 Leiomyosarcoma, NOS (ecosystem brief §2), under the HL7 CodeSystem URI
    used by mCODE and under the OID form."""
    for system in codes.ICDO3_SYSTEMS:
        entry = lookup(codes.DIAGNOSES, [(system, "8890/3")])
        assert entry is not None and entry.target == "diagnosis:leiomyosarcoma"


def test_other_histologies_are_recognised() -> None:
    icdo3 = "http://terminology.hl7.org/CodeSystem/icd-o-3"
    assert other_histology([(icdo3, "8850/3")], "") == "ICD-O-3 8850/3"
    assert other_histology([(icdo3, "8890/3")], "") is None
    assert other_histology([(icdo3, "C48.0")], "") is None
    assert other_histology([], "Retroperitoneal dedifferentiated liposarcoma") is not None
    assert other_histology([], "Leiomyosarcoma of the IVC") is None
    assert other_histology([], "Uterine leiomyoma") is not None


def test_grade_read_from_mcode_low_intermediate_high_is_shown_as_a_proposal() -> None:
    """mCODE HistologicGradeVS is three-tier (low/intermediate/high); reading it as FNCLCC
    G1-G3 is an rvlms proposal and the plan card must say so."""
    request = load_request("metastatic_after_resection")
    grade = request["prefetch"]["observations"]["entry"][1]["resource"]
    grade["valueCodeableConcept"]["coding"][0].update(
        code="1286893008", display="Intermediate histologic grade"
    )
    mapping = map_request(request)
    assert mapping.case.pathology is not None
    assert mapping.case.pathology.fnclcc_grade == "G2"
    [read] = [m for m in mapping.mapped if m.field == "pathology.fnclcc_grade"]
    assert "rvlms proposal" in read.via


def test_the_cds_table_is_the_fhir_table() -> None:
    """One terminology for the prefetch and the FHIR import: rvlms.cds.codes re-exports
    rvlms.fhir.codes, it does not copy it."""
    from rvlms.fhir import codes as fhir_codes

    for name in codes.__all__:
        assert getattr(codes, name) is getattr(fhir_codes, name), name


def test_midline_and_bilateral_are_read_from_the_mcode_laterality_value_set() -> None:
    """mCODE LateralityQualifierVS (HL7/fhir-mCODE-ig input/fsh): 51440002 right and left,
    399488007 midline, 24028007 right, 7771000 left."""
    sct = "http://snomed.info/sct"
    read = {
        code: lookup(codes.LATERALITY, [(sct, code)])
        for code in ("51440002", "399488007", "24028007", "7771000")
    }
    assert {c: e.target if e else None for c, e in read.items()} == {
        "51440002": "side:bilateral",
        "399488007": "side:midline",
        "24028007": "side:right",
        "7771000": "side:left",
    }
    assert all(e is not None and e.verified for e in read.values())
