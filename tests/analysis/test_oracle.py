"""Every figure of ``rvlms analyze`` against R (stats + survival 3.5), to 1e-6.

The expected values are ``tests/analysis/oracle/expected.csv``, written by
``Rscript tests/analysis/oracle/make_oracle.R`` (R 4.2.2, survival 3.5.3) from the
committed cohorts of ``make_inputs.py``. Agreement means |rvlms − R| ≤ 1e-6 · max(1, |R|)
(relative for the many p-values far below 1e-6, e.g. Fisher p 7.9e-38), and NA in R
is None in rvlms. Where Rscript is on PATH the R script is also run live and must
reproduce the committed file.
"""

from __future__ import annotations

import csv
import math
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rvlms.analysis import CohortAnalysis, analyze, fit_cox, read_cohort_csv
from rvlms.analysis.km import kaplan_meier_curve
from rvlms.analysis.power import freedman_events, schoenfeld_events, schoenfeld_power

ORACLE = Path(__file__).parent / "oracle"
COHORTS = ("yang24", "synth400", "zhang4", "ties300", "small11", "pair2", "two60")
TOL = 1e-6

Expected = dict[tuple[str, str, str, str], float | None]


def _load(path: Path) -> Expected:
    out: Expected = {}
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            value = row["value"].strip()
            key = (row["cohort"], row["quantity"], row["group"], row["item"])
            out[key] = None if value == "NA" else float(value)
    return out


EXPECTED = _load(ORACLE / "expected.csv")


def _agrees(mine: float | None, theirs: float | None) -> bool:
    if theirs is None or (isinstance(theirs, float) and math.isinf(theirs)):
        return mine is None or (theirs is not None and mine == theirs)
    if mine is None:
        return False
    return abs(mine - theirs) <= TOL * max(1.0, abs(theirs)) or abs(mine - theirs) <= 1e-12


def _analysis(cohort: str) -> CohortAnalysis:
    data = read_cohort_csv(ORACLE / f"{cohort}.csv")
    return analyze(data, "imaging_type", validate=False)


def _pairs(cohort: str, result: CohortAnalysis) -> Iterator[tuple[str, float | None, float | None]]:
    """(label, rvlms, R) for every figure R computed for this cohort."""
    for (c, quantity, group, item), theirs in EXPECTED.items():
        if c != cohort:
            continue
        label = f"{quantity}/{group}/{item}"
        head, _, rest = quantity.partition("_")
        if head == "describe":
            stats = result.descriptive.continuous[rest][group]
            yield label, getattr(stats, item), theirs
        elif head == "km" and "quantile" in rest:
            endpoint, _, kind = rest.partition("_")
            summary = result.survival[endpoint]
            est = summary.overall() if group == "overall" else summary.by_group[group]
            index = {"p25": 0, "p50": 1, "p75": 2}[item]
            estimate = [est.quartiles_months[0], est.median_months, est.quartiles_months[1]]
            lower = [est.quartiles_ci95[0][0], est.ci95[0], est.quartiles_ci95[1][0]]
            upper = [est.quartiles_ci95[0][1], est.ci95[1], est.quartiles_ci95[1][1]]
            chosen = {"quantile": estimate, "quantile_lower": lower, "quantile_upper": upper}
            yield label, chosen[kind][index], theirs
        elif head == "km" and rest.endswith("_n"):
            endpoint = rest[:-2]
            summary = result.survival[endpoint]
            est = summary.overall() if group == "overall" else summary.by_group[group]
            value = est.n if item == "n" else est.events
            yield label, float(value), theirs
        elif head == "logrank":
            logrank = result.survival[rest].logrank
            assert logrank is not None, label
            yield label, getattr(logrank, item), theirs
        elif head in ("kruskal", "fisher", "chisq"):
            comparison = next(x for x in result.comparisons if x.variable == rest)
            if item == "df":
                continue
            if item in ("odds_ratio", "or_lower", "or_upper"):
                continue
            if item in ("statistic", "odds_ratio_tight"):
                yield label, comparison.statistic, theirs
            elif item in ("or_lower_tight", "or_upper_tight"):
                assert comparison.ci95 is not None, label
                yield label, comparison.ci95[0 if item == "or_lower_tight" else 1], theirs
            else:
                yield label, comparison.p, theirs
            if head == "chisq":
                assert comparison.test.startswith("Pearson chi-squared"), label
            if head == "fisher":
                assert "exact" in comparison.test and "Monte Carlo" not in comparison.test


def _cox_pairs(cohort: str) -> Iterator[tuple[str, float | None, float | None]]:
    keys = [k for k in EXPECTED if k[0] == cohort and k[1] in ("cox_dfs", "coxzph_dfs")]
    if not keys:
        return
    model = fit_cox(read_cohort_csv(ORACLE / f"{cohort}.csv"), ["imaging_type"])
    assert model.fitted
    terms = {t.term: t for t in model.terms}
    for key in keys:
        _, quantity, group, item = key
        theirs = EXPECTED[key]
        label = "/".join(key[1:])
        if group == "model":
            yield label, model.concordance, theirs
            continue
        if quantity == "coxzph_dfs":
            if group == "GLOBAL":
                mine = model.ph_global_chisq if item == "chisq" else model.ph_global_p
            else:
                term = terms[group]
                mine = term.ph_test_chisq if item == "chisq" else term.ph_test_p
            yield label, mine, theirs
            continue
        term = terms[group]
        if item == "hr":
            yield label, term.hazard_ratio, theirs
        elif item in ("lower", "upper"):
            yield label, term.ci95[0 if item == "lower" else 1], theirs
        elif item == "p":
            yield label, term.p, theirs
        elif item == "coef":
            assert term.hazard_ratio is not None
            yield label, math.log(term.hazard_ratio), theirs


