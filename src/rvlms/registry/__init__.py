"""The case registry: SQLAlchemy 2 tables, Alembic migrations shipped in the package, and
:class:`Registry` with full history and optimistic locking, on SQLite or PostgreSQL."""

from rvlms.registry.centres import NETWORK, Centre, Centres, Membership
from rvlms.registry.cohort import load_cohort_from_db
from rvlms.registry.engine import create_engine_for, display_url
from rvlms.registry.migrate import current_revisions, head_revisions, init_registry
from rvlms.registry.models import CaseSummary, Change, Revision, StoredCase
from rvlms.registry.registry import CaseInput, ProgressCallback, Registry
from rvlms.registry.scope import Scope
from rvlms.registry.tables import DEFAULT_CENTRE

__all__ = [
    "DEFAULT_CENTRE",
    "NETWORK",
    "CaseInput",
    "CaseSummary",
    "Centre",
    "Centres",
    "Change",
    "Membership",
    "ProgressCallback",
    "Registry",
    "Revision",
    "Scope",
    "StoredCase",
    "create_engine_for",
    "current_revisions",
    "display_url",
    "head_revisions",
    "init_registry",
    "load_cohort_from_db",
]
