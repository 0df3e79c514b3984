"""``rvlms redcap``: the REDCap data dictionary, the project XML and update-mode import.

``dictionary`` and ``project`` need no database. ``import`` takes ``--db URL`` (default:
``RVLMS_DB``, else the SQLite file in the data folder) and ``--user NAME`` for the history
(default: ``RVLMS_USER``, else the login name). Exit codes: 0 done, 1 refused, invalid,
conflicted or (for ``check``) a broken rule, 2 a wrong command line.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from rvlms.cli.common import (
    EXIT_INVALID,
    DbOption,
    clinical_errors,
    database_url,
    fail,
    named_user,
    write_output,
)
from rvlms.cli.registry_support import audit_sync

__all__ = ["redcap_app", "register"]

redcap_app = typer.Typer(
    help=(
        "REDCap: the data dictionary and the project XML of the case record, and import of "
        "REDCap records in update mode (a periodic REDCap → rvlms sync)."
    ),
    no_args_is_help=True,
)


class ReportFormat(StrEnum):
    text = "text"
    json = "json"


OutOption = Annotated[
    Path | None, typer.Option("--out", help="Output file (default: standard output).")
]


def _emit(text: str, out: Path | None, what: str) -> None:
    if out is None:
        typer.echo(text, nl=False)
        return
    write_output(out, text)
    typer.echo(f"Wrote the {what} to {out}", err=True)


@redcap_app.command("dictionary")
def dictionary_command(out: OutOption = None) -> None:
    """The REDCap data dictionary (CSV) generated from the case record."""
    from rvlms.interchange import redcap_dictionary

    with clinical_errors():
        _emit(redcap_dictionary(), out, "REDCap data dictionary")


@redcap_app.command("project")
def project_command(out: OutOption = None) -> None:
    """The REDCap project XML (CDISC ODM 1.3.1) with instruments, repeating instruments and event.

    Upload it in REDCap with "New Project → Upload a REDCap project XML file".
    """
    from rvlms.interchange import redcap_project_xml

    with clinical_errors():
        _emit(redcap_project_xml(), out, "REDCap project XML")


@redcap_app.command("check")
def check_command(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A data dictionary CSV.")],
) -> None:
    """Check a data dictionary against REDCap's rules (exit 1 and every problem if broken)."""
    from rvlms.interchange import check_dictionary

    with clinical_errors():
        try:
            text = file.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as exc:
            fail(f"{file}: not UTF-8 text (byte {exc.start}: {exc.reason}); save it as UTF-8 CSV")
    problems = check_dictionary(text)
    if problems:
        lines = "\n".join(f"  - {p.as_text()}" for p in problems)
        fail(f"{file}: {len(problems)} problem(s):\n{lines}", EXIT_INVALID)
    typer.echo(f"{file}: no problems")


@redcap_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A REDCap flat record export.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Report what would change; write nothing.")
    ] = False,
    skip_invalid: Annotated[
        bool,
        typer.Option(
            "--skip-invalid",
            help="Write the valid records and report the others as refused "
            "(default: write nothing if one record is refused).",
        ),
    ] = False,
    report_format: Annotated[
        ReportFormat, typer.Option("--report", help="The diff report as text or json.")
    ] = ReportFormat.text,
    db: DbOption = None,
    user: Annotated[
        str | None,
        typer.Option("--user", metavar="NAME", help="Name recorded in the history."),
    ] = None,
) -> None:
    """Import REDCap records in update mode and report the diff.

    Records are matched by record_id: new ones are added, changed ones updated with the
    registry's version check; the report lists changed fields (old → new), conflicts,
    refused records with their reasons, and unchanged records.
    """
    from rvlms.interchange import ImportRejected, Outcome, sync_file
    from rvlms.registry import Registry

    with clinical_errors():
        url = database_url(db, create="file")
        with Registry(url) as registry:
            try:
                report = sync_file(
                    registry,
                    file,
                    user=named_user(user),
                    skip_invalid=skip_invalid,
                    dry_run=dry_run,
                )
            except ImportRejected as refused:
                fail(str(refused), EXIT_INVALID)
            audit_sync(registry, report, user, file)
    if report_format is ReportFormat.json:
        typer.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False, default=str))
    else:
        typer.echo(report.as_text())
    troubled = report.of(Outcome.refused) + report.of(Outcome.conflicted)
    if troubled and not (skip_invalid and not report.of(Outcome.conflicted)):
        raise typer.Exit(EXIT_INVALID)


def register(app: typer.Typer) -> None:
    app.add_typer(redcap_app, name="redcap")
