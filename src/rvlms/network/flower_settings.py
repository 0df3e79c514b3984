"""The Flower settings an rvlms network runs with: no outgoing connections, short waits.

Flower's processes report telemetry to flower.ai and check PyPI for updates unless told
not to; every Flower process rvlms starts has :data:`FLOWER_QUIET` in its environment,
so a node next to a patient registry connects to nothing but its SuperLink.

Flower's deployment engine polls: a SuperNode asks its SuperLink for messages, the
ServerApp asks for replies, and an object (a message's content) that is not there yet is
asked for again after a back-off. Flower 1.42 fixes these waits for large federated
learning rounds, where they are small next to the training:

- the SuperNode sleeps 3 s after a poll that found no message, and 0.5 s at a time while
  its ClientApp computes (``flwr.supernode.start_client_internal``);
- an object pull that comes a moment too early waits 1 s before it asks again, doubling
  up to 10 s (``pull_objects``, as the SuperNode, the ClientApp and the ServerApp's Grid
  call it); it comes early often, as a message is announced before its content is
  stored;
- a SuperExec (which starts the ClientApp or ServerApp process of a task) looks for new
  tasks every second unless ``FLWR_SUPEREXEC_TASK_POLL_INTERVAL`` says otherwise;
- ``Grid.send_and_receive`` sleeps 3 s between pulls (the rvlms ServerApp does not call
  it: :class:`rvlms.network.flower_app.FlowerTransport` pulls every few hundredths of
  a second with ``push_messages`` / ``pull_messages``).

A federated cohort analysis is two rounds of queries that take tenths of a second, so
these waits would be nearly all of its time. rvlms sets them per process, where Flower
reads them: the SuperNode's sleeps and its SuperExec's polls are at most its
``--poll-seconds``, the SuperLink's SuperExec polls every 0.05 s, and the first
back-off of an object pull is :data:`FIRST_PULL_BACKOFF` (doubling to Flower's cap as
before). Each poll is one small request on the connection the process already has. The
waits were read from Flower :data:`FLOWER_VERSION`: under another version nothing is
changed and the functions say so by returning False.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any, Final

__all__ = [
    "FIRST_PULL_BACKOFF",
    "FLOWER_QUIET",
    "FLOWER_VERSION",
    "SUPEREXEC_POLL",
    "shorten_clientapp_waits",
    "shorten_node_waits",
    "shorten_serverapp_waits",
]

FLOWER_VERSION: Final[str] = "1.42.0"
FIRST_PULL_BACKOFF: Final[float] = 0.02
SUPEREXEC_POLL: Final[str] = "FLWR_SUPEREXEC_TASK_POLL_INTERVAL"
FLOWER_QUIET: Final[dict[str, str]] = {
    "FLWR_TELEMETRY_ENABLED": "0",
    "FLWR_DISABLE_UPDATE_CHECK": "1",
}


class _CappedClock:
    """The ``time`` module as the SuperNode's loop sees it, ``sleep`` capped at ``cap``."""

    def __init__(self, cap: float) -> None:
        self.cap = cap

    def sleep(self, seconds: float) -> None:
        time.sleep(min(seconds, self.cap))

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


def _flower_is_known() -> bool:
    import flwr

    return bool(flwr.__version__ == FLOWER_VERSION)


def _quicken(module: ModuleType, name: str) -> bool:
    """Give ``module``'s ``name`` (an object pull of ``inflatable_utils``) the short first
    back-off; False if ``module`` holds something else under that name."""
    from flwr.supercore.inflatable import inflatable_utils

    original: Callable[..., Any] = getattr(inflatable_utils, name)
    current: object = getattr(module, name, None)
    if isinstance(current, functools.partial) and current.func is original:
        return True
    if current is not original:
        return False
    quicker = functools.partial(original, initial_backoff=FIRST_PULL_BACKOFF)
    setattr(module, name, quicker)
    return True


def shorten_node_waits(poll_seconds: float) -> bool:
    """In a SuperNode process: cap its sleeps at ``poll_seconds``, shorten object pulls."""
    if not _flower_is_known():
        return False
    from flwr.supernode import start_client_internal as loop

    if getattr(loop, "time", None) is not time:
        return False
    setattr(loop, "time", _CappedClock(poll_seconds))  # noqa: B010 - the module's own name
    return _quicken(loop, "pull_objects")


def shorten_serverapp_waits() -> bool:
    """In the ServerApp process: shorten the Grid's object pulls."""
    if not _flower_is_known():
        return False
    from flwr.superlink.grid import http_grid

    return _quicken(http_grid, "pull_objects")


def shorten_clientapp_waits() -> bool:
    """In a ClientApp process: shorten its pulls of the message from the SuperNode.

    The SuperNode offers the task before it has stored all of the message, so a quick
    ClientApp can ask a moment too early.
    """
    if not _flower_is_known():
        return False
    from flwr.supernode.runtime import run_clientapp

    return _quicken(run_clientapp, "pull_and_inflate_object_from_tree")
