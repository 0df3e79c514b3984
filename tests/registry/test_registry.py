"""The registry on SQLite and on a real PostgreSQL server: storing, versions, history.

Clinical oracle: zhang2021 Table 1 (four patients; operative times 467, 224, 373 and
256 min, median 314.5 min).
"""

from __future__ import annotations

import datetime as dt
import statistics
import threading
from datetime import UTC
from pathlib import Path

import pytest
import sqlalchemy as sa

from rvlms.case import COHORT_COLUMNS, Case
from rvlms.errors import CaseInvalid, Conflict, InputError, NotFound
from rvlms.registry import Registry, load_cohort_from_db


def _edited(case: Case, **changes: object) -> Case:
    data = case.model_dump(mode="json", exclude_none=True)
    for dotted, value in changes.items():
        section, _, field = dotted.partition("__")
        if field:
            data.setdefault(section, {})[field] = value
        else:
            data[section] = value
    return Case.model_validate(data)


def test_zhang_cases_round_trip_unchanged(filled: Registry, zhang_cases: list[Case]) -> None:
    """The four zhang2021 Table 1 cases come back from the database field for field."""
    for case in zhang_cases:
        stored = filled.get(case.case_id)
        assert stored.case.model_dump() == case.model_dump()
        assert stored.version == 1
        assert stored.created_by == stored.updated_by == "alice"
        assert stored.created_at.tzinfo is UTC


def test_cohort_median_operative_time_is_314_5(filled: Registry) -> None:
    """zhang2021 Table 1: operative times 467, 224, 373, 256 min; median 314.5 min."""
    frame = filled.cohort_frame()
    assert list(frame.columns[: len(COHORT_COLUMNS)]) == list(COHORT_COLUMNS)
    assert len(frame) == 4
    assert statistics.median(frame["operative_time_min"]) == pytest.approx(314.5)


def test_load_cohort_from_db(filled: Registry) -> None:
    """zhang2021 Table 1: all four resections R0, ages 33, 61, 57 and 55 years."""
    frame = load_cohort_from_db(filled.url)
    assert sorted(frame["age"]) == [33, 55, 57, 61]
    assert set(frame["margin"]) == {"R0"}


def test_load_cohort_from_missing_sqlite_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="no registry at"):
        load_cohort_from_db(f"sqlite:///{tmp_path}/missing/registry.sqlite3")


def test_list_filters_on_classification(filled: Registry) -> None:
    """yang2025 imaging types of the zhang2021 cases: case 1 extraluminal, case 2 peripheral,
    cases 3 and 4 intermediate; all at IVC level II (zhang2021 Table 1: middle segment)."""
    assert [s.case_id for s in filled.list()] == [f"zhang2021-case{i}" for i in range(1, 5)]
    intermediate = filled.list(imaging_type="intermediate")
    assert [s.case_id for s in intermediate] == ["zhang2021-case3", "zhang2021-case4"]
    assert len(filled.list(ivc_level="II")) == 4
    assert [s.case_id for s in filled.list(sex="female")] == [
        "zhang2021-case1",
        "zhang2021-case3",
    ]
    assert filled.list(centre="elsewhere") == []
    assert filled.count(synthetic=False) == 4


def test_update_records_version_and_changes(filled: Registry) -> None:
    before = filled.get("zhang2021-case1")
    edited = _edited(before.case, imaging__max_diameter_cm=7.5, notes="re-measured")
    after = filled.update("zhang2021-case1", edited, 1, "bob")
    assert after.version == 2
    assert after.updated_by == "bob" and after.created_by == "alice"
    assert filled.get("zhang2021-case1").case.imaging.max_diameter_cm == 7.5

    history = filled.history("zhang2021-case1")
    assert [(r.version, r.action, r.changed_by) for r in history] == [
        (1, "create", "alice"),
        (2, "update", "bob"),
    ]
    assert {(c.path, c.old, c.new) for c in history[1].changes} == {
        ("imaging.max_diameter_cm", 7.2, 7.5),
        ("notes", None, "re-measured"),
    }
    assert history[0].case.imaging.max_diameter_cm == 7.2


def test_update_without_change_keeps_the_version(filled: Registry) -> None:
    same = filled.get("zhang2021-case2")
    assert filled.update("zhang2021-case2", same.case, 1, "bob").version == 1
    assert len(filled.history("zhang2021-case2")) == 1


def test_stale_edit_is_refused_and_nothing_is_written(filled: Registry) -> None:
    original = filled.get("zhang2021-case3").case
    filled.update("zhang2021-case3", _edited(original, notes="first"), 1, "bob")
    with pytest.raises(Conflict) as refused:
        filled.update("zhang2021-case3", _edited(original, notes="second"), 1, "carol")
    message = str(refused.value)
    assert "case zhang2021-case3 was changed by bob at" in message
    assert "(now version 2); you edited version 1" in message
    assert "reload and re-apply your change" in message
    assert filled.get("zhang2021-case3").case.notes == "first"
    assert len(filled.history("zhang2021-case3")) == 2


