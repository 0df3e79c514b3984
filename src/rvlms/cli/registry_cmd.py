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

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from rvlms.case.vocab import ImagingType, IvcLevel
from rvlms.cli.common import DbOption, cli_audit, read_case
from rvlms.cli.registry_io_cmd import register_io_commands
from rvlms.cli.registry_support import (
    CentreOption,
    UserOption,
    audited,
    console,
    handled,
    open_registry,
    refuse,
    registry_url,
    short,
    usage_error,
    user_name,
    when,
)
from rvlms.errors import CaseInvalid

if TYPE_CHECKING:
    from rvlms.registry import Revision

__all__ = ["registry_app"]

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


@registry_app.command("init")
@handled
def init_command(db: DbOption = None) -> None:
    """Create the registry, or bring its schema up to date (safe to run again)."""
    from rvlms.registry import display_url, init_registry

    url = registry_url(db, create="folder")
    revisions = init_registry(url)
    typer.echo(f"Registry ready at {display_url(url)} (schema {', '.join(revisions)})")


@registry_app.command("add")
@handled
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
        refuse(f"nothing was added; fix these values:\n{listing}")
    with open_registry(db, create=True) as registry:
        code = registry.centre_for_new(centre)
        registry.add_many(cases, user_name(user), centre=code)
        cli_audit(registry.engine, "case.create", [(c.case_id, code) for c in cases], user=user)
    ids = ", ".join(c.case_id for c in cases)
    typer.echo(f"Added {len(cases)} case(s) as version 1: {ids}")


@registry_app.command("show")
@handled
def show_command(
    case_id: Annotated[str, typer.Argument(metavar="CASE_ID")],
    output_format: Annotated[
        ShowFormat, typer.Option("--format", help="yaml (with a version header) or json.")
    ] = ShowFormat.yaml,
    db: DbOption = None,
) -> None:
    """Print the current version of a case, ready to edit and pass to edit --file."""
    from rvlms.case import dump_case

    with open_registry(db, case_id=case_id) as registry, audited(registry, "case.read", case_id):
        stored = registry.get(case_id)
    header = (
        f"version {stored.version} · created {when(stored.created_at)} by {stored.created_by}"
        f" · updated {when(stored.updated_at)} by {stored.updated_by}"
    )
    if output_format is ShowFormat.json:
        typer.echo(header, err=True)
        typer.echo(dump_case(stored.case, "json"))
        return
    typer.echo(f"# {stored.case_id}: {header}")
    typer.echo(dump_case(stored.case, "yaml"), nl=False)


@registry_app.command("list")
@handled
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

    with open_registry(db) as registry:
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
    console().print(table)


def _parse_assignment(text: str) -> tuple[list[str], Any]:
    import yaml

    path, sep, raw = text.partition("=")
    if not sep or not path.strip():
        usage_error(f"--set {text!r}: expected PATH=VALUE, e.g. imaging.max_diameter_cm=8.1")
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
                usage_error(f"--set {text!r}: {'.'.join(parts[:depth])} has {len(current)} item(s)")
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
            usage_error(f"--set {text!r}: {'.'.join(parts[:depth])} is not a section")
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
@handled
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
        usage_error("give either --file CASE_FILE or one or more --set PATH=VALUE")
    parsed = [(_parse_assignment(text), text) for text in assignments or []]
    with open_registry(db, case_id=case_id) as registry:
        if case_file is not None:
            edited = read_case(case_file)
        else:
            data = registry.get(case_id).case.model_dump(mode="json", exclude_none=True)
            for (parts, value), text in parsed:
                _assign(data, parts, value, text)
            edited = parse_case(data, source=f"{case_id} with --set")
        with audited(registry, "case.update", case_id, user):
            stored = registry.update(case_id, edited, version, user_name(user))
        changes = registry.history(case_id)[-1].changes if stored.version > version else []
    if stored.version == version:
        typer.echo(f"No change: {case_id} stays at version {version}")
        return
    typer.echo(f"Saved {case_id} as version {stored.version}")
    for change in changes:
        typer.echo(f"  {change.path}: {short(change.old)} → {short(change.new)}")


@registry_app.command("delete")
@handled
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
        open_registry(db, case_id=case_id) as registry,
        audited(registry, "case.delete", case_id, user),
    ):
        revision = registry.delete(case_id, user_name(user), expected_version=version)
    typer.echo(f"Deleted {case_id} (version {revision.version}); its history remains")


def _revision_rows(revisions: list[Revision]) -> list[dict[str, Any]]:
    return [r.model_dump(mode="json", exclude={"data"}) for r in revisions]


@registry_app.command("history")
@handled
def history_command(
    case_id: Annotated[str, typer.Argument(metavar="CASE_ID")],
    output_format: Annotated[ListFormat, typer.Option("--format")] = ListFormat.text,
    db: DbOption = None,
) -> None:
    """Every version of a case: who changed what, and when."""
    with open_registry(db, case_id=case_id) as registry, audited(registry, "case.history", case_id):
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
        changes = "\n".join(f"{c.path}: {short(c.old)} → {short(c.new)}" for c in r.changes)
        table.add_row(str(r.version), r.action, when(r.changed_at), r.changed_by, changes)
    console().print(table)


register_io_commands(registry_app)
