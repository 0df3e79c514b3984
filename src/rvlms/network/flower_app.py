"""The Flower ClientApp (one per centre) and ServerApp (the coordinator).

Both are thin: the ClientApp reads its :class:`~rvlms.network.policy.NodePolicy` from
the SuperNode's ``--node-config`` and calls
:func:`rvlms.network.aggregates.answer_from_registry`; the ServerApp wraps Flower's
:class:`~flwr.serverapp.Grid` in a :class:`FlowerTransport` and calls
:func:`rvlms.network.coordinator.run_federated`. Queries and replies travel as one JSON
string in a ``ConfigRecord`` (message type ``query``), so what leaves a centre is
exactly the JSON the per-centre function returned, and its size is what the report
counts.

ServerApp run configuration (``[tool.flwr.app.config]``, overridable with
``flwr run --run-config``): ``out`` (file the report JSON is written to), ``centres``
(comma-separated expected centres), ``on-missing`` (fail | report), ``wait-seconds``
(how long to wait for ``wait-nodes`` nodes, by default as many as
``centres``), ``round-timeout`` (seconds per round),
``by``, ``categorical`` / ``continuous`` / ``cox`` (covariates; comma-separated, ``-`` for
none), ``ties``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from flwr.app import ConfigRecord, Context, Message, RecordDict
from flwr.clientapp import ClientApp
from flwr.serverapp import Grid, ServerApp

from rvlms.errors import RvlmsError
from rvlms.network.coordinator import AnalysisPlan, Answer, NetworkError, run_federated
from rvlms.network.flower_settings import shorten_serverapp_waits
from rvlms.network.policy import NodePolicy

__all__ = ["FlowerTransport", "client_app", "plan_from_run_config", "server_app"]

client_app = ClientApp()
server_app = ServerApp()


def _reply(msg: Message, **values: str) -> Message:
    return Message(RecordDict({"reply": ConfigRecord(dict(values))}), reply_to=msg)


@client_app.query()
def query(msg: Message, context: Context) -> Message:
    """Answer one coordinator query from this centre's registry, or refuse it."""
    from rvlms.network.aggregates import answer_from_registry

    centre = str(context.node_config.get("centre", "(unnamed centre)"))
    try:
        policy = NodePolicy.from_node_config(dict(context.node_config))
        asked = json.loads(str(msg.content["query"]["json"]))
        body = answer_from_registry(policy, asked)
    except RvlmsError as error:
        return _reply(msg, centre=centre, error=str(error))
    except ValueError as error:
        return _reply(msg, centre=centre, error=f"centre {centre}: malformed query ({error})")
    except Exception as error:  # a registry that cannot be read must not leak a traceback
        return _reply(msg, centre=centre, error=f"centre {centre}: {type(error).__name__}")
    return _reply(msg, centre=centre, json=json.dumps(body, separators=(",", ":")))


class FlowerTransport:
    """The coordinator's transport over a Flower Grid (one message per node per round).

    Replies are pulled every ``poll_seconds`` with the Grid's own ``push_messages`` and
    ``pull_messages``: ``Grid.send_and_receive`` waits a fixed 3 s between pulls in
    Flower 1.42, which would be most of a round's time.
    """

    engine = "Flower deployment engine (SuperLink + SuperNodes)"

    def __init__(self, grid: Grid, round_timeout: float, poll_seconds: float = 0.02) -> None:
        self._grid = grid
        self._timeout = round_timeout
        self._poll = poll_seconds

    def _exchange(self, messages: list[Message]) -> list[Message]:
        waiting = set(self._grid.push_messages(messages))
        deadline = time.monotonic() + self._timeout
        replies: list[Message] = []
        while waiting:
            got = list(self._grid.pull_messages(waiting))
            replies += got
            waiting -= {m.metadata.reply_to_message_id for m in got}
            if not waiting or time.monotonic() >= deadline:
                break
            time.sleep(self._poll)
        return replies

    def nodes(self) -> list[str]:
        return [str(node) for node in self._grid.get_node_ids()]

    def ask(self, query: dict[str, Any], nodes: Sequence[str]) -> dict[str, Answer]:
        text = json.dumps(query, separators=(",", ":"))
        messages = [
            Message(
                RecordDict({"query": ConfigRecord({"json": text})}),
                dst_node_id=int(node),
                message_type="query",
            )
            for node in nodes
        ]
        out: dict[str, Answer] = {}
        for reply in self._exchange(messages):
            node = str(reply.metadata.src_node_id)
            if not reply.has_content():
                error = reply.error.reason if reply.has_error() else "no content"
                out[node] = Answer(f"node {node}", None, f"node {node} failed: {error}", 0)
                continue
            record = reply.content["reply"]
            centre = str(record["centre"])
            if "error" in record:
                message = str(record["error"])
                out[node] = Answer(centre, None, message, len(message.encode()))
                continue
            payload = str(record["json"])
            out[node] = Answer(centre, json.loads(payload), None, len(payload.encode()))
        return out


def _names(value: object) -> tuple[str, ...]:
    text = str(value or "").strip()
    if text in ("", "-"):
        return ()
    return tuple(v.strip() for v in text.split(",") if v.strip())


def plan_from_run_config(config: dict[str, Any]) -> AnalysisPlan:
    """The analysis plan from the run configuration (keys in the module docstring)."""
    values: dict[str, Any] = {
        "expected_centres": _names(config.get("centres")),
        "on_missing": str(config.get("on-missing", "fail")),
        "ties": str(config.get("ties", "efron")),
    }
    by = str(config.get("by", "imaging_type"))
    values["by"] = None if by in ("", "-") else by
    for key, field in (
        ("categorical", "categorical"),
        ("continuous", "continuous"),
        ("cox", "cox_covariates"),
    ):
        if key in config and str(config[key]) != "default":
            values[field] = _names(config[key])
    return AnalysisPlan.model_validate(values)


def _wait_for_nodes(grid: Grid, expected: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if len(list(grid.get_node_ids())) >= expected:
            return
        time.sleep(0.2)


@server_app.main()
def main(grid: Grid, context: Context) -> None:
    """Run the pooled analysis and write the report (or the reason it failed) to ``out``."""
    config = dict(context.run_config)
    out = Path(str(config["out"]))
    shorten_serverapp_waits()
    from lifelines import KaplanMeierFitter  # noqa: F401 - start-up, not the analysis

    try:
        plan = plan_from_run_config(config)
        wanted = int(config.get("wait-nodes", 0)) or max(1, len(plan.expected_centres))
        _wait_for_nodes(grid, wanted, float(config["wait-seconds"]))
        transport = FlowerTransport(grid, float(config["round-timeout"]))
        report = run_federated(transport, plan)
        payload: dict[str, object] = {"report": report.to_dict()}
    except (RvlmsError, NetworkError, ValueError) as error:
        payload = {"error": str(error)}
    partial = out.with_suffix(".partial")
    partial.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    partial.replace(out)
