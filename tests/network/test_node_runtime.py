"""How a centre's node runs Flower: the kept cohort table, the warm ClientApp runtime and
its launcher, and the Flower settings (no outgoing connections, short waits).

The warm runtime and Flower's settings are exercised in processes of their own, as a node
runs them, so that nothing here changes the Flower modules of the test process. The
whole path - SuperLink, SuperNodes, warm runtimes, a cold node - runs in
test_deployment.py.
"""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rvlms.network import NodePolicy, load_centre_cohort
from rvlms.network.centre_cohort import forget_cohorts
from rvlms.network.deploy import flower_env
from rvlms.network.flower_settings import FLOWER_QUIET, FLOWER_VERSION, SUPEREXEC_POLL
from rvlms.network.supernode import DEFAULT_POLL_SECONDS, node_argv
from rvlms.network.warm import LAUNCHER, READY, write_launcher
from rvlms.registry import Registry
from rvlms.synth import synthetic_cases


@pytest.fixture
def registry_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'centre.db'}"
    with Registry(url) as registry:
        registry.add_many(synthetic_cases(30, seed=5), "loader")
    return url


def test_the_registry_stamp_changes_with_every_write(registry_url: str) -> None:
    cases = synthetic_cases(31, seed=5)
    with Registry(registry_url) as registry:
        first = registry.stamp()
        assert first[0] == 30 and registry.stamp() == first
        stored = registry.add(cases[30], "clinician")
        added = registry.stamp()
        changed = stored.case.model_copy(update={"notes": "second opinion"})
        registry.update(stored.case_id, changed, stored.version, "clinician")
        updated = registry.stamp()
        registry.delete(stored.case_id, "clinician")
        deleted = registry.stamp()
    assert len({first, added, updated, deleted}) == 4


def test_the_cohort_table_is_kept_until_the_registry_changes(registry_url: str) -> None:
    from rvlms.network import centre_cohort

    forget_cohorts()
    policy = NodePolicy(centre="A", registry=registry_url, times="exact")
    table = load_centre_cohort(policy)
    assert len(table) == 30
    kept = next(iter(centre_cohort._cache.values()))
    table["age"] = -1
    again = load_centre_cohort(policy)
    assert next(iter(centre_cohort._cache.values())) is kept
    assert (again["age"] != -1).all(), "a caller's change must not reach the kept table"
    with Registry(registry_url) as registry:
        registry.add(synthetic_cases(31, seed=5)[30], "clinician")
    newest = load_centre_cohort(policy)
    assert len(newest) == 31
    assert next(iter(centre_cohort._cache.values())) is not kept
    other = NodePolicy(centre="A", registry=registry_url, times="exact", sex="female")
    assert len(load_centre_cohort(other)) == int((newest["sex"] == "female").sum())
    forget_cohorts()
    assert not centre_cohort._cache


def test_the_launcher_runs_flowers_own_clientapp_when_no_warm_runtime_listens(
    tmp_path: Path,
) -> None:
    fallback = tmp_path / "fallback"
    fallback.write_text('#!/bin/sh\necho "fallback got: $*"\nexit 3\n', encoding="utf-8")
    fallback.chmod(0o700)
    launcher = write_launcher(tmp_path / "bin", tmp_path / "absent.sock", str(fallback))
    assert launcher.name == LAUNCHER == "flwr-clientapp"
    done = subprocess.run(
        [str(launcher), "--token", "abc", "--insecure"], capture_output=True, text=True
    )
    assert done.returncode == 3
    assert done.stdout.strip() == "fallback got: --token abc --insecure"


