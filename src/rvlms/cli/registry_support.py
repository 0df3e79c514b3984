"""What the ``rvlms registry`` commands share: opening the registry of ``--db``, the
``--user`` and ``--centre`` options, the audit of one case, and turning errors into one
message and an exit code (1 for invalid input, a conflict or a missing case, 2 for a wrong
command line) instead of a traceback.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, ParamSpec, TypeVar

import typer

from rvlms.cli.common import Creating, cli_audit, cli_identity, database_url
from rvlms.errors import CaseInvalid, RvlmsError

if TYPE_CHECKING:
    from rvlms.interchange import SyncReport
    from rvlms.registry import Registry

__all__ = [
    "CentreOption",
    "UserOption",
    "audit_sync",
    "audited",
    "console",
    "handled",
    "open_registry",
    "refuse",
    "registry_url",
    "short",
    "usage_error",
    "user_name",
    "when",
]

P = ParamSpec("P")
R = TypeVar("R")

UserOption = Annotated[
    str | None,
    typer.Option(
        "--user",
        metavar="NAME",
        help="A name noted next to your operating-system user and host in the history and "
        "the audit log (default: RVLMS_USER).",
    ),
]
CentreOption = Annotated[
    str | None,
    typer.Option(
        "--centre",
        metavar="CODE",
        help="The centre the cases belong to (default: 'default'; rvlms centre list).",
    ),
]


def refuse(message: str, code: int = 1) -> NoReturn:
    """End the command with ``Error: message`` on standard error and exit ``code``."""
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(code=code)


def usage_error(message: str) -> NoReturn:
    """End the command for a wrong command line (exit code 2)."""
    refuse(message, code=2)


def handled(command: Callable[P, R]) -> Callable[P, R]:
    """One clear message and exit code instead of a traceback."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        from sqlalchemy.exc import SQLAlchemyError

        from rvlms.registry.engine import DatabaseUrlError

        try:
            return command(*args, **kwargs)
        except DatabaseUrlError as error:
            usage_error(f"--db: {error}")
        except CaseInvalid as invalid:
            where = f" in {invalid.source}" if invalid.source else ""
            lines = "\n".join(f"  - {p.as_text()}" for p in invalid.problems)
            refuse(f"the case record is invalid{where}:\n{lines}")
        except RvlmsError as error:
            refuse(str(error))
        except SQLAlchemyError as error:
            detail = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
            refuse(f"the registry database could not be used: {detail}")
        except BrokenPipeError:
            _quiet_stdout()
            raise typer.Exit(code=0) from None
        except OSError as error:
            refuse(f"{error.filename or ''}: {error.strerror or error}".lstrip(": "))
        except UnicodeDecodeError as error:
            refuse(f"the file is not UTF-8 text (byte {error.start}: {error.reason})")
        except (OverflowError, MemoryError) as error:
            usage_error(f"a number is too large: {error}")

    return run


def _quiet_stdout() -> None:
    """The reader of our output went away (``| head``): discard what is still buffered."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def registry_url(db: str | None, create: Creating = "nothing") -> str:
    """The database URL of ``--db`` (see :func:`rvlms.cli.common.database_url`)."""
    return database_url(db, create=create)


def _sqlite_path(url: str) -> Path | None:
    from sqlalchemy.engine import make_url

    from rvlms.registry.engine import sqlite_file

    return sqlite_file(make_url(url))


def user_name(user: str | None) -> str:
    """The name the history records for ``--user``: the operating-system account and host,
    with ``--user`` noted next to them."""
    return cli_identity(user).name


def audit_sync(
    registry: Registry,
    report: SyncReport,
    user: str | None,
    file: Path,
    *,
    centre: str | None = None,
) -> None:
    """One audit entry per case an update-mode import wrote: ``case.import`` for an added
    one, ``case.update`` for a changed one (at ``centre``, else at the case's centre)."""
    from rvlms.interchange import Outcome

    if not report.written:
        return
    for outcome, action in ((Outcome.added, "case.import"), (Outcome.changed, "case.update")):
        cases = [(r.case_id, centre or registry.centre_of(r.case_id)) for r in report.of(outcome)]
        if cases:
            cli_audit(registry.engine, action, cases, user=user, detail=f"from {file} --update")


@contextmanager
def audited(
    registry: Registry, action: str, case_id: str | None, user: str | None = None
) -> Iterator[None]:
    """Record ``action`` on ``case_id`` in the audit log, as succeeded or failed."""
    try:
        yield
    except RvlmsError as error:
        cli_audit(
            registry.engine,
            action,
            [(case_id, registry.centre_of(case_id) if case_id else None)],
            user=user,
            outcome="failed",
            detail=str(error)[:1000],
        )
        raise
    cli_audit(
        registry.engine,
        action,
        [(case_id, registry.centre_of(case_id) if case_id else None)],
        user=user,
    )


@contextmanager
def open_registry(
    db: str | None, *, create: bool = False, case_id: str | None = None
) -> Iterator[Registry]:
    """The registry of ``--db``. A SQLite file that does not exist is created only for
    ``create`` (adding cases), with a note; for a command about ``case_id`` it means the
    case is not there; any other command refuses it (a mistyped path must not start a
    second, empty registry)."""
    from rvlms.registry import Registry, display_url

    url = registry_url(db, create="file" if create or case_id is not None else "nothing")
    path = _sqlite_path(url)
    if path is not None and not path.exists():
        where = f"there is no registry at {display_url(url)} (the file {path} does not exist)"
        if case_id is not None and not create:
            refuse(f"case {case_id!r} is not in the registry: {where}")
        typer.echo(f"note: {where}; creating it", err=True)
    registry = Registry(url)
    try:
        yield registry
    finally:
        registry.close()


def when(value: Any) -> str:
    """A stored timestamp as shown in tables: minutes, UTC."""
    return str(value.strftime("%Y-%m-%d %H:%M UTC"))


def short(value: Any, width: int = 40) -> str:
    """A field value of a change, cut to ``width`` characters."""
    text = "—" if value is None else json.dumps(value, ensure_ascii=False, default=str)
    text = text.strip('"') if isinstance(value, str) else text
    return text if len(text) <= width else text[: width - 1] + "…"


def console(stderr: bool = False) -> Any:
    """A Rich console that wraps softly and leaves values uncoloured."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)
