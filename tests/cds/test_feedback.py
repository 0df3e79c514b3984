"""Feedback (CDS Hooks 2.0.1 §Feedback): validated and appended to ``cds_feedback``,
on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from rvlms.cds import read_feedback
from rvlms.registry import create_engine_for, init_registry

from .conftest import FEEDBACK_URL, CdsClient, Ehr, cds_settings, load_request, make_app

OUTCOME_AT = "2026-11-21T09:14:03Z"


@pytest.fixture
def migrated(db_url: str, tmp_path: Any, ehr: Ehr) -> CdsClient:
    init_registry(db_url)
    return CdsClient(make_app(cds_settings(tmp_path, db_url, ehr)), ehr)


def _warning_uuid(client: CdsClient) -> str:
    cards = client.cards(load_request("zhang2021_case1_no_metanephrines"))
    found: str = next(
        c["uuid"]
        for c in cards
        if c["source"].get("topic", {}).get("code") == "workup.metanephrines-first"
    )
    return found


def test_override_and_accept_are_recorded(migrated: CdsClient, db_url: str) -> None:
    """A clinician overrides the paraganglioma warning because metanephrines were measured
    elsewhere (the reason Coding is one of the card's overrideReasons) and accepts the plan."""
    warning = _warning_uuid(migrated)
    body = {
        "feedback": [
            {
                "card": warning,
                "outcome": "overridden",
                "overrideReason": {
                    "reason": {
                        "system": "urn:rvlms:cds:override-reason",
                        "code": "result-elsewhere",
                        "display": "Result available outside this record",
                    },
                    "userComment": "Plasma metanephrines normal at the referring hospital",
                },
                "outcomeTimestamp": OUTCOME_AT,
            },
            {
                "card": "7d8f2a61-5c2e-4d3b-8e0f-1a2b3c4d5e6f",
                "outcome": "accepted",
                "acceptedSuggestions": [{"id": "a1b2"}],
                "outcomeTimestamp": "2026-11-21T10:14:03+01:00",
            },
        ]
    }
    response = migrated.post(FEEDBACK_URL, json=body)
    assert response.status_code == 200, response.text
    assert response.json() == {}
    rows = read_feedback(db_url)
    assert [r["outcome"] for r in rows] == ["overridden", "accepted"]
    overridden, accepted = rows
    assert overridden["card_uuid"] == warning
    assert overridden["service_id"] == "rvlms-mdt-plan"
    assert overridden["override_reason"]["code"] == "result-elsewhere"
    assert overridden["user_comment"].startswith("Plasma metanephrines normal")
    assert overridden["accepted_suggestions"] == []
    assert overridden["outcome_at"] == dt.datetime(2026, 11, 21, 9, 14, 3, tzinfo=dt.UTC)
    assert accepted["outcome_at"] == overridden["outcome_at"]
    assert accepted["accepted_suggestions"] == ["a1b2"]
    assert accepted["override_reason"] is None
    assert overridden["received_at"].tzinfo is not None


def test_the_same_card_may_be_reported_twice(migrated: CdsClient, db_url: str) -> None:
    item = {"card": "c-1", "outcome": "overridden", "outcomeTimestamp": OUTCOME_AT}
    for _ in range(2):
        assert migrated.post(FEEDBACK_URL, json={"feedback": [item]}).status_code == 200
    assert len(read_feedback(db_url)) == 2


def test_feedback_rows_cannot_be_changed(migrated: CdsClient, db_url: str) -> None:
    item = {"card": "c-1", "outcome": "overridden", "outcomeTimestamp": OUTCOME_AT}
    assert migrated.post(FEEDBACK_URL, json={"feedback": [item]}).status_code == 200
    engine = create_engine_for(db_url)
    try:
        statements = ("UPDATE cds_feedback SET outcome = 'accepted'", "DELETE FROM cds_feedback")
        for statement in statements:
            with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
                connection.execute(sa.text(statement))
    finally:
        engine.dispose()
    assert len(read_feedback(db_url)) == 1


def test_an_unmigrated_registry_answers_503(cds: CdsClient) -> None:
    item = {"card": "c-1", "outcome": "accepted", "outcomeTimestamp": OUTCOME_AT}
    response = cds.post(FEEDBACK_URL, json={"feedback": [item]})
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert "r0003_cds_feedback" in response.json()["detail"]


@pytest.mark.parametrize(
    ("item", "field"),
    [
        (
            {"card": "c", "outcome": "ignored", "outcomeTimestamp": OUTCOME_AT},
            "feedback[0].outcome",
        ),
        (
            {"card": "c", "outcome": "accepted", "outcomeTimestamp": "2026-11-21T09:14:03"},
            "feedback[0].outcomeTimestamp",
        ),
        ({"card": "c", "outcome": "accepted"}, "feedback[0].outcomeTimestamp"),
        ({"outcome": "accepted", "outcomeTimestamp": OUTCOME_AT}, "feedback[0].card"),
        (
            {
                "card": "c",
                "outcome": "accepted",
                "outcomeTimestamp": OUTCOME_AT,
                "overrideReason": {"userComment": "no"},
            },
            "feedback[0]",
        ),
    ],
)
def test_invalid_feedback_is_422_naming_the_field(
    migrated: CdsClient, db_url: str, item: dict[str, Any], field: str
) -> None:
    response = migrated.post(FEEDBACK_URL, json={"feedback": [item]})
    assert response.status_code == 422, response.text
    assert field in [e["field"] for e in response.json()["errors"]]
    assert read_feedback(db_url) == []


def test_an_empty_feedback_list_is_422(migrated: CdsClient) -> None:
    response = migrated.post(FEEDBACK_URL, json={"feedback": []})
    assert response.status_code == 422
