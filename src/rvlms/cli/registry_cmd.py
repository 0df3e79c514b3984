"""``rvlms registry``: the case registry from the command line.

Every command takes ``--db URL`` (default: ``RVLMS_DB``, else a SQLite file in the data
folder). The history and the audit log name the operating-system user and host; ``--user
NAME`` (default: ``RVLMS_USER``) is added as an annotation, never in their place. Every
command that reads, changes or exports patient data appends to the audit log, one entry
per case.
Errors end in one message naming the field, the value and what is allowed, with exit code
1 for invalid input, a conflict or a missing case, and 2 for a wrong command line.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, ParamSpec, TypeVar

import typer

from rvlms.case.vocab import ImagingType, IvcLevel
from rvlms.cli.common import (
    Creating,
    DbOption,
    cli_audit,
    cli_identity,
    database_url,
    output_file,
    read_case,
)
from rvlms.errors import CaseInvalid, RvlmsError

if TYPE_CHECKING:
    from rvlms.interchange import ImportReport
    from rvlms.registry import Registry, Revision

__all__ = ["registry_app"]

P = ParamSpec("P")
R = TypeVar("R")

registry_app = typer.Typer(
    help=(
        "The case registry: add, show, list, edit and export cases; every change is kept "
        "in the case history, and an edit of an outdated version is refused."
    ),
    no_args_is_help=True,
)


class ShowFormat(StrEnum):
    yaml = "yaml"
    json = "json"


class ListFormat(StrEnum):
    text = "text"
    json = "json"


class ExportChoice(StrEnum):
    csv = "csv"
    cohort_csv = "cohort-csv"
    wide_csv = "wide-csv"
    excel = "excel"
    json = "json"
    redcap = "redcap"


class ImportChoice(StrEnum):
    csv = "csv"
    excel = "excel"
    json = "json"
    redcap = "redcap"


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


def _fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(code=code)


def _usage(message: str) -> NoReturn:
    _fail(message, code=2)


def _handled(command: Callable[P, R]) -> Callable[P, R]:
    """One clear message and exit code instead of a traceback."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        from sqlalchemy.exc import SQLAlchemyError

        from rvlms.registry.engine import DatabaseUrlError

        try:
            return command(*args, **kwargs)
        except DatabaseUrlError as error:
            _usage(f"--db: {error}")
        except CaseInvalid as invalid:
            where = f" in {invalid.source}" if invalid.source else ""
            lines = "\n".join(f"  - {p.as_text()}" for p in invalid.problems)
            _fail(f"the case record is invalid{where}:\n{lines}")
        except RvlmsError as error:
            _fail(str(error))
        except SQLAlchemyError as error:
            detail = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
            _fail(f"the registry database could not be used: {detail}")
        except BrokenPipeError:
            _quiet_stdout()
            raise typer.Exit(code=0) from None
        except OSError as error:
            _fail(f"{error.filename or ''}: {error.strerror or error}".lstrip(": "))
        except UnicodeDecodeError as error:
            _fail(f"the file is not UTF-8 text (byte {error.start}: {error.reason})")
        except (OverflowError, MemoryError) as error:
            _usage(f"a number is too large: {error}")

    return run


