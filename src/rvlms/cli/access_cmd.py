"""``rvlms centre`` (the member centres), ``rvlms user grant|revoke`` (roles per centre) and
``rvlms audit`` (who read, changed or exported a patient's record).

Registered by :func:`rvlms.cli.serve_cmd.register` next to the ``user`` commands. Every
grant is written to the audit log with the operating-system user and host of the person
who made it; a network-wide grant is named as such.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from rvlms.cli.common import (
    DbOption,
    cli_audit,
    clinical_errors,
    database_url,
    err_console,
    fail,
)

if TYPE_CHECKING:
    from sqlalchemy import Engine

__all__ = ["audit_command", "centre_app", "register_access"]

centre_app = typer.Typer(
    help="The member centres of the network: every case belongs to one, and users hold a "
    "role per centre (data access groups).",
    no_args_is_help=True,
)


class GrantRole(StrEnum):
    clinician = "clinician"
    researcher = "researcher"
    admin = "admin"


class AuditFormat(StrEnum):
    text = "text"
    json = "json"


@contextmanager
def _engine(db: str | None) -> Iterator[Engine]:
    from rvlms.registry import create_engine_for, init_registry

    url = database_url(db)
    with clinical_errors():
        engine = create_engine_for(url)
        try:
            init_registry(engine.url, engine=engine)
            yield engine
        finally:
            engine.dispose()


@centre_app.command("add")
def centre_add(
    code: Annotated[str, typer.Argument(help="Short code: lower-case letters, digits, . _ -")],
    name: Annotated[str | None, typer.Option("--name", help="The centre's full name")] = None,
    db: DbOption = None,
) -> None:
    """Add a member centre."""
    from rvlms.registry import Centres

    with _engine(db) as engine, clinical_errors():
        centre = Centres(engine).add(code, name, created_by="cli")
        cli_audit(engine, "centre.create", detail=f"centre {centre.code!r} ({centre.name})")
    err_console.print(f"added centre {centre.code} ({centre.name})")


@centre_app.command("list")
def centre_list(db: DbOption = None) -> None:
    """The centres, with how many current cases each holds."""
    from rvlms.registry import Centres, Registry

    with _engine(db) as engine, clinical_errors():
        registry = Registry(engine=engine, migrate=False)
        counts: dict[str, int] = {}
        for summary in registry.list():
            counts[summary.centre_code] = counts.get(summary.centre_code, 0) + 1
        centres = Centres(engine).all()
    for centre in centres:
        typer.echo(f"{centre.code}\t{centre.name}\t{counts.get(centre.code, 0)} case(s)")


def user_grant(
    name: Annotated[str, typer.Argument(help="The user")],
    role: Annotated[GrantRole, typer.Option("--role", "-r", help="The role at the centre")],
    centre: Annotated[
        str | None,
        typer.Option("--centre", metavar="CODE", help="The centre (rvlms centre list)"),
    ] = None,
    network: Annotated[
        bool,
        typer.Option(
            "--network",
            help="Network-wide: a researcher sees every centre's de-identified data, an "
            "admin administers every centre",
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Give NAME a role at a centre (--centre CODE) or network-wide (--network)."""
    from rvlms.web.accounts import Accounts
    from rvlms.web.policy import Role

    database_url(db)
    if (centre is None) == (not network):
        fail("give either --centre CODE or --network")
    with _engine(db) as engine, clinical_errors():
        membership = Accounts(engine).grant(
            name, None if network else centre, Role(role.value), granted_by="cli"
        )
        scope = "network-wide (every centre)" if network else f"at centre {membership.where}"
        cli_audit(
            engine,
            "membership.grant",
            detail=f"user {name.strip().lower()!r} role {role.value} {scope}",
        )
    err_console.print(f"{name}: {role.value} {scope}")


def user_revoke(
    name: Annotated[str, typer.Argument(help="The user")],
    centre: Annotated[
        str | None, typer.Option("--centre", metavar="CODE", help="The centre")
    ] = None,
    network: Annotated[bool, typer.Option("--network", help="The network-wide role")] = False,
    db: DbOption = None,
) -> None:
    """Take NAME's role at a centre (or network-wide) away."""
    from rvlms.web.accounts import Accounts

    database_url(db)
    if (centre is None) == (not network):
        fail("give either --centre CODE or --network")
    with _engine(db) as engine, clinical_errors():
        Accounts(engine).revoke(name, None if network else centre)
        where = "network-wide" if network else f"at centre {centre}"
        cli_audit(engine, "membership.revoke", detail=f"user {name!r} {where}")
    err_console.print(f"{name}: no role {where} any more")


def user_roles(db: DbOption = None) -> None:
    """Every user's roles per centre."""
    from rvlms.web.accounts import Accounts

    with _engine(db) as engine, clinical_errors():
        accounts = Accounts(engine)
        rows = [(u, accounts.memberships(u.id)) for u in accounts.users()]
    for user, memberships in rows:
        held = ", ".join(f"{m.role}@{m.where}" for m in memberships) or "no centre"
        typer.echo(f"{user.username}\t{held}")


def _when(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC")


def audit_command(
    case: Annotated[
        str | None,
        typer.Option("--case", metavar="CASE_ID", help="Who saw, changed or exported this case"),
    ] = None,
    actor: Annotated[str | None, typer.Option("--actor", help="Only this user")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=100_000)] = 200,
    output_format: Annotated[AuditFormat, typer.Option("--format")] = AuditFormat.text,
    db: DbOption = None,
) -> None:
    """The audit log, newest first: with --case, every read, change and export of that
    patient's record, from the web app, the API, the command line, CDS and FHIR."""
    from rvlms.web.audit import AuditFilter, AuditLog

    with _engine(db) as engine, clinical_errors():
        log = AuditLog(engine)
        where = AuditFilter(case_id=case, actor=actor.strip().lower() if actor else None)
        entries = log.entries(where, limit=limit)
        total = log.count(where)
        cli_audit(engine, "audit.read", [(case, None)], detail=f"{len(entries)} entries shown")
    if output_format is AuditFormat.json:
        rows = [
            {
                "at": e.at.isoformat(),
                "actor": e.actor,
                "role": e.role,
                "action": e.action,
                "outcome": e.outcome,
                "case_id": e.case_id,
                "centre": e.centre,
                "via": e.via,
                "client_ip": e.client_ip,
                "host": e.host,
                "annotation": e.annotation,
                "target": e.target,
                "detail": e.detail,
            }
            for e in entries
        ]
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for e in entries:
        where_from = e.host or e.client_ip or "—"
        noted = f" (as {e.annotation})" if e.annotation else ""
        typer.echo(
            f"{_when(e.at)}\t{e.actor or '—'}{noted}\t{e.action}\t{e.outcome}\t"
            f"{e.case_id or '—'}\t{e.via} from {where_from}"
        )
    err_console.print(f"{len(entries)} of {total} entries")


def register_access(app: typer.Typer, user_app: typer.Typer) -> None:
    app.add_typer(centre_app, name="centre")
    app.command("audit")(audit_command)
    user_app.command("grant")(user_grant)
    user_app.command("revoke")(user_revoke)
    user_app.command("roles")(user_roles)
