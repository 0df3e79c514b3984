"""A real Flower deployment on loopback: one SuperLink and SuperNodes as processes.

Three registries - two SQLite files and one database on the throwaway PostgreSQL server
(``pg_url``) - each behind its own SuperNode, whose node configuration holds the
registry URL and the release policy. The coordinator's ServerApp is submitted with
``flwr run``. Checked: the pooled report equals the single-site analysis of the union;
in a second run, a node that is down is named as missing (``on-missing = report``;
``fail`` is checked in-process in test_policy.py), a node whose small-cell rule the
query would break refuses it, and a node asked for a variable it does not release
refuses with the variable named. Between the runs centre A registers five more cases,
which its warm ClientApp runtime must see; node E answers (its refusal) through Flower's
own ClientApp process instead of the warm runtime, and so does node B, whose warm runtime
is killed between the runs. Insecure mode on 127.0.0.1 only.
Every process is stopped at the end of the test.
"""

from __future__ import annotations

import os
import re
import signal
from pathlib import Path

import pandas as pd
import pytest

from rvlms.analysis import fit_cox, summarise_survival, validate_cohort
from rvlms.network.deploy import write_app
from rvlms.network.local import network
from rvlms.network.policy import DEFAULT_VARIABLES
from rvlms.network.report import FederatedReport
from rvlms.network.warm import READY
from rvlms.registry import Registry
from rvlms.synth import synthetic_cases

from .test_exactness import _same_survival, _tight_cox

RUN_TIMEOUT = 150.0


def _fill(url: str, centre: str, n: int, seed: int) -> pd.DataFrame:
    cases = [
        c.model_copy(update={"case_id": f"{centre}-{c.case_id}", "centre": centre})
        for c in synthetic_cases(n, seed=seed)
    ]
    with Registry(url) as registry:
        registry.add_many(cases, "loader")
        return registry.cohort_frame()


def _report(payload: dict[str, object]) -> FederatedReport:
    return FederatedReport.model_validate(payload["report"])


def test_three_centres_on_loopback(tmp_path: Path, pg_url: str) -> None:
    urls = {
        "A": f"sqlite:///{tmp_path / 'a.db'}",
        "B": f"sqlite:///{tmp_path / 'b.db'}",
        "C": pg_url,
    }
    frames = {
        centre: _fill(url, centre, n, seed)
        for (centre, url), n, seed in zip(urls.items(), (120, 90, 70), (101, 102, 103), strict=True)
    }
    small = f"sqlite:///{tmp_path / 'd.db'}"
    small_frame = _fill(small, "D", 40, 104)
    assert (small_frame["imaging_type"].value_counts() < 30).any()
    with network(tmp_path / "net") as net:
        net.start_superlink()
        for centre, url in urls.items():
            net.start_supernode(
                centre, {"centre": centre, "registry": url, "min-cell": 5, "times": "exact"}
            )
        app = write_app(tmp_path / "app", {"centres": "A,B,C", "wait-seconds": 90})
        report = _report(net.run(app, RUN_TIMEOUT))

        union = validate_cohort(pd.concat(frames.values(), ignore_index=True))
        assert sorted(report.centre_names()) == ["A", "B", "C"]
        assert {c.centre: c.n for c in report.provenance.centres} == {"A": 120, "B": 90, "C": 70}
        assert report.provenance.engine.startswith("Flower")
        assert all(c.bytes_sent > 0 for c in report.provenance.centres)
        for endpoint in ("dfs", "os"):
            _same_survival(report.survival[endpoint], summarise_survival(union, endpoint))
        tight = _tight_cox(union)
        assert report.cox is not None and report.cox.fitted
        assert report.cox.n == fit_cox(union).n
        for term in report.cox.terms:
            assert term.hazard_ratio == pytest.approx(tight.loc[term.term, "exp(coef)"], abs=1e-8)

        logs = {c: (tmp_path / "net" / f"supernode-{c}.log").read_text() for c in urls}
        assert all(READY in log for log in logs.values())
        warm_b = re.search(rf"{READY} \(pid (\d+)\)", logs["B"])
        assert warm_b is not None
        os.kill(int(warm_b.group(1)), signal.SIGKILL)

        net.stop("supernode-C")
        frames["A"] = _fill(urls["A"], "A2", 5, 105)
        net.start_supernode(
            "D", {"centre": "D", "registry": small, "min-cell": 30, "times": "exact"}
        )
        released = ",".join(v for v in DEFAULT_VARIABLES if v != "blood_loss_ml")
        net.start_supernode(
            "E", {"centre": "E", "registry": urls["A"], "variables": released}, cold=True
        )
        degraded = write_app(
            tmp_path / "app-report",
            {
                "centres": "A,B,C,D,E",
                "on-missing": "report",
                "wait-nodes": 4,
                "wait-seconds": 90,
                "cox": "-",
            },
        )
        partial = _report(net.run(degraded, RUN_TIMEOUT))
    assert not any(p.poll() is None for p in net.processes.values())
    status = {c.centre: (c.status, c.reason or "") for c in partial.provenance.centres}
    assert {c.centre: c.n for c in partial.provenance.centres if c.n} == {"A": 125, "B": 90}
    assert sorted(partial.centre_names()) == ["A", "B"]
    assert status["C"] == ("missing", "did not answer")
    assert status["D"][0] == "refused"
    assert "fewer than 30 cases" in status["D"][1] and "min-cell = 30" in status["D"][1]
    assert status["E"][0] == "refused"
    assert "centre E does not release variable 'blood_loss_ml'" in status["E"][1]
    assert any("C (missing)" in w and "D (refused)" in w for w in partial.warnings)
    assert partial.cox is None and partial.provenance.rounds == 1
    pair = validate_cohort(pd.concat([frames["A"], frames["B"]], ignore_index=True))
    _same_survival(partial.survival["dfs"], summarise_survival(pair, "dfs"))
