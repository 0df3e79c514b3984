"""The case registry: SQLAlchemy 2 tables, Alembic migrations shipped in the package, and
:class:`Registry` with full history and optimistic locking, on SQLite or PostgreSQL."""

from rvlms.registry.cohort import load_cohort_from_db
from rvlms.registry.engine import create_engine_for, display_url
from rvlms.registry.migrate import current_revisions, head_revisions, init_registry
from rvlms.registry.models import CaseSummary, Change, Revision, StoredCase
from rvlms.registry.registry import CaseInput, ProgressCallback, Registry

__all__ = [
    "CaseInput",
    "CaseSummary",
    "Change",
    "ProgressCallback",
    "Registry",
    "Revision",
    "StoredCase",
    "create_engine_for",
    "current_revisions",
    "display_url",
    "head_revisions",
    "init_registry",
    "load_cohort_from_db",
]
