"""Small-cell suppression for researcher views of a rare-disease cohort.

A retroperitoneal vascular leiomyosarcoma series has a few dozen patients (24 in
Yang 2025, 4 in Zhang 2021), so a count of 1-4 in a cross-table can identify a person
when combined with centre, year, age and sex (k-anonymity argument, Sweeney 2002;
disclosure thresholds of DataSHIELD / vantage6 nodes). Counts between 1 and
``min_count - 1`` are shown as ``"<min_count"``; zero is kept, as it discloses nothing
about an individual.

Primary suppression alone can be undone: a hidden cell follows from its total minus the
cells shown, or from the same count printed elsewhere in the response. Complementary
suppression (:func:`complementary_suppression`, :func:`suppress_table`, and
:func:`rvlms.deid.statistics.protect_analysis` for a whole cohort analysis) hides further
cells until no hidden count can be recovered by subtraction; those cells read
``"suppressed"``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

__all__ = [
    "DEFAULT_MIN_CELL",
    "SUPPRESSED",
    "Suppression",
    "complementary_suppression",
    "is_small_count",
    "suppress_count",
    "suppress_small_cells",
    "suppress_table",
]

DEFAULT_MIN_CELL = 5
SUPPRESSED = "suppressed"
"""What a complementary-suppressed cell shows (its count is at least ``min_count``)."""


def is_small_count(value: object, min_count: int) -> bool:
    """True for a whole number between 1 and ``min_count - 1``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return False
    number = float(value)
    if not math.isfinite(number) or number != int(number):
        return False
    return 0 < int(number) < min_count


def suppress_count(value: int, min_count: int | None) -> int | str:
    """One count, or ``"<min_count"`` when it is small and suppression is on."""
    if min_count is not None and is_small_count(value, min_count):
        return f"<{min_count}"
    return value


