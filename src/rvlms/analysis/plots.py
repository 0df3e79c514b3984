"""Figures for a cohort: Kaplan–Meier curves with numbers at risk, perioperative burden.

The Kaplan–Meier figure follows the KMunicate proposals (Morris TP et al., BMJ Open
2019;9:e030215, cited by lifelines ``add_at_risk_counts``): curves with censoring marks
and a numbers-at-risk table under the time axis. The perioperative figure shows the
three quantities Yang 2025 (abstract, Results) found to differ between imaging types:
operative time, blood loss and transfusion (ICU admission is shown as a fourth panel).

matplotlib is imported lazily with the Agg backend, and figures are built as
``matplotlib.figure.Figure`` objects outside pyplot's global state, so a server or a
batch run does not accumulate open figures. Titles say "synthetic data" whenever any
row is synthetic.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rvlms.analysis.cohort import is_synthetic
from rvlms.analysis.suppression import is_small_count
from rvlms.analysis.survival import ENDPOINT_COLUMNS, ENDPOINT_NAMES, Endpoint, kaplan_meier
from rvlms.analysis.variables import LABELS, as_levels, group_levels

__all__ = ["PLOT_FORMATS", "plot_kaplan_meier", "plot_perioperative", "save_plots"]

PLOT_FORMATS: tuple[str, ...] = ("png", "svg")
SYNTHETIC_SUFFIX = " - SYNTHETIC DATA"


def _figure(width: float, height: float) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _title(text: str, df: pd.DataFrame) -> str:
    return text + (SYNTHETIC_SUFFIX if is_synthetic(df) else "")


_TRAILING_COUNT = re.compile(r"(\d+)\s*$")


def _suppress_line(line: str, min_cell: int) -> str:
    match = _TRAILING_COUNT.search(line)
    if match is None or not is_small_count(int(match.group(1)), min_cell):
        return line
    return line[: match.start(1)] + f"<{min_cell}" + line[match.end(1) :]


def _suppress_tick_labels(axes: Sequence[Any], min_cell: int) -> None:
    for axis in axes:
        labels = [
            "\n".join(_suppress_line(line, min_cell) for line in label.get_text().split("\n"))
            for label in axis.get_xticklabels()
        ]
        axis.set_xticks(axis.get_xticks())
        axis.set_xticklabels(labels)


def plot_kaplan_meier(
    df: pd.DataFrame,
    endpoint: Endpoint = "dfs",
    by: str | None = "imaging_type",
    *,
    min_cell: int | None = None,
) -> Any:
    """Kaplan–Meier curves of ``endpoint`` by ``by`` with numbers at risk below the axis.

    With ``min_cell`` set, numbers at risk between 1 and ``min_cell - 1`` are shown as
    ``"<min_cell"``.
    """
    from lifelines.plotting import add_at_risk_counts

    time_col, event_col = ENDPOINT_COLUMNS[endpoint]
    data = df[df[time_col].notna() & df[event_col].notna()]
    fig = _figure(8.0, 6.0)
    ax = fig.add_subplot(1, 1, 1)
    fitters = []
    if by is None:
        groups: list[tuple[str, pd.DataFrame]] = [("all patients", data)]
    else:
        shown = as_levels(by, data[by])
        groups = [(g, data[shown == g]) for g in group_levels(data, by)]
    for label, part in groups:
        kmf = kaplan_meier(part[time_col].astype(float), part[event_col].astype(float), label=label)
        kmf.plot_survival_function(ax=ax, ci_show=False, show_censors=True)
        fitters.append(kmf)
    ax.set_xlabel("Months since surgery")
    ax.set_ylabel(f"{ENDPOINT_NAMES[endpoint]} probability")
    ax.set_ylim(0.0, 1.05)
    by_text = f" by {LABELS.get(by, by).lower()}" if by else ""
    ax.set_title(_title(f"{ENDPOINT_NAMES[endpoint]}{by_text}", df))
    if fitters:
        add_at_risk_counts(*fitters, ax=ax, fig=fig, rows_to_show=["At risk"])
        if min_cell is not None:
            _suppress_tick_labels([a for a in fig.axes if a is not ax], min_cell)
    return fig


def plot_perioperative(df: pd.DataFrame, by: str = "imaging_type") -> Any:
    """Operative time, blood loss (box and points) and transfusion / ICU rates by group."""
    order = group_levels(df, by)
    shown = as_levels(by, df[by])
    fig = _figure(12.0, 4.0)
    axes = fig.subplots(1, 4)
    positions = np.arange(1, len(order) + 1)
    for ax, column in zip(axes[:2], ("operative_time_min", "blood_loss_ml"), strict=True):
        samples = [
            pd.to_numeric(df.loc[shown == g, column], errors="coerce").dropna() for g in order
        ]
        ax.boxplot(
            [s.to_numpy() for s in samples], positions=positions, widths=0.5, showfliers=False
        )
        for pos, sample in zip(positions, samples, strict=True):
            jitter = np.linspace(-0.12, 0.12, num=max(len(sample), 1))[: len(sample)]
            ax.plot(pos + jitter, sample.to_numpy(), "o", alpha=0.6, markersize=4)
        ax.set_title(LABELS[column])
    for ax, column in zip(axes[2:], ("transfused", "icu_admission"), strict=True):
        rates = []
        for g in order:
            values = pd.to_numeric(df.loc[shown == g, column], errors="coerce").dropna()
            rates.append(100.0 * float(values.mean()) if len(values) else 0.0)
        ax.bar(positions, rates, width=0.6)
        ax.set_ylim(0, 100)
        ax.set_ylabel("% of patients")
        ax.set_title(LABELS[column])
    for ax in axes:
        ax.set_xticks(positions)
        ax.set_xticklabels(order, rotation=30, ha="right")
    fig.suptitle(_title(f"Perioperative burden by {LABELS.get(by, by).lower()}", df))
    return fig


def save_plots(
    df: pd.DataFrame,
    out_dir: str | Path,
    by: str = "imaging_type",
    *,
    formats: Sequence[str] = PLOT_FORMATS,
    min_cell: int | None = None,
) -> list[Path]:
    """Write the DFS and OS Kaplan–Meier figures and the perioperative figure.

    Returns the written paths (``km_dfs_by_<by>.<fmt>``, ``km_os_by_<by>.<fmt>``,
    ``perioperative_by_<by>.<fmt>``).
    """
    unknown = [f for f in formats if f not in PLOT_FORMATS]
    if unknown:
        raise ValueError(f"unsupported plot format(s) {unknown}; choose from {PLOT_FORMATS}")
    target = Path(out_dir)
    target.mkdir(parents=True, exist_ok=True)
    figures = {
        f"km_dfs_by_{by}": plot_kaplan_meier(df, "dfs", by, min_cell=min_cell),
        f"km_os_by_{by}": plot_kaplan_meier(df, "os", by, min_cell=min_cell),
        f"perioperative_by_{by}": plot_perioperative(df, by),
    }
    written: list[Path] = []
    for stem, fig in figures.items():
        for fmt in formats:
            path = target / f"{stem}.{fmt}"
            metadata = {"Date": None} if fmt == "svg" else {"Software": None}
            fig.savefig(path, format=fmt, dpi=150, metadata=metadata)
            written.append(path)
    return written
