"""Cox regression under the events-per-variable rule, and sample size for a DFS hazard ratio."""

from __future__ import annotations

import pandas as pd
import pytest

from rvlms.analysis import fit_cox, power_for_sample, sample_size_for_hazard_ratio, validate_cohort
from rvlms.synth import synthesize


def test_cox_refused_for_yang2025(yang_cohort: pd.DataFrame) -> None:
    """Yang 2025: 11 DFS events (5 local + 7 distant − 1 both) cannot support the three
    parameters of a four-level imaging type (EPV 3.7 < 10, Peduzzi 1995)."""
    result = fit_cox(yang_cohort, ["imaging_type"])
    assert result.fitted is False
    assert result.events == 11
    assert result.parameters == 3
    assert result.events_per_variable == pytest.approx(11 / 3)
    assert any("events per parameter 3.7 < 10" in w for w in result.warnings)
    assert result.to_dict()["terms"] == []


def test_cox_fitted_on_large_synthetic_cohort() -> None:
    """Generator hazards relative to pooled: intraluminal 1.4, peripheral 0.6 -> HR < 1."""
    result = fit_cox(validate_cohort(synthesize(4000, seed=21)), ["imaging_type", "size_mm"])
    assert result.fitted is True
    terms = {t.term: t for t in result.terms}
    assert set(terms) == {
        "imaging_type[intermediate]",
        "imaging_type[extraluminal]",
        "imaging_type[peripheral]",
        "size_mm",
    }
    peripheral = terms["imaging_type[peripheral]"]
    assert peripheral.hazard_ratio is not None and peripheral.hazard_ratio < 0.8
    assert peripheral.ci95[1] is not None and peripheral.ci95[1] < 1.0
    assert "imaging_type reference = intraluminal" in result.methods.notes


def test_sample_size_matches_lifelines_docstring_example() -> None:
    """lifelines sample_size_necessary_under_cph example: power 0.8, ratio 1, p_exp 0.25,
    p_con 0.35, HR 0.7 -> (421, 421). Freedman events m = ((0.7 + 1)/(0.7 − 1))² ×
    (1.95996 + 0.84162)² = 32.111 × 7.8489 = 252.04 -> 253 events; n = m / 0.6 = 420.07."""
    result = sample_size_for_hazard_ratio(
        0.7, power=0.8, alpha=0.05, p_event_exp=0.25, p_event_con=0.35
    )
    assert (result.n_exp, result.n_con) == (421, 421)
    assert result.events_required == 253
    assert result.achieved_power >= 0.8


def test_sample_size_for_hr2_with_yang_event_rate() -> None:
    """HR 2, both groups with Yang 2025's DFS event proportion 11/24: m = 9 × 7.8489 =
    70.64 -> 71 events; n per group = 70.64 / (22/24) = 77.06 -> 78."""
    result = sample_size_for_hazard_ratio(2.0, p_event_exp=11 / 24, p_event_con=11 / 24)
    assert result.events_required == 71
    assert (result.n_exp, result.n_con, result.n_total) == (78, 78, 156)
    assert "Freedman" in result.methods.test


def test_power_of_a_24_patient_series_is_low() -> None:
    """Yang 2025's 24 patients split 12/12 with 11/24 events: power for HR 2 well below 80 %."""
    result = power_for_sample(12, 12, hazard_ratio=2.0, p_event_exp=11 / 24, p_event_con=11 / 24)
    assert result.achieved_power < 0.5
    assert "achieved power" in result.to_text()


@pytest.mark.parametrize("bad", [{"hazard_ratio": 1.0}, {"hazard_ratio": 2.0, "p_event_exp": 0.0}])
def test_power_rejects_impossible_inputs(bad: dict[str, float]) -> None:
    kwargs: dict[str, float] = {"p_event_exp": 0.5, "p_event_con": 0.5, **bad}
    hr = kwargs.pop("hazard_ratio")
    with pytest.raises(ValueError, match="must be"):
        sample_size_for_hazard_ratio(hr, **kwargs)


def test_the_hazard_ratio_table_names_its_reference_group() -> None:
    result = fit_cox(synthesize(400, 1), ["imaging_type"], "dfs")
    (table,) = result.tables()
    assert result.reference_levels() == ["imaging_type reference = intraluminal"]
    assert table.note is not None
    assert table.note.startswith("Hazard ratios imaging_type: against intraluminal.")
    assert {row[0] for row in table.rows} == {
        "imaging_type[extraluminal]",
        "imaging_type[intermediate]",
        "imaging_type[peripheral]",
    }
