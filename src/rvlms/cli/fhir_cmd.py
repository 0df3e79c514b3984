"""`rvlms fhir export|import`: cases in and out as FHIR R4 / mCODE."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from rvlms.cli.common import (
    EXIT_USAGE,
    DbOption,
    cli_audit,
    clinical_errors,
    database_url,
    fail,
    named_user,
    output_file,
    output_folder,
    read_case,
    write_output,
)

__all__ = ["fhir_app", "register"]

fhir_app = typer.Typer(
    help=(
        "FHIR R4 / mCODE STU4: export a case as a Bundle or a cohort as Bulk Data NDJSON, "
        "and import a Bundle or NDJSON into case records (docs/fhir.md)."
    ),
    no_args_is_help=True,
)


@fhir_app.command("export")
def export_command(
    case: Annotated[
        str | None,
        typer.Argument(
            metavar="CASE",
            help="A case file (YAML/JSON), or with --db the case_id of a registry case; "
            "leave out with --db to export the whole registry (needs --ndjson).",
        ),
    ] = None,
    db: DbOption = None,
    ndjson: Annotated[
        Path | None,
        typer.Option("--ndjson", metavar="DIR", help="Write Bulk Data NDJSON files into DIR."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="FILE", help="Write the Bundle to FILE (default: stdout)."),
    ] = None,
    deidentified: Annotated[
        bool,
        typer.Option(
            "--deidentified", help="Leave out names, record numbers, birth dates; dates as years."
        ),
    ] = False,
) -> None:
    """Export a case as a FHIR Bundle, or cases as NDJSON (one file per resource type)."""
    from rvlms.fhir import case_bundle, write_ndjson

    with clinical_errors():
        if out is not None:
            output_file(out, "--out")
        url = database_url(db) if db is not None else None
        if case is None and url is None:
            fail("give CASE (a case file) or --db URL (the registry to export)", EXIT_USAGE)
        if url is None:
            assert case is not None
            cases = [read_case(Path(case))]
        else:
            from rvlms.registry import Registry

            registry = Registry(url)
            try:
                cases = [registry.get(case).case] if case else list(registry.cases())
            finally:
                registry.close()
        if ndjson is not None:
            counts = write_ndjson(
                cases, output_folder(ndjson, "--ndjson"), deidentified=deidentified
            )
            summary = ", ".join(f"{n} {kind}" for kind, n in counts.items())
            typer.echo(f"{len(cases)} case(s) written to {ndjson}: {summary}", err=True)
            return
        if len(cases) != 1:
            fail(
                f"--db holds {len(cases)} cases: give a CASE id for one Bundle, or "
                "--ndjson DIR for all of them",
                EXIT_USAGE,
            )
        text = json.dumps(
            case_bundle(cases[0], deidentified=deidentified), indent=2, ensure_ascii=False
        )
        if out is None:
            typer.echo(text)
        else:
            write_output(out, text + "\n")


@fhir_app.command("import")
def import_command(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="A FHIR Bundle (.json), an NDJSON file (.ndjson) or a folder of NDJSON files.",
        ),
    ],
    db: DbOption = None,
    user: Annotated[
        str | None,
        typer.Option("--user", metavar="NAME", help="Name recorded in the registry history."),
    ] = None,
) -> None:
    """Read FHIR into case records: add them to the registry with --db, else print them
    (YAML) after checking every resource and every case."""
    from rvlms.case import dump_case
    from rvlms.fhir import read_fhir_file

    with clinical_errors():
        url = database_url(db, create="file") if db is not None else None
        cases = read_fhir_file(file)
        if url is None:
            typer.echo("\n---\n".join(dump_case(c).rstrip() for c in cases))
            typer.echo(f"{len(cases)} case(s) read from {file}", err=True)
            return
        from rvlms.registry import Registry

        with Registry(url) as registry:
            code = registry.centre_for_new()
            added = registry.add_many(cases, named_user(user), centre=code)
            cli_audit(
                registry.engine,
                "case.import",
                [(c.case_id, code) for c in cases],
                user=user,
                detail=f"FHIR from {file}",
            )
        typer.echo(f"{added} case(s) added from {file}: {', '.join(c.case_id for c in cases)}")


def register(app: typer.Typer) -> None:
    """Mount this module's commands on the ``rvlms`` application."""
    app.add_typer(fhir_app, name="fhir")
