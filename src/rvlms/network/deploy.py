"""Starting Flower's processes and submitting the analysis, without network access.

Flower's deployment engine is plain processes: ``flower-superlink`` (the coordinator's
hub), one ``flower-supernode`` per centre (connects out to the SuperLink; receives
queries, runs the ClientApp next to the registry) and ``flwr run``, which packs the app
directory (:func:`write_app`: a ``pyproject.toml`` naming
:mod:`rvlms.network.flower_app`'s apps, and a one-line module importing them) into a
FAB and submits it. rvlms must be installed on every node; the FAB carries no
dependencies and the SuperLink is started with runtime dependency installation off,
so nothing is downloaded.

``insecure`` (plain HTTP) is accepted only for a loopback address; production set-ups
give TLS certificates and node authentication keys (see docs/network.md).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from rvlms.network.coordinator import NetworkError
from rvlms.network.flower_settings import FLOWER_QUIET, SUPEREXEC_POLL
from rvlms.network.supernode import DEFAULT_POLL_SECONDS, node_argv

__all__ = [
    "APP_MODULE",
    "FlowerNetwork",
    "Tls",
    "flower_env",
    "free_port",
    "is_loopback",
    "node_config_text",
    "run_analysis",
    "tool",
    "write_app",
]

APP_MODULE = "rvlms_network_app"
APP_NAME = "rvlms-network"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def tool(name: str) -> str:
    """Path of a Flower executable: next to this interpreter first, then on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise NetworkError(
            f"{name} not found: install Flower (pip install flwr) in this environment"
        )
    return found


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def is_loopback(address: str) -> bool:
    host = address.rsplit(":", 1)[0].strip("[]")
    return host in LOOPBACK


@dataclass(frozen=True)
class Tls:
    """Certificates for a TLS deployment (paths); none of them means insecure."""

    root_certificates: Path | None = None
    certfile: Path | None = None
    keyfile: Path | None = None
    node_private_key: Path | None = None


def _check_insecure(address: str, tls: Tls | None) -> list[str]:
    if tls is not None and (tls.root_certificates or tls.certfile):
        return []
    if not is_loopback(address):
        raise NetworkError(
            f"address {address}: insecure (unencrypted) mode is allowed only on loopback "
            "(127.0.0.1); give --root-certificates (and on the SuperLink --ssl-certfile "
            "and --ssl-keyfile)"
        )
    return ["--insecure"]


def write_app(folder: Path, config: Mapping[str, str | int | float] | None = None) -> Path:
    """The Flower app directory for ``flwr run`` (FAB source)."""
    folder.mkdir(parents=True, exist_ok=True)
    defaults: dict[str, str | int | float] = {
        "out": str(folder / "report.json"),
        "centres": "",
        "on-missing": "fail",
        "wait-seconds": 30.0,
        "wait-nodes": 0,
        "round-timeout": 120.0,
        "by": "imaging_type",
        "categorical": "default",
        "continuous": "default",
        "cox": "default",
        "ties": "efron",
    }
    defaults.update(config or {})
    lines = "\n".join(f"{k} = {json.dumps(v)}" for k, v in defaults.items())
    (folder / "pyproject.toml").write_text(
        f"""[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "{APP_NAME}"
version = "1.0.0"
description = "rvlms federated cohort analysis"
license = "Apache-2.0"
dependencies = []

[tool.flwr.app]
publisher = "rvlms"

[tool.flwr.app.components]
serverapp = "{APP_MODULE}:server_app"
clientapp = "{APP_MODULE}:client_app"

[tool.flwr.app.config]
{lines}
""",
        encoding="utf-8",
    )
    (folder / f"{APP_MODULE}.py").write_text(
        '"""rvlms federated analysis: the apps live in the installed rvlms package."""\n\n'
        "from rvlms.network.flower_app import client_app, server_app\n\n"
        '__all__ = ["client_app", "server_app"]\n',
        encoding="utf-8",
    )
    return folder


