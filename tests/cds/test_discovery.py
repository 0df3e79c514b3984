"""Discovery (CDS Hooks 2.0.1 §Discovery): one patient-view service with five prefetch templates."""

from __future__ import annotations

from .conftest import SERVICE_URL, CdsClient

PREFETCH = {
    "patient": "Patient/{{context.patientId}}",
    "conditions": "Condition?patient={{context.patientId}}",
    "observations": "Observation?patient={{context.patientId}}",
    "procedures": "Procedure?patient={{context.patientId}}",
    "reports": "DiagnosticReport?patient={{context.patientId}}",
}


def test_discovery_lists_the_patient_view_service(cds: CdsClient) -> None:
    response = cds.get("/cds-services")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    services = response.json()["services"]
    assert len(services) == 1
    service = services[0]
    assert set(service) == {"hook", "id", "title", "description", "prefetch"}
    assert service["hook"] == "patient-view"
    assert service["id"] == "rvlms-mdt-plan"
    assert service["title"] and service["description"]
    assert service["prefetch"] == PREFETCH


def test_the_service_url_is_discovery_path_plus_id(cds: CdsClient) -> None:
    """The spec builds the service URL as {baseUrl}/cds-services/{id}."""
    service = cds.get("/cds-services").json()["services"][0]
    assert f"/cds-services/{service['id']}" == SERVICE_URL


def test_openapi_documents_the_request_bodies_and_problem_answers(cds: CdsClient) -> None:
    """Schema-driven clients and fuzzers read the request schema from the OpenAPI document;
    it must be self-contained (no dangling $defs) and list the 412 of the spec."""
    document = cds.app.openapi()
    service = document["paths"][SERVICE_URL]["post"]
    schema = service["requestBody"]["content"]["application/json"]["schema"]
    assert "$defs" not in str(schema)
    assert set(schema["required"]) >= {"hook", "hookInstance", "context"}
    assert schema["properties"]["context"]["required"] == ["patientId"]
    assert {"200", "400", "412", "422"} <= set(service["responses"])
    feedback = document["paths"][f"{SERVICE_URL}/feedback"]["post"]
    assert feedback["requestBody"]["content"]["application/json"]["schema"]["required"] == [
        "feedback"
    ]
