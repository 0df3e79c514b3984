"""The look every rvlms figure shares: palette, line width, fonts, data-source banner.

Colours are the Okabe–Ito palette (Okabe M, Ito K, "Color Universal Design", 2008;
recommended by Wong B, Nature Methods 2011;8:441), distinguishable with every common
colour-vision deficiency; a group's colour follows its place in the column's vocabulary
so that it is the same in every figure. Fonts are sized for a figure printed at page
width, and synthetic or literature data are named in the title and along the bottom
edge. SVG keeps its text as text and has stable element ids; PNG is 300 dpi.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import pandas as pd

from rvlms.analysis.cohort import ALLOWED_VALUES, BINARY_COLUMNS, is_synthetic
from rvlms.analysis.formatting import data_label

__all__ = [
    "FONT_SIZE",
    "LINE_WIDTH",
    "OKABE_ITO",
    "PNG_DPI",
    "colour",
    "figure_svg",
    "group_colours",
    "new_figure",
    "plot_style",
    "save_figure",
    "source_banner",
    "stamp",
    "titled",
]

PNG_DPI: Final[int] = 300
LINE_WIDTH: Final[float] = 2.0
FONT_SIZE: Final[float] = 12.0
SYNTHETIC_SUFFIX = " - SYNTHETIC DATA"
LITERATURE_SUFFIX = " - LITERATURE DATA"

OKABE_ITO: Final[tuple[str, ...]] = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow, last: faint on white
)


def new_figure(width: float, height: float) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    return fig


def plot_style() -> Any:
    return {
        "font.size": FONT_SIZE,
        "axes.titlesize": FONT_SIZE + 1,
        "axes.labelsize": FONT_SIZE,
        "xtick.labelsize": FONT_SIZE - 1,
        "ytick.labelsize": FONT_SIZE - 1,
        "legend.fontsize": FONT_SIZE - 1,
        "lines.linewidth": LINE_WIDTH,
        "axes.linewidth": 1.0,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }


_SAVE_STYLE: Final[Any] = {"svg.fonttype": "none", "svg.hashsalt": "rvlms"}


def figure_svg(fig: Any) -> str:
    """The figure as an ``<svg>`` element, its text kept as text (searchable in a PDF,
    readable by a screen reader) and its element ids stable between runs."""
    import io

    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context(_SAVE_STYLE):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def save_figure(fig: Any, path: Path) -> Path:
    """Write ``fig`` as SVG (text kept as text) or PNG at :data:`PNG_DPI`, by suffix."""
    import matplotlib

    fmt = path.suffix.lstrip(".")
    metadata = {"Date": None} if fmt == "svg" else {"Software": None}
    with matplotlib.rc_context(_SAVE_STYLE):
        fig.savefig(path, format=fmt, dpi=PNG_DPI, metadata=metadata)
    return path


def source_banner(df: pd.DataFrame, label: str | None) -> str | None:
    return label if label is not None else data_label(synthetic=is_synthetic(df))


def titled(text: str, banner: str | None) -> str:
    if banner is None:
        return text
    return text + (SYNTHETIC_SUFFIX if banner.startswith("SYNTHETIC") else LITERATURE_SUFFIX)


def stamp(fig: Any, banner: str | None) -> None:
    if banner is not None:
        text = fig.supxlabel(banner, fontsize=FONT_SIZE - 2, fontweight="bold", color="#8a5a00")
        text.set_gid("data-label")


def colour(index: int) -> str:
    """The Okabe–Ito colour of the ``index``-th group (cycling after eight)."""
    return OKABE_ITO[index % len(OKABE_ITO)]


def group_colours(by: str | None, names: Sequence[str]) -> dict[str, str]:
    """Each group's colour, fixed by its place in the column's vocabulary (for imaging
    type: intraluminal, intermediate, extraluminal, peripheral as Yang 2025 orders them),
    so a group keeps its colour in every figure even when another group is absent."""
    if by in BINARY_COLUMNS:
        vocabulary: list[str] = ["yes", "no"]
    else:
        vocabulary = list(ALLOWED_VALUES.get(by or "", ()))
    extra = [n for n in names if n not in vocabulary]
    return {
        name: colour(
            vocabulary.index(name) if name in vocabulary else len(vocabulary) + extra.index(name)
        )
        for name in names
    }
