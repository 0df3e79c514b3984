"""`rvlms network node`: a centre's Flower SuperNode next to its registry.

The centre's release policy becomes the node configuration; the registry and the
SuperLink are checked before anything starts, and the command then becomes the node
process (:mod:`rvlms.network.supernode`). Flower and pandas are imported inside.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from rvlms.cli.common import finite
from rvlms.cli.network_options import RootCertificatesOption, TimeOption
from rvlms.cli.network_options import network_error as _fail

if TYPE_CHECKING:
    from rvlms.network.policy import NodePolicy

__all__ = ["node_command", "register_node_command"]


def _check_registry(policy: NodePolicy) -> None:
    from rvlms.network.policy import PolicyError
    from rvlms.registry import Registry
    from rvlms.registry.engine import DatabaseUrlError, check_url

    try:
        url = check_url(policy.registry, must_exist=True)
    except DatabaseUrlError as error:
        raise PolicyError(f"--registry: {error}") from error
    with Registry(url, migrate=False) as registry:
        registry.count()


def _check_superlink(address: str, seconds: float = 5.0) -> None:
    """Refuse to start a node that could only wait: nothing listens at ``address``."""
    import socket

    host, _, port = address.rpartition(":")
    try:
        with socket.create_connection((host.strip("[]") or "127.0.0.1", int(port)), seconds):
            return
    except (OSError, ValueError) as error:
        raise _fail(
            f"--superlink {address}: no SuperLink answers there ({error}); start the "
            "coordinator's SuperLink first, or give its host:port"
        ) from error


def node_command(
    centre: Annotated[str, typer.Option("--centre", help="Name of this centre in reports.")],
    registry: Annotated[
        str,
        typer.Option("--registry", help="This centre's registry: SQLite file or PostgreSQL URL."),
    ],
    superlink: Annotated[
        str, typer.Option("--superlink", help="Coordinator's SuperLink, host:port.")
    ] = "127.0.0.1:9091",
    min_cell: Annotated[
        int,
        typer.Option("--min-cell", min=1, help="Small-cell threshold k (counts 1..k-1 hidden)."),
    ] = 5,
    times: Annotated[
        TimeOption, typer.Option("--times", help="Release exact follow-up times or time bins.")
    ] = TimeOption.binned,
    bin_months: Annotated[
        float, typer.Option("--bin-months", min=0.01, help="Width of a time bin (months).")
    ] = 3.0,
    variables: Annotated[
        str | None,
        typer.Option("--variables", help="Comma-separated cohort columns released (default: all)."),
    ] = None,
    root_certificates: RootCertificatesOption = None,
    auth_private_key: Annotated[
        Path | None,
        typer.Option(
            "--auth-private-key",
            exists=True,
            dir_okay=False,
            help="This node's key for SuperNode authentication.",
        ),
    ] = None,
    runtime_port: Annotated[
        int,
        typer.Option(
            "--runtime-port",
            min=1,
            max=65535,
            help="Local port of the SuperNode's Runtime API, on 127.0.0.1 (another one for "
            "each node that runs on the same machine).",
        ),
    ] = 9094,
    poll_seconds: Annotated[
        float,
        typer.Option(
            "--poll-seconds",
            min=0.01,
            max=60.0,
            help="Longest wait between two polls of the SuperLink (Flower's own is 3 s).",
        ),
    ] = 0.05,
    warm: Annotated[
        bool,
        typer.Option(
            "--warm/--cold",
            help="Answer from a warm ClientApp runtime that keeps the imports and the "
            "cohort table (default), or start a fresh Flower ClientApp process per query.",
        ),
    ] = True,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Print what this node would send for the standard summary query, and stop.",
        ),
    ] = False,
) -> None:
    """Run this centre's node: answer the coordinator's queries from the local registry.

    The command becomes the node's SuperNode process, so that stopping it (Ctrl-C, a
    service manager's SIGTERM) stops the node and the helpers it started.
    """
    from rvlms.errors import RvlmsError
    from rvlms.network.deploy import flower_env, is_loopback, node_config_text
    from rvlms.network.policy import NodePolicy
    from rvlms.network.supernode import node_argv

    finite("--bin-months", bin_months, "a width in months")
    config: dict[str, object] = {
        "centre": centre,
        "registry": registry,
        "min-cell": min_cell,
        "times": times.value,
        "bin-months": bin_months,
    }
    if variables is not None:
        config["variables"] = variables
    transport: list[str] = []
    if root_certificates is not None:
        transport += ["--root-certificates", str(root_certificates)]
    elif is_loopback(superlink):
        transport.append("--insecure")
    elif not dry_run:
        raise _fail(
            f"--superlink {superlink}: a remote SuperLink needs --root-certificates (TLS); "
            "insecure mode is allowed only on 127.0.0.1"
        )
    if auth_private_key is not None:
        transport += ["--auth-supernode-private-key", str(auth_private_key)]
    from sqlalchemy.exc import SQLAlchemyError

    try:
        policy = NodePolicy.from_node_config(config)
        if dry_run:
            from rvlms.network.aggregates import answer_from_registry
            from rvlms.network.coordinator import AnalysisPlan

            body = answer_from_registry(
                policy, AnalysisPlan().summary_query().model_dump(mode="json")
            )
            typer.echo(json.dumps(body, indent=2, ensure_ascii=False))
            return
        _check_registry(policy)
    except RvlmsError as error:
        raise _fail(str(error)) from error
    except SQLAlchemyError as error:
        detail = str(getattr(error, "orig", None) or error).strip().splitlines()
        raise _fail(
            f"--registry: the registry could not be read: {detail[0] if detail else error}", 1
        ) from error
    _check_superlink(superlink)
    argv = node_argv(
        [
            "--superlink",
            superlink,
            "--port",
            str(runtime_port),
            "--node-config",
            node_config_text(config),
            *transport,
        ],
        poll_seconds=poll_seconds,
        cold=not warm,
    )
    typer.echo(
        f"centre {policy.centre}: node for {superlink} "
        f"({policy.times} times, min-cell {policy.min_cell})",
        err=True,
    )
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(argv[0], argv, flower_env())


def register_node_command(app: typer.Typer) -> None:
    """Mount ``node`` on the ``rvlms network`` application."""
    app.command("node")(node_command)
