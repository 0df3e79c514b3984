"""When a test's number cannot be read at face value: the small-sample rules, in one place.

- A group of 5 or fewer patients: the chi-squared reference of Kruskal–Wallis and of
  the log-rank test is an asymptotic approximation that is poor with so few
  observations per group (Hollander, Wolfe & Chicken, *Nonparametric Statistical
  Methods*, 3rd ed. 2014, §6.1: tables of the exact null distribution are used when
  every nᵢ ≤ 5). The permutation p of Kruskal–Wallis is offered instead.
- Fewer than 1 expected event in a group: the log-rank statistic rests on that
  group's expected count (Peto et al., Br J Cancer 1977;35:1-39), so below 1 it is
  driven by single events.
- Events per parameter below 10 in a Cox model (Peduzzi et al., J Clin Epidemiol
  1995;48:1503-10): the model is not fitted (see :mod:`rvlms.analysis.cox`).
- One patient: no confidence interval and no test exist.

Each rule returns the sentence that is shown next to the number, or None.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

__all__ = [
    "MIN_EXPECTED_EVENTS",
    "SMALL_GROUP_SIZE",
    "expected_events_warning",
    "single_patient_warning",
    "small_groups_warning",
]

SMALL_GROUP_SIZE: Final[int] = 5
MIN_EXPECTED_EVENTS: Final[float] = 1.0


def small_groups_warning(sizes: Mapping[str, int], test: str) -> str | None:
    """'<test> not interpretable: ...' when any group has ≤ 5 patients."""
    small = [f"{group} (n={n})" for group, n in sizes.items() if n <= SMALL_GROUP_SIZE]
    if not small:
        return None
    return (
        f"{test}: group(s) with {SMALL_GROUP_SIZE} or fewer patients ({', '.join(small)}); "
        "the chi-squared p-value is not interpretable"
    )


def expected_events_warning(groups: Sequence[str], expected: Sequence[float]) -> str | None:
    """Log-rank caveat when a group expects fewer than one event."""
    low = [
        f"{g} ({e:.2f})" for g, e in zip(groups, expected, strict=True) if e < MIN_EXPECTED_EVENTS
    ]
    if not low:
        return None
    return (
        "log-rank test: fewer than 1 expected event in "
        + ", ".join(low)
        + "; the p-value is not interpretable"
    )


def single_patient_warning(label: str, n: int) -> str | None:
    """A group of one patient has no confidence interval."""
    if n != 1:
        return None
    return f"Kaplan–Meier ({label}): one patient; no confidence interval is given"
