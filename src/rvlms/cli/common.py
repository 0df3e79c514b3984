"""What every command shares: reading a case file, writing an output file, checking a
database URL and turning errors into clear messages."""

from __future__ import annotations

import getpass
import math
import os
import re
import socket
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from rvlms.errors import CaseInvalid, FileUnreadable, InputError, RvlmsError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from rvlms.case import Case
    from rvlms.imaging import ImagingDefinition
    from rvlms.settings import Settings

Creating = Literal["nothing", "file", "folder"]

EXIT_INVALID = 1
EXIT_USAGE = 2

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        metavar="URL",
        help="Registry database URL, e.g. sqlite:///cases.sqlite3 or "
        "postgresql+psycopg://user@host/db (default: RVLMS_DB, else a SQLite file in the "
        "data folder).",
    ),
]
"""The ``--db`` option of every command that opens the registry."""

err_console = Console(stderr=True, highlight=False)

_NUMPY_SCALAR = re.compile(r"\bnp\.(?:float|int|uint|bool_?)\d*\(([^()]*)\)")


def plain_numbers(text: str) -> str:
    """``np.float64(90.0)`` and its kind written as the number they hold: ``90.0``."""
    return _NUMPY_SCALAR.sub(r"\1", text)


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    err_console.print(
        f"[bold red]error:[/] {escape(plain_numbers(message))}", markup=True, soft_wrap=True
    )
    raise typer.Exit(code)


def report_invalid(exc: CaseInvalid) -> None:
    where = f" in {escape(exc.source)}" if exc.source else ""
    err_console.print(f"[bold red]invalid case{where}[/]: {len(exc.problems)} problem(s)")
    for problem in exc.problems:
        err_console.print(f"  • {problem.as_text()}", markup=False, soft_wrap=True)


def _database_detail(exc: Exception) -> str:
    detail = str(getattr(exc, "orig", None) or exc).strip()
    return detail.splitlines()[0] if detail else type(exc).__name__


def _loaded_instance(exc: Exception, module: str, name: str) -> bool:
    """Whether ``exc`` is ``module.name``, without importing ``module`` (commands that
    never touched the database must not pay for importing SQLAlchemy)."""
    loaded = sys.modules.get(module)
    kind = getattr(loaded, name, None) if loaded is not None else None
    return isinstance(kind, type) and isinstance(exc, kind)


@contextmanager
def clinical_errors() -> Iterator[None]:
    """Render rvlms errors as messages with meaningful exit codes, never tracebacks."""
    try:
        yield
    except CaseInvalid as exc:
        report_invalid(exc)
        raise typer.Exit(EXIT_INVALID) from None
    except InputError as exc:
        url = _loaded_instance(exc, "rvlms.registry.engine", "DatabaseUrlError")
        fail(f"--db: {exc}" if url else str(exc), EXIT_USAGE)
    except RvlmsError as exc:
        fail(f"{exc.title}: {exc}", EXIT_INVALID)
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        fail(f"{where}{exc.strerror or exc}", EXIT_USAGE)
    except Exception as exc:
        if _loaded_instance(exc, "sqlalchemy.exc", "SQLAlchemyError"):
            fail(
                f"the registry database could not be used: {_database_detail(exc)}",
                EXIT_INVALID,
            )
        raise


def read_case(path: Path) -> Case:
    from rvlms.case import load_case

    try:
        return load_case(path)
    except UnicodeDecodeError as exc:
        raise _not_text(path, exc) from None


def _not_text(path: Path, exc: UnicodeDecodeError) -> FileUnreadable:
    return FileUnreadable(
        f"{path}: not UTF-8 text (byte {exc.start} cannot be read: {exc.reason}); "
        "save the file as UTF-8 YAML or JSON"
    )


def read_definition(path: Path, option: str = "--definition") -> ImagingDefinition:
    """A local imaging-type definition; errors name ``option``."""
    from rvlms.imaging import load_definition

    try:
        return load_definition(path)
    except UnicodeDecodeError as exc:
        raise FileUnreadable(f"{option} {_not_text(path, exc)}") from None
    except InputError as exc:
        raise type(exc)(f"{option} {exc}") from None


def output_file(out: Path, option: str = "--out") -> Path:
    """``out`` ready to be written: its folder is created when missing; a folder, or a
    folder that cannot be created, is a clear error."""
    try:
        if out.is_dir():
            fail(f"{option} {out}: is a folder; give the name of a file in it", EXIT_USAGE)
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(
            f"{option} {out}: the folder {out.parent} cannot be created ({exc.strerror or exc})",
            EXIT_USAGE,
        )
    return out


def output_folder(folder: Path, option: str) -> Path:
    """``folder`` created when missing; a file in its place is a clear error."""
    try:
        if folder.exists() and not folder.is_dir():
            fail(f"{option} {folder}: is a file, not a folder", EXIT_USAGE)
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"{option} {folder}: cannot be created ({exc.strerror or exc})", EXIT_USAGE)
    return folder


def cannot_write(out: Path, exc: OSError, option: str = "--out") -> NoReturn:
    fail(f"{option} {out}: cannot be written ({exc.strerror or exc})", EXIT_USAGE)


