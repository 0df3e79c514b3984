"""Plans and decision maps for stored cases, cached per case version.

A plan depends only on the case record, the packaged knowledge base and the follow-up
horizon, so the plan of one version of a case never changes while the server runs; it
is computed once and reused until the case gets a new version. The decision map needs a
``dot`` subprocess (Graphviz), the slowest step of the plan page, and is cached the same
way. Without Graphviz the map falls back to Mermaid text.

The screen map is one wide graph to scroll. On paper it would shrink to an unreadable
size, so the printed plan draws each stage as its own figure, four rules a row with
wrapped titles, at the type size of the text.
"""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
import textwrap
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Generic, TypeVar

from sqlalchemy import bindparam, select

from rvlms.case import Case
from rvlms.deid.apply import research_centre
from rvlms.errors import InputError
from rvlms.pathway import Plan, build_plan, load_knowledge
from rvlms.pathway.graph import FIRED, SILENT, UNDECIDED, rule_states, to_mermaid, to_svg
from rvlms.pathway.knowledge import STAGE_TITLES, Stage
from rvlms.pathway.render import PatientLine, decision_views
from rvlms.registry import Registry, StoredCase
from rvlms.registry.tables import CaseRow
from rvlms.web.deidentify import deidentify_plan
from rvlms.web.rendering import environment

