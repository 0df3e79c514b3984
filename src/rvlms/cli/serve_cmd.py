"""``rvlms serve`` (the web app and REST API under uvicorn) and ``rvlms user`` (accounts).

Mounted on the main application with :func:`register`. FastAPI, uvicorn and argon2 are
imported inside the commands so that ``rvlms --help`` stays fast.
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from rvlms.cli.common import (
    Creating,
    DbOption,
    cli_audit,
    cli_identity,
    clinical_errors,
    database_url,
    err_console,
    load_cli_settings,
)

if TYPE_CHECKING:
    from rvlms.settings import Settings
    from rvlms.web.accounts import Accounts

__all__ = ["RoleName", "register", "serve_command", "user_app"]

user_app = typer.Typer(
    help="Accounts of the web app and the REST API: people (password) and programs (token).",
    no_args_is_help=True,
)


class RoleName(StrEnum):
    clinician = "clinician"
    researcher = "researcher"
    admin = "admin"


def _settings(db: str | None, create: Creating = "nothing") -> Settings:
    database_url(db, create=create)
    return load_cli_settings(db)


def _operator(settings: Settings) -> str:
    """Who the records name for a command-line change: the operating-system user and
    host, with ``RVLMS_USER`` as an annotation only."""
    return cli_identity(settings.user).name


@contextmanager
def _accounts(settings: Settings) -> Iterator[tuple[Accounts, object]]:
    """The accounts of the registry, with its engine; the engine is closed afterwards."""
    from rvlms.registry import create_engine_for, init_registry
    from rvlms.web.accounts import Accounts

    engine = create_engine_for(settings.database_url)
    try:
        init_registry(engine.url, engine=engine)
        yield Accounts(engine), engine
    finally:
        engine.dispose()


def _audit(settings: Settings, engine: object, action: str, detail: str) -> None:
    from sqlalchemy import Engine

    assert isinstance(engine, Engine)
    cli_audit(engine, action, user=settings.user, detail=detail)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="User name (lower-case letters, digits, . _ -)")],
    role: Annotated[RoleName, typer.Option("--role", "-r", help="What the user may see and do")],
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="Read the password from the first line of stdin"),
    ] = False,
    no_password: Annotated[
        bool, typer.Option("--no-password", help="A program account that signs in only by token")
    ] = False,
    centre: Annotated[
        str | None,
        typer.Option(
            "--centre",
            metavar="CODE",
            help="The centre where the role holds (default: 'default'; an admin without "
            "--centre administers the network)",
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Add a user with a role at a centre. Clinicians see their centres' patient data;
    researchers de-identified data of the centres that granted access; admins manage users
    and read the audit log. More roles: rvlms user grant."""
    from rvlms.web.policy import Role

    settings = _settings(db, create="file")
    with clinical_errors():
        password = None if no_password else _read_password(password_stdin)
        where = centre if centre is not None else (None if role is RoleName.admin else "default")
        held = f"at centre {where}" if where is not None else "network-wide"
        with _accounts(settings) as (accounts, engine):
            user = accounts.add(
                name, Role(role.value), password, created_by=_operator(settings), centre=where
            )
            _audit(
                settings,
                engine,
                "user.create",
                f"user {user.username!r} role {user.role.value} {held}",
            )
    err_console.print(f"added {user.username} ({user.role.value} {held})")


@user_app.command("token")
def user_token(
    name: Annotated[str, typer.Argument(help="The user the program acts as")],
    label: Annotated[str | None, typer.Option(help="What the token is for")] = None,
    expires_days: Annotated[
        int | None, typer.Option("--expires-days", min=1, help="Days until it expires")
    ] = None,
    db: DbOption = None,
) -> None:
    """Create an API token for NAME and print it once (it is stored only as a digest)."""
    settings = _settings(db)
    with clinical_errors(), _accounts(settings) as (accounts, engine):
        issued = accounts.issue_token(
            name, created_by=_operator(settings), label=label, expires_in_days=expires_days
        )
        _audit(settings, engine, "token.create", f"token {issued.info.prefix}… for {name!r}")
    typer.echo(issued.token)
    err_console.print(
        f"token for {issued.info.username}: send it as 'Authorization: Bearer <token>'; "
        "it is shown only now",
        soft_wrap=True,
    )


@user_app.command("list")
def user_list(db: DbOption = None) -> None:
    """The users, their roles and whether they are active."""
    settings = _settings(db)
    with clinical_errors(), _accounts(settings) as (accounts, _):
        users = accounts.users()
    for user in users:
        state = "active" if user.active else "deactivated"
        typer.echo(f"{user.username}\t{user.role.value}\t{state}")


