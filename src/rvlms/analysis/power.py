"""How many patients and events a two-group DFS comparison needs: Schoenfeld and Freedman.

Schoenfeld's formula (Biometrika 1981;68:316-9; Schoenfeld, Biometrics 1983;39:499-503)
is the usual one for a Cox / log-rank design:

    events D = (z₁₋α/₂ + z_power)² / (π(1 − π) · log(HR)²),   π = k / (1 + k),

with power for D expected events Φ(√(D π(1 − π)) · |log HR| − z₁₋α/₂). For HR 2 at
2:1 allocation it needs 74 events where Freedman's needs 99, so both are shown.

Freedman's formula uses lifelines ``statistics.sample_size_necessary_under_cph`` and
``power_under_cph``, which implement it for the log-rank / Cox test of two groups (as in
R ``powerSurvEpi::ssizeCT.default``):

    events m = (1/k) · ((k·HR + 1) / (HR − 1))² · (z₁₋α/₂ + z_power)²
    n_exp = m·k / (k·p_exp + p_con),   n_con = m / (k·p_exp + p_con)

with k = n_exp / n_con and p_exp, p_con the probabilities of a DFS event during the
study in each group. For scale: Yang 2025 saw 11 DFS events in 24 patients (abstract,
Results: 5 local recurrences, 7 distant metastases, 1 with both), an overall event
proportion of 11/24 ≈ 0.46, so a single-centre series of that size is powered only for
very large hazard ratios - the reason Zhang 2021 (Conclusion) calls for multicentre
research.
"""

from __future__ import annotations

import math

from rvlms.analysis.report import Methods, ResultBase, Table, format_number

__all__ = [
    "PowerResult",
    "freedman_events",
    "power_for_sample",
    "sample_size_for_hazard_ratio",
    "schoenfeld_events",
    "schoenfeld_power",
]

_FORMULA = (
    "Schoenfeld formula (events, power); Freedman formula for two-group Cox/log-rank "
    "comparison (lifelines "
    "sample_size_necessary_under_cph / power_under_cph; R powerSurvEpi ssizeCT.default)"
)


class PowerResult(ResultBase):
    """Sample size (or power) for detecting a DFS hazard ratio between two groups."""

    hazard_ratio: float
    alpha: float
    target_power: float | None
    achieved_power: float
    p_event_exp: float
    p_event_con: float
    ratio: float
    n_exp: int
    n_con: int
    n_total: int
    events_required: int
    expected_events: float
    methods: Methods
    events_required_schoenfeld: int = 0
    achieved_power_schoenfeld: float | None = None

    def heading(self) -> str:
        return f"Power for a DFS hazard ratio of {format_number(self.hazard_ratio)}"

    def result_methods(self) -> Methods:
        return self.methods

    def tables(self) -> list[Table]:
        rows = [
            ["hazard ratio", format_number(self.hazard_ratio)],
            ["two-sided alpha", format_number(self.alpha, 3)],
            ["target power", format_number(self.target_power, 3)],
            ["achieved power", format_number(self.achieved_power, 3)],
            ["P(event), experimental group", format_number(self.p_event_exp, 3)],
            ["P(event), control group", format_number(self.p_event_con, 3)],
            ["allocation ratio (exp:con)", format_number(self.ratio)],
            ["patients, experimental group", str(self.n_exp)],
            ["patients, control group", str(self.n_con)],
            ["patients, total", str(self.n_total)],
            ["events required (Schoenfeld)", str(self.events_required_schoenfeld)],
            ["events required (Freedman)", str(self.events_required)],
            ["achieved power (Schoenfeld)", format_number(self.achieved_power_schoenfeld, 3)],
            ["events expected with these patients", format_number(self.expected_events, 1)],
        ]
        return [Table("Sample size and power", ["Quantity", "Value"], rows)]


def _check(hazard_ratio: float, alpha: float, p_exp: float, p_con: float, ratio: float) -> None:
    if hazard_ratio <= 0 or hazard_ratio == 1:
        raise ValueError(f"hazard_ratio must be > 0 and != 1, got {hazard_ratio}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")
    for name, p in (("p_event_exp", p_exp), ("p_event_con", p_con)):
        if not 0 < p <= 1:
            raise ValueError(f"{name} must be in (0, 1], got {p}")
    if ratio <= 0:
        raise ValueError(f"ratio must be > 0, got {ratio}")


def _events_required(hazard_ratio: float, power: float, alpha: float, ratio: float) -> int:
    return math.ceil(freedman_events(hazard_ratio, power, alpha, ratio))