def _wait_for(path: Path, text: str, process: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while text not in path.read_text(encoding="utf-8", errors="replace"):
        assert process.poll() is None, path.read_text(encoding="utf-8", errors="replace")
        assert time.monotonic() < deadline, f"{text!r} not in {path}"
        time.sleep(0.1)


def test_the_warm_runtime_runs_flwr_clientapp_with_the_launchers_arguments_and_streams(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "node"
    folder.mkdir()
    socket_path = folder / "clientapp.sock"
    launcher = write_launcher(folder, socket_path, fallback="/bin/false")
    parent = subprocess.Popen(["sleep", "120"])
    log = tmp_path / "warm.log"
    with log.open("wb") as out:
        warm = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "rvlms.network.warm",
                "--socket",
                str(socket_path),
                "--parent-pid",
                str(parent.pid),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=flower_env(),
        )
    try:
        _wait_for(log, READY, warm, 120.0)
        assert socket_path.stat().st_mode & 0o077 == 0, "the socket is this user's only"
        done = subprocess.run(
            [str(launcher), "--token", "t", "--no-such-option"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 2, done.stderr
        assert "usage: flwr-clientapp" in done.stderr
        assert "unrecognized arguments: --no-such-option" in done.stderr
        assert "fallback" not in done.stderr
        parent.kill()
        parent.wait()
        assert warm.wait(timeout=30) == 0
        assert not folder.exists(), "the node run's folder goes with its warm runtime"
    finally:
        for process in (parent, warm):
            if process.poll() is None:
                process.kill()
                process.wait()


def test_flower_waits_are_shortened_only_where_flower_has_them() -> None:
    import flwr
    from flwr.supercore.inflatable.inflatable_utils import pull_objects
    from flwr.superlink.grid import http_grid
    from flwr.supernode import start_client_internal

    assert flwr.__version__ == FLOWER_VERSION
    loop = inspect.getsource(start_client_internal)
    assert "time.sleep(3)" in loop and "time.sleep(0.5)" in loop
    assert "time.sleep(3)" in inspect.getsource(http_grid.HttpGrid.send_and_receive)
    assert inspect.signature(pull_objects).parameters["initial_backoff"].default == 1
    script = """
import functools, time
from rvlms.network.flower_settings import (
    FIRST_PULL_BACKOFF, shorten_clientapp_waits, shorten_node_waits, shorten_serverapp_waits)
from flwr.supernode import start_client_internal as loop
from flwr.supernode.runtime import run_clientapp
from flwr.superlink.grid import http_grid
assert shorten_node_waits(0.05) and loop.time.cap == 0.05 and loop.time.time is time.time
assert shorten_serverapp_waits() and shorten_clientapp_waits() and shorten_clientapp_waits()
for pull in (loop.pull_objects, http_grid.pull_objects,
             run_clientapp.pull_and_inflate_object_from_tree):
    assert isinstance(pull, functools.partial), pull
    assert pull.keywords == {"initial_backoff": FIRST_PULL_BACKOFF}
print("shortened")
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=flower_env()
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "shortened"


def test_flower_processes_make_no_outgoing_connection_and_poll_briefly(tmp_path: Path) -> None:
    env = flower_env(tmp_path)
    assert env["FLWR_TELEMETRY_ENABLED"] == "0"
    assert env["FLWR_DISABLE_UPDATE_CHECK"] == "1"
    assert FLOWER_QUIET.items() <= env.items()
    assert env["FLWR_HOME"] == str(tmp_path)
    assert float(env[SUPEREXEC_POLL]) <= 0.1
    assert env["PATH"].split(os.pathsep)[0] == str(Path(sys.executable).parent)


def test_a_node_is_started_through_the_rvlms_supernode_launcher() -> None:
    argv = node_argv(["--insecure", "--superlink", "127.0.0.1:9092"], poll_seconds=0.2)
    assert argv[:3] == [sys.executable, "-m", "rvlms.network.supernode"]
    assert argv[3:] == ["--poll-seconds", "0.2", "--", "--insecure", "--superlink", argv[-1]]
    assert argv[-1] == "127.0.0.1:9092"
    assert "--cold" in node_argv([], cold=True)
    from rvlms.cli.network_node_cmd import node_command

    default = inspect.signature(node_command).parameters["poll_seconds"].default
    assert default == DEFAULT_POLL_SECONDS


@pytest.mark.parametrize("value", ["0", "nan", "61", "soon"])
def test_the_supernode_launcher_refuses_a_poll_interval_outside_its_range(value: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "rvlms.network.supernode", "--poll-seconds", value, "--"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert "--poll-seconds" in done.stderr and "from 0.01 to 60" in done.stderr


def test_the_warm_runtime_clears_only_its_own_files(tmp_path: Path) -> None:
    from rvlms.network.warm import _clear

    socket_path = tmp_path / "clientapp.sock"
    socket_path.touch()
    write_launcher(tmp_path, socket_path, fallback="/bin/false")
    (tmp_path / "registry.sqlite3").write_text("not ours", encoding="utf-8")
    _clear(socket_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["registry.sqlite3"]
