"""Export then import gives the same case record: every field the export carries comes back
unchanged, as a Bundle and as Bulk Data NDJSON files on disk."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from rvlms.case import Case
from rvlms.fhir import case_bundle, cases_from_resources, read_fhir_file, write_ndjson
from rvlms.fhir.fields import FREE_TEXT

NOT_CARRIED = ("source",)
"""Case fields FHIR does not carry (docs/fhir.md, "What FHIR does not carry"): the import
records its own source."""

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def _record(case: Case) -> dict[str, Any]:
    data: dict[str, Any] = case.model_dump(mode="json", exclude_defaults=True)
    for name in NOT_CARRIED:
        data.pop(name, None)
    return data


def _through_bundle(case: Case, deidentified: bool = False) -> Case:
    bundle = json.loads(json.dumps(case_bundle(case, deidentified=deidentified)))
    items = [(f"entry[{i}]", e["resource"]) for i, e in enumerate(bundle["entry"])]
    [back] = cases_from_resources(items, "bundle")
    return back


def test_zhang2021_cases_come_back_unchanged(zhang: list[Case]) -> None:
    """zhang2021 Table 1 cases 1-4: age, size, IVC level, reconstruction, follow-up..."""
    for case in zhang:
        back = _through_bundle(case)
        assert _record(back) == _record(case), case.case_id
    assert zhang[3].imaging.max_diameter_cm == 10.7
    assert _through_bundle(zhang[3]).pathology is not None


def test_synthetic_cases_come_back_unchanged(synthetic: list[Case]) -> None:
    for case in synthetic:
        assert _record(_through_bundle(case)) == _record(case), case.case_id


def test_a_case_filling_every_carried_group_comes_back_unchanged(full_case: Case) -> None:
    back = _through_bundle(full_case)
    assert _record(back) == _record(full_case)
    assert back.identity.name == "Ann Example"
    assert [t.kind.value for t in back.neoadjuvant] == [
        "chemotherapy",
        "radiotherapy",
        "alpha_blockade",
    ]
    assert back.imaging.ivc_segments == full_case.imaging.ivc_segments


def test_not_carried_fields_are_the_documented_ones(full_case: Case) -> None:
    """The source of an imported case names the file, not the original source."""
    back = _through_bundle(full_case.model_copy(update={"source": "ward list", "notes": "n"}))
    assert back.source == "FHIR: bundle"
    assert back.notes == "n"
    docs = (Path(__file__).parents[2] / "docs" / "fhir.md").read_text("utf-8")
    for name in NOT_CARRIED:
        assert f"`{name}`" in docs


def test_deidentified_export_has_no_identifier_free_text_or_full_date(full_case: Case) -> None:
    """HIPAA Safe Harbor as in the researcher view: no name, record number, birth date, free
    text or exact date; the case still imports, with dates as years left out."""
    text = json.dumps(case_bundle(full_case, deidentified=True))
    for secret in (
        "Ann Example",
        "MRN-77",
        "1950",
        "graft thrombosis",
        "toxicity",
        "second-line",
        "discussed twice",
        "small haematoma",
    ):
        assert secret not in text
    assert not ISO_DATE.search(text)
    back = _through_bundle(full_case, deidentified=True)
    assert back.identity.name is None and back.identity.birth_date is None
    assert back.operation is not None and back.operation.date is None
    assert back.pathology == full_case.pathology
    assert {p.split(".")[0] for p in FREE_TEXT} <= {"operation", "complications", "mdt", "biopsy"}


def test_cohort_round_trips_through_ndjson_files(
    tmp_path: Path, zhang: list[Case], synthetic: list[Case], full_case: Case
) -> None:
    """Bulk Data layout: one <Type>.ndjson file per resource type, one resource per line;
    the order of therapies of different resource types survives the split into files."""
    cases = [*zhang, *synthetic[:10], full_case]
    counts = write_ndjson(cases, tmp_path / "bulk")
    assert counts["Patient"] == len(cases)
    lines = (tmp_path / "bulk" / "Patient.ndjson").read_text("utf-8").splitlines()
    assert len(lines) == len(cases) and all(
        json.loads(line)["resourceType"] == "Patient" for line in lines
    )
    back = read_fhir_file(tmp_path / "bulk")
    assert [_record(c) for c in back] == [_record(c) for c in cases]
    single = read_fhir_file(tmp_path / "bulk" / "Patient.ndjson")
    assert {c.case_id for c in single} == {c.case_id for c in cases}


@pytest.mark.parametrize("index", range(4))
def test_committed_zhang_examples_are_the_current_export(zhang: list[Case], index: int) -> None:
    """src/rvlms/examples/fhir/ holds the export of the four zhang2021 cases; regenerate it
    with `rvlms fhir export` when the export changes."""
    case = zhang[index]
    folder = Path(__file__).parents[2] / "src" / "rvlms" / "examples" / "fhir"
    committed = json.loads((folder / f"{case.case_id}.json").read_text("utf-8"))
    assert committed == case_bundle(case)
    [back] = read_fhir_file(folder / f"{case.case_id}.json")
    assert _record(back) == _record(case)


@pytest.mark.parametrize(
    "data",
    [
        {"case_id": "bare"},
        {"case_id": "op-only", "operation": {}},
        {"case_id": "no-biopsy", "biopsy": {"done": False}},
        {"case_id": "gonadal", "imaging": {"vessel_of_origin": "gonadal_vein", "side": "left"}},
        {"case_id": "both-sides", "imaging": {"side": "bilateral", "ivc_involved": False}},
        {"case_id": "gx-rx", "pathology": {"fnclcc_grade": "GX", "margin": "RX"}},
        {
            "case_id": "died-undated",
            "follow_up": {
                "status": "dead_of_other_cause",
                "events": [{"kind": "death", "months_after_surgery": 3}],
            },
        },
    ],
    ids=lambda d: d["case_id"],
)
def test_edge_cases_come_back_unchanged(data: dict[str, Any]) -> None:
    from rvlms.case import parse_case

    case = parse_case(data, source="edge case")
    assert _record(_through_bundle(case)) == _record(case)


def test_committed_zhang_ndjson_is_the_current_cohort_export(zhang: list[Case]) -> None:
    """src/rvlms/examples/fhir/ndjson/ is the Bulk Data export of the four zhang2021 cases."""
    from rvlms.fhir import cohort_ndjson

    folder = Path(__file__).parents[2] / "src" / "rvlms" / "examples" / "fhir" / "ndjson"
    expected = cohort_ndjson(zhang)
    assert sorted(p.stem for p in folder.glob("*.ndjson")) == sorted(expected)
    for kind, lines in expected.items():
        assert (folder / f"{kind}.ndjson").read_text("utf-8").splitlines() == lines, kind
    assert [_record(c) for c in read_fhir_file(folder)] == [_record(c) for c in zhang]