def node_config_text(values: Mapping[str, object]) -> str:
    """Flower's ``--node-config`` syntax: space-separated ``key=value`` with TOML values."""
    return " ".join(f"{k}={json.dumps(v)}" for k, v in values.items())


def _wait_port(port: int, process: subprocess.Popen[bytes], seconds: float, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise NetworkError(f"the SuperLink exited at start-up (see {log})")
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise NetworkError(f"the SuperLink did not listen on port {port} within {seconds:.0f} s")


@dataclass
class FlowerNetwork:
    """A SuperLink and SuperNodes as child processes; :meth:`close` always stops them."""

    workdir: Path
    port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    _logs: list[IO[bytes]] = field(default_factory=list)
    _warm: set[str] = field(default_factory=set)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _spawn(self, name: str, argv: list[str], home: Path) -> subprocess.Popen[bytes]:
        home.mkdir(parents=True, exist_ok=True)
        log = open(self.workdir / f"{name}.log", "wb")  # noqa: SIM115 - closed in close()
        self._logs.append(log)
        process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=flower_env(home))
        self.processes[name] = process
        return process

    def start_superlink(self, timeout: float = 60.0) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        argv = [
            tool("flower-superlink"),
            "--insecure",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--disable-runtime-dependency-installation",
        ]
        process = self._spawn("superlink", argv, self.workdir / "home-superlink")
        _wait_port(self.port, process, timeout, self.workdir / "superlink.log")

    def start_supernode(
        self,
        centre: str,
        node_config: Mapping[str, object],
        *,
        poll_seconds: float = DEFAULT_POLL_SECONDS,
        cold: bool = False,
    ) -> None:
        """Start a centre's SuperNode as ``rvlms network node`` does
        (:mod:`rvlms.network.supernode`); ``cold`` leaves out the warm ClientApp runtime."""
        flower = [
            "--insecure",
            "--superlink",
            self.address,
            "--port",
            str(free_port()),
            "--node-config",
            node_config_text(node_config),
        ]
        argv = node_argv(flower, poll_seconds=poll_seconds, cold=cold)
        name = f"supernode-{centre}"
        self._spawn(name, argv, self.workdir / f"home-{centre}")
        if not cold:
            self._warm.add(name)

    def wait_until_warm(self, timeout: float = 120.0) -> None:
        """Wait until every running SuperNode's warm ClientApp runtime has warmed up.

        Queries that come earlier are answered too, once the warm-up is done; waiting
        first keeps the warm-up out of a timed analysis.
        """
        from rvlms.network.warm import READY

        deadline = time.monotonic() + timeout
        pending = {name for name in self._warm if name in self.processes}
        while pending:
            for name in sorted(pending):
                log = self.workdir / f"{name}.log"
                if READY in log.read_text(encoding="utf-8", errors="replace"):
                    pending.discard(name)
                elif self.processes[name].poll() is not None:
                    raise NetworkError(f"{name} exited at start-up (see {log})")
            if pending and time.monotonic() > deadline:
                raise NetworkError(f"{', '.join(sorted(pending))}: not warm within {timeout:.0f} s")
            time.sleep(0.1)

    def stop(self, name: str) -> None:
        self._warm.discard(name)
        process = self.processes.pop(name)
        _terminate(process)

    def close(self) -> None:
        for name in list(self.processes):
            self.stop(name)
        for log in self._logs:
            log.close()
        self._logs.clear()

    def run(self, app: Path, timeout: float, run_config: Sequence[str] = ()) -> dict[str, Any]:
        return run_analysis(
            app,
            self.address,
            timeout=timeout,
            home=self.workdir / "home-cli",
            run_config=run_config,
        )