def suppress_small_cells(
    table: pd.DataFrame,
    min_count: int = DEFAULT_MIN_CELL,
    columns: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Replace counts 1 to ``min_count - 1`` by ``"<min_count"`` in a count table.

    Args:
        table: a table of counts (e.g. ``pd.crosstab`` output).
        min_count: the smallest count shown as is (default 5).
        columns: only these columns hold counts; default every column.

    Returns:
        A copy with object dtype in the suppressed columns.
    """
    if min_count < 1:
        raise ValueError(f"min_count must be >= 1, got {min_count}")
    out = table.copy()
    targets = list(columns) if columns is not None else list(out.columns)
    for column in targets:
        out[column] = (
            out[column]
            .astype(object)
            .map(lambda v: f"<{min_count}" if is_small_count(v, min_count) else v)
        )
    return out


Key = Hashable
Line = tuple[Key, Sequence[Key]]


@dataclass(frozen=True)
class Suppression:
    """Which cells are hidden: ``primary`` (small counts) and ``complementary`` (hidden so
    that no primary cell follows from a total), with the text each cell shows."""

    primary: frozenset[Key]
    complementary: frozenset[Key]
    min_count: int

    @property
    def hidden(self) -> frozenset[Key]:
        return self.primary | self.complementary

    def text(self, key: Key) -> str:
        """``"<k"`` for a small count, ``"suppressed"`` for a complementary cell."""
        return f"<{self.min_count}" if key in self.primary else SUPPRESSED


def complementary_suppression(
    values: Mapping[Key, int],
    lines: Iterable[Line],
    min_count: int = DEFAULT_MIN_CELL,
    aliases: Iterable[Iterable[Key]] = (),
    public: Iterable[Key] = (),
) -> Suppression:
    """Primary and complementary suppression of counts linked by additive lines.

    Each line is ``(total, parts)`` with ``total = sum(parts) + remainder``; the remainder
    (e.g. rows whose group is missing) is never shown and is treated as known to the
    reader, unless it is itself a small count, when it needs protecting like a cell.

    A reader knows that a ``"<k"`` cell holds 1 to k-1 and a ``"suppressed"`` one at least
    0, and can subtract the shown members of a line from its total. A line is safe when
    no hidden member is pinned to a single value by those bounds: one hidden member alone
    is given away by subtraction, and so are two ``"<k"`` cells that must add up to 2.
    An unsafe line gets one more hidden member (the smallest non-zero part, else a zero
    part, else the total) until every line is safe: complementary suppression in the
    manner of Cox 1980 (J Am Stat Assoc 75:377) and Hundepool et al., *Statistical
    Disclosure Control* (Wiley 2012), section 5.5. ``aliases`` are groups of keys holding
    the same quantity in different places of one response (an event count in the
    description and again in the survival table): hiding one hides all. ``public`` cells
    are printed elsewhere as they are (the cohort size in the methods) and are never
    chosen to be hidden.
    """
    if min_count < 1:
        raise ValueError(f"min_count must be >= 1, got {min_count}")
    linked: dict[Key, set[Key]] = {}
    for group in aliases:
        keys = set(group)
        for key in keys:
            linked.setdefault(key, set()).update(keys)
    primary = {k for k, v in values.items() if is_small_count(v, min_count)}
    hidden = set(primary)
    fixed = set(public)
    prepared: list[tuple[Key, list[Key], int]] = []
    for total, parts in lines:
        present = [p for p in parts if p in values]
        if total in values:
            remainder = values[total] - sum(values[p] for p in present)
            prepared.append((total, present, remainder))

    def bounds(key: Key) -> tuple[float, float]:
        return (1, min_count - 1) if key in primary else (0, math.inf)

    def pinned(total: Key, parts: list[Key], remainder: int) -> bool:
        terms: list[tuple[float, float, float]] = []
        constant = 0.0
        for key, sign in [(total, 1.0), *((p, -1.0) for p in parts)]:
            if key in hidden:
                terms.append((sign, *bounds(key)))
            else:
                constant -= sign * values[key]
        if is_small_count(remainder, min_count):
            terms.append((-1.0, 1, min_count - 1))
        else:
            constant += remainder
        if not terms:
            return False
        for index, (sign, low, high) in enumerate(terms):
            others = [t for i, t in enumerate(terms) if i != index]
            least = sum(min(a * lo, a * hi) for a, lo, hi in others)
            most = sum(max(a * lo, a * hi) for a, lo, hi in others)
            lo_value, hi_value = sorted(((constant - most) / sign, (constant - least) / sign))
            if max(low, lo_value) >= min(high, hi_value):
                return True
        return False

    def spread() -> None:
        for key in list(hidden):
            hidden.update(linked.get(key, ()))

    def hide_one_more(total: Key, parts: list[Key]) -> bool:
        open_parts = [p for p in parts if p not in hidden and p not in fixed]
        candidates = sorted(open_parts, key=lambda p: (values[p] == 0, values[p]))
        usable = total not in hidden and total not in fixed
        choice = candidates[0] if candidates else (total if usable else None)
        if choice is None:
            return False
        hidden.add(choice)
        spread()
        return True

    solved: dict[object, set[Key]] = {}
    spread()
    while True:
        changed = True
        while changed:
            changed = False
            for total, parts, remainder in prepared:
                if pinned(total, parts, remainder) and hide_one_more(total, parts):
                    changed = True
        ring = _pinned_jointly(hidden, prepared, values, bounds, min_count, solved)
        grew = False
        while ring and not grew:
            touching = [(t, ps) for t, ps, _ in prepared if ring & {t, *ps}]
            grew = any([hide_one_more(t, ps) for t, ps in touching])
            wider = {k for t, ps in touching for k in (t, *ps) if k in hidden}
            ring = wider if wider - ring else set()
        if not grew:
            break
    return Suppression(frozenset(primary), frozenset(hidden - primary), min_count)


def _one_integer(low: float, high: float) -> bool:
    """True when at most one whole number lies in [low, high]."""
    return math.floor(high + 1e-9) - math.ceil(low - 1e-9) < 1


def _pinned_jointly(
    hidden: set[Key],
    lines: list[tuple[Key, list[Key], int]],
    values: Mapping[Key, int],
    bounds: Callable[[Key], tuple[float, float]],
    min_count: int,
    solved: dict[object, set[Key]],
) -> set[Key]:
    """Small hidden cells whose value follows from all the lines together: the linear
    programme (HiGHS, one per connected group of hidden cells) leaves at most one whole
    number between the smallest and the largest value the cell can take."""
    from scipy.optimize import linprog

    rows: list[tuple[dict[Key, float], float]] = []
    for number, (total, parts, remainder) in enumerate(lines):
        coefficients: dict[Key, float] = {}
        constant = float(remainder)
        for key, sign in [(total, 1.0), *((p, -1.0) for p in parts)]:
            if key in hidden:
                coefficients[key] = coefficients.get(key, 0.0) + sign
            else:
                constant -= sign * values[key]
        if is_small_count(remainder, min_count):
            coefficients[("remainder", number)] = -1.0
            constant -= remainder
        if coefficients:
            rows.append((coefficients, constant))
    parent: dict[Key, Key] = {}

    def root(key: Key) -> Key:
        while parent.setdefault(key, key) != key:
            key = parent[key]
        return key

    for coefficients, _ in rows:
        first, *rest = coefficients
        for key in rest:
            parent[root(key)] = root(first)
    components: dict[Key, list[int]] = {}
    for index, (coefficients, _) in enumerate(rows):
        components.setdefault(root(next(iter(coefficients))), []).append(index)
    exposed: set[Key] = set()
    for indices in components.values():
        keys = sorted({k for i in indices for k in rows[i][0]}, key=repr)
        position = {k: j for j, k in enumerate(keys)}
        matrix = [[rows[i][0].get(k, 0.0) for k in keys] for i in indices]
        rhs = [rows[i][1] for i in indices]
        signature = (tuple(map(repr, keys)), tuple(map(tuple, matrix)), tuple(rhs))
        if signature in solved:
            exposed |= solved[signature]
            continue
        found: set[Key] = set()
        limits = [
            (1, min_count - 1) if k not in hidden else (b[0], None if b[1] == math.inf else b[1])
            for k in keys
            for b in [bounds(k) if k in hidden else (1, min_count - 1)]
        ]
        for key in (k for k in keys if k in hidden and bounds(k)[1] < math.inf):
            objective = [0.0] * len(keys)
            objective[position[key]] = 1.0
            low = linprog(objective, A_eq=matrix, b_eq=rhs, bounds=limits, method="highs")
            objective[position[key]] = -1.0
            high = linprog(objective, A_eq=matrix, b_eq=rhs, bounds=limits, method="highs")
            if low.status == 0 and high.status == 0 and _one_integer(low.fun, -high.fun):
                found.add(key)
        solved[signature] = found
        exposed |= found
    return exposed


def suppress_table(
    table: pd.DataFrame, min_count: int = DEFAULT_MIN_CELL, total: str = "Total"
) -> pd.DataFrame:
    """A count table with row and column totals added, primary and complementary
    suppression applied, so that no hidden cell follows from the totals.

    Args:
        table: whole counts (e.g. ``pd.crosstab`` output without margins).
        min_count: the smallest count shown as is.
        total: the label of the added total row and column.
    """
    counts = table.astype(int)
    full = counts.copy()
    full[total] = counts.sum(axis=1)
    full.loc[total] = full.sum(axis=0)
    values: dict[Key, int] = {(r, c): int(full.loc[r, c]) for r in full.index for c in full.columns}
    inner_rows, inner_cols = list(counts.index), list(counts.columns)
    lines: list[Line] = [((r, total), [(r, c) for c in inner_cols]) for r in full.index]
    lines += [((total, c), [(r, c) for r in inner_rows]) for c in full.columns]
    result = complementary_suppression(values, lines, min_count)
    shown = full.astype(object)
    for key in result.hidden:
        assert isinstance(key, tuple)
        shown.loc[key[0], key[1]] = result.text(key)
    return shown
