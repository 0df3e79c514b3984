"""``rvlms registry export`` and ``rvlms registry import``: cases to and from files.

Export writes the current cases in one of the interchange formats; import adds new cases
from a file (all of them, or none if one is invalid), or with ``--update`` matches every
record to the registry by case_id and writes only what changed, printing the diff report
of :func:`rvlms.interchange.sync_file`. Every exported or imported case is recorded in the
audit log.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from rvlms.cli.common import DbOption, cli_audit, output_file
from rvlms.cli.registry_support import (
    CentreOption,
    UserOption,
    audit_sync,
    console,
    handled,
    open_registry,
    usage_error,
    user_name,
)

if TYPE_CHECKING:
    from rvlms.interchange import ImportReport

__all__ = ["register_io_commands"]


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


@handled
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
        usage_error("--format excel writes a binary file: give --out FILE.xlsx")
    if out is not None:
        output_file(out)
    from rvlms.registry import Scope

    with open_registry(db) as registry:
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


@handled
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
    update: Annotated[
        bool,
        typer.Option(
            "--update",
            help="Update mode: match the cases to the registry by case_id, add the new ones, "
            "save a new version of the changed ones only, and print the diff report "
            "(re-importing an export changes nothing).",
        ),
    ] = False,
) -> None:
    """Import new cases from a file: all of them, or none if one is invalid."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from rvlms.interchange import import_file

    if rejects is not None and not skip_invalid:
        usage_error("--rejects needs --skip-invalid")
    if update:
        if rejects is not None:
            usage_error("--rejects is not used with --update: refused cases are in the report")
        _update(file, input_format, skip_invalid, db, user, centre)
        return
    if rejects is not None:
        output_file(rejects, "--rejects")
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with (
        open_registry(db, create=True) as registry,
        Progress(*columns, console=console(stderr=True)) as bar,
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
            user=user_name(user),
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


def _update(
    file: Path,
    input_format: ImportChoice | None,
    skip_invalid: bool,
    db: str | None,
    user: str | None,
    centre: str | None,
) -> None:
    """``import --update``: the same diff report and exit codes as ``rvlms redcap import``
    (1 when a case is refused or conflicted, unless --skip-invalid and none conflicted)."""
    from rvlms.interchange import Outcome, sync_file
    from rvlms.registry import Scope

    with open_registry(db, create=True) as registry:
        code = registry.centre_for_new(centre)
        report = sync_file(
            registry.scoped(Scope.of({code})),
            file,
            user=user_name(user),
            fmt=input_format.value if input_format else None,
            skip_invalid=skip_invalid,
        )
        audit_sync(registry, report, user, file, centre=code)
    typer.echo(report.as_text())
    troubled = report.of(Outcome.refused) + report.of(Outcome.conflicted)
    if troubled and not (skip_invalid and not report.of(Outcome.conflicted)):
        raise typer.Exit(code=1)


def register_io_commands(app: typer.Typer) -> None:
    """Add ``export`` and ``import`` to the ``registry`` app, after the case commands."""
    app.command("export")(export_command)
    app.command("import")(import_command)