def flower_env(home: Path | None = None) -> dict[str, str]:
    """The environment of a Flower process started by rvlms.

    Flower's helpers (``flower-superexec``, ``flwr-serverapp``, ``flwr-clientapp``) are
    found on PATH, so this interpreter's scripts folder goes first; Flower's telemetry and
    update check are off, so nothing connects anywhere but the SuperLink; a SuperExec
    looks for new tasks every 0.05 s rather than Flower's default 1 s (a SuperNode's
    follows its ``--poll-seconds``).
    """
    scripts = str(Path(sys.executable).parent)
    path = os.pathsep.join([scripts, os.environ.get("PATH", "")])
    env = {
        **os.environ,
        "PATH": path,
        "PYTHONUNBUFFERED": "1",
        SUPEREXEC_POLL: os.environ.get(SUPEREXEC_POLL, "0.05"),
        **FLOWER_QUIET,
    }
    if home is not None:
        env["FLWR_HOME"] = str(home)
    return env


def _descendants(pid: int) -> list[int]:
    """Process ids below ``pid`` (Linux /proc); empty where /proc is not available."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found: list[int] = []
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _terminate(process: subprocess.Popen[bytes]) -> None:
    """Stop a Flower process and the helpers it started (SuperExec, app processes run in
    sessions of their own, so a lost parent would leave them running)."""
    import signal

    below = _descendants(process.pid)
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    for pid in below:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            continue


@contextmanager
def network(workdir: Path) -> Iterator[FlowerNetwork]:
    """A :class:`FlowerNetwork` whose processes are stopped however the block ends."""
    net = FlowerNetwork(workdir)
    try:
        yield net
    finally:
        net.close()


def _write_cli_config(home: Path, address: str, tls: Tls | None) -> None:
    home.mkdir(parents=True, exist_ok=True)
    lines = ["[superlink]", 'default = "rvlms"', "", "[superlink.rvlms]", f'address = "{address}"']
    if tls is not None and tls.root_certificates is not None:
        lines.append(f'root-certificates = "{tls.root_certificates}"')
    else:
        lines.append("insecure = true")
    (home / "config.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def run_analysis(
    app: Path,
    address: str,
    *,
    timeout: float,
    home: Path,
    tls: Tls | None = None,
    run_config: Sequence[str] = (),
) -> dict[str, Any]:
    """Submit the app with ``flwr run`` and wait for the ServerApp's report file.

    The report file is the ``out`` entry of the app's run configuration; the ServerApp
    runs on the SuperLink's machine, so ``address`` must be a SuperLink on this machine.
    """
    _check_insecure(address, tls)
    _write_cli_config(home, address, tls)
    import tomllib

    config = tomllib.loads((app / "pyproject.toml").read_text(encoding="utf-8"))
    out = Path(config["tool"]["flwr"]["app"]["config"]["out"])
    out.unlink(missing_ok=True)
    argv = [tool("flwr"), "run", str(app), "rvlms", "--format", "json"]
    for item in run_config:
        argv += ["--run-config", item]
    submitted = subprocess.run(
        argv, capture_output=True, env=flower_env(home), timeout=timeout, check=False
    )
    detail = (submitted.stdout + submitted.stderr).decode(errors="replace").strip()
    try:
        outcome = json.loads(submitted.stdout.decode(errors="replace"))
    except ValueError:
        outcome = {}
    if isinstance(outcome, dict) and outcome.get("success") is False:
        reason = " ".join(str(outcome.get("error-message", "")).split())
        raise NetworkError(f"flwr run could not submit the analysis to {address}: {reason}")
    if submitted.returncode != 0:
        raise NetworkError(
            f"flwr run failed at {address}: {detail.splitlines()[-1] if detail else '?'}"
        )
    deadline = time.monotonic() + timeout
    while not out.exists():
        if time.monotonic() > deadline:
            raise NetworkError(
                f"no report from the ServerApp within {timeout:.0f} s (expected {out})"
            )
        time.sleep(0.2)
    payload: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    if "error" in payload:
        raise NetworkError(str(payload["error"]))
    return payload
