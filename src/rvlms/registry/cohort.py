"""The cohort table straight from a registry, for the analysis commands."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.engine import URL

from rvlms.errors import NotFound
from rvlms.registry.engine import display_url, normalise_url, sqlite_file
from rvlms.registry.registry import Registry

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["load_cohort_from_db"]


def load_cohort_from_db(url: str | URL, *, synthetic: bool | None = None) -> pd.DataFrame:
    """One row per current case with the cohort columns (``rvlms.case.COHORT_COLUMNS`` and
    ``OPTIONAL_COLUMNS``); ``synthetic=False`` leaves synthetic cases out.

    A SQLite file that does not exist is reported rather than created: an analysis of a
    mistyped path would otherwise silently run on an empty registry.
    """
    parsed = normalise_url(url)
    path = sqlite_file(parsed)
    if path is not None and not path.exists():
        raise NotFound(
            f"no registry at {display_url(parsed)}; create one with rvlms registry init "
            "or give --db"
        )
    with Registry(parsed) as registry:
        return registry.cohort_frame(synthetic=synthetic)
