"""Flower's commands as rvlms runs them, and submitting the analysis, without network access.

Flower's deployment engine is plain processes: ``flower-superlink`` (the coordinator's
hub), one ``flower-supernode`` per centre (connects out to the SuperLink; receives
queries, runs the ClientApp next to the registry) and ``flwr run``, which packs the app
directory (:func:`write_app`: a ``pyproject.toml`` naming
:mod:`rvlms.network.flower_app`'s apps, and a one-line module importing them) into a
FAB and submits it. rvlms must be installed on every node; the FAB carries no
dependencies and the SuperLink is started with runtime dependency installation off,
so nothing is downloaded.

``insecure`` (plain HTTP) is accepted only for a loopback address; production set-ups
give TLS certificates and node authentication keys (see docs/network.md). A whole network
on one machine (tests, the demo, the benchmark) is :mod:`rvlms.network.local`.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rvlms.network.coordinator import NetworkError
from rvlms.network.flower_settings import FLOWER_QUIET, SUPEREXEC_POLL

__all__ = [
    "APP_MODULE",
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
