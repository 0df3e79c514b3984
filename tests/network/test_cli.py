"""``rvlms network node|analyze|demo`` through the real command line application.

``demo`` starts a real SuperLink and three SuperNodes on 127.0.0.1 and must stop them;
its pooled numbers are checked against the single-site analysis of the three
registries it reports.
"""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from rvlms.cli.main import app
from rvlms.cli.network_cmd import demo_registries

runner = CliRunner()


def test_node_dry_run_prints_exactly_what_would_leave_the_centre(tmp_path: Path) -> None:
    url = demo_registries(tmp_path, {"A": 80}, seed=5)["A"]
    result = runner.invoke(
        app, ["network", "node", "--centre", "A", "--registry", url, "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["centre"] == "A" and body["n"] == 80
    assert body["policy"] == {
        "centre": "A",
        "min_cell": 5,
        "times": "binned",
        "bin_months": 3.0,
        "variables": body["policy"]["variables"],
        "synthetic": None,
        "imaging_type": None,
        "ivc_level": None,
        "sex": None,
    }
    assert url not in result.stdout
    rows = body["survival"]["dfs"]["rows"]
    assert all(events + censored >= 5 for _, _, events, censored in rows)


def test_node_refuses_an_insecure_remote_superlink(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "network",
            "node",
            "--centre",
            "A",
            "--registry",
            str(tmp_path / "a.db"),
            "--superlink",
            "10.0.0.9:9091",
        ],
    )
    assert result.exit_code == 2
    assert (
        "--superlink 10.0.0.9:9091: a remote SuperLink needs --root-certificates" in result.output
    )


def test_node_reports_a_bad_policy_value(tmp_path: Path) -> None:
    url = demo_registries(tmp_path, {"A": 30}, seed=5)["A"]
    result = runner.invoke(
        app,
        ["network", "node", "--centre", "A", "--registry", url, "--times", "daily", "--dry-run"],
    )
    assert result.exit_code == 2
    assert "--times" in result.output and "'daily'" in result.output
    assert "exact" in result.output and "binned" in result.output


def test_analyze_without_a_superlink_fails_clearly() -> None:
    result = runner.invoke(
        app,
        ["network", "analyze", "--centres", "A", "--superlink", "127.0.0.1:1", "--timeout", "30"],
    )
    assert result.exit_code == 1
    assert "could not submit the analysis to 127.0.0.1:1" in result.output
    assert "Traceback" not in result.output


def test_demo_runs_three_centres_and_prints_the_pooled_report() -> None:
    result = runner.invoke(app, ["network", "demo", "--patients", "60", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    centres = {c["centre"]: c for c in report["provenance"]["centres"]}
    assert {name: c["n"] for name, c in centres.items()} == {"north": 60, "centre": 40, "south": 30}
    assert all(c["status"] == "included" for c in centres.values())
    assert report["synthetic"] is True
    assert report["survival"]["dfs"]["n"] == 130
    assert report["provenance"]["engine"].startswith("Flower")
    assert "all processes stopped" in result.stderr


def test_node_does_not_start_without_a_registry_or_a_superlink(tmp_path: Path) -> None:
    missing = runner.invoke(
        app, ["network", "node", "--centre", "A", "--registry", f"sqlite:///{tmp_path / 'none.db'}"]
    )
    assert missing.exit_code == 2 and "no registry at" in missing.output
    url = demo_registries(tmp_path, {"A": 30}, seed=5)["A"]
    alone = runner.invoke(
        app, ["network", "node", "--centre", "A", "--registry", url, "--superlink", "127.0.0.1:1"]
    )
    assert alone.exit_code == 2
    assert "--superlink 127.0.0.1:1: no SuperLink answers there" in alone.output


def test_demo_checks_its_output_options_before_starting_anything() -> None:
    result = runner.invoke(app, ["network", "demo", "--format", "pdf"])
    assert result.exit_code == 2 and "--format pdf needs --out" in result.output


def test_the_pooled_report_renders_as_html_and_pdf(tmp_path: Path) -> None:
    from rvlms.cli.network_cmd import NetworkFormat, _render
    from rvlms.network import InProcessTransport, run_federated

    from .conftest import network

    report = run_federated(InProcessTransport(network([100, 80], min_cell=5)))
    _render(report, NetworkFormat.html, tmp_path / "report.html")
    _render(report, NetworkFormat.pdf, tmp_path / "report.pdf")
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Centres (provenance)" in html and "pooled aggregates of A, B" in html
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")


def test_two_nodes_started_with_the_command_answer_analyze_and_stop_with_it(
    tmp_path: Path,
) -> None:
    """The commands a centre and a coordinator type, as processes: two ``rvlms network
    node`` on one machine (one warm, one ``--cold``, each its own ``--runtime-port``) and
    ``rvlms network analyze``. Stopping a node's command stops its SuperNode and its warm
    ClientApp runtime."""
    import re
    import signal
    import subprocess
    import sys
    import time

    import pandas as pd

    from rvlms.analysis import summarise_survival, validate_cohort
    from rvlms.network.deploy import flower_env, free_port
    from rvlms.network.local import network
    from rvlms.network.warm import READY
    from rvlms.registry import Registry

    urls = demo_registries(tmp_path, {"X": 60, "Y": 50}, 3)
    rvlms = [str(Path(sys.executable).parent / "rvlms")]
    with network(tmp_path / "net") as net:
        net.start_superlink()
        logs = {c: tmp_path / f"node-{c}.log" for c in urls}
        nodes: dict[str, subprocess.Popen[bytes]] = {}
        for centre, extra in (("X", []), ("Y", ["--cold"])):
            argv = [*rvlms, "network", "node", "--centre", centre, "--registry", urls[centre]]
            argv += ["--superlink", net.address, "--times", "exact"]
            argv += ["--runtime-port", str(free_port()), *extra]
            with logs[centre].open("wb") as out:
                nodes[centre] = subprocess.Popen(
                    argv, stdout=out, stderr=subprocess.STDOUT, env=flower_env(tmp_path / centre)
                )
        try:
            analyze = [*rvlms, "network", "analyze", "--superlink", net.address]
            analyze += ["--centres", "X,Y", "--wait", "90", "--timeout", "150", "--format", "json"]
            done = subprocess.run(
                analyze,
                capture_output=True,
                text=True,
                env=flower_env(tmp_path / "coordinator"),
                timeout=200,
            )
            assert done.returncode == 0, done.stderr
            report = json.loads(done.stdout)
            centres = {c["centre"]: c["n"] for c in report["provenance"]["centres"]}
            assert centres == {"X": 60, "Y": 50}
            frames = []
            for url in urls.values():
                with Registry(url) as registry:
                    frames.append(registry.cohort_frame())
            union = validate_cohort(pd.concat(frames, ignore_index=True))
            assert report["survival"]["dfs"]["n"] == summarise_survival(union, "dfs").n == 110
            warm = re.search(rf"{READY} \(pid (\d+)\)", logs["X"].read_text())
            assert warm is not None and READY not in logs["Y"].read_text()
            for process in nodes.values():
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=30)
            deadline = time.monotonic() + 30
            while Path(f"/proc/{warm.group(1)}").exists() and time.monotonic() < deadline:
                time.sleep(0.2)
            assert not Path(f"/proc/{warm.group(1)}").exists(), "the warm runtime outlived its node"
        finally:
            for process in nodes.values():
                if process.poll() is None:
                    process.kill()
                    process.wait()