__all__ = ["DecisionMap", "LruCache", "PlanService", "StageFigure", "print_map"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

_XML_PROLOGUE = re.compile(r"^\s*<\?xml[^>]*\?>\s*(<!DOCTYPE[^>]*>\s*)?", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)


class LruCache(Generic[K, V]):
    """A small thread-safe least-recently-used cache."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def peek(self, key: K) -> V | None:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def get_or_compute(self, key: K, compute: Callable[[], V]) -> V:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = compute()
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


@dataclass(frozen=True)
class StageFigure:
    """One stage of the printed decision map and how many of its rules fired or wait."""

    title: str
    svg: str
    fired: int
    undecided: int
    silent: int


@dataclass(frozen=True)
class DecisionMap:
    """The decision map with this case's path highlighted: SVG, or Mermaid text without dot;
    with the line that identifies the patient above the plan it belongs to."""

    svg: str | None
    mermaid: str | None
    patient: PatientLine | None = None
    case: Case | None = field(default=None, repr=False, compare=False)

    @cached_property
    def print_stages(self) -> list[StageFigure]:
        """The map for paper, one figure per stage (empty without Graphviz)."""
        if self.case is None or self.svg is None:
            return []
        return print_map(self.case)


environment().globals["decision_views"] = decision_views
"""The plan templates show the key decisions as :func:`rvlms.pathway.render.decision_views`
gives them to every other view."""

_VERSION = select(CaseRow.version).where(
    CaseRow.case_id == bindparam("case_id"), CaseRow.deleted_at.is_(None)
)


class PlanService:
    def __init__(
        self, registry: Registry, follow_up_years: int, plan_cache: int, map_cache: int
    ) -> None:
        self._registry = registry
        self.follow_up_years = follow_up_years
        self._plans: LruCache[tuple[str, int], Plan] = LruCache(plan_cache)
        self._maps: LruCache[tuple[str, int], DecisionMap] = LruCache(map_cache)
        self._documents: LruCache[tuple[str, int, bool], bytes] = LruCache(plan_cache)

    def plan(self, stored: StoredCase) -> Plan:
        return self._plans.get_or_compute(
            (stored.case_id, stored.version), lambda: self.adhoc(stored.case)
        )

    def current_plan(self, case_id: str) -> tuple[Plan, int]:
        """The plan of the case's current version and that version.

        A plan already computed for the current version is found with one indexed
        lookup of the version, without reading and validating the case document.
        """
        with self._registry.engine.connect() as connection:
            version = connection.execute(_VERSION, {"case_id": case_id}).scalar_one_or_none()
        if version is not None:
            cached = self._plans.peek((case_id, version))
            if cached is not None:
                return cached, version
        stored = self._registry.get(case_id)
        return self.plan(stored), stored.version

    def current_plan_json(self, case_id: str, *, deidentified: bool) -> bytes:
        """The current plan as the JSON document the API returns, serialised once per
        version and view (researchers' plans carry no calendar dates)."""
        plan, version = self.current_plan(case_id)

        def serialise() -> bytes:
            shown = deidentify_plan(plan) if deidentified else plan
            return shown.model_dump_json().encode("utf-8")

        return self._documents.get_or_compute((case_id, version, deidentified), serialise)

    def adhoc(self, case: Case) -> Plan:
        return build_plan(case, follow_up_years=self.follow_up_years)

    def decision_map(self, stored: StoredCase, *, deidentified: bool = False) -> DecisionMap:
        """The map; for researchers the patient line carries the scrubbed centre."""
        drawn = self._maps.get_or_compute(
            (stored.case_id, stored.version), lambda: draw_map(stored.case)
        )
        if not deidentified or drawn.patient is None:
            return drawn
        patient = replace(drawn.patient, centre=research_centre(stored.case))
        return replace(drawn, patient=patient)


def draw_map(case: Case) -> DecisionMap:
    patient = PatientLine.of(case)
    if shutil.which("dot") is not None:
        try:
            svg = to_svg(case)
        except InputError:
            svg = None
        if svg is not None:
            return DecisionMap(svg=_inline_svg(svg), mermaid=None, patient=patient, case=case)
    return DecisionMap(svg=None, mermaid=to_mermaid(case), patient=patient, case=case)


_PRINT_STYLE = {
    FIRED: ("✓ ", 'style="filled,bold" penwidth=2 fillcolor="#c6efce" color="#1e7b34"'),
    UNDECIDED: ("? ", 'style="filled,dashed" penwidth=1.5 fillcolor="#ffeb9c" color="#9c6500"'),
    SILENT: ("", 'style="filled" fillcolor="#f7f7f7" color="#9a9a9a" fontcolor="#555555"'),
}
_PER_ROW = 4
_WRAP = 22


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', "'")


def _stage_dot(stage: Stage, rules: list[tuple[str, str, str | None]]) -> str:
    """One stage as a grid of rule boxes, first row on top, reading left to right."""
    lines = [
        "digraph stage {",
        '  graph [fontname="DejaVu Sans" nodesep=0.12 ranksep=0.12 margin=0];',
        '  node [shape=box fontname="DejaVu Sans" fontsize=9 width=1.75 height=0.5 '
        "fixedsize=true];",
        "  edge [style=invis];",
    ]
    names = []
    for index, (rule_id, title, state) in enumerate(rules):
        mark, style = _PRINT_STYLE.get(state or "", ("", 'style="solid"'))
        label = "\\n".join(_dot_text(line) for line in textwrap.wrap(mark + title, _WRAP)[:3])
        name = f"n{index}"
        names.append(name)
        lines.append(f'  {name} [label="{label}" tooltip="{rule_id}" {style}];')
    rows = [names[i : i + _PER_ROW] for i in range(0, len(names), _PER_ROW)]
    for row in rows:
        lines.append(f"  {{ rank=same; {' -> '.join(row)}; }}")
    for upper, lower in itertools.pairwise(rows):
        lines.append(f"  {upper[0]} -> {lower[0]};")
    lines.append("}")
    return "\n".join(lines)


def print_map(case: Case) -> list[StageFigure]:
    """Each stage of the decision map as a figure that prints at a readable size."""
    dot = shutil.which("dot")
    if dot is None:
        return []
    kb = load_knowledge()
    states = rule_states(case, kb)
    figures: list[StageFigure] = []
    for stage in Stage:
        rules = [(r.id, r.title, states.get(r.id)) for r in kb.rules if r.stage is stage]
        if not rules:
            continue
        result = subprocess.run(
            [dot, "-Tsvg"], input=_stage_dot(stage, rules), capture_output=True, text=True
        )
        if result.returncode != 0:
            return []
        counted = [state for _, _, state in rules]
        figures.append(
            StageFigure(
                title=STAGE_TITLES[stage],
                svg=_inline_svg(result.stdout),
                fired=counted.count(FIRED),
                undecided=counted.count(UNDECIDED),
                silent=len(counted) - counted.count(FIRED) - counted.count(UNDECIDED),
            )
        )
    return figures


def _inline_svg(svg: str) -> str:
    """The SVG element alone (no XML prologue, DOCTYPE or comments), for inline HTML."""
    return _COMMENT.sub("", _XML_PROLOGUE.sub("", svg)).strip()
