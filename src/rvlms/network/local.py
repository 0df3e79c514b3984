"""A whole Flower network on this machine: a SuperLink and SuperNodes as child processes.

For ``rvlms network demo``, the tests and the benchmark: every process listens on
127.0.0.1 only (insecure mode, which rvlms allows only on loopback), each SuperNode is
started as ``rvlms network node`` starts it (:mod:`rvlms.network.supernode`), and
:func:`network` stops them all, with the helpers they started, however its block ends.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from rvlms.network.coordinator import NetworkError
from rvlms.network.deploy import flower_env, free_port, node_config_text, run_analysis, tool
from rvlms.network.supernode import DEFAULT_POLL_SECONDS, node_argv

__all__ = ["FlowerNetwork", "network"]


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