def _quiet_stdout() -> None:
    """The reader of our output went away (``| head``): discard what is still buffered."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _url(db: str | None, create: Creating = "nothing") -> str:
    return database_url(db, create=create)


def _sqlite_path(url: str) -> Path | None:
    from sqlalchemy.engine import make_url

    from rvlms.registry.engine import sqlite_file

    return sqlite_file(make_url(url))


def _user(user: str | None) -> str:
    return cli_identity(user).name


@contextmanager
def _audited(
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
def _registry(
    db: str | None, *, create: bool = False, case_id: str | None = None
) -> Iterator[Registry]:
    """The registry of ``--db``. A SQLite file that does not exist is created only for
    ``create`` (adding cases), with a note; for a command about ``case_id`` it means the
    case is not there; any other command refuses it (a mistyped path must not start a
    second, empty registry)."""
    from rvlms.registry import Registry, display_url

    url = _url(db, create="file" if create or case_id is not None else "nothing")
    path = _sqlite_path(url)
    if path is not None and not path.exists():
        where = f"there is no registry at {display_url(url)} (the file {path} does not exist)"
        if case_id is not None and not create:
            _fail(f"case {case_id!r} is not in the registry: {where}")
        typer.echo(f"note: {where}; creating it", err=True)
    registry = Registry(url)
    try:
        yield registry
    finally:
        registry.close()


def _when(value: Any) -> str:
    return str(value.strftime("%Y-%m-%d %H:%M UTC"))


def _short(value: Any, width: int = 40) -> str:
    text = "—" if value is None else json.dumps(value, ensure_ascii=False, default=str)
    text = text.strip('"') if isinstance(value, str) else text
    return text if len(text) <= width else text[: width - 1] + "…"


def _console(stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


@registry_app.command("init")
@_handled
def init_command(db: DbOption = None) -> None:
    """Create the registry, or bring its schema up to date (safe to run again)."""
    from rvlms.registry import display_url, init_registry

    url = _url(db, create="folder")
    revisions = init_registry(url)
    typer.echo(f"Registry ready at {display_url(url)} (schema {', '.join(revisions)})")


@registry_app.command("add")
@_handled
def add_command(
    case_files: Annotated[
        list[Path], typer.Argument(metavar="CASE_FILE...", help="Case files (.yaml or .json).")
    ],
    db: DbOption = None,
    user: UserOption = None,
    centre: CentreOption = None,
) -> None:
    """Add new cases to a centre; if one file is invalid or its case exists, none is added."""
    from rvlms.case import Case

    cases: list[Case] = []
    problems: list[str] = []
    for path in case_files:
        try:
            cases.append(read_case(path))
        except CaseInvalid as invalid:
            problems.extend(f"{path}: {p.as_text()}" for p in invalid.problems)
    if problems:
        listing = "\n".join(f"  - {p}" for p in problems)
        _fail(f"nothing was added; fix these values:\n{listing}")
    with _registry(db, create=True) as registry:
        code = registry.centre_for_new(centre)
        registry.add_many(cases, _user(user), centre=code)
        cli_audit(registry.engine, "case.create", [(c.case_id, code) for c in cases], user=user)
    ids = ", ".join(c.case_id for c in cases)
    typer.echo(f"Added {len(cases)} case(s) as version 1: {ids}")


@registry_app.command("show")
@_handled
def show_command(
    case_id: Annotated[str, typer.Argument(metavar="CASE_ID")],
    output_format: Annotated[
        ShowFormat, typer.Option("--format", help="yaml (with a version header) or json.")
    ] = ShowFormat.yaml,
    db: DbOption = None,
) -> None:
    """Print the current version of a case, ready to edit and pass to edit --file."""
    from rvlms.case import dump_case

    with _registry(db, case_id=case_id) as registry, _audited(registry, "case.read", case_id):
        stored = registry.get(case_id)
    header = (
        f"version {stored.version} · created {_when(stored.created_at)} by {stored.created_by}"
        f" · updated {_when(stored.updated_at)} by {stored.updated_by}"
    )
    if output_format is ShowFormat.json:
        typer.echo(header, err=True)
        typer.echo(dump_case(stored.case, "json"))
        return
    typer.echo(f"# {stored.case_id}: {header}")
    typer.echo(dump_case(stored.case, "yaml"), nl=False)


@registry_app.command("list")
@_handled
def list_command(
    centre: Annotated[str | None, typer.Option(help="Only cases of this centre.")] = None,
    imaging_type: Annotated[
        ImagingType | None, typer.Option(help="Only this yang2025 imaging type.")
    ] = None,
    ivc_level: Annotated[IvcLevel | None, typer.Option(help="Only this IVC level.")] = None,
    include_deleted: Annotated[
        bool, typer.Option("--include-deleted", help="Also list deleted cases.")
    ] = False,
    output_format: Annotated[ListFormat, typer.Option("--format")] = ListFormat.text,
    db: DbOption = None,
    centre_code: Annotated[
        str | None,
        typer.Option("--centre-code", metavar="CODE", help="Only cases of this member centre."),
    ] = None,
) -> None:
    """List the cases with their version, classification and last change."""
    from rvlms.registry import Scope

    with _registry(db) as registry:
        source = (
            registry.scoped(Scope.of({registry.centres.require(centre_code, "--centre-code")}))
            if centre_code
            else registry
        )
        summaries = source.list(
            centre=centre,
            imaging_type=imaging_type.value if imaging_type else None,
            ivc_level=ivc_level.value if ivc_level else None,
            include_deleted=include_deleted,
        )
        cli_audit(registry.engine, "case.list", detail=f"{len(summaries)} case(s) listed")
    if output_format is ListFormat.json:
        typer.echo(json.dumps([s.model_dump(mode="json") for s in summaries], indent=2))
        return
    from rich.table import Table

    table = Table(title=f"{len(summaries)} case(s)", title_justify="left")
    table.add_column("case", no_wrap=True)
    for column in ("v", "centre", "imaging type", "IVC", "sex"):
        table.add_column(column)
    table.add_column("updated", no_wrap=True)
    table.add_column("by")
    for s in summaries:
        table.add_row(
            s.case_id + (" (deleted)" if s.deleted else ""),
            str(s.version),
            s.centre or "—",
            s.imaging_type or "—",
            s.ivc_level or "—",
            s.sex or "—",
            s.updated_at.strftime("%Y-%m-%d"),
            s.updated_by,
        )
    _console().print(table)


def _parse_assignment(text: str) -> tuple[list[str], Any]:
    import yaml

    path, sep, raw = text.partition("=")
    if not sep or not path.strip():
        _usage(f"--set {text!r}: expected PATH=VALUE, e.g. imaging.max_diameter_cm=8.1")
    try:
        value = yaml.safe_load(raw) if raw.strip() else None
    except yaml.YAMLError:
        value = raw
    return [p for p in path.strip().split(".") if p], value


def _assign(data: dict[str, Any], parts: list[str], value: Any, text: str) -> None:
    current: Any = data
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        if isinstance(current, list):
            if not part.isdigit() or int(part) > len(current):
                _usage(f"--set {text!r}: {'.'.join(parts[:depth])} has {len(current)} item(s)")
            index = int(part)
            if index == len(current):
                current.append({} if not last else None)
            if last:
                current[index] = value
                if value is None:
                    current.pop(index)
                return
            current = current[index]
            continue
        if not isinstance(current, dict):
            _usage(f"--set {text!r}: {'.'.join(parts[:depth])} is not a section")
        if last:
            if value is None:
                current.pop(part, None)
            else:
                current[part] = value
            return
        nxt = current.get(part)
        if nxt is None:
            nxt = [] if parts[depth + 1].isdigit() else {}
            current[part] = nxt
        current = nxt


@registry_app.command("edit")
@_handled
def edit_command(
    case_id: Annotated[str, typer.Argument(metavar="CASE_ID")],
    version: Annotated[
        int,
        typer.Option(
            "--version", help="The version you edited (from show/list); a newer one is refused."
        ),
    ],
    case_file: Annotated[
        Path | None, typer.Option("--file", help="The whole edited case (.yaml or .json).")
    ] = None,
    assignments: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            metavar="PATH=VALUE",
            help="Change one field, e.g. --set imaging.max_diameter_cm=8.1 "
            "(repeatable; VALUE is read as YAML; 'null' removes the value).",
        ),
    ] = None,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Save a new version of a case, only if nobody changed it since --version."""
    from rvlms.case import parse_case

    if (case_file is None) == (not assignments):
        _usage("give either --file CASE_FILE or one or more --set PATH=VALUE")
    parsed = [(_parse_assignment(text), text) for text in assignments or []]
    with _registry(db, case_id=case_id) as registry:
        if case_file is not None:
            edited = read_case(case_file)
        else:
            data = registry.get(case_id).case.model_dump(mode="json", exclude_none=True)
            for (parts, value), text in parsed:
                _assign(data, parts, value, text)
            edited = parse_case(data, source=f"{case_id} with --set")
        with _audited(registry, "case.update", case_id, user):
            stored = registry.update(case_id, edited, version, _user(user))
        changes = registry.history(case_id)[-1].changes if stored.version > version else []
    if stored.version == version:
        typer.echo(f"No change: {case_id} stays at version {version}")
        return
    typer.echo(f"Saved {case_id} as version {stored.version}")
    for change in changes:
        typer.echo(f"  {change.path}: {_short(change.old)} → {_short(change.new)}")


