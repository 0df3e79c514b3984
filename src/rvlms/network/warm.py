"""A warm ClientApp runtime for a centre's node: Flower's own ``flwr-clientapp``, forked
from a process that has already imported it and read the registry.

Flower 1.42's SuperNode runs every message in a fresh ``flwr-clientapp`` process, which
its SuperExec finds on PATH. For rvlms that is an interpreter start, the imports of
Flower's runtime, pandas, SciPy and rvlms, and a read and validation of the centre's
registry: one to two seconds per message on a small server, most of a round. A node
started by ``rvlms network node`` therefore keeps one process that has done all of that
(:func:`serve`) and puts a launcher named ``flwr-clientapp`` first on its SuperNode's
PATH (:func:`write_launcher`). The launcher hands its arguments and standard streams to
that process over a UNIX socket readable by this user only; the process forks a child
that runs Flower's ``flwr-clientapp`` entry point with them, exactly as the fresh
process would, and the launcher exits with the child's status. Before each fork the
centre's cohort table is refreshed if the registry changed
(:mod:`rvlms.network.centre_cohort`), so the child starts with it in memory. When the
warm process is not running, the launcher runs Flower's own ``flwr-clientapp``.

The forking process holds no threads of its own, no open database connection and no
network connection when it forks, and freezes its objects out of the garbage collector
for the fork (``gc.freeze``), so that a child's collections do not copy the memory it
shares with its parent.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import signal
import socket
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

from rvlms.network.flower_settings import shorten_clientapp_waits
from rvlms.network.policy import NodePolicy

__all__ = ["LAUNCHER", "READY", "main", "serve", "write_launcher"]

LAUNCHER: Final[str] = "flwr-clientapp"
READY: Final[str] = "rvlms warm ClientApp runtime ready"
_HEADER: Final[bytes] = b"argv\0"
_STREAMS: Final[int] = 3

_LAUNCHER_TEXT: Final[str] = '''#!{python} -IS
"""flwr-clientapp of this rvlms node: runs in the node's warm ClientApp runtime
(rvlms.network.warm), or as Flower's own flwr-clientapp when that is not running."""
import os
import socket
import sys

SOCKET = {socket!r}
FALLBACK = {fallback!r}

try:
    channel = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    channel.connect(SOCKET)
except OSError:
    os.execv(FALLBACK, [FALLBACK, *sys.argv[1:]])