def _cds_notes(settings: Settings) -> list[str]:
    """What an operator must know about the CDS Hooks service before an EHR calls it."""
    if settings.cds_allow_unauthenticated:
        return [
            "WARNING: DEMONSTRATION MODE. The CDS Hooks service at /cds-services accepts "
            "calls WITHOUT verifying the EHR's JWT; every card says so. Never connect it to "
            "an EHR with patient data."
        ]
    notes = []
    if not settings.cds_public_base_url:
        notes.append(
            "note: CDS Hooks calls answer 503 until RVLMS_CDS_PUBLIC_BASE_URL is set "
            "(the URL EHRs call, e.g. https://rvlms.example.org)"
        )
    if not settings.cds_issuers:
        notes.append(
            "note: no EHR is configured in RVLMS_CDS_ISSUERS, so every CDS Hooks call is "
            "refused with 401 (see docs/cds.md)"
        )
    else:
        names = ", ".join(issuer.iss for issuer in settings.cds_issuers)
        notes.append(f"CDS Hooks: accepting JWTs signed by {names}")
    return notes


def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on")] = 8000,
    db: DbOption = None,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Load the zhang2021 cases and a synthetic cohort and create a one-time demo "
            "login (without --db: in a fresh temporary registry, removed when the server stops); "
            "the CDS Hooks service then "
            "accepts calls without a JWT, loudly labelled",
        ),
    ] = False,
) -> None:
    """Serve the MDT web app, the REST API (/api/v1) and the CDS Hooks service."""
    temporary: Path | None = None
    if demo and db is None:
        temporary = Path(tempfile.mkdtemp(prefix="rvlms-demo-"))
        db = f"sqlite:///{temporary / 'registry.sqlite3'}"
    settings = _settings(db, create="file" if demo else "nothing")
    address = f"http://{host if ':' not in host else f'[{host}]'}:{port}/"
    if demo:
        settings = settings.model_copy(
            update={
                "demo": True,
                "cds_allow_unauthenticated": True,
                "cds_public_base_url": settings.cds_public_base_url or address.rstrip("/"),
            }
        )

    import uvicorn

    from rvlms.registry import Registry, display_url
    from rvlms.settings import PLACEHOLDER_SECRET
    from rvlms.web import create_app
    from rvlms.web.accounts import Accounts
    from rvlms.web.demo import load_demo

    with clinical_errors():
        app = create_app(
            settings,
            on_shutdown=None
            if temporary is None
            else functools.partial(shutil.rmtree, temporary, ignore_errors=True),
        )
        if demo:
            with Registry(settings.database_url) as registry:
                login = load_demo(registry, Accounts(registry.engine))
            err_console.print(
                f"demo registry: {display_url(settings.database_url)} "
                f"({login.cases_added} demonstration cases added)",
                soft_wrap=True,
            )
            typer.echo(f"open {address} and sign in as {login.username} / {login.password}")
            for role, username, password in login.others:
                typer.echo(f"  {role.value}: {username} / {password}")
            typer.echo("(the password is new for every start with --demo)")
        else:
            typer.echo(f"serving {display_url(settings.database_url)} at {address}")
            with Registry(settings.database_url) as registry:
                nobody = not Accounts(registry.engine).users()
            if nobody:
                err_console.print(
                    "no user yet: create the first one with "
                    "rvlms user add NAME --role admin (or clinician, researcher)",
                    soft_wrap=True,
                )
    if settings.secret_key.get_secret_value() == PLACEHOLDER_SECRET:
        err_console.print(
            "note: RVLMS_SECRET_KEY is not set, so sessions end when the server stops",
            soft_wrap=True,
        )
    for line in _cds_notes(settings):
        err_console.print(line, soft_wrap=True)
    if host not in ("127.0.0.1", "localhost", "::1") and not settings.behind_tls:
        err_console.print(
            "warning: serving beyond this machine without TLS; put the app behind an HTTPS "
            "proxy and set RVLMS_BEHIND_TLS=true",
            soft_wrap=True,
        )
    uvicorn.run(app, host=host, port=port, log_level=os.environ.get("RVLMS_LOG_LEVEL", "info"))


def register(app: typer.Typer) -> None:
    """Add ``serve`` and the ``user`` commands to the ``rvlms`` application."""
    from rvlms.cli.access_cmd import register_access

    app.command("serve")(serve_command)
    register_access(app, user_app)
    app.add_typer(user_app, name="user")