@registry_app.command("delete")
@_handled
def delete_command(
    case_id: Annotated[str, typer.Argument(metavar="CASE_ID")],
    version: Annotated[
        int | None, typer.Option("--version", help="Refuse if the case changed since.")
    ] = None,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Mark a case deleted; it leaves lists and exports, its history stays."""
    with (
        _registry(db, case_id=case_id) as registry,
        _audited(registry, "case.delete", case_id, user),
    ):
        revision = registry.delete(case_id, _user(user), expected_version=version)
    typer.echo(f"Deleted {case_id} (version {revision.version}); its history remains")


def _revision_rows(revisions: list[Revision]) -> list[dict[str, Any]]:
    return [r.model_dump(mode="json", exclude={"data"}) for r in revisions]


@registry_app.command("history")
@_handled
def history_command(
    case_id: Annotated[str, typer.Argument(metavar="CASE_ID")],
    output_format: Annotated[ListFormat, typer.Option("--format")] = ListFormat.text,
    db: DbOption = None,
) -> None:
    """Every version of a case: who changed what, and when."""
    with _registry(db, case_id=case_id) as registry, _audited(registry, "case.history", case_id):
        revisions = registry.history(case_id)
    if output_format is ListFormat.json:
        typer.echo(json.dumps(_revision_rows(revisions), indent=2, ensure_ascii=False))
        return
    from rich.table import Table

    table = Table(title=f"History of {case_id}", title_justify="left")
    for column in ("version", "action", "when", "who"):
        table.add_column(column)
    table.add_column("changes", min_width=34)
    for r in revisions:
        changes = "\n".join(f"{c.path}: {_short(c.old)} → {_short(c.new)}" for c in r.changes)
        table.add_row(str(r.version), r.action, _when(r.changed_at), r.changed_by, changes)
    _console().print(table)


@registry_app.command("export")
@_handled
def export_command(
    output_format: Annotated[
        ExportChoice,
        typer.Option(
            "--format",
            help="csv: the cohort table (one row per patient: case_id, imaging_type, "
            "ivc_level, age, sex, size_mm, operative_time_min, blood_loss_ml, transfused, "
            "icu_admission, reconstruction, margin, dfs/os months and events, ...), also "
            "called cohort-csv; wide-csv: every field of the case record; excel: every "
            "field plus a cohort sheet; json: full case documents; redcap: REDCap flat "
            "records. All but csv/cohort-csv can be imported back.",
        ),
    ] = ExportChoice.csv,
    out: Annotated[
        Path | None, typer.Option("--out", help="Output file (default: standard output).")
    ] = None,
    deidentified: Annotated[
        bool,
        typer.Option(
            "--deidentified",
            help="De-identify: keyed pseudonyms, shifted dates, no identity or narrative text "
            "(docs/deidentification.md).",
        ),
    ] = False,
    db: DbOption = None,
    centre: Annotated[
        str | None,
        typer.Option("--centre", metavar="CODE", help="Only the cases of this centre."),
    ] = None,
) -> None:
    """Export the current cases (deleted ones are left out); each exported case is
    recorded in the audit log."""
    from rvlms.interchange import ExportFormat, export_cases

    fmt = ExportFormat(output_format.value)
    if fmt.binary and out is None:
        _usage("--format excel writes a binary file: give --out FILE.xlsx")
    if out is not None:
        output_file(out)
    from rvlms.registry import Scope

    with _registry(db) as registry:
        source = (
            registry.scoped(Scope.of({registry.centres.require(centre, "--centre")}))
            if centre
            else registry
        )
        centres = {s.case_id: s.centre_code for s in source.list()}
        exported: list[str] = []

        def counted() -> Iterator[Any]:
            for case in source.cases():
                exported.append(case.case_id)
                yield case

        action = "case.export.deidentified" if deidentified else "case.export"
        try:
            count = export_cases(
                counted(),
                fmt,
                out if out is not None else sys.stdout,
                deidentified=deidentified,
            )
        finally:
            cli_audit(
                registry.engine,
                action,
                [(case_id, centres.get(case_id)) for case_id in exported],
                detail=f"--format {fmt.value}" + (f" --out {out}" if out else ""),
            )
    if out is not None:
        typer.echo(f"Exported {count} case(s) to {out}", err=True)


def _report(report: ImportReport) -> None:
    typer.echo(f"Imported {report.imported} of {report.total} case(s) from {report.source}")
    for note in report.notes:
        typer.echo(f"note: {note}", err=True)
    if report.rejected:
        typer.echo(
            f"{report.rejected} case(s) rejected, written with their problems to "
            f"{report.rejects_path}"
        )


@registry_app.command("import")
@_handled
def import_command(
    file: Annotated[Path, typer.Argument(metavar="FILE")],
    input_format: Annotated[
        ImportChoice | None,
        typer.Option(
            "--format",
            help="csv (wide-csv export), excel, json or redcap (default: from the suffix; "
            "a CSV starting with record_id is REDCap).",
        ),
    ] = None,
    skip_invalid: Annotated[
        bool,
        typer.Option(
            "--skip-invalid",
            help="Import the valid cases and write the others to --rejects "
            "(default: refuse the whole file if one case is invalid).",
        ),
    ] = False,
    rejects: Annotated[
        Path | None,
        typer.Option("--rejects", help="Where rejected rows go (default: FILE.rejects.csv)."),
    ] = None,
    db: DbOption = None,
    user: UserOption = None,
    centre: CentreOption = None,
) -> None:
    """Import new cases from a file: all of them, or none if one is invalid."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from rvlms.interchange import import_file

    if rejects is not None and not skip_invalid:
        _usage("--rejects needs --skip-invalid")
    if rejects is not None:
        output_file(rejects, "--rejects")
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with (
        _registry(db, create=True) as registry,
        Progress(*columns, console=_console(stderr=True)) as bar,
    ):
        tasks: dict[str, Any] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        from rvlms.registry import Scope

        code = registry.centre_for_new(centre)
        before = {s.case_id for s in registry.list(include_deleted=True)}
        report = import_file(
            registry.scoped(Scope.of({code})),
            file,
            user=_user(user),
            fmt=input_format.value if input_format else None,
            skip_invalid=skip_invalid,
            rejects=rejects,
            progress=progress,
        )
        added = [s.case_id for s in registry.list() if s.case_id not in before]
        cli_audit(
            registry.engine,
            "case.import",
            [(case_id, code) for case_id in added],
            user=user,
            detail=f"from {file}",
        )
    _report(report)
