"""Centres in the registry: every query of a scoped registry stays inside its centres, and
a registry created before centres existed migrates with every case in ``default``."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from rvlms.case import Case
from rvlms.errors import InputError, NotFound, PermissionDenied
from rvlms.registry import DEFAULT_CENTRE, Registry, Scope, create_engine_for, head_revisions
from rvlms.registry.engine import WRITE
from rvlms.registry.migrate import alembic_config


@pytest.fixture
def two_centres(registry: Registry, zhang_cases: list[Case]) -> Registry:
    registry.centres.add("north", "North", created_by="tests")
    registry.centres.add("south", "South", created_by="tests")
    registry.add_many(zhang_cases[:3], "alice", centre="north")
    registry.add(zhang_cases[3], "bob", centre="south")
    return registry


def test_a_scoped_registry_reads_lists_and_counts_only_its_centres(
    two_centres: Registry,
) -> None:
    north = two_centres.scoped(Scope.of({"north"}))
    south = two_centres.scoped(Scope.of({"south"}))
    assert [s.case_id for s in north.list()] == [
        "zhang2021-case1",
        "zhang2021-case2",
        "zhang2021-case3",
    ]
    assert {s.centre_code for s in north.list()} == {"north"}
    assert south.count() == 1 and north.count() == 3 and two_centres.count() == 4
    assert len(north.cohort_frame()) == 3
    assert [c.case_id for c in south.cases()] == ["zhang2021-case4"]
    assert south.get("zhang2021-case4").centre == "south"
    with pytest.raises(NotFound):
        south.get("zhang2021-case1")
    with pytest.raises(NotFound):
        south.history("zhang2021-case1")
    assert south.existing(["zhang2021-case1", "zhang2021-case4"]) == {"zhang2021-case4": True}
    assert two_centres.scoped(Scope.of(())).count() == 0


def test_a_scoped_registry_writes_only_inside_its_centres(
    two_centres: Registry, zhang_cases: list[Case]
) -> None:
    south = two_centres.scoped(Scope.of({"south"}))
    edited = zhang_cases[0].model_copy(update={"notes": "from the south"})
    with pytest.raises(NotFound):
        south.update("zhang2021-case1", edited, 1, "mallory")
    with pytest.raises(NotFound):
        south.delete("zhang2021-case1", "mallory")
    assert two_centres.get("zhang2021-case1").version == 1
    new = zhang_cases[0].model_copy(update={"case_id": "south-1"})
    with pytest.raises(PermissionDenied, match="centre: cases cannot be added to 'north'"):
        south.add(new, "mallory", centre="north")
    assert south.add(new, "mallory").centre == "south"
    assert two_centres.centre_of("south-1") == "south"


def test_an_unknown_centre_is_refused_with_the_known_ones(
    registry: Registry, zhang_cases: list[Case]
) -> None:
    with pytest.raises(InputError, match="no centre 'west'; the centres are default"):
        registry.add(zhang_cases[0], "alice", centre="west")
    assert registry.add(zhang_cases[0], "alice").centre == DEFAULT_CENTRE


def test_a_registry_from_before_centres_migrates_into_the_default_centre(
    tmp_path: Path, zhang_cases: list[Case]
) -> None:
    """Upgrade a real r0003 database holding cases, a user and audit entries."""
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = create_engine_for(url)
    try:
        config = alembic_config()
        with (
            engine.connect().execution_options(**{WRITE: True}) as connection,
            connection.begin(),
        ):
            config.attributes["connection"] = connection
            command.upgrade(config, "r0003_cds_feedback")
        now = datetime(2026, 11, 30, 9, 0)
        with (
            engine.connect().execution_options(**{WRITE: True}) as connection,
            connection.begin(),
        ):
            for case in zhang_cases:
                connection.execute(
                    sa.text(
                        "INSERT INTO cases (case_id, version, data, centre, synthetic, "
                        "created_at, created_by, updated_at, updated_by) VALUES "
                        "(:id, 1, :data, NULL, 0, :at, 'old', :at, 'old')"
                    ),
                    {"id": case.case_id, "data": case.model_dump_json(), "at": now},
                )
            connection.execute(
                sa.text(
                    "INSERT INTO users (username, role, active, created_at, created_by) "
                    "VALUES ('dr.old', 'clinician', 1, :at, 'old'), "
                    "('admin.old', 'admin', 1, :at, 'old')"
                ),
                {"at": now},
            )
            connection.execute(
                sa.text(
                    "INSERT INTO audit_events (at, actor, action, outcome, case_id, via) "
                    "VALUES (:at, 'dr.old', 'case.read', 'allowed', 'zhang2021-case1', 'web')"
                ),
                {"at": now},
            )
        with Registry(url) as upgraded:
            assert upgraded.count() == 4
            assert {s.centre_code for s in upgraded.list()} == {DEFAULT_CENTRE}
            assert upgraded.get("zhang2021-case2").case == zhang_cases[1]
            assert upgraded.scoped(Scope.of({DEFAULT_CENTRE})).count() == 4
        with engine.connect() as connection:
            memberships = connection.execute(
                sa.text(
                    "SELECT u.username, m.centre_code, m.role FROM memberships m "
                    "JOIN users u ON u.id = m.user_id ORDER BY u.username"
                )
            ).all()
            assert [tuple(m) for m in memberships] == [
                ("admin.old", None, "admin"),
                ("dr.old", "default", "clinician"),
            ]
            kept = connection.execute(sa.text("SELECT actor, case_id FROM audit_events")).all()
            assert [tuple(k) for k in kept] == [("dr.old", "zhang2021-case1")]
            version = connection.execute(sa.text("SELECT version_num FROM alembic_version"))
            assert sorted(v for (v,) in version) == head_revisions()
        with (
            pytest.raises(sa.exc.DatabaseError, match="append-only"),
            engine.connect().execution_options(**{WRITE: True}) as connection,
            connection.begin(),
        ):
            connection.execute(sa.text("DELETE FROM audit_events"))
    finally:
        engine.dispose()
