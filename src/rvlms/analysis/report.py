"""One result object, three renderings: plain text, JSON and HTML.

Modelled on lifelines' ``StatisticalResult`` and ``utils/printer.py``: every result
carries a methods block (test, n, events, censoring rule, cohort filter, time of the
run, synthetic-data flag) and renders the same tables as text or through the Jinja2
template ``templates/result.html.j2``. Numbers are formatted by
:mod:`rvlms.analysis.formatting` (re-exported here for the result modules). Caveats are
returned in ``warnings`` instead of being printed or raised, so a caller decides how to
show them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup
from pydantic import BaseModel, ConfigDict, Field

from rvlms.analysis.formatting import (
    SYNTHETIC_BANNER,
    data_label,
    format_number,
    format_p,
    format_statistic,
    p_clause,
)

__all__ = [
    "SYNTHETIC_BANNER",
    "Methods",
    "ResultBase",
    "Table",
    "finite_or_none",
    "format_number",
    "format_p",
    "format_statistic",
    "p_clause",
    "software_versions",
    "template_environment",
    "utc_now",
]


def utc_now() -> datetime:
    """The time a result was computed, in UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0)


def finite_or_none(value: float | None) -> float | None:
    """A finite float, or None for NaN/inf (JSON has no NaN; 'not reached' is null)."""
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


@cache
def software_versions() -> dict[str, str]:
    """Versions of the statistical libraries, recorded in every methods block."""
    from importlib.metadata import PackageNotFoundError, version

    found: dict[str, str] = {}
    for name in ("lifelines", "scipy", "numpy", "pandas"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


class Methods(BaseModel):
    """How a number was produced - printed in the header of every rendering."""

    model_config = ConfigDict(frozen=True)

    test: str
    n: int
    events: int | None = None
    censoring: str | None = None
    cohort_filter: str = "all rows"
    run_at: datetime = Field(default_factory=utc_now)
    synthetic: bool = False
    software: dict[str, str] = Field(default_factory=software_versions)
    notes: list[str] = Field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"test: {self.test}", f"n: {self.n}"]
        if self.events is not None:
            out.append(f"events: {self.events}")
        if self.censoring:
            out.append(f"censoring: {self.censoring}")
        out.append(f"cohort filter: {self.cohort_filter}")
        out.append(f"run at: {self.run_at.isoformat()}")
        out.append(f"synthetic data: {'yes' if self.synthetic else 'no'}")
        out.append("software: " + ", ".join(f"{k} {v}" for k, v in self.software.items()))
        out.extend(f"note: {note}" for note in self.notes)
        return out


@dataclass(frozen=True)
class Table:
    """A rendered table: a title, column headers and rows of display strings."""

    title: str
    columns: list[str]
    rows: list[list[str]]
    note: str | None = None
    align_left: int = 1


def _text_table(table: Table) -> str:
    widths = [len(c) for c in table.columns]
    for row in table.rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))

    def line(cells: list[str]) -> str:
        parts = []
        for i, cell in enumerate(cells):
            parts.append(cell.ljust(widths[i]) if i < table.align_left else cell.rjust(widths[i]))
        return "  ".join(parts).rstrip()

    rule = "-" * (sum(widths) + 2 * (len(widths) - 1))
    out = [table.title, rule, line(table.columns), rule]
    out.extend(line(row) for row in table.rows)
    out.append(rule)
    if table.note:
        out.append(table.note)
    return "\n".join(out)


@cache
def template_environment() -> jinja2.Environment:
    """The Jinja2 environment of the analysis templates (autoescaped, strict)."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("rvlms.analysis", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "j2"), default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


class ResultBase(BaseModel):
    """Common rendering for every analysis result.

    Subclasses provide ``title``, ``methods``, ``warnings`` and :meth:`tables`; the base
    class renders them as text, JSON-ready dict and HTML.
    """

    model_config = ConfigDict(frozen=True)

    def heading(self) -> str:
        raise NotImplementedError

    def result_methods(self) -> Methods:
        raise NotImplementedError

    def result_warnings(self) -> list[str]:
        return []

    def tables(self) -> list[Table]:
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (NaN and infinity already replaced by null)."""
        return self.model_dump(mode="json")

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, allow_nan=False)

    def to_text(self) -> str:
        methods = self.result_methods()
        out: list[str] = []
        if methods.synthetic:
            out.append(f"*** {SYNTHETIC_BANNER} ***")
        out.append(self.heading())
        out.append("=" * len(self.heading()))
        out.extend(methods.lines())
        for table in self.tables():
            out.append("")
            out.append(_text_table(table))
        warnings = self.result_warnings()
        if warnings:
            out.append("")
            out.append("Warnings")
            out.extend(f"- {w}" for w in warnings)
        return "\n".join(out) + "\n"

    def to_html(
        self,
        *,
        figures: Sequence[tuple[str, str]] = (),
        provenance: str | None = None,
        label: str | None = None,
    ) -> str:
        """HTML; ``figures`` are (caption, inline SVG) pairs, ``provenance`` says where the
        data came from (file or registry, when, how many rows), ``label`` is the
        data-source banner printed on every page (default: the synthetic banner for
        synthetic data)."""
        methods = self.result_methods()
        template = template_environment().get_template("result.html.j2")
        return template.render(
            heading=self.heading(),
            methods=methods,
            label=label or data_label(synthetic=methods.synthetic),
            tables=self.tables(),
            warnings=self.result_warnings(),
            figures=[(caption, Markup(svg)) for caption, svg in figures],
            provenance=provenance,
        )

    def __str__(self) -> str:
        return self.to_text()
