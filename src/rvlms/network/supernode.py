"""``python -m rvlms.network.supernode``: Flower's SuperNode as an rvlms centre runs it.

The SuperNode is Flower's ``flower-supernode``, given the arguments after ``--``
unchanged. Three things are set around it:

- Flower's telemetry and update check are off; the SuperNode's waits between polls of
  the SuperLink are at most ``--poll-seconds`` instead of Flower's fixed 3 s, and its
  SuperExec looks for new ClientApp tasks as often instead of every second
  (:mod:`rvlms.network.flower_settings`);
- the warm ClientApp runtime (:mod:`rvlms.network.warm`), unless ``--cold``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from rvlms.network.flower_settings import (
    FLOWER_QUIET,
    FLOWER_VERSION,
    SUPEREXEC_POLL,
    shorten_node_waits,
)

__all__ = [
    "DEFAULT_POLL_SECONDS",
    "main",
    "node_argv",
]

DEFAULT_POLL_SECONDS: Final[float] = 0.05


def node_argv(
    flower_args: Sequence[str], *, poll_seconds: float = DEFAULT_POLL_SECONDS, cold: bool = False
) -> list[str]:
    """The command that starts a centre's SuperNode with ``flower_args``."""
    argv = [sys.executable, "-m", "rvlms.network.supernode", "--poll-seconds", str(poll_seconds)]
    if cold:
        argv.append("--cold")
    return [*argv, "--", *flower_args]


def _node_config(flower_args: Sequence[str]) -> str:
    for i, arg in enumerate(flower_args):
        if arg == "--node-config" and i + 1 < len(flower_args):
            return flower_args[i + 1]
        if arg.startswith("--node-config="):
            return arg.split("=", 1)[1]
    return ""


def _start_warm_runtime(flower_args: Sequence[str]) -> tuple[subprocess.Popen[bytes], Path]:
    from rvlms.network.deploy import tool
    from rvlms.network.warm import write_launcher

    folder = Path(tempfile.mkdtemp(prefix="rvlms-node-"))
    socket_path = folder / "clientapp.sock"
    write_launcher(folder, socket_path, fallback=tool("flwr-clientapp"))
    os.environ["PATH"] = os.pathsep.join([str(folder), os.environ.get("PATH", "")])
    argv = [sys.executable, "-m", "rvlms.network.warm", "--socket", str(socket_path)]
    argv += ["--parent-pid", str(os.getpid()), "--node-config", _node_config(flower_args)]
    return subprocess.Popen(argv), folder


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0.01 <= value <= 60.0:
        raise argparse.ArgumentTypeError(f"{text!r}: a number of seconds from 0.01 to 60")
    return value


def main(argv: Sequence[str] | None = None) -> None:
    """Start the SuperNode (``... [--poll-seconds S] [--cold] -- FLOWER-SUPERNODE-ARGS``)."""
    given = list(sys.argv[1:] if argv is None else argv)
    split = given.index("--") if "--" in given else len(given)
    parser = argparse.ArgumentParser(prog="python -m rvlms.network.supernode", allow_abbrev=False)
    parser.add_argument("--poll-seconds", type=_seconds, default=DEFAULT_POLL_SECONDS)
    parser.add_argument("--cold", action="store_true")
    args = parser.parse_args(given[:split])
    flower_args = given[split + 1 :]
    os.environ.update(FLOWER_QUIET)
    os.environ[SUPEREXEC_POLL] = str(args.poll_seconds)
    warm = None if args.cold else _start_warm_runtime(flower_args)
    if not shorten_node_waits(args.poll_seconds):
        print(
            f"rvlms node: Flower's waits were read from Flower {FLOWER_VERSION} and are not "
            "shortened under this one; the SuperNode keeps its own (3 s between idle polls)",
            file=sys.stderr,
        )
    from flwr.supernode.cli.flower_supernode import flower_supernode

    sys.argv = ["flower-supernode", *flower_args]
    try:
        flower_supernode()
    finally:
        if warm is not None:
            process, folder = warm
            if process.poll() is None:
                process.terminate()
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