def write_output(out: Path, content: str | bytes, option: str = "--out") -> None:
    """Write ``content`` to ``out`` (its folder created), or fail naming ``option``."""
    output_file(out, option)
    try:
        if isinstance(content, bytes):
            out.write_bytes(content)
        else:
            out.write_text(content, encoding="utf-8")
    except OSError as exc:
        cannot_write(out, exc, option)


def emit(content: str | bytes, out: Path | None) -> None:
    """Print ``content``, or write it to ``out`` and say so on standard error."""
    if out is not None:
        write_output(out, content)
        typer.echo(f"written: {out}", err=True)
    elif isinstance(content, bytes):
        sys.stdout.buffer.write(content)
    else:
        typer.echo(content, nl=not content.endswith("\n"))


def finite(option: str, value: float, expected: str) -> float:
    """``value``, or a usage error naming ``option`` when it is NaN or infinite."""
    if not math.isfinite(value):
        fail(f"{option}: {value} is not allowed; expected {expected}", EXIT_USAGE)
    return value


def load_cli_settings(db: str | None = None) -> Settings:
    """The settings, with ``--db`` over ``RVLMS_DB``; an invalid ``RVLMS_*`` variable is a
    clear error naming it."""
    from pydantic import ValidationError

    from rvlms.settings import load_settings

    try:
        return load_settings(db=db)
    except ValidationError as exc:
        problems = "; ".join(
            f"RVLMS_{'_'.join(str(p) for p in e['loc']).upper() or 'SETTINGS'}: {e['msg']}"
            for e in exc.errors()
        )
        fail(f"invalid setting: {problems}", EXIT_USAGE)


def database_url(db: str | None, *, create: Creating = "nothing") -> str:
    """The registry URL of ``--db`` (else ``RVLMS_DB``, else the default SQLite file),
    checked: an unsupported database, or a SQLite file or folder that does not exist, is
    refused with what to give instead.

    ``create="file"`` allows a new SQLite file in an existing folder, ``"folder"`` also
    creates the folder (``rvlms registry init``). The default file in the data folder is
    always created on first use: it cannot be mistyped.
    """
    from sqlalchemy.engine import make_url

    from rvlms.registry.engine import DatabaseUrlError, check_url, sqlite_file

    settings = load_cli_settings(db)
    explicit = settings.db is not None
    source = "--db" if db is not None else ("RVLMS_DB" if explicit else "RVLMS_DATA_DIR")
    try:
        check_url(
            settings.database_url,
            must_exist=explicit and create == "nothing",
            folder_must_exist=explicit and create != "folder",
        )
    except DatabaseUrlError as exc:
        fail(f"{source}: {exc}", EXIT_USAGE)
    path = sqlite_file(make_url(settings.database_url))
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            fail(
                f"{source}: the folder {path.parent} cannot be created ({exc.strerror or exc})",
                EXIT_USAGE,
            )
    return settings.database_url


@dataclass(frozen=True)
class CliIdentity:
    """Who runs a command: the operating-system account and host, which a user cannot
    choose by setting a variable, and the name given with ``--user`` or ``RVLMS_USER``,
    which is kept only as an annotation."""

    os_user: str
    host: str
    annotation: str | None = None

    @property
    def account(self) -> str:
        return f"{self.os_user}@{self.host}"

    @property
    def name(self) -> str:
        """The name recorded in a case's history: ``os_user@host (as NAME)``."""
        if self.annotation and self.annotation != self.os_user:
            return f"{self.account} (as {self.annotation})"[:200]
        return self.account[:200]


def cli_identity(user: str | None = None) -> CliIdentity:
    """The identity of this command-line run; ``user`` (``--user``) over ``RVLMS_USER``."""
    try:
        os_user = getpass.getuser()
    except (KeyError, OSError):
        os_user = os.environ.get("USER") or os.environ.get("LOGNAME") or f"uid-{os.getuid()}"
    given = (user or "").strip() or (os.environ.get("RVLMS_USER") or "").strip() or None
    return CliIdentity(os_user[:64], socket.gethostname()[:120] or "localhost", given)


def named_user(user: str | None) -> str:
    """The author a command records for what it writes: ``--user``, else ``RVLMS_USER``,
    else the operating-system account. (The audit log records the account and host
    whatever the name: :func:`cli_audit`.)"""
    given = (user or "").strip() or (load_cli_settings().user or "").strip()
    return given or cli_identity().os_user


def cli_audit(
    engine: Engine,
    action: str,
    cases: Iterable[tuple[str | None, str | None]] = ((None, None),),
    *,
    identity: CliIdentity | None = None,
    user: str | None = None,
    outcome: str = "succeeded",
    detail: str | None = None,
    version: int | None = None,
) -> None:
    """Append one audit event per ``(case_id, centre)`` of ``cases`` for a command-line
    action: the operating-system user is the actor, the host is recorded,
    ``--user``/``RVLMS_USER`` is the annotation."""
    from rvlms.web.audit import AuditEvent, AuditLog

    who = identity or cli_identity(user)
    AuditLog(engine).record_many(
        AuditEvent(
            action=action,
            outcome=outcome,  # type: ignore[arg-type]
            actor=who.os_user,
            case_id=case_id,
            centre=centre,
            version=version,
            via="cli",
            target=" ".join(sys.argv[1:3])[:500] or None,
            detail=detail,
            host=who.host,
            annotation=who.annotation,
        )
        for case_id, centre in cases
    )