def test_two_sessions_racing_for_one_version_exactly_one_wins(filled: Registry) -> None:
    """Two registries (two engines, two sessions) edit version 1 at the same moment."""
    base = filled.get("zhang2021-case4").case
    start = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def edit(user: str) -> None:
        with Registry(filled.url, migrate=False) as own:
            start.wait()
            try:
                outcomes[user] = own.update(
                    "zhang2021-case4", _edited(base, notes=f"by {user}"), 1, user
                ).version
            except Conflict as conflict:
                outcomes[user] = conflict

    threads = [threading.Thread(target=edit, args=(u,)) for u in ("bob", "carol")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    winners = [u for u, result in outcomes.items() if result == 2]
    losers = [u for u, result in outcomes.items() if isinstance(result, Conflict)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert filled.get("zhang2021-case4").case.notes == f"by {winners[0]}"
    history = filled.history("zhang2021-case4")
    assert [r.version for r in history] == [1, 2]
    assert history[-1].changed_by == winners[0]


def test_duplicate_case_id_is_a_conflict(filled: Registry, zhang_cases: list[Case]) -> None:
    with pytest.raises(Conflict, match="already in the registry: zhang2021-case1"):
        filled.add(zhang_cases[0], "bob")


def test_add_many_is_all_or_nothing(registry: Registry, zhang_cases: list[Case]) -> None:
    registry.add(zhang_cases[3], "alice")
    with pytest.raises(Conflict, match="zhang2021-case4"):
        registry.add_many(zhang_cases, "bob")
    assert registry.count() == 1
    with pytest.raises(Conflict, match="more than once: zhang2021-case1"):
        registry.add_many([zhang_cases[0], zhang_cases[0]], "bob")
    assert registry.count() == 1


def test_invalid_data_never_reaches_the_database(
    registry: Registry, zhang_cases: list[Case]
) -> None:
    """A case whose follow-up event predates its operation is refused (case model rule),
    even when it was built as a valid object and changed afterwards."""
    data = zhang_cases[0].model_dump(mode="json", exclude_none=True)
    data["imaging"]["max_diameter_cm"] = 0
    with pytest.raises(CaseInvalid) as invalid:
        registry.add(data, "alice")
    assert invalid.value.problems[0].path == "imaging.max_diameter_cm"

    case = zhang_cases[1].model_copy(deep=True)
    assert case.operation is not None
    case.operation.date = dt.date(2020, 5, 1)
    case.follow_up.last_contact_date = dt.date(2020, 6, 1)
    case.operation.date = dt.date(2020, 7, 1)
    with pytest.raises(CaseInvalid, match="before the operation"):
        registry.add_many([zhang_cases[0], case], "alice")
    assert registry.count() == 0


def test_get_unknown_case_names_it(registry: Registry) -> None:
    with pytest.raises(NotFound, match="case 'nobody' is not in the registry"):
        registry.get("nobody")
    with pytest.raises(NotFound):
        registry.history("nobody")


def test_case_id_cannot_change_in_an_edit(filled: Registry, zhang_cases: list[Case]) -> None:
    with pytest.raises(InputError, match="cannot be renamed"):
        filled.update("zhang2021-case1", zhang_cases[1], 1, "bob")


def test_user_is_required(registry: Registry, zhang_cases: list[Case]) -> None:
    with pytest.raises(InputError, match="user name"):
        registry.add(zhang_cases[0], "  ")


def test_delete_is_soft_and_recorded(filled: Registry) -> None:
    revision = filled.delete("zhang2021-case2", "bob", expected_version=1)
    assert (revision.version, revision.action) == (2, "delete")
    with pytest.raises(NotFound, match="was deleted by bob"):
        filled.get("zhang2021-case2")
    assert [s.case_id for s in filled.list()] == [
        "zhang2021-case1",
        "zhang2021-case3",
        "zhang2021-case4",
    ]
    assert filled.list(include_deleted=True)[1].deleted
    assert [r.action for r in filled.history("zhang2021-case2")] == ["create", "delete"]
    assert len(filled.cohort_frame()) == 3
    with pytest.raises(Conflict, match="deleted earlier"):
        filled.add(filled.history("zhang2021-case2")[0].case, "carol")


def test_stale_delete_is_refused(filled: Registry) -> None:
    filled.update(
        "zhang2021-case1", _edited(filled.get("zhang2021-case1").case, notes="x"), 1, "bob"
    )
    with pytest.raises(Conflict, match="now version 2"):
        filled.delete("zhang2021-case1", "carol", expected_version=1)
    assert filled.get("zhang2021-case1").version == 2


def test_revisions_are_append_only(filled: Registry) -> None:
    """The database itself refuses to change or remove history (triggers)."""
    engine = sa.create_engine(filled.url)
    try:
        for statement in (
            "UPDATE case_revisions SET changed_by = 'mallory'",
            "DELETE FROM case_revisions",
        ):
            with pytest.raises(sa.exc.DatabaseError, match="append-only"), engine.begin() as c:
                c.execute(sa.text(statement))
    finally:
        engine.dispose()
    assert {r.changed_by for r in filled.history("zhang2021-case1")} == {"alice"}
