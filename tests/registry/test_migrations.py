"""The schema comes from the migrations shipped in the package, and matches the models."""

from __future__ import annotations

import importlib
from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import rvlms
from rvlms.registry import create_engine_for, current_revisions, head_revisions, init_registry
from rvlms.registry.migrate import migration_locations
from rvlms.registry.tables import Base


def _declare_every_table() -> None:
    """Import every module of rvlms (migrations aside): packages that extend the schema
    declare their tables on the registry's Base wherever they keep them."""
    root = Path(rvlms.__file__).parent
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root.parent).with_suffix("")
        if "migrations" in relative.parts or relative.name == "__main__":
            continue
        parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
        importlib.import_module(".".join(parts))


def test_init_creates_the_sqlite_file_and_its_folder(tmp_path: Path) -> None:
    path = tmp_path / "new" / "folder" / "registry.sqlite3"
    assert init_registry(f"sqlite:///{path}") == head_revisions()
    assert path.exists()


def test_init_is_idempotent_and_reaches_the_heads(db_url: str) -> None:
    assert init_registry(db_url) == head_revisions()
    assert init_registry(db_url) == head_revisions()
    engine = create_engine_for(db_url)
    try:
        assert current_revisions(engine) == head_revisions()
        names = set(sa.inspect(engine).get_table_names())
        assert {"cases", "case_revisions", "alembic_version"} <= names
    finally:
        engine.dispose()


def test_models_and_migrations_agree(db_url: str) -> None:
    """Autogenerate finds nothing to do: the declared tables are exactly what migrations built."""
    _declare_every_table()
    init_registry(db_url)
    engine = create_engine_for(db_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_url: str) -> None:
    engine = create_engine_for(sqlite_url)
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


def test_migration_folders_are_found_without_imports() -> None:
    """The registry's own versions come first; other packages' folders are added after."""
    locations = migration_locations()
    assert locations[0].parts[-3:] == ("registry", "migrations", "versions")
    assert all(p.name == "versions" and p.is_dir() for p in locations)


def test_postgresql_urls_use_psycopg_3() -> None:
    from rvlms.registry.engine import display_url, normalise_url

    assert normalise_url("postgresql://u:secret@db/rvlms").drivername == "postgresql+psycopg"
    assert normalise_url("postgres://u@db/rvlms").drivername == "postgresql+psycopg"
    assert "secret" not in display_url("postgresql+psycopg://u:secret@db/rvlms")
