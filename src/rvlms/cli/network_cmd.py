"""`rvlms network node|analyze|demo`: federated analysis across centres on Flower.

``node`` runs a centre's Flower SuperNode next to its registry, with the centre's release
policy as node configuration (:mod:`rvlms.cli.network_node_cmd`); ``analyze`` submits
the coordinator's analysis to a SuperLink on this machine and writes the pooled report
(text, JSON, HTML, PDF); ``demo`` starts a three-centre network of synthetic registries
on 127.0.0.1 and prints the pooled report. Flower, pandas and lifelines are imported
inside the commands.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from rvlms.cli.analysis_cmd import AnalyzeFormat as NetworkFormat
from rvlms.cli.common import emit, finite
from rvlms.cli.network_node_cmd import register_node_command
from rvlms.cli.network_options import MissingOption, RootCertificatesOption, TimeOption
from rvlms.cli.network_options import network_error as _fail

if TYPE_CHECKING:
    from rvlms.network.report import FederatedReport

__all__ = ["NetworkFormat", "TimeOption", "network_app", "register"]

network_app = typer.Typer(
    help="Multicentre analysis without pooling patient data (Flower).", no_args_is_help=True
)
register_node_command(network_app)


def _check_output(output_format: NetworkFormat, out: Path | None) -> None:
    """Check --format/--out before any process starts, not after the analysis."""
    from rvlms.cli.common import output_file

    if output_format is NetworkFormat.pdf and out is None:
        raise _fail("--format pdf needs --out FILE.pdf")
    if out is not None:
        output_file(out)


def _render(report: FederatedReport, output_format: NetworkFormat, out: Path | None) -> None:
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
    emit(content, out)


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
    root_certificates: RootCertificatesOption = None,
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
    from rvlms.network.deploy import write_app
    from rvlms.network.local import network
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
