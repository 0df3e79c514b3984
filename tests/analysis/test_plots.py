"""Kaplan–Meier and perioperative figures (SVG and 300 dpi PNG)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from PIL import Image

from rvlms.analysis import fit_cox, plot_kaplan_meier, plot_perioperative, save_plots
from rvlms.analysis.cohort import validate_cohort
from rvlms.analysis.formatting import LITERATURE_BANNER, SYNTHETIC_BANNER
from rvlms.analysis.plots import LINE_WIDTH, OKABE_ITO, at_risk_table
from rvlms.synth import synthesize


@pytest.fixture(scope="module")
def cohort400() -> pd.DataFrame:
    return validate_cohort(synthesize(400, 3))


def _curves(fig: Figure) -> list[Line2D]:
    return [line for line in fig.axes[0].get_lines() if line.get_drawstyle() == "steps-post"]


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
            with Image.open(path) as image:
                dpi = image.info["dpi"]
                assert round(dpi[0]) == 300 and round(dpi[1]) == 300
        else:
            svg = path.read_bytes()
            assert b"<svg" in svg[:2000]
            assert SYNTHETIC_BANNER.encode() in svg


def test_km_plot_is_labelled_synthetic_with_numbers_at_risk(yang_cohort: pd.DataFrame) -> None:
    """Yang 2025 calibration: 6 intraluminal, 9 intermediate, 4 extraluminal, 5 peripheral
    patients at risk at time 0."""
    fig = plot_kaplan_meier(yang_cohort, "dfs")
    title = fig.get_suptitle()
    assert "SYNTHETIC DATA" in title and "Disease-free survival" in title
    assert any(ax.get_title(loc="left") == "Numbers at risk" for ax in fig.axes)
    table = at_risk_table(fig)
    assert table[("intraluminal", "0")] == "6"
    assert table[("intermediate", "0")] == "9"
    assert table[("extraluminal", "0")] == "4"
    assert table[("peripheral", "0")] == "5"
    assert fig._supxlabel.get_text() == SYNTHETIC_BANNER


def test_km_plot_suppresses_small_numbers_at_risk(yang_cohort: pd.DataFrame) -> None:
    fig = plot_kaplan_meier(yang_cohort, "dfs", min_cell=5)
    table = at_risk_table(fig)
    assert table[("extraluminal", "0")] == "<5"
    assert table[("intermediate", "0")] == "9"


def test_numbers_at_risk_sit_under_the_time_ticks(yang_cohort: pd.DataFrame) -> None:
    """Every count is centred on a tick of the survival axis, and the table shares it."""
    fig = plot_kaplan_meier(yang_cohort, "dfs")
    ticks = list(fig.axes[0].get_xticks())
    texts = [t for t in fig.axes[1].texts if (t.get_gid() or "").startswith("at-risk:")]
    assert {t.get_position()[0] for t in texts} == set(ticks)
    assert all(t.get_horizontalalignment() == "center" for t in texts)
    assert fig.axes[1].get_shared_x_axes().joined(fig.axes[0], fig.axes[1])
    assert len(texts) == 4 * len(ticks)


def test_km_palette_line_width_and_censor_marks(yang_cohort: pd.DataFrame) -> None:
    """Okabe–Ito colours in order, one line width for every curve and censoring mark."""
    fig = plot_kaplan_meier(yang_cohort, "dfs")
    curves = _curves(fig)
    assert [to_hex(line.get_color()).upper() for line in curves] == [
        c.upper() for c in OKABE_ITO[:4]
    ]
    assert {line.get_linewidth() for line in curves} == {LINE_WIDTH}
    marks = [line for line in fig.axes[0].get_lines() if line.get_marker() == "|"]
    assert len(marks) == 4
    censored = int((yang_cohort["dfs_event"] == 0).sum())
    assert sum(len(line.get_xdata()) for line in marks) == censored
    assert {line.get_markeredgewidth() for line in marks} == {LINE_WIDTH}
    other = plot_kaplan_meier(yang_cohort, "os")
    assert {line.get_linewidth() for line in _curves(other)} == {LINE_WIDTH}


def test_km_confidence_bands_are_optional(yang_cohort: pd.DataFrame) -> None:
    plain = plot_kaplan_meier(yang_cohort, "dfs")
    banded = plot_kaplan_meier(yang_cohort, "dfs", ci=True)
    assert len(plain.axes[0].collections) == 0
    assert len(banded.axes[0].collections) == 4


def test_km_legend_names_the_reference_group(cohort400: pd.DataFrame) -> None:
    """The Cox hazard ratios in the legend are those of the model, against intraluminal
    (the first imaging type, Yang 2025's order)."""
    cox = fit_cox(cohort400, ["imaging_type"], "dfs")
    assert cox.fitted
    fig = plot_kaplan_meier(cohort400, "dfs", cox=cox)
    legend = fig.axes[0].get_legend()
    labels = [t.get_text() for t in legend.get_texts()]
    assert legend.get_title().get_text() == "Hazard ratio vs intraluminal (Cox, 95% CI)"
    assert labels[0] == "intraluminal (n=96), reference"
    term = next(t for t in cox.terms if t.term == "imaging_type[intermediate]")
    assert term.hazard_ratio is not None
    assert labels[1].startswith(f"intermediate (n=150), HR {term.hazard_ratio:.2f} (")


def test_literature_label_on_figures(cohort400: pd.DataFrame) -> None:
    fig = plot_kaplan_meier(cohort400, "os", label=LITERATURE_BANNER)
    assert fig._supxlabel.get_text() == LITERATURE_BANNER
    assert fig.get_suptitle().endswith("LITERATURE DATA")


def test_perioperative_plot_has_four_panels(yang_cohort: pd.DataFrame) -> None:
    fig = plot_perioperative(yang_cohort)
    assert [ax.get_title() for ax in fig.axes] == [
        "Operative time (min)",
        "Blood loss (ml)",
        "Transfusion",
        "ICU admission",
    ]
    assert "SYNTHETIC DATA" in fig.get_suptitle()
    assert fig._supxlabel.get_text() == SYNTHETIC_BANNER


def test_perioperative_fonts_readable_at_page_width(yang_cohort: pd.DataFrame) -> None:
    """At a 170 mm page width no tick or title text is smaller than 7 pt."""
    fig = plot_perioperative(yang_cohort)
    scale = (170 / 25.4) / fig.get_figwidth()
    sizes = [t.get_fontsize() for ax in fig.axes for t in ax.get_xticklabels()]
    sizes += [ax.title.get_fontsize() for ax in fig.axes]
    assert min(sizes) * scale >= 7.0


def test_a_group_keeps_its_colour_when_another_is_absent(yang_cohort: pd.DataFrame) -> None:
    """Without intraluminal patients, intermediate is still the second Okabe–Ito colour."""
    without = yang_cohort[yang_cohort["imaging_type"] != "intraluminal"]
    fig = plot_kaplan_meier(without, "dfs")
    colours = [to_hex(line.get_color()).upper() for line in _curves(fig)]
    assert colours == [c.upper() for c in OKABE_ITO[1:4]]


def test_km_legend_says_why_there_is_no_hazard_ratio(yang_cohort: pd.DataFrame) -> None:
    """Yang 2025: 11 DFS events cannot support the 3 parameters of four imaging types
    (events per parameter 3.7 < 10, Peduzzi 1995), so no hazard ratio is drawn."""
    cox = fit_cox(yang_cohort, ["imaging_type"], "dfs")
    assert not cox.fitted
    fig = plot_kaplan_meier(yang_cohort, "dfs", cox=cox)
    title = fig.axes[0].get_legend().get_title().get_text()
    assert title == "No hazard ratios: 11 events for 3 parameter(s), Cox model not fitted"
    assert "HR" not in " ".join(t.get_text() for t in fig.axes[0].get_legend().get_texts())
