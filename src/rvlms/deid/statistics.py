"""Complementary suppression across a whole cohort analysis, as researchers receive it.

The analysis document (:meth:`rvlms.analysis.CohortAnalysis.to_dict`) repeats counts in
many places: group sizes, each variable's n and missing per group, each level's counts,
the events of each survival endpoint, the events in the methods and in the Cox block.
:func:`protect_analysis` writes down how they add up and which are the same number, and
lets :func:`rvlms.analysis.suppression.complementary_suppression` hide enough of them that
no ``"<k"`` count follows from the rest of the same response or report.
"""

from __future__ import annotations

import copy
import numbers
from collections.abc import Iterable, Mapping

from rvlms.analysis.suppression import Key, Line, complementary_suppression

__all__ = ["protect_analysis"]


Path = tuple[str, ...]


def _get(document: Mapping[str, object], path: Path) -> object:
    node: object = document
    for part in path:
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _mapping(value: object) -> Mapping[str, object]:
    return value if isinstance(value, Mapping) else {}


def _overall(exact: Mapping[str, object]) -> str:
    listed = _get(exact, ("descriptive", "groups"))
    return str(listed[0]) if isinstance(listed, list) and listed else "overall"


def _analysis_lines(exact: Mapping[str, object]) -> tuple[list[Line], list[list[Key]]]:
    """The additive lines and aliases of a cohort analysis document (``CohortAnalysis``
    ``to_dict()``): group sizes, each variable's n + missing per group and across groups,
    each level's counts across groups, and each endpoint's events and n across groups."""
    lines: list[Line] = []
    aliases: list[list[Key]] = []
    listed = _get(exact, ("descriptive", "groups"))
    groups = [str(g) for g in listed] if isinstance(listed, list) else []
    overall, parts = (groups[0], groups[1:]) if groups else ("overall", [])
    sizes: Path = ("descriptive", "group_sizes")
    lines.append(((*sizes, overall), [(*sizes, g) for g in parts]))
    for kind in ("continuous", "categorical"):
        variables = _mapping(_get(exact, ("descriptive", kind)))
        for variable in variables:
            base: Path = ("descriptive", kind, str(variable))
            for group in groups:
                lines.append(((*sizes, group), [(*base, group, "n"), (*base, group, "missing")]))
                if kind == "categorical":
                    levels = _mapping(_get(exact, (*base, group, "counts")))
                    counts = [(*base, group, "counts", str(level)) for level in levels]
                    lines.append(((*base, group, "n"), counts))
            for field in ("n", "missing"):
                lines.append(((*base, overall, field), [(*base, g, field) for g in parts]))
            if kind == "categorical":
                levels = _mapping(_get(exact, (*base, overall, "counts")))
                for level in levels:
                    cell = ("counts", str(level))
                    lines.append(((*base, overall, *cell), [(*base, g, *cell) for g in parts]))
    found = _get(exact, ("comparisons",))
    comparisons = found if isinstance(found, list) else []
    for index, comparison in enumerate(comparisons):
        variable = str(comparison.get("variable")) if isinstance(comparison, Mapping) else ""
        for kind in ("continuous", "categorical"):
            if _get(exact, ("descriptive", kind, variable)) is not None:
                aliases.append(
                    [
                        ("comparisons", str(index), "n"),
                        ("descriptive", kind, variable, overall, "n"),
                    ]
                )
    for endpoint, summary in _mapping(_get(exact, ("survival",))).items():
        base = ("survival", str(endpoint))
        by_group = _mapping(_mapping(summary).get("by_group"))
        for field in ("n", "events"):
            lines.append(((*base, field), [(*base, "by_group", str(g), field) for g in by_group]))
        aliases.append([(*base, "events"), (*base, "methods", "events")])
        event = ("descriptive", "categorical", f"{endpoint}_event")
        if _get(exact, event) is not None:
            aliases.append([(*base, "events"), (*event, overall, "counts", "yes")])
            for group in by_group:
                aliases.append(
                    [
                        (*base, "by_group", str(group), "events"),
                        (*event, str(group), "counts", "yes"),
                    ]
                )
        if endpoint == "dfs":
            aliases.append([(*base, "events"), ("methods", "events")])
        if _get(exact, ("cox", "endpoint")) == endpoint:
            aliases.append([(*base, "events"), ("cox", "events"), ("cox", "methods", "events")])
    return lines, aliases


def _counts(document: Mapping[str, object], keys: Iterable[Key]) -> dict[Key, int]:
    found: dict[Key, int] = {}
    for key in keys:
        value = _get(document, key)  # type: ignore[arg-type]
        if isinstance(value, numbers.Integral) and not isinstance(value, bool):
            found[key] = int(value)
    return found


def _set(document: dict[str, object], path: Path, value: object) -> None:
    node: object = document
    for part in path[:-1]:
        if not isinstance(node, dict) or part not in node:
            return
        node = node[part]
    if isinstance(node, dict) and path[-1] in node:
        node[path[-1]] = value
    elif isinstance(node, list) and path[-1].isdigit() and int(path[-1]) < len(node):
        node[int(path[-1])] = value


def protect_analysis(
    shown: Mapping[str, object], exact: Mapping[str, object], min_count: int
) -> dict[str, object]:
    """A cohort analysis document with complementary suppression across the whole response.

    Args:
        shown: ``to_dict()`` of the analysis run with ``min_cell`` (primary suppression:
            small counts as ``"<k"``, their medians and percentages left out).
        exact: ``to_dict()`` of the same analysis without suppression, for the counts.
        min_count: the smallest count shown as is.

    Returns:
        ``shown`` with every count that would give a hidden one away by subtraction, or
        that repeats a hidden one elsewhere, hidden too, and the percentage of every
        hidden count left out.
    """
    lines, aliases = _analysis_lines(exact)
    keys = {k for total, parts in lines for k in (total, *parts)}
    keys |= {k for group in aliases for k in group}
    values = _counts(exact, keys)
    lines = [(t, [p for p in ps if p in values]) for t, ps in lines if t in values]
    aliases = [[k for k in group if k in values] for group in aliases]
    overall_size = ("descriptive", "group_sizes", _overall(exact))
    result = complementary_suppression(values, lines, min_count, aliases, [overall_size])
    protected: dict[str, object] = copy.deepcopy(dict(shown))
    for key in result.hidden:
        path: Path = key  # type: ignore[assignment]
        if path[0] == "cox":
            protected["cox"] = None
            continue
        _set(protected, path, None if path[-2:] == ("methods", "events") else result.text(key))
        if len(path) > 2 and path[-2] == "counts":
            _set(protected, (*path[:-2], "percents", path[-1]), None)
        elif path[:2] == ("descriptive", "categorical") and path[-1] == "n":
            percents = _get(protected, (*path[:-1], "percents"))
            for level in _mapping(percents):
                _set(protected, (*path[:-1], "percents", level), None)
    return protected
