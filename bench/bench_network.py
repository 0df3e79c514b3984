"""Benchmark: federated Kaplan–Meier + log-rank + Cox over three Flower nodes.

10,000 synthetic cases in three SQLite registries (5,000 / 3,000 / 2,000), one Flower
SuperNode each, a SuperLink, all on 127.0.0.1. Rows:

- the federated analysis (the summary round and the Cox Newton–Raphson rounds, timed
  inside the ServerApp from its first query to the finished report), the median of
  three analyses in one deployment, against ``rvlms analyze`` on the pooled 10,000 cases
  (median of five) in the same run; target ≤ 5x. Start-up is excluded and reported in
  rows of its own: starting the SuperLink, the SuperNodes and their warm ClientApp
  runtimes (:mod:`rvlms.network.warm`) once, and per analysis ``flwr run`` submitting
  the app and Flower starting the ServerApp process;
- the same federated maths in-process (no Flower), to separate the engine's latency from
  the computation;
- the bytes each centre sent during the Flower run (exact times), and, binned, the bytes
  one centre sends for 10x the patients against 1x (target ≤ 1.6x: bounded by the bin
  grid, not by the number of patients).
"""

from __future__ import annotations

import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from run import Row, measure
from rvlms.analysis import analyze
from rvlms.cli.network_cmd import demo_registries
from rvlms.network import AnalysisPlan, InProcessTransport, NodePolicy, run_federated
from rvlms.network.deploy import write_app
from rvlms.network.local import network
from rvlms.network.report import FederatedReport
from rvlms.registry import Registry

SIZES = {"north": 5000, "centre": 3000, "south": 2000}
SEED = 20250701
TARGET_RATIO = 5.0
ANALYSES = 3
BYTES_TARGET = 1.6
KM_LOGRANK_COX = {"categorical": "-", "continuous": "-"}


def _frames(urls: dict[str, str]) -> dict[str, pd.DataFrame]:
    out: dict[str, pd.DataFrame] = {}
    for centre, url in urls.items():
        with Registry(url) as registry:
            out[centre] = registry.cohort_frame()
    return out


def _binned_bytes(frame: pd.DataFrame) -> int:
    policy = NodePolicy(centre="x", registry="-", min_cell=5, times="binned")
    plan = AnalysisPlan(categorical=(), continuous=())
    report = run_federated(InProcessTransport([(policy, frame)]), plan)
    return report.provenance.centres[0].bytes_sent


def run() -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="rvlms-bench-network-") as folder:
        root = Path(folder)
        urls = demo_registries(root, SIZES, SEED)
        frames = _frames(urls)
        pooled = pd.concat(frames.values(), ignore_index=True)
        baseline = measure(lambda: analyze(pooled), repeat=5, number=1)
        policies = [
            (NodePolicy(centre=c, registry=u, min_cell=5, times="exact"), frames[c])
            for c, u in urls.items()
        ]
        plan = AnalysisPlan(categorical=(), continuous=())
        in_process = statistics.median(
            run_federated(InProcessTransport(policies), plan).provenance.seconds or 0.0
            for _ in range(3)
        )

        began = time.perf_counter()
        reports: list[tuple[float, FederatedReport]] = []
        with network(root / "net") as net:
            net.start_superlink()
            for centre, url in urls.items():
                net.start_supernode(
                    centre, {"centre": centre, "registry": url, "min-cell": 5, "times": "exact"}
                )
            net.wait_until_warm()
            started = time.perf_counter() - began
            app = write_app(
                root / "app", {"centres": ",".join(urls), "wait-seconds": 300, **KM_LOGRANK_COX}
            )
            for _ in range(ANALYSES):
                submitted = time.perf_counter()
                payload = net.run(app, timeout=900)
                wall = time.perf_counter() - submitted
                reports.append((wall, FederatedReport.model_validate(payload["report"])))
        reports.sort(key=lambda item: item[1].provenance.seconds or math.inf)
        wall, report = reports[len(reports) // 2]
        federated = report.provenance.seconds or math.inf
        big = frames["north"]
        small = big.iloc[: len(big) // 10]
        rows = [
            Row(
                name="federated KM + log-rank + Cox, 3 Flower nodes, 10,000 cases, median of "
                f"{ANALYSES} analyses ({report.provenance.rounds} rounds: "
                + " + ".join(f"{t:.2f}" for t in report.provenance.round_seconds)
                + " s) vs rvlms analyze on the pooled data",
                measured=federated,
                baseline=baseline,
                unit="s",
                target_ratio=TARGET_RATIO,
            ),
            Row(
                name="  start-up excluded above: SuperLink, SuperNodes and their warm ClientApp "
                "runtimes, once, vs rvlms analyze",
                measured=started,
                baseline=baseline,
                unit="s",
                target_ratio=math.inf,
            ),
            Row(
                name="  and per analysis: flwr run submitting it and Flower starting the "
                "ServerApp process, vs rvlms analyze",
                measured=max(wall - federated, 0.0),
                baseline=baseline,
                unit="s",
                target_ratio=math.inf,
            ),
            Row(
                name="same federated maths in-process (no Flower) vs rvlms analyze",
                measured=in_process,
                baseline=baseline,
                unit="s",
                target_ratio=TARGET_RATIO,
            ),
        ]
        rows += [
            Row(
                name=f"  bytes sent by centre {c.centre} ({c.n} cases, exact times) per analysis",
                measured=float(c.bytes_sent),
                baseline=float(c.bytes_sent),
                unit="B",
                target_ratio=math.inf,
            )
            for c in report.provenance.centres
        ]
        rows.append(
            Row(
                name=f"bytes one centre sends, binned times: {len(big):,} vs {len(small):,} cases",
                measured=float(_binned_bytes(big)),
                baseline=float(_binned_bytes(small)),
                unit="B",
                target_ratio=BYTES_TARGET,
            )
        )
        return rows


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    for row in run():
        print(f"{row.name}: {row.measured:.4g} {row.unit} vs {row.baseline:.4g} = {row.ratio:.2f}x")
