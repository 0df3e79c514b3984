"""Exactness: with exact times the pooled numbers equal the single-site analysis of the
union to 1e-8.

The oracle is computed in the same test run: ``rvlms.analysis`` (``analyze``,
``summarise_survival``, ``fit_cox``, i.e. lifelines ``KaplanMeierFitter``,
``multivariate_logrank_test`` and ``CoxPHFitter``) on the concatenated centre tables,
and for the Cox coefficients additionally lifelines fitted to a precision of 1e-12.
Cohorts: unequal centre sizes; a centre without events; a centre with one imaging
type only; heavy ties (times rounded up to 3-month steps).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from rvlms.analysis import analyze, fit_cox, summarise_survival, validate_cohort
from rvlms.analysis.cox import design_matrix
from rvlms.analysis.survival import SurvivalEstimate, SurvivalSummary, kaplan_meier
from rvlms.network import InProcessTransport, run_federated
from rvlms.network.combine import pseudo_records
from rvlms.network.coordinator import AnalysisPlan

from .conftest import Centre, network, pooled

TOL = 1e-8


def _no_events(i: int, frame: pd.DataFrame) -> pd.DataFrame:
    if i == 2:
        frame = frame.assign(dfs_event=0, os_event=0, local_recurrence=0, distant_metastasis=0)
    return frame


def _one_type(i: int, frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["imaging_type"] == "extraluminal"] if i == 1 else frame


def _ties(i: int, frame: pd.DataFrame) -> pd.DataFrame:
    rounded = frame.copy()
    for column in ("dfs_months", "os_months", "follow_up_months"):
        rounded[column] = np.ceil(rounded[column] / 3.0) * 3.0
    return rounded


COHORTS: dict[str, Callable[[], list[Centre]]] = {
    "unequal sizes": lambda: network([400, 150, 40], seed=3),
    "a centre without events": lambda: network([250, 200, 60], seed=5, edit=_no_events),
    "a centre with one imaging type": lambda: network([220, 300, 90], seed=7, edit=_one_type),
    "heavy ties": lambda: network([300, 200, 120], seed=9, edit=_ties),
}


def _close(a: float | None, b: float | None) -> None:
    assert (a is None) == (b is None), (a, b)
    if a is not None and b is not None:
        assert a == pytest.approx(b, abs=TOL, rel=0), (a, b)


def _same_estimate(fed: SurvivalEstimate, single: SurvivalEstimate) -> None:
    assert (fed.n, fed.events) == (single.n, single.events)
    _close(fed.median_months, single.median_months)
    for x, y in zip(
        [*fed.ci95, *fed.quartiles_months], [*single.ci95, *single.quartiles_months], strict=True
    ):
        _close(x, y)


def _same_survival(fed: SurvivalSummary, single: SurvivalSummary) -> None:
    _same_estimate(fed.overall(), single.overall())
    assert list(fed.by_group) == list(single.by_group)
    for group, estimate in single.by_group.items():
        _same_estimate(fed.by_group[group], estimate)
    assert (fed.logrank is None) == (single.logrank is None)
    if fed.logrank is not None and single.logrank is not None:
        assert fed.logrank.df == single.logrank.df
        assert fed.logrank.groups == single.logrank.groups
        _close(fed.logrank.statistic, single.logrank.statistic)
        _close(fed.logrank.p, single.logrank.p)


@pytest.fixture(params=list(COHORTS), scope="module")
def case(request: pytest.FixtureRequest) -> tuple[list[Centre], pd.DataFrame]:
    centres = COHORTS[request.param]()
    union = validate_cohort(pooled(centres))
    return centres, union


def test_kaplan_meier_and_logrank_equal_the_single_site_analysis(
    case: tuple[list[Centre], pd.DataFrame],
) -> None:
    centres, union = case
    report = run_federated(InProcessTransport(centres))
    for endpoint in ("dfs", "os"):
        _same_survival(report.survival[endpoint], summarise_survival(union, endpoint))


def test_pooled_curve_equals_the_single_site_curve_at_every_time(
    case: tuple[list[Centre], pd.DataFrame],
) -> None:
    centres, union = case
    transport = InProcessTransport(centres)
    replies = [
        a.reply
        for a in transport.ask(
            AnalysisPlan().summary_query().model_dump(), transport.nodes()
        ).values()
        if a.reply is not None
    ]
    records = pseudo_records(replies, "dfs", "imaging_type")
    for group in [None, *union["imaging_type"].dropna().unique()]:
        mine = records if group is None else records[records["imaging_type"] == group]
        theirs = union if group is None else union[union["imaging_type"] == group]
        fed = kaplan_meier(mine["dfs_months"], mine["dfs_event"])
        single = kaplan_meier(theirs["dfs_months"], theirs["dfs_event"])
        np.testing.assert_allclose(
            fed.survival_function_.to_numpy(),
            single.survival_function_.to_numpy(),
            rtol=0,
            atol=TOL,
        )
        np.testing.assert_allclose(
            fed.confidence_interval_.to_numpy(),
            single.confidence_interval_.to_numpy(),
            rtol=0,
            atol=TOL,
        )
        assert list(fed.timeline) == list(single.timeline)


def _tight_cox(union: pd.DataFrame) -> pd.DataFrame:
    """lifelines' summary at the maximum of the partial likelihood (precision 1e-14, no
    relative-likelihood stop)."""
    from lifelines import CoxPHFitter

    design, _ = design_matrix(union, ["imaging_type"])
    data = pd.concat([design, union[["dfs_months", "dfs_event"]].astype(float)], axis=1).dropna()
    data = data.loc[:, data.nunique() > 1]
    fitter = CoxPHFitter().fit(
        data,
        "dfs_months",
        "dfs_event",
        fit_options={"precision": 1e-14, "r_precision": 0.0, "max_steps": 500},
    )
    summary: pd.DataFrame = fitter.summary
    return summary


def test_cox_equals_the_single_site_model(case: tuple[list[Centre], pd.DataFrame]) -> None:
    """Hazard ratios, Wald CIs and p equal lifelines at the optimum to 1e-8, and
    ``fit_cox`` (``rvlms analyze``) to 1e-8 or to its own distance from the optimum,
    whichever is larger: lifelines stops its damped Newton steps at a step norm of
    1e-7 or a relative likelihood change of 1e-9, which leaves the default fit up to
    ~1e-6 short of the maximum."""
    centres, union = case
    fed = run_federated(InProcessTransport(centres)).cox
    single = fit_cox(union)
    tight = _tight_cox(union)
    assert fed is not None
    assert (fed.fitted, fed.n, fed.events, fed.parameters) == (
        single.fitted,
        single.n,
        single.events,
        single.parameters,
    )
    assert [t.term for t in fed.terms] == [t.term for t in single.terms] == list(tight.index)
    for mine, theirs in zip(fed.terms, single.terms, strict=True):
        row = tight.loc[mine.term]
        optimum = [
            row["exp(coef)"],
            row["exp(coef) lower 95%"],
            row["exp(coef) upper 95%"],
            row["p"],
        ]
        got = [mine.hazard_ratio, *mine.ci95, mine.p]
        analyzed = [theirs.hazard_ratio, *theirs.ci95, theirs.p]
        for g, o, a in zip(got, optimum, analyzed, strict=True):
            assert g is not None and a is not None
            assert g == pytest.approx(float(o), abs=TOL, rel=0)
            slack = max(TOL, 2 * abs(a - float(o)))
            assert g == pytest.approx(a, abs=slack, rel=0)


def test_the_whole_report_matches_rvlms_analyze_on_the_union() -> None:
    centres = COHORTS["unequal sizes"]()
    union = pooled(centres)
    single = analyze(union, n_resamples=200)
    report = run_federated(InProcessTransport(centres))
    for endpoint in ("dfs", "os"):
        _same_survival(report.survival[endpoint], single.survival[endpoint])
    assert report.cox is not None and single.cox is not None
    assert [t.term for t in report.cox.terms] == [t.term for t in single.cox.terms]
    assert report.methods.n == len(union)
    counts = report.descriptive.categorical["imaging_type"]
    assert {lv: cells["overall"] for lv, cells in counts.items()} == union[
        "imaging_type"
    ].value_counts().to_dict()
    assert report.provenance.rounds == 2
    assert [c.n for c in report.provenance.centres] == [400, 150, 40]
