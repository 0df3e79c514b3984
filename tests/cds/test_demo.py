"""Unauthenticated calls: only under ``rvlms serve --demo``, and labelled wherever they show."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from rvlms.cli.main import app as cli
from rvlms.registry import init_registry
from rvlms.settings import Settings

from .conftest import FEEDBACK_URL, SERVICE_URL, CdsClient, load_request

LABEL = "DEMONSTRATION ONLY: calls are not authenticated; never use with patient care"


def test_unauthenticated_mode_is_refused_outside_demo(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="only with rvlms serve --demo"):
        Settings(data_dir=tmp_path, cds_allow_unauthenticated=True)


def test_discovery_says_demonstration(demo_cds: CdsClient) -> None:
    response = demo_cds.get("/cds-services")
    [service] = response.json()["services"]
    assert service["title"].startswith("[DEMONSTRATION, NOT AUTHENTICATED]")
    assert service["description"].startswith(LABEL)
    assert response.headers["x-rvlms-cds-mode"] == "unauthenticated-demo"


def test_every_answer_leads_with_a_critical_demo_card(demo_cds: CdsClient, cds: CdsClient) -> None:
    request = load_request("zhang2021_case1_no_metanephrines")
    response = demo_cds.post(SERVICE_URL, json=request)
    assert response.status_code == 200, response.text
    assert response.headers["x-rvlms-cds-mode"] == "unauthenticated-demo"
    demo, *cards = response.json()["cards"]
    assert (demo["indicator"], demo["summary"]) == ("critical", LABEL)
    assert "RVLMS_CDS_ISSUERS" in demo["detail"]
    signed = cds.cards(request)
    assert [c["summary"] for c in cards] == [c["summary"] for c in signed]
    assert "x-rvlms-cds-mode" not in cds.post(SERVICE_URL, json=request).headers


def test_demo_feedback_needs_no_token(demo_cds: CdsClient, sqlite_url: str) -> None:
    init_registry(sqlite_url)
    item = {"card": "c-1", "outcome": "accepted", "outcomeTimestamp": "2026-11-21T09:14:03Z"}
    assert demo_cds.post(FEEDBACK_URL, json={"feedback": [item]}).status_code == 200


def test_serve_demo_warns_and_serves_without_jwt(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import uvicorn

    served: dict[str, Any] = {}
    monkeypatch.setenv("RVLMS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setenv("COLUMNS", "300")
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: served.update(app=app, **kwargs))
    result = CliRunner().invoke(cli, ["serve", "--demo", "--port", "8765"])
    assert result.exit_code == 0, result.output
    assert "WARNING: DEMONSTRATION MODE" in result.output
    assert "WITHOUT verifying the EHR's JWT" in result.output
    client = CdsClient(served["app"])
    response = client.post(SERVICE_URL, json=load_request("zhang2021_case1_no_metanephrines"))
    assert response.status_code == 200, response.text
    demo, first, *_ = response.json()["cards"]
    assert demo["summary"] == LABEL
    assert first["links"][0]["url"].startswith("http://127.0.0.1:8765/cds/launch/")


def test_serve_without_demo_says_what_the_cds_service_needs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import uvicorn

    monkeypatch.setenv("RVLMS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COLUMNS", "300")
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: None)
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 0, result.output
    assert "RVLMS_CDS_PUBLIC_BASE_URL is set" in result.output
    assert "no EHR is configured in RVLMS_CDS_ISSUERS" in result.output
    monkeypatch.setenv("RVLMS_CDS_ALLOW_UNAUTHENTICATED", "true")
    refused = CliRunner().invoke(cli, ["serve"])
    assert refused.exit_code != 0
    assert "RVLMS_CDS_ALLOW_UNAUTHENTICATED=true is allowed only with rvlms serve --demo" in (
        refused.output
    )
