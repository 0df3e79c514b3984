"""Benchmark harness: ``python bench/run.py [NAME ...]``.

Runs every ``bench/bench_*.py`` module (or those whose name contains one of the
given NAMEs), each exposing ``run() -> list[Row]``, and prints one table.

Numbers are ratios, never absolute times: each row carries a baseline measured
in the same run on the same machine (a plain library call doing the same work,
a bare interpreter start, ...), so a slow or busy machine moves both sides and
the ratio stays comparable between runs and machines. A row is ``ok`` when
``measured / baseline <= target_ratio``. The exit code is 1 when a row misses
its target or a module fails, 0 otherwise.

Bench modules import the harness as ``from run import Row, measure`` or
``from bench.run import Row, measure``; both names give this very module.
"""

from __future__ import annotations

import importlib.util
import math
import statistics
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from rich.console import Console
from rich.table import Table

__all__ = ["Row", "discover", "main", "measure", "report"]

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent


@dataclass(frozen=True)
class Row:
    """One benchmark result: a measurement, its same-run baseline and the allowed ratio."""

    name: str
    measured: float
    baseline: float
    unit: str
    target_ratio: float

    @property
    def ratio(self) -> float:
        if self.baseline <= 0:
            return math.inf
        return self.measured / self.baseline

    @property
    def ok(self) -> bool:
        return self.ratio <= self.target_ratio


def measure(fn: Callable[[], object], *, repeat: int, number: int) -> float:
    """Seconds per call of ``fn``: the median over ``repeat`` rounds of ``number`` calls.

    A round of several calls amortises the timer's own cost for fast functions; the
    median over rounds ignores the odd round slowed down by the other processes of a
    shared machine, where a mean would not.
    """
    if repeat < 1 or number < 1:
        raise ValueError(f"repeat and number must be >= 1, got {repeat=} {number=}")
    per_call: list[float] = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        per_call.append((time.perf_counter() - start) / number)
    return statistics.median(per_call)


def _value(value: float, unit: str) -> str:
    return f"{value:.4g} {unit}".rstrip()


def report(rows: Iterable[Row], console: Console | None = None) -> None:
    """Print the rows as a table: name | value | baseline | ratio | target | ok."""
    table = Table(title="rvlms benchmarks (ratios to a baseline of the same run)")
    table.add_column("name")
    table.add_column("value", justify="right")
    table.add_column("baseline", justify="right")
    table.add_column("ratio", justify="right")
    table.add_column("target", justify="right")
    table.add_column("ok", justify="center")
    for row in rows:
        table.add_row(
            row.name,
            _value(row.measured, row.unit),
            _value(row.baseline, row.unit),
            f"{row.ratio:.2f}",
            f"<= {row.target_ratio:g}",
            "yes" if row.ok else "[bold red]NO[/]",
        )
    (console or Console()).print(table)


def discover(names: Sequence[str] = ()) -> list[Path]:
    """The ``bench_*.py`` files next to this one, filtered by substrings of their names."""
    paths = sorted(BENCH_DIR.glob("bench_*.py"))
    if names:
        paths = [p for p in paths if any(name in p.stem for name in names)]
    return paths


def _share_this_module() -> None:
    """Let ``from run import ...`` and ``from bench.run import ...`` both resolve to us.

    Run as a script this file is ``__main__``; without the aliases a bench module
    would import a second copy, with a second, different ``Row`` class.
    """
    this = sys.modules[__name__]
    sys.modules.setdefault("run", this)
    sys.modules.setdefault("bench.run", this)
    for path in (str(BENCH_DIR), str(REPO_ROOT)):
        if path not in sys.path:
            sys.path.insert(0, path)


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"bench.{path.stem}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def main(argv: Sequence[str] | None = None) -> int:
    """Run the selected bench modules, print all rows, and say whether all met their target
    (with ``--report``: only whether every module ran)."""
    names = list(sys.argv[1:] if argv is None else argv)
    report_only = "--report" in names
    names = [n for n in names if n != "--report"]
    _share_this_module()
    console = Console() if sys.stdout.isatty() else Console(width=200)
    paths = discover(names)
    if not paths:
        console.print(f"no bench_*.py module in {BENCH_DIR} matches {names}")
        return 1

    rows: list[Row] = []
    failed: list[str] = []
    for path in paths:
        console.print(f"running {path.name} ...")
        start = time.perf_counter()
        try:
            rows.extend(_load(path).run())
        except Exception:
            failed.append(path.name)
            console.print(f"[bold red]{path.name} failed[/]\n{traceback.format_exc()}")
            continue
        console.print(f"  {path.name}: {time.perf_counter() - start:.1f}s")

    report(rows, console)
    missed = [row.name for row in rows if not row.ok]
    if failed:
        console.print(f"modules that failed: {', '.join(failed)}")
    if missed:
        console.print(f"rows over target: {', '.join(missed)}")
    if report_only:
        return 1 if failed else 0
    return 1 if failed or missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
