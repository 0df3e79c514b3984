"""Where ``rvlms analyze`` and ``rvlms reproduce`` read a cohort from, and how the report
names that source (the data-provenance line).

Exactly one source: a cohort CSV (``--from``), a registry database (``--db``) or the
published-case library (``--published``, literature data that is never mixed with
registry rows). Every failure becomes a one-line error naming the option.
pandas and SQLAlchemy are imported inside the functions so that ``rvlms --help`` stays
fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["cohort_source", "fail", "load_cohort", "provenance"]


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``error: message`` to stderr and return the exit to raise."""
    from rvlms.cli.common import plain_numbers

    typer.echo(f"error: {plain_numbers(message)}", err=True)
    return typer.Exit(code)


def load_cohort(from_: Path | None, db: str | None, published: bool = False) -> pd.DataFrame:
    from rvlms.analysis.cohort import CohortValidationError, read_cohort_csv, validate_cohort
    from rvlms.errors import RvlmsError

    if sum((from_ is not None, db is not None, published)) != 1:
        raise fail("give exactly one of --from FILE.csv, --db URL or --published")
    import pandas as pd
    from sqlalchemy.exc import SQLAlchemyError

    from rvlms.registry.engine import DatabaseUrlError, check_url, display_url

    try:
        if published:
            from rvlms.literature import library_frame, published_cases

            return validate_cohort(library_frame(published_cases()))
        if from_ is not None:
            return read_cohort_csv(from_)
        assert db is not None
        from rvlms.registry import load_cohort_from_db

        return validate_cohort(load_cohort_from_db(check_url(db, must_exist=True)))
    except CohortValidationError as error:
        where = f"--from {from_}" if from_ is not None else f"--db {display_url(db or '')}"
        raise fail(f"{where}: {error}") from error
    except DatabaseUrlError as error:
        raise fail(f"--db: {error}") from error
    except RvlmsError as error:
        raise fail(str(error)) from error
    except SQLAlchemyError as error:
        detail = str(getattr(error, "orig", None) or error).strip().splitlines()
        raise fail(
            f"--db: the registry database could not be used: {detail[0] if detail else error}",
            1,
        ) from error
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else "unreadable"
        raise fail(f"--from {from_}: not a cohort CSV file (UTF-8 text): {reason}") from error
    except OSError as error:
        raise fail(f"--from {from_}: {error.strerror or error}") from error


def _display_db(db: str | None) -> str:
    from rvlms.registry import display_url

    return f"registry {display_url(db or '')}"


def provenance(df: pd.DataFrame, source: str, *, literature: bool = False) -> str:
    """'24 patients (SYNTHETIC data) read from FILE on DATE by rvlms.'"""
    from datetime import UTC, datetime

    from rvlms.analysis.cohort import is_synthetic

    if is_synthetic(df):
        kind = "SYNTHETIC data"
    else:
        kind = "published cases, literature data" if literature else "patient data"
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"{len(df)} patients ({kind}) read from {source} on {when} by rvlms."


def cohort_source(from_: Path | None, db: str | None, published: bool) -> str:
    """How the report names the cohort's source."""
    if published:
        from rvlms.literature import CORPUS_LABEL

        return f"the rvlms published-case library ({CORPUS_LABEL})"
    return str(from_) if from_ is not None else _display_db(db)
