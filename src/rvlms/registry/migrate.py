"""Creating and upgrading the registry schema with the Alembic migrations shipped in rvlms.

``init_registry(url)`` brings any database to the newest schema: it creates the SQLite file
and its folder on first use, and does nothing when the schema is already current.

Extending the schema: a package of rvlms that needs tables of its own ships a folder
``<package>/migrations/versions/`` next to its code. Every such folder is found here,
without importing the package, and all heads are upgraded. A new package's first revision
names a registry revision as ``down_revision`` (``"r0001"``) or in ``depends_on``, and gives
its own ``branch_labels``; its tables are declared on :class:`rvlms.registry.tables.Base`
so that ``tests/registry`` can check that models and migrations agree.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.engine import URL

from rvlms.registry.engine import WRITE, create_engine_for

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = [
    "MIGRATIONS",
    "alembic_config",
    "current_revisions",
    "head_revisions",
    "init_registry",
    "migration_locations",
]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_PACKAGE_ROOT = Path(__file__).resolve().parent.parent


def migration_locations() -> list[Path]:
    """The registry's versions folder first, then those of other rvlms packages."""
    own = MIGRATIONS / "versions"
    others = sorted(p.resolve() for p in _PACKAGE_ROOT.glob("*/migrations/versions") if p.is_dir())
    return [own, *(p for p in others if p != own)]


def alembic_config(url: str | URL | None = None) -> Config:
    """An Alembic configuration built in code (there is no alembic.ini to find)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    config.set_main_option("path_separator", "newline")
    config.set_main_option(
        "version_locations",
        "\n".join(str(p).replace("%", "%%") for p in migration_locations()),
    )
    if url is not None:
        rendered = url.render_as_string(hide_password=False) if isinstance(url, URL) else url
        config.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))
    return config


def init_registry(url: str | URL, *, engine: Engine | None = None) -> list[str]:
    """Create or upgrade the registry at ``url``; returns the revisions now applied."""
    from alembic import command

    owned = engine is None
    engine = engine or create_engine_for(url)
    try:
        config = alembic_config()
        with (
            engine.connect().execution_options(**{WRITE: True}) as connection,
            connection.begin(),
        ):
            config.attributes["connection"] = connection
            command.upgrade(config, "heads")
        return current_revisions(engine)
    finally:
        if owned:
            engine.dispose()


def current_revisions(engine: Engine) -> list[str]:
    """The revisions recorded in the database (empty for a database never initialised)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return sorted(MigrationContext.configure(connection).get_current_heads())


def head_revisions() -> list[str]:
    """The newest revisions shipped with this version of rvlms."""
    from alembic.script import ScriptDirectory

    return sorted(ScriptDirectory.from_config(alembic_config()).get_heads())
