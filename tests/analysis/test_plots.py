"""Kaplan–Meier and perioperative figures (PNG and SVG)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from rvlms.analysis import plot_kaplan_meier, plot_perioperative, save_plots


def test_plots_written_as_png_and_svg(yang_cohort: pd.DataFrame, tmp_path: Path) -> None:
    written = save_plots(yang_cohort, tmp_path / "figures")
    names = sorted(p.name for p in written)
    assert names == sorted(
        f"{stem}.{fmt}"
        for stem in (
            "km_dfs_by_imaging_type",
            "km_os_by_imaging_type",
            "perioperative_by_imaging_type",
        )
        for fmt in ("png", "svg")
    )
    for path in written:
        head = path.read_bytes()[:8]
        if path.suffix == ".png":
            assert head == b"\x89PNG\r\n\x1a\n"
        else:
            assert b"<svg" in path.read_bytes()[:2000]


def test_km_plot_is_labelled_synthetic_with_numbers_at_risk(yang_cohort: pd.DataFrame) -> None:
    fig = plot_kaplan_meier(yang_cohort, "dfs")
    titles = [ax.get_title() for ax in fig.axes]
    assert any("SYNTHETIC DATA" in t and "Disease-free survival" in t for t in titles)
    tick_labels = "".join(t.get_text() for ax in fig.axes[1:] for t in ax.get_xticklabels())
    assert "At risk" in tick_labels
    assert "intermediate   9" in tick_labels
    assert "extraluminal   4" in tick_labels


def test_km_plot_suppresses_small_numbers_at_risk(yang_cohort: pd.DataFrame) -> None:
    fig = plot_kaplan_meier(yang_cohort, "dfs", min_cell=5)
    tick_labels = "".join(t.get_text() for ax in fig.axes[1:] for t in ax.get_xticklabels())
    assert "extraluminal   <5" in tick_labels
    assert "intermediate   9" in tick_labels


def test_perioperative_plot_has_four_panels(yang_cohort: pd.DataFrame) -> None:
    fig = plot_perioperative(yang_cohort)
    assert [ax.get_title() for ax in fig.axes] == [
        "Operative time (min)",
        "Blood loss (ml)",
        "Transfusion",
        "ICU admission",
    ]
    assert "SYNTHETIC DATA" in fig.get_suptitle()
