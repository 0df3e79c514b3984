"""Benchmark: the plan endpoint of the REST API under load, against the bare ``/healthz``.

The app runs under uvicorn (``rvlms.web.app:app_from_env``) in a process of its own on
127.0.0.1 (loopback only), with the demo registry: the four zhang2021 patients and 60
synthetic cases. 64 keep-alive connections then send requests for a bounded time and
count, first to ``/healthz`` (no database, no authentication: the floor of the HTTP stack
in this server), then to ``GET /api/v1/cases/{id}/plan`` cycling over every case as a
clinician with a bearer token, so each request checks the token, writes its audit entry,
looks up the case version and returns the plan (computed once per version). Targets:
the plan endpoint's time per request (1 / throughput) and its p99 latency under 3x those
of ``/healthz`` in the same run.

The load generator speaks just enough HTTP/1.1 for these two GET endpoints (keep-alive,
``Content-Length`` bodies) on asyncio streams. httpx's connection pool was measured here
at about a fifth of that rate with 64 concurrent connections, so with httpx the benchmark
would time the client instead of the server.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from run import Row
from rvlms.registry import Registry
from rvlms.web import Role, load_demo
from rvlms.web.accounts import Accounts

HOST = "127.0.0.1"
CONNECTIONS = 64
DURATION_S = 10.0
MAX_REQUESTS = 50_000
WARM_UP_REQUESTS = 512
STARTUP_TIMEOUT_S = 60.0
TARGET_RATIO = 3.0


@dataclass(frozen=True)
class Load:
    latencies_ms: list[float]
    seconds: float

    @property
    def requests(self) -> int:
        return len(self.latencies_ms)

    @property
    def per_request_ms(self) -> float:
        return 1000.0 * self.seconds / max(self.requests, 1)

    @property
    def p99_ms(self) -> float:
        return statistics.quantiles(self.latencies_ms, n=100)[98]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


async def _get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ")[1])
    length = next(
        int(line.split(b":", 1)[1]) for line in lines if line.lower().startswith(b"content-length:")
    )
    await reader.readexactly(length)
    return status


async def _load(port: int, paths: list[str], header: str, duration_s: float, limit: int) -> Load:
    requests = itertools.cycle(
        [f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\n{header}\r\n".encode() for path in paths]
    )
    latencies: list[float] = []
    issued = 0

    async def connection(warm_up: int, deadline: float) -> None:
        nonlocal issued
        reader, writer = await asyncio.open_connection(HOST, port)
        try:
            for _ in range(warm_up):
                await _get(reader, writer, next(requests))
            while issued < limit and time.perf_counter() < deadline:
                issued += 1
                started = time.perf_counter()
                status = await _get(reader, writer, next(requests))
                latencies.append(1000.0 * (time.perf_counter() - started))
                if status != 200:
                    raise RuntimeError(f"status {status} under load")
        finally:
            writer.close()

    await asyncio.gather(*(connection(WARM_UP_REQUESTS // CONNECTIONS, 0.0) for _ in range(8)))
    started = time.perf_counter()
    deadline = started + duration_s
    await asyncio.gather(*(connection(0, deadline) for _ in range(CONNECTIONS)))
    return Load(latencies, time.perf_counter() - started)


@contextmanager
def _server(folder: Path, url: str, port: int) -> Iterator[None]:
    env = {
        **os.environ,
        "RVLMS_DB": url,
        "RVLMS_DATA_DIR": str(folder),
        "RVLMS_SECRET_KEY": "bench-web-secret-key-0123456789",
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "rvlms.web.app:app_from_env",
        "--host",
        HOST,
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    process = subprocess.Popen(command, env=env)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            try:
                with socket.create_connection((HOST, port), timeout=1.0):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the benchmark server did not start") from None
                time.sleep(0.1)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def measure(duration_s: float = DURATION_S, limit: int = MAX_REQUESTS) -> tuple[Load, Load]:
    """(healthz, plan) loads against one server."""
    with tempfile.TemporaryDirectory(prefix="rvlms-bench-web-") as name:
        folder = Path(name)
        url = f"sqlite:///{folder / 'bench.sqlite3'}"
        with Registry(url) as registry:
            accounts = Accounts(registry.engine)
            load_demo(registry, accounts)
            accounts.add("bench", Role.clinician, None, created_by="bench")
            token = accounts.issue_token("bench", created_by="bench").token
            plan_paths = [f"/api/v1/cases/{s.case_id}/plan" for s in registry.list()]
        port = _free_port()
        with _server(folder, url, port):
            health = asyncio.run(_load(port, ["/healthz"], "", duration_s, limit))
            auth = f"Authorization: Bearer {token}\r\n"
            plan = asyncio.run(_load(port, plan_paths, auth, duration_s, limit))
    return health, plan


def run() -> list[Row]:
    health, plan = measure()
    return [
        Row(
            name=(
                f"web: GET /api/v1/cases/{{id}}/plan, time per request at {CONNECTIONS} "
                f"connections ({plan.requests:,} requests) vs bare /healthz "
                f"({health.requests:,})"
            ),
            measured=round(plan.per_request_ms, 3),
            baseline=round(health.per_request_ms, 3),
            unit="ms",
            target_ratio=TARGET_RATIO,
        ),
        Row(
            name=f"web: plan endpoint p99 latency at {CONNECTIONS} connections vs /healthz p99",
            measured=round(plan.p99_ms, 2),
            baseline=round(health.p99_ms, 2),
            unit="ms",
            target_ratio=TARGET_RATIO,
        ),
    ]


if __name__ == "__main__":
    for result in run():
        print(result)
