"""The de-identified schema, the case form mapping and the policy table, without a server."""

from __future__ import annotations

import json

from rvlms.errors import FieldProblem
from rvlms.web.deidentify import ResearchCase, deidentify_case, deidentify_plan
from rvlms.web.forms import FormInput, form_to_data, place_problems
from rvlms.web.policy import PERMISSIONS, Action, Role, decide

from .conftest import identified_case4


def _all_keys(schema: object) -> set[str]:
    found: set[str] = set()
    if isinstance(schema, dict):
        for key, value in schema.items():
            found.add(str(key))
            found |= _all_keys(value)
    elif isinstance(schema, list):
        for item in schema:
            found |= _all_keys(item)
    return found


def test_research_schema_has_no_identifier_or_date_field() -> None:
    """Safe Harbor (45 CFR 164.514(b)(2)) (A) names, (H) record numbers, (C) dates but the
    year: the researcher schema has no field that could hold them."""
    schema = ResearchCase.model_json_schema()
    text = json.dumps(schema)
    assert '"format": "date"' not in text
    keys = _all_keys(schema)
    for forbidden in ("identity", "name", "medical_record_number", "birth_date", "notes"):
        assert forbidden not in keys


def test_deidentified_case_keeps_clinical_facts_and_years() -> None:
    """zhang2021 Table 1 case 4 keeps its 10.7 cm tumour, 256 min operation and G2 grade."""
    case = identified_case4()
    research = deidentify_case(case).model_dump(mode="json", exclude_none=True)
    assert research["imaging"]["max_diameter_cm"] == 10.7
    assert research["operation"]["operative_time_min"] == 256
    assert research["pathology"]["fnclcc_grade"] == "G2"
    assert research["operation"]["year"] == 2020
    old = case.model_copy(
        update={"demographics": case.demographics.model_copy(update={"age_years": 95})}
    )
    assert deidentify_case(old).model_dump()["demographics"]["age_years"] == 90


def test_deidentified_plan_has_months_but_no_dates() -> None:
    from rvlms.pathway import build_plan

    plan = deidentify_plan(build_plan(identified_case4()))
    assert [v.months_after_surgery for v in plan.follow_up][:2] == [1, 3]
    assert all(v.date is None for v in plan.follow_up)


def test_form_rows_map_problems_back_to_the_row_on_screen() -> None:
    """Fields not on the form are kept, cleared fields are removed, an empty first organ row
    is dropped, and an error in list item 0 belongs to form row 1."""
    form = FormInput(
        [
            ("imaging.organs.__rows", "3"),
            ("imaging.organs.1.organ", "kidney"),
            ("imaging.organs.1.extent", "invasion"),
            ("imaging.max_diameter_cm", "10.7"),
            ("presentation.symptoms", "abdominal_pain"),
            ("presentation.symptoms", "back_pain"),
        ]
    )
    stored = {"notes": "kept", "centre": "cleared", "operation": {"pringle_manoeuvre": True}}
    data, layout = form_to_data(stored, form)
    assert data["imaging"]["organs"] == [{"organ": "kidney", "extent": "invasion"}]
    assert data["notes"] == "kept" and data["operation"] == {"pringle_manoeuvre": True}
    assert "centre" not in data
    assert data["presentation"]["symptoms"] == ["abdominal_pain", "back_pain"]
    placed = place_problems(
        [
            FieldProblem("imaging.organs.0.extent", "bad extent", "x"),
            FieldProblem("presentation.symptoms.1", "bad symptom", "y"),
            FieldProblem("neoadjuvant.0.kind", "not on the form", None),
        ],
        layout,
    )
    assert set(placed.by_field) == {"imaging.organs.1.extent", "presentation.symptoms"}
    assert [p.path for p in placed.elsewhere] == ["neoadjuvant.0.kind"]


def test_policy_separates_patient_data_from_administration() -> None:
    assert decide(Role.clinician, Action.case_update).allowed
    assert not decide(Role.researcher, Action.case_update).allowed
    assert "de-identified" in decide(Role.researcher, Action.case_history).reason
    assert not PERMISSIONS[Role.admin] & {Action.case_read, Action.case_list, Action.case_plan}
    assert decide(Role.admin, Action.audit_export).allowed


def test_public_surface_of_rvlms_web() -> None:
    import rvlms.web

    assert sorted(rvlms.web.__all__) == [
        "Accounts",
        "Action",
        "AuditEvent",
        "AuditLog",
        "DemoLogin",
        "IssuedToken",
        "Role",
        "User",
        "create_app",
        "load_demo",
    ]
    assert all(hasattr(rvlms.web, name) for name in rvlms.web.__all__)