message = {header!r} + b"\\0".join(os.fsencode(a) for a in sys.argv[1:])
socket.send_fds(channel, [message], [0, 1, 2])
status = channel.recv(16).strip()
sys.exit(int(status) if status.lstrip(b"-").isdigit() else 1)
'''


def write_launcher(folder: Path, socket_path: Path, fallback: str) -> Path:
    """Write the ``flwr-clientapp`` launcher into ``folder`` (to be put first on PATH)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LAUNCHER
    path.write_text(
        _LAUNCHER_TEXT.format(
            python=sys.executable, socket=str(socket_path), fallback=fallback, header=_HEADER
        ),
        encoding="utf-8",
    )
    path.chmod(0o700)
    return path


def _warm_up(policy: NodePolicy | None) -> None:
    """Import what a ClientApp child runs and read the centre's cohort once.

    An HTTP client is made and closed once because httpx imports its transport (httpcore,
    h11) only when the first client is made, and every child makes one to talk to its
    SuperNode.
    """
    import flwr.supernode.cli.flwr_clientapp  # noqa: F401
    import httpx
    import scipy.stats  # noqa: F401

    httpx.Client().close()
    shorten_clientapp_waits()

    import rvlms.network.flower_app  # noqa: F401
    from rvlms.network.aggregates import answer_from_registry
    from rvlms.network.coordinator import AnalysisPlan

    if policy is None:
        return
    try:
        answer_from_registry(policy, AnalysisPlan().summary_query().model_dump(mode="json"))
    except Exception as error:  # the child reports the same failure to the coordinator
        print(f"rvlms warm ClientApp runtime: warm-up query failed: {error}", file=sys.stderr)


def _refresh(policy: NodePolicy | None) -> None:
    if policy is None:
        return
    from rvlms.network.centre_cohort import load_centre_cohort

    try:
        load_centre_cohort(policy)
    except Exception:  # the child reads the registry again and reports why it cannot
        return


def _exit_code(entry: Callable[[], None]) -> int:
    try:
        entry()
    except SystemExit as stop:
        if stop.code is None:
            return 0
        return stop.code if isinstance(stop.code, int) else 1
    except BaseException:
        traceback.print_exc()
        return 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    return 0


def _child(
    server: socket.socket, conn: socket.socket, argv: Sequence[str], fds: Sequence[int]
) -> None:
    """In the forked child: take the launcher's streams, run ``flwr-clientapp``, report."""
    code = 1
    try:
        server.close()
        for number in (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT):
            signal.signal(number, signal.SIG_DFL)
        sys.stdout.flush()
        sys.stderr.flush()
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        for fd in fds:
            if fd >= _STREAMS:
                os.close(fd)
        from flwr.supernode.cli.flwr_clientapp import flwr_clientapp

        sys.argv = [LAUNCHER, *argv]
        code = _exit_code(flwr_clientapp)
    finally:
        with contextlib.suppress(OSError):
            conn.sendall(str(code).encode())
        os._exit(code)


def _dispatch(server: socket.socket, conn: socket.socket, policy: NodePolicy | None) -> None:
    conn.settimeout(5.0)
    try:
        data, fds, _, _ = socket.recv_fds(conn, 1 << 16, _STREAMS)
    except OSError:
        return
    if not data.startswith(_HEADER) or len(fds) != _STREAMS:
        for fd in fds:
            os.close(fd)
        return
    body = data[len(_HEADER) :]
    argv = [os.fsdecode(a) for a in body.split(b"\0")] if body else []
    _refresh(policy)
    gc.freeze()
    if os.fork() == 0:
        _child(server, conn, argv, fds)
    gc.unfreeze()
    for fd in fds:
        os.close(fd)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def serve(socket_path: Path, *, policy: NodePolicy | None, parent_pid: int) -> None:
    """Answer launchers at ``socket_path`` until the process ``parent_pid`` is gone (or
    the process that started this one).

    The socket listens before the warm-up, so a launcher that comes early waits for a
    warm child instead of starting a cold process; :data:`READY` is logged after it.

    When serving stops the socket goes, with the launcher beside it and, once empty, their
    folder.
    """

    def stop(_signal: int, _frame: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    socket_path.unlink(missing_ok=True)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    previous = os.umask(0o177)
    try:
        server.bind(str(socket_path))
    finally:
        os.umask(previous)
    server.listen(16)
    _warm_up(policy)
    print(f"{READY} (pid {os.getpid()})", file=sys.stderr, flush=True)
    server.settimeout(1.0)
    try:
        started_by = os.getppid()
        while os.getppid() == started_by and _alive(parent_pid):
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                _dispatch(server, conn, policy)
    finally:
        server.close()
        _clear(socket_path)


def _clear(socket_path: Path) -> None:
    """Remove the socket, the launcher beside it, and their folder once it is empty."""
    socket_path.unlink(missing_ok=True)
    launcher = socket_path.parent / LAUNCHER
    if launcher.is_file() and "rvlms.network.warm" in launcher.read_text(errors="replace"):
        launcher.unlink()
    with contextlib.suppress(OSError):
        socket_path.parent.rmdir()


def _policy(node_config: str) -> NodePolicy | None:
    if not node_config.strip():
        return None
    from flwr.common.config import parse_config_args

    from rvlms.errors import RvlmsError

    try:
        return NodePolicy.from_node_config(parse_config_args([node_config]))
    except (RvlmsError, ValueError) as error:
        print(f"rvlms warm ClientApp runtime: no cohort warm-up ({error})", file=sys.stderr)
        return None


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m rvlms.network.warm --socket PATH --parent-pid PID [--node-config TEXT]``."""
    parser = argparse.ArgumentParser(prog="python -m rvlms.network.warm", allow_abbrev=False)
    parser.add_argument("--socket", type=Path, required=True)
    parser.add_argument("--parent-pid", type=int, required=True)
    parser.add_argument("--node-config", default="")
    args = parser.parse_args(argv)
    serve(args.socket, policy=_policy(args.node_config), parent_pid=args.parent_pid)


if __name__ == "__main__":
    main()
