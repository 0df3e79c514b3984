"""Figures for a cohort: Kaplan–Meier curves with numbers at risk, perioperative burden.

The Kaplan–Meier figure follows the KMunicate proposals (Morris TP et al., BMJ Open
2019;9:e030215): step curves with censoring marks, optional 95 % confidence bands and
a numbers-at-risk table whose counts sit exactly under the time-axis ticks (the table
shares the x axis of the curves). The number at risk at time t is the number of
patients with follow-up ≥ t (R ``summary(survfit)`` ``n.risk``). When a Cox model is
given, the legend prints each group's hazard ratio against the named reference group.

Every figure has the shared look of :mod:`rvlms.analysis.figure_style` (Okabe–Ito
palette, one line width, fonts readable at page width, the data-source banner). The
perioperative figure shows the three quantities Yang 2025 (abstract, Results) found to
differ between imaging types: operative time, blood loss and transfusion (ICU
admission is shown as a fourth panel).

matplotlib is imported lazily with the Agg backend, and figures
are ``matplotlib.figure.Figure`` objects outside pyplot's global state, so a server or a
batch run does not accumulate open figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rvlms.analysis.cox import CoxResult, fit_cox
from rvlms.analysis.figure_style import (
    FONT_SIZE,
    LINE_WIDTH,
    OKABE_ITO,
    PNG_DPI,
    colour,
    figure_svg,
    group_colours,
    new_figure,
    plot_style,
    save_figure,
    source_banner,
    stamp,
    titled,
)
from rvlms.analysis.formatting import format_ci, format_number
from rvlms.analysis.suppression import suppress_count
from rvlms.analysis.survival import ENDPOINT_COLUMNS, ENDPOINT_NAMES, Endpoint, kaplan_meier
from rvlms.analysis.variables import LABELS, as_levels, group_levels

__all__ = [
    "LINE_WIDTH",
    "OKABE_ITO",
    "PLOT_FORMATS",
    "PNG_DPI",
    "at_risk_table",
    "colour",
    "figure_svg",
    "group_colours",
    "hazard_ratio_labels",
    "plot_kaplan_meier",
    "plot_perioperative",
    "save_figure",
    "save_plots",
]

PLOT_FORMATS: tuple[str, ...] = ("png", "svg")


def hazard_ratio_labels(cox: CoxResult | None, by: str) -> tuple[str | None, dict[str, str]]:
    """(reference group, {group: 'HR 1.23 (0.45–3.40)'}) from a fitted Cox model of ``by``."""
    if cox is None or not cox.fitted:
        return None, {}
    reference = getattr(cox, "reference", None)
    prefix = f"{by} reference = "
    for note in cox.methods.notes:
        if note.startswith(prefix):
            reference = note[len(prefix) :]
    labels: dict[str, str] = {}
    for term in cox.terms:
        if term.term.startswith(f"{by}[") and term.term.endswith("]"):
            group = term.term[len(by) + 1 : -1]
            labels[group] = (
                f"HR {format_number(term.hazard_ratio)} ({format_ci(term.ci95[0], term.ci95[1])})"
            )
    return (reference if isinstance(reference, str) else None), labels


def _legend_title(
    cox: CoxResult | None, reference: str | None, hrs: Mapping[str, str]
) -> str | None:
    """Names the reference group, or says why no hazard ratio is drawn."""
    if hrs and reference:
        return f"Hazard ratio vs {reference} (Cox, 95% CI)"
    if cox is not None and not cox.fitted:
        return (
            f"No hazard ratios: {cox.events} events for {cox.parameters} parameter(s), "
            f"Cox model not fitted"
        )
    return None


def _at_risk(durations: np.ndarray, ticks: np.ndarray) -> list[int]:
    return [int((durations >= t).sum()) for t in ticks]


def plot_kaplan_meier(
    df: pd.DataFrame,
    endpoint: Endpoint = "dfs",
    by: str | None = "imaging_type",
    *,
    min_cell: int | None = None,
    ci: bool = False,
    cox: CoxResult | None = None,
    label: str | None = None,
) -> Any:
    """Kaplan–Meier curves of ``endpoint`` by ``by`` with numbers at risk below the axis.

    Args:
        ci: draw the pointwise 95 % confidence band of each curve.
        cox: a Cox model of ``endpoint`` on ``by``; its hazard ratios and reference
            group are printed in the legend.
        min_cell: numbers at risk from 1 to ``min_cell - 1`` print as ``"<min_cell"``.
        label: the data-source banner (default: the synthetic banner when any row is
            synthetic).

    Each at-risk count is a text artist with ``gid`` ``"at-risk:<group>:<time>"``, so the
    table can be read back from the figure or the SVG.
    """
    import matplotlib

    time_col, event_col = ENDPOINT_COLUMNS[endpoint]
    data = df[df[time_col].notna() & df[event_col].notna()]
    if by is None:
        groups: list[tuple[str, pd.DataFrame]] = [("all patients", data)]
    else:
        shown = as_levels(by, data[by])
        groups = [(g, data[shown == g]) for g in group_levels(data, by)]
    reference, hrs = hazard_ratio_labels(cox, by) if by is not None else (None, {})
    banner = source_banner(df, label)
    tints = group_colours(by, [name for name, _ in groups])
    with matplotlib.rc_context(plot_style()):
        fig = new_figure(8.0, 6.0 + 0.3 * len(groups))
        grid = fig.add_gridspec(2, 1, height_ratios=[4.0, 0.5 + 0.3 * max(len(groups), 1)])
        ax = fig.add_subplot(grid[0])
        table = fig.add_subplot(grid[1], sharex=ax)
        for name, part in groups:
            if part.empty:
                continue
            durations = part[time_col].astype(float)
            kmf = kaplan_meier(durations, part[event_col].astype(float), label=name)
            times = kmf.survival_function_.index.to_numpy(dtype=float)
            surv = kmf.survival_function_.iloc[:, 0].to_numpy(dtype=float)
            legend = f"{name} (n={suppress_count(len(part), min_cell)})"
            if name == reference:
                legend += ", reference"
            elif name in hrs:
                legend += f", {hrs[name]}"
            ax.step(times, surv, where="post", color=tints[name], lw=LINE_WIDTH, label=legend)
            censored = durations[part[event_col].astype(float) == 0].to_numpy(dtype=float)
            if censored.size:
                at = kmf.survival_function_at_times(censored).to_numpy(dtype=float)
                ax.plot(
                    censored,
                    at,
                    ls="none",
                    marker="|",
                    markersize=9,
                    markeredgewidth=LINE_WIDTH,
                    color=tints[name],
                )
            if ci:
                band = kmf.confidence_interval_survival_function_
                ax.fill_between(
                    band.index.to_numpy(dtype=float),
                    band.iloc[:, 0].to_numpy(dtype=float),
                    band.iloc[:, 1].to_numpy(dtype=float),
                    step="post",
                    alpha=0.15,
                    color=tints[name],
                    linewidth=0,
                )
        ax.set_ylabel(f"{ENDPOINT_NAMES[endpoint]} probability")
        ax.set_ylim(0.0, 1.05)
        ax.set_xlim(left=0.0)
        ax.set_xlabel("Months since surgery")
        by_text = f" by {LABELS.get(by, by).lower()}" if by else ""
        fig.suptitle(titled(f"{ENDPOINT_NAMES[endpoint]}{by_text}", banner), fontsize=FONT_SIZE + 2)
        handles, _ = ax.get_legend_handles_labels()
        if handles:
            title = _legend_title(cox, reference, hrs)
            ax.legend(
                loc="lower left",
                bbox_to_anchor=(0.0, 1.01),
                ncols=1 if hrs else 2,
                frameon=False,
                title=title,
                alignment="left",
            )
        ticks = np.array([t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]])
        ax.set_xticks(ticks)
        _draw_at_risk(table, groups, time_col, ticks, min_cell, tints)
        stamp(fig, banner)
    return fig


def _draw_at_risk(
    table: Any,
    groups: Sequence[tuple[str, pd.DataFrame]],
    time_col: str,
    ticks: np.ndarray,
    min_cell: int | None,
    tints: Mapping[str, str],
) -> None:
    rows = len(groups)
    table.set_ylim(rows - 0.5, -0.5)
    table.set_yticks(range(rows))
    table.set_yticklabels([name for name, _ in groups])
    for (name, _), tick_label in zip(groups, table.get_yticklabels(), strict=True):
        tick_label.set_color(tints[name])
        tick_label.set_fontweight("bold")
    for row, (name, part) in enumerate(groups):
        durations = part[time_col].to_numpy(dtype=float)
        for tick, count in zip(ticks, _at_risk(durations, ticks), strict=True):
            table.text(
                tick,
                row,
                str(suppress_count(count, min_cell)),
                ha="center",
                va="center",
                gid=f"at-risk:{name}:{format_number(float(tick))}",
            )
    table.set_title("Numbers at risk", loc="left", fontsize=FONT_SIZE - 1, fontweight="bold")
    table.tick_params(axis="x", which="both", bottom=False, labelbottom=False)
    table.tick_params(axis="y", which="both", left=False, pad=18)
    for spine in table.spines.values():
        spine.set_visible(False)


def at_risk_table(fig: Any) -> dict[tuple[str, str], str]:
    """The numbers-at-risk table of a figure from :func:`plot_kaplan_meier`:
    {(group, time): shown count}."""
    cells: dict[tuple[str, str], str] = {}
    for axis in fig.axes:
        for text in axis.texts:
            gid = text.get_gid() or ""
            if gid.startswith("at-risk:"):
                _, group, time = gid.split(":", 2)
                cells[(group, time)] = text.get_text()
    return cells


def plot_perioperative(
    df: pd.DataFrame, by: str = "imaging_type", *, label: str | None = None
) -> Any:
    """Operative time, blood loss (box and points) and transfusion / ICU rates by group,
    as a 2×2 panel that keeps its fonts legible at page width."""
    import matplotlib

    order = group_levels(df, by)
    shown = as_levels(by, df[by])
    banner = source_banner(df, label)
    positions = np.arange(1, len(order) + 1)
    tints = group_colours(by, order)
    colours = [tints[g] for g in order]
    with matplotlib.rc_context(plot_style()):
        fig = new_figure(9.0, 8.0)
        axes = fig.subplots(2, 2).reshape(-1)
        for ax, column in zip(axes[:2], ("operative_time_min", "blood_loss_ml"), strict=True):
            samples = [
                pd.to_numeric(df.loc[shown == g, column], errors="coerce").dropna() for g in order
            ]
            ax.boxplot(
                [s.to_numpy() for s in samples],
                positions=positions,
                widths=0.5,
                showfliers=False,
                medianprops={"color": "#000000", "linewidth": LINE_WIDTH},
            )
            for pos, sample, tint in zip(positions, samples, colours, strict=True):
                jitter = np.linspace(-0.12, 0.12, num=max(len(sample), 1))[: len(sample)]
                ax.plot(pos + jitter, sample.to_numpy(), "o", alpha=0.75, markersize=6, color=tint)
            ax.set_title(LABELS[column])
        for ax, column in zip(axes[2:], ("transfused", "icu_admission"), strict=True):
            rates = []
            for g in order:
                values = pd.to_numeric(df.loc[shown == g, column], errors="coerce").dropna()
                rates.append(100.0 * float(values.mean()) if len(values) else 0.0)
            ax.bar(positions, rates, width=0.6, color=colours)
            ax.set_ylim(0, 100)
            ax.set_ylabel("% of patients")
            ax.set_title(LABELS[column])
        for ax in axes:
            ax.set_xticks(positions)
            ax.set_xticklabels(order, rotation=20, ha="right")
        fig.suptitle(
            titled(f"Perioperative burden by {LABELS.get(by, by).lower()}", banner),
            fontsize=FONT_SIZE + 2,
        )
        stamp(fig, banner)
    return fig


def save_plots(
    df: pd.DataFrame,
    out_dir: str | Path,
    by: str = "imaging_type",
    *,
    formats: Sequence[str] = PLOT_FORMATS,
    min_cell: int | None = None,
    ci: bool = False,
    cox: Mapping[str, CoxResult | None] | None = None,
    label: str | None = None,
) -> list[Path]:
    """Write the DFS and OS Kaplan–Meier figures and the perioperative figure, PNG at
    300 dpi and SVG.

    ``cox`` maps an endpoint to a Cox model on ``by`` already fitted (the analysis fits
    DFS); a missing endpoint is fitted here for its hazard ratios. Returns the written
    paths (``km_dfs_by_<by>.<fmt>``, ``km_os_by_<by>.<fmt>``,
    ``perioperative_by_<by>.<fmt>``).
    """
    unknown = [f for f in formats if f not in PLOT_FORMATS]
    if unknown:
        raise ValueError(f"unsupported plot format(s) {unknown}; choose from {PLOT_FORMATS}")
    target = Path(out_dir)
    target.mkdir(parents=True, exist_ok=True)
    models = dict(cox or {})
    endpoints: tuple[Endpoint, ...] = ("dfs", "os")
    for endpoint in endpoints:
        if endpoint not in models:
            models[endpoint] = fit_cox(df, [by], endpoint)
    figures = {
        f"km_{endpoint}_by_{by}": plot_kaplan_meier(
            df, endpoint, by, min_cell=min_cell, ci=ci, cox=models[endpoint], label=label
        )
        for endpoint in endpoints
    }
    figures[f"perioperative_by_{by}"] = plot_perioperative(df, by, label=label)
    written: list[Path] = []
    for stem, fig in figures.items():
        for fmt in formats:
            written.append(save_figure(fig, target / f"{stem}.{fmt}"))
    return written