def schoenfeld_events(hazard_ratio: float, power: float, alpha: float, ratio: float) -> float:
    """Events needed by Schoenfeld's formula (unrounded); ``ratio`` = n_exp / n_con."""
    from scipy.stats import norm

    z = float(norm.ppf(1 - alpha / 2)) + float(norm.ppf(power))
    share = ratio / (1.0 + ratio)
    return z**2 / (share * (1.0 - share) * math.log(hazard_ratio) ** 2)


def schoenfeld_power(events: float, hazard_ratio: float, alpha: float, ratio: float) -> float:
    """Power of a log-rank / Cox test with ``events`` events by Schoenfeld's formula."""
    from scipy.stats import norm

    share = ratio / (1.0 + ratio)
    drift = math.sqrt(events * share * (1.0 - share)) * abs(math.log(hazard_ratio))
    return float(norm.cdf(drift - float(norm.ppf(1 - alpha / 2))))


def freedman_events(hazard_ratio: float, power: float, alpha: float, ratio: float) -> float:
    """Events needed by Freedman's formula (unrounded); ``ratio`` = n_exp / n_con."""
    from scipy.stats import norm

    z = float(norm.ppf(1 - alpha / 2)) + float(norm.ppf(power))
    return (1.0 / ratio) * ((ratio * hazard_ratio + 1.0) / (hazard_ratio - 1.0)) ** 2 * z**2


def sample_size_for_hazard_ratio(
    hazard_ratio: float,
    *,
    power: float = 0.8,
    alpha: float = 0.05,
    p_event_exp: float,
    p_event_con: float,
    ratio: float = 1.0,
) -> PowerResult:
    """Patients per group and events needed to detect ``hazard_ratio`` with ``power``."""
    _check(hazard_ratio, alpha, p_event_exp, p_event_con, ratio)
    if not 0 < power < 1:
        raise ValueError(f"power must be between 0 and 1, got {power}")
    from lifelines.statistics import power_under_cph, sample_size_necessary_under_cph

    n_exp, n_con = sample_size_necessary_under_cph(
        power, ratio, p_event_exp, p_event_con, hazard_ratio, alpha=alpha
    )
    achieved = float(
        power_under_cph(n_exp, n_con, p_event_exp, p_event_con, hazard_ratio, alpha=alpha)
    )
    return PowerResult(
        hazard_ratio=hazard_ratio,
        alpha=alpha,
        target_power=power,
        achieved_power=achieved,
        p_event_exp=p_event_exp,
        p_event_con=p_event_con,
        ratio=ratio,
        n_exp=int(n_exp),
        n_con=int(n_con),
        n_total=int(n_exp) + int(n_con),
        events_required=_events_required(hazard_ratio, power, alpha, ratio),
        expected_events=int(n_exp) * p_event_exp + int(n_con) * p_event_con,
        methods=Methods(test=_FORMULA, n=int(n_exp) + int(n_con), cohort_filter="planning"),
        events_required_schoenfeld=math.ceil(schoenfeld_events(hazard_ratio, power, alpha, ratio)),
        achieved_power_schoenfeld=schoenfeld_power(
            int(n_exp) * p_event_exp + int(n_con) * p_event_con, hazard_ratio, alpha, ratio
        ),
    )


def power_for_sample(
    n_exp: int,
    n_con: int,
    *,
    hazard_ratio: float,
    alpha: float = 0.05,
    p_event_exp: float,
    p_event_con: float,
) -> PowerResult:
    """Power of an existing two-group cohort (e.g. 24 patients) to detect ``hazard_ratio``."""
    if n_exp < 1 or n_con < 1:
        raise ValueError(f"both groups need at least one patient, got {n_exp} and {n_con}")
    ratio = n_exp / n_con
    _check(hazard_ratio, alpha, p_event_exp, p_event_con, ratio)
    from lifelines.statistics import power_under_cph

    achieved = float(
        power_under_cph(n_exp, n_con, p_event_exp, p_event_con, hazard_ratio, alpha=alpha)
    )
    return PowerResult(
        hazard_ratio=hazard_ratio,
        alpha=alpha,
        target_power=None,
        achieved_power=achieved,
        p_event_exp=p_event_exp,
        p_event_con=p_event_con,
        ratio=ratio,
        n_exp=n_exp,
        n_con=n_con,
        n_total=n_exp + n_con,
        events_required=_events_required(hazard_ratio, 0.8, alpha, ratio),
        expected_events=n_exp * p_event_exp + n_con * p_event_con,
        methods=Methods(
            test=_FORMULA,
            n=n_exp + n_con,
            cohort_filter="planning",
            notes=["events required shown for 80% power"],
        ),
        events_required_schoenfeld=math.ceil(schoenfeld_events(hazard_ratio, 0.8, alpha, ratio)),
        achieved_power_schoenfeld=schoenfeld_power(
            n_exp * p_event_exp + n_con * p_event_con, hazard_ratio, alpha, ratio
        ),
    )
