"""`rvlms network node|analyze|demo`: federated analysis across centres on Flower.

``node`` runs a centre's Flower SuperNode next to its registry, with the centre's release
policy as node configuration; ``analyze`` submits the coordinator's analysis to a
SuperLink on this machine and writes the pooled report (text, JSON, HTML, PDF);
``demo`` starts a three-centre network of synthetic registries on 127.0.0.1 and prints
the pooled report. Flower, pandas and lifelines are imported inside the commands.
"""

from __future__ import annotations

import enum
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from rvlms.cli.analysis_cmd import AnalyzeFormat as NetworkFormat
from rvlms.cli.common import finite

if TYPE_CHECKING:
    from rvlms.network.policy import NodePolicy
    from rvlms.network.report import FederatedReport

__all__ = ["NetworkFormat", "TimeOption", "network_app", "register"]

network_app = typer.Typer(
    help="Multicentre analysis without pooling patient data (Flower).", no_args_is_help=True
)


class TimeOption(enum.StrEnum):
    exact = "exact"
    binned = "binned"


class MissingOption(enum.StrEnum):
    fail = "fail"
    report = "report"


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def _check_output(output_format: NetworkFormat, out: Path | None) -> None:
    """Check --format/--out before any process starts, not after the analysis."""
    from rvlms.cli.common import output_file

    if output_format is NetworkFormat.pdf and out is None:
        raise _fail("--format pdf needs --out FILE.pdf")
    if out is not None:
        output_file(out)


def _render(report: FederatedReport, output_format: NetworkFormat, out: Path | None) -> None:
    from rvlms.cli.common import write_output

    _check_output(output_format, out)
    names = ", ".join(c.centre for c in report.provenance.centres if c.status == "included")
    provenance = f"pooled aggregates of {names} ({report.provenance.engine})"
    content: str | bytes
    if output_format is NetworkFormat.json:
        content = report.to_json() + "\n"
    elif output_format is NetworkFormat.text:
        content = report.to_text()
    else:
        html = report.to_html(provenance=provenance)
        if output_format is NetworkFormat.html:
            content = html
        else:
            from weasyprint import HTML

            pdf = HTML(string=html).write_pdf()
            content = pdf if isinstance(pdf, bytes) else b""
    if out is None:
        text = content if isinstance(content, str) else content.decode()
        typer.echo(text, nl=not text.endswith("\n"))
    else:
        write_output(out, content)
        typer.echo(f"written: {out}", err=True)


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


@network_app.command("node")
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
    root_certificates: Annotated[
        Path | None,
        typer.Option(
            "--root-certificates",
            exists=True,
            dir_okay=False,
            help="CA of the SuperLink's TLS certificate.",
        ),
    ] = None,
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


def _run_config(
    centres: str, on_missing: MissingOption, wait: float, by: str
) -> dict[str, str | int | float]:
    return {"centres": centres, "on-missing": on_missing.value, "wait-seconds": wait, "by": by}


@network_app.command("analyze")
def analyze_command(
    centres: Annotated[
        str, typer.Option("--centres", help="Comma-separated centres expected to answer.")
    ],
    superlink: Annotated[
        str, typer.Option("--superlink", help="SuperLink on this machine, host:port.")
    ] = "127.0.0.1:9091",
    on_missing: Annotated[
        MissingOption,
        typer.Option(
            "--on-missing",
            help="A missing or refusing centre stops the run (fail) or is named in the "
            "report (report).",
        ),
    ] = MissingOption.fail,
    by: Annotated[
        str, typer.Option("--by", help="Grouping column (default imaging_type).")
    ] = "imaging_type",
    wait: Annotated[
        float, typer.Option("--wait", min=0, help="Seconds to wait for the centres' nodes.")
    ] = 60.0,
    timeout: Annotated[
        float, typer.Option("--timeout", min=1, help="Seconds to wait for the report.")
    ] = 600.0,
    root_certificates: Annotated[
        Path | None,
        typer.Option(
            "--root-certificates",
            exists=True,
            dir_okay=False,
            help="CA of the SuperLink's TLS certificate.",
        ),
    ] = None,
    output_format: Annotated[
        NetworkFormat, typer.Option("--format", help="Output format.")
    ] = NetworkFormat.text,
    out: Annotated[
        Path | None, typer.Option("--out", dir_okay=False, help="Write the report to FILE.")
    ] = None,
) -> None:
    """Run the coordinator: pooled description, Kaplan–Meier, log-rank and Cox."""
    from rvlms.network.coordinator import NetworkError
    from rvlms.network.deploy import Tls, run_analysis, write_app
    from rvlms.network.report import FederatedReport

    _check_output(output_format, out)
    finite("--wait", wait, "a number of seconds")
    finite("--timeout", timeout, "a number of seconds")
    with tempfile.TemporaryDirectory(prefix="rvlms-network-") as folder:
        app = write_app(Path(folder) / "app", _run_config(centres, on_missing, wait, by))
        tls = Tls(root_certificates=root_certificates) if root_certificates else None
        try:
            payload = run_analysis(
                app, superlink, timeout=timeout, home=Path(folder) / "home", tls=tls
            )
        except NetworkError as error:
            raise _fail(str(error), 1) from error
    _render(FederatedReport.model_validate(payload["report"]), output_format, out)


