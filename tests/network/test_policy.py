"""What leaves a centre: the small-cell rule, binned times, refusals, node configuration.

All through the engine-agnostic functions (no processes): the same code runs inside
the Flower ClientApp, which test_deployment.py exercises over real processes.
"""

from __future__ import annotations

from typing import Any

import pytest

from rvlms.network import (
    AnalysisPlan,
    InProcessTransport,
    NetworkError,
    NodePolicy,
    PolicyError,
    QueryRefused,
    answer,
    run_federated,
)
from rvlms.network.queries import SummaryQuery

from .conftest import centre_frame, network


def _counts(value: Any) -> list[int | str]:
    if isinstance(value, dict):
        return [c for v in value.values() for c in _counts(v)]
    return [value]


def test_category_counts_below_k_leave_the_centre_as_less_than_k() -> None:
    frame = centre_frame("A", 60, seed=4)
    policy = NodePolicy(centre="A", registry="unused", min_cell=5)
    query = AnalysisPlan().summary_query()
    reply = answer(frame, policy, query)
    cells = _counts(reply["counts"])
    assert "<5" in cells
    assert all(c == "<5" or (isinstance(c, int) and (c == 0 or c >= 5)) for c in cells)
    vessels = reply["counts"]["vessel_of_origin"]["overall"]
    true = frame["vessel_of_origin"].value_counts()
    for level, n in true.items():
        assert vessels[str(level)] == (n if n >= 5 else "<5")
    for per_group in reply["histograms"].values():
        for hist in per_group.values():
            assert all(count >= 5 for _, _, count in hist["bins"])


def test_binned_rows_describe_at_least_k_patients_and_times_never_move_earlier() -> None:
    frame = centre_frame("A", 400, seed=8)
    policy = NodePolicy(centre="A", registry="unused", min_cell=5, times="binned", bin_months=3)
    reply = answer(frame, policy, SummaryQuery(categorical=(), continuous=()))
    rows = reply["survival"]["dfs"]["rows"]
    assert all(events + censored >= 5 for _, _, events, censored in rows)
    assert all(time % 3 == 0 for time, *_ in rows)
    assert sum(e for *_, e, _ in rows) == int(frame["dfs_event"].sum())
    for group, part in frame.groupby("imaging_type"):
        released = sorted(t for t, g, *_ in rows if g == group)
        assert released[-1] >= part["dfs_months"].max()


def test_bytes_leaving_a_centre_do_not_grow_with_patients_when_times_are_binned() -> None:
    """Ten times the patients: the binned replies stay within the bin grid of the observed
    range (a longer tail adds a few bins), while a count-free bound would be 10x."""

    def sent(n: int) -> int:
        report = run_federated(
            InProcessTransport(network([n], seed=21, min_cell=5, times="binned"))
        )
        return report.provenance.centres[0].bytes_sent

    assert sent(5000) < 1.6 * sent(500)


def test_binned_results_are_labelled_approximate() -> None:
    report = run_federated(InProcessTransport(network([200, 150], times="binned", min_cell=5)))
    assert any("binned times at A, B" in a for a in report.provenance.approximate)
    assert any("APPROXIMATE" in n for n in report.survival["dfs"].methods.notes)
    assert report.cox is not None and any("APPROXIMATE" in n for n in report.cox.methods.notes)
    assert "APPROXIMATE" in report.to_text()


def test_a_query_over_a_group_smaller_than_k_is_refused() -> None:
    frame = centre_frame("A", 40, seed=2)
    policy = NodePolicy(centre="A", registry="unused", min_cell=15, times="exact")
    smallest = frame["imaging_type"].value_counts().min()
    assert 0 < smallest < 15
    with pytest.raises(
        QueryRefused, match=r"centre A refuses survival by imaging_type: .*fewer than 15"
    ):
        answer(frame, policy, SummaryQuery(categorical=(), continuous=()))


def test_a_variable_the_centre_does_not_release_is_refused() -> None:
    policy = NodePolicy(centre="A", registry="unused", variables=("imaging_type", "dfs_months"))
    with pytest.raises(
        QueryRefused,
        match=r"does not release variable 'dfs_event'; allowed: imaging_type, dfs_months",
    ):
        answer(
            centre_frame("A", 30, seed=1),
            policy,
            SummaryQuery(categorical=(), continuous=(), endpoints=("dfs",)),
        )


def test_a_missing_or_refusing_centre_fails_the_run_by_default_and_is_named() -> None:
    centres = network([200, 120, 60], seed=4, min_cell=5)
    refusing = (
        NodePolicy(centre="C", registry="unused", min_cell=5, variables=("sex",)),
        centres[2][1],
    )
    transport = InProcessTransport([centres[0], centres[1], refusing])
    plan = AnalysisPlan(expected_centres=("A", "B", "C", "D"))
    with pytest.raises(NetworkError) as failed:
        run_federated(transport, plan)
    message = str(failed.value)
    assert "centre D did not answer" in message
    assert "centre C refused: centre C does not release variable" in message
    report = run_federated(transport, plan.model_copy(update={"on_missing": "report"}))
    assert report.centre_names() == ["A", "B"]
    assert report.centre_names("missing") == ["D"] and report.centre_names("refused") == ["C"]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"registry": "x.db"}, "'centre' is required"),
        ({"centre": "A", "registry": "x.db", "times": "daily"}, "'times'"),
        ({"centre": "A", "registry": "x.db", "min-cell": 0}, "'min-cell'"),
        (
            {"centre": "A", "registry": "x.db", "password": "x"},
            "unknown key(s) password; allowed: centre",
        ),
    ],
)
def test_node_configuration_errors_name_the_key(config: dict[str, object], message: str) -> None:
    with pytest.raises(PolicyError) as error:
        NodePolicy.from_node_config(config)
    assert message in str(error.value)


def test_node_configuration_never_reports_the_registry_url() -> None:
    policy = NodePolicy.from_node_config(
        {"centre": "A", "registry": "postgresql://u:secret@h/db", "min-cell": 3, "times": "exact"}
    )
    assert policy.min_cell == 3 and policy.times == "exact"
    assert "secret" not in str(policy.public()) and "secret" not in repr(policy)


def test_the_report_renders_as_text_json_and_html_with_its_provenance() -> None:
    report = run_federated(InProcessTransport(network([120, 80], seed=6, min_cell=5)))
    text, html = report.to_text(), report.to_html(provenance="pooled aggregates of A, B")
    for rendering in (text, html):
        assert "Centres (provenance)" in rendering and "Hazard ratios" in rendering
        assert "SYNTHETIC DATA" in rendering
    data = report.to_dict()
    assert [c["centre"] for c in data["provenance"]["centres"]] == ["A", "B"]
    assert data["provenance"]["approximate"] == [
        "medians and quartiles of continuous variables (pooled histograms)"
    ]
    assert data["survival"]["dfs"]["logrank"]["df"] == 3


def test_pooled_counts_with_suppressed_parts_show_what_is_known() -> None:
    from rvlms.network.describe import describe_pooled

    def reply(cells: dict[str, int | str]) -> dict[str, Any]:
        return {"counts": {"sex": {"overall": cells}}, "histograms": {}}

    pooled = describe_pooled(
        [reply({"female": 12, "male": "<5"}), reply({"female": "<5", "male": "<3"})], None
    )
    assert pooled.categorical["sex"]["female"]["overall"] == "12+"
    assert pooled.categorical["sex"]["male"]["overall"] == "<7"