@pytest.mark.parametrize("cohort", COHORTS)
def test_every_reported_figure_agrees_with_r(cohort: str) -> None:
    result = _analysis(cohort)
    compared = [*_pairs(cohort, result), *_cox_pairs(cohort)]
    wrong = [(label, mine, theirs) for label, mine, theirs in compared if not _agrees(mine, theirs)]
    assert not wrong, wrong[:20]
    assert len(compared) >= 20


@pytest.mark.parametrize("cohort", COHORTS)
def test_kaplan_meier_curves_and_log_log_band_agree_with_r(cohort: str) -> None:
    data = pd.read_csv(ORACLE / f"{cohort}.csv")
    compared = 0
    for endpoint in ("dfs", "os"):
        groups = {"overall": data}
        groups.update({g: data[data["imaging_type"] == g] for g in data["imaging_type"].dropna()})
        for group, part in groups.items():
            curve = kaplan_meier_curve(
                part[f"{endpoint}_months"].to_numpy(float),
                part[f"{endpoint}_event"].to_numpy(float),
            )
            for name in ("surv", "lower", "upper"):
                expected = [
                    np.nan if v is None else v
                    for (c, q, g, _), v in EXPECTED.items()
                    if c == cohort and q == f"km_{endpoint}_{name}" and g == group
                ]
                np.testing.assert_allclose(
                    getattr(curve, name), expected, rtol=0, atol=TOL, equal_nan=True
                )
                compared += len(expected)
    assert compared > 0


def _root_scale(value: float) -> float:
    """fisher.test solves for ψ in (0, 1] and for 1/ψ above 1."""
    return value if value <= 1 else 1 / value


@pytest.mark.parametrize("cohort", ["pair2", "two60"])
def test_odds_ratio_agrees_with_fisher_test_to_its_root_tolerance(cohort: str) -> None:
    """R's own fisher.test estimate stops at uniroot's tol = eps^0.25 (1.22e-4) on the
    ψ or 1/ψ scale; rvlms equals the tightly solved value (previous test) and is within
    that tolerance of fisher.test's printed one."""
    result = _analysis(cohort)
    checked = 0
    for (c, quantity, _, item), theirs in EXPECTED.items():
        if c != cohort or item not in ("odds_ratio", "or_lower", "or_upper"):
            continue
        comparison = next(x for x in result.comparisons if x.variable == quantity[7:])
        assert comparison.ci95 is not None
        mine = {"odds_ratio": comparison.statistic, "or_lower": comparison.ci95[0]}.get(
            item, comparison.ci95[1]
        )
        assert theirs is not None
        if math.isinf(theirs):
            assert mine is None
            continue
        assert mine is not None
        assert abs(_root_scale(mine) - _root_scale(theirs)) <= 1.3e-4
        checked += 1
    assert checked >= 3


def test_median_confidence_limit_is_na_where_r_says_so() -> None:
    """yang24 DFS: the upper band never falls to 0.5, so R's upper limit of the median
    is NA; the median (19.0, Yang 2025 abstract) and its lower limit 10 stay."""
    result = _analysis("yang24")
    assert EXPECTED[("yang24", "km_dfs_quantile_upper", "overall", "p50")] is None
    assert result.survival["dfs"].median_months == 19.0
    assert result.survival["dfs"].ci95 == [10.0, None]


def test_logrank_with_a_group_without_expected_events_has_no_df() -> None:
    """pair2: one patient censored at 1.2 months before the other's event at 6.7 -> R
    survdiff: chisq 0 on 0 df, no p."""
    logrank = _analysis("pair2").survival["dfs"].logrank
    assert logrank is not None
    assert (logrank.statistic, logrank.df, logrank.p) == (0.0, 0, None)
    assert not logrank.interpretable


@pytest.mark.parametrize(
    "key", [k for k in EXPECTED if k[0] == "power"], ids=lambda k: f"{k[1]}:{k[2]}"
)
def test_power_formulas_agree_with_r(key: tuple[str, str, str, str]) -> None:
    _, quantity, spec, _ = key
    params = {k: float(v) for k, v in (part.split("=") for part in spec.split(";"))}
    if quantity == "power_schoenfeld":
        mine = schoenfeld_power(
            (params["n_exp"] + params["n_con"]) * 11 / 24, params["hr"], 0.05, 1.0
        )
    else:
        formula = freedman_events if quantity == "events_freedman" else schoenfeld_events
        mine = formula(params["hr"], params["power"], 0.05, params["ratio"])
    assert _agrees(mine, EXPECTED[key])


@pytest.mark.skipif(shutil.which("Rscript") is None, reason="R is not installed")
def test_r_script_reproduces_the_committed_oracle(tmp_path: Path) -> None:
    out = tmp_path / "expected.csv"
    repo = Path(__file__).resolve().parents[2]
    subprocess.run(
        ["Rscript", str(ORACLE / "make_oracle.R"), str(out)],
        cwd=repo,
        check=True,
        capture_output=True,
        timeout=120,
    )
    live = _load(out)
    assert live.keys() == EXPECTED.keys()
    assert all(_agrees(live[k], EXPECTED[k]) for k in live)