def demo_registries(folder: Path, sizes: dict[str, int], seed: int) -> dict[str, str]:
    """One SQLite registry of synthetic cases per centre (case ids prefixed by the centre)."""
    from rvlms.registry import Registry
    from rvlms.synth import synthetic_cases

    urls: dict[str, str] = {}
    for offset, (centre, n) in enumerate(sizes.items()):
        url = f"sqlite:///{folder / f'{centre}.db'}"
        cases = [
            c.model_copy(update={"case_id": f"{centre}-{c.case_id}", "centre": centre})
            for c in synthetic_cases(n, seed=seed + offset)
        ]
        with Registry(url) as registry:
            registry.add_many(cases, "rvlms-network-demo")
        urls[centre] = url
    return urls


@network_app.command("demo")
def demo_command(
    patients: Annotated[
        int, typer.Option("--patients", min=30, max=20000, help="Synthetic patients per centre.")
    ] = 150,
    times: Annotated[
        TimeOption, typer.Option("--times", help="What the nodes release.")
    ] = TimeOption.exact,
    seed: Annotated[
        int,
        typer.Option("--seed", min=0, max=2**32 - 1, help="Seed of the synthetic registries."),
    ] = 2025,
    output_format: Annotated[
        NetworkFormat, typer.Option("--format", help="Output format.")
    ] = NetworkFormat.text,
    out: Annotated[
        Path | None, typer.Option("--out", dir_okay=False, help="Write the report to FILE.")
    ] = None,
) -> None:
    """Start a SuperLink and three SuperNodes on 127.0.0.1 with synthetic registries, run
    the pooled analysis, print it, and stop every process."""
    from rvlms.network.coordinator import NetworkError
    from rvlms.network.deploy import network, write_app
    from rvlms.network.report import FederatedReport

    _check_output(output_format, out)
    sizes = {"north": patients, "centre": patients * 2 // 3, "south": patients // 2}
    with tempfile.TemporaryDirectory(prefix="rvlms-network-demo-") as folder:
        root = Path(folder)
        typer.echo("creating three synthetic registries ...", err=True)
        urls = demo_registries(root, sizes, seed)
        started = time.perf_counter()
        try:
            with network(root / "net") as net:
                net.start_superlink()
                for centre, url in urls.items():
                    net.start_supernode(
                        centre,
                        {"centre": centre, "registry": url, "min-cell": 5, "times": times.value},
                    )
                typer.echo(
                    f"SuperLink {net.address} and 3 SuperNodes started; running ...", err=True
                )
                app = write_app(root / "app", {"centres": ",".join(urls), "wait-seconds": 120})
                payload = net.run(app, timeout=600)
        except NetworkError as error:
            raise _fail(str(error), 1) from error
        typer.echo(
            f"done in {time.perf_counter() - started:.0f} s; all processes stopped", err=True
        )
    _render(FederatedReport.model_validate(payload["report"]), output_format, out)


def register(app: typer.Typer) -> None:
    """Mount this module's commands on the ``rvlms`` application."""
    app.add_typer(network_app, name="network")
