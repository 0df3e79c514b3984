"""Loading the example cases shipped with the package."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from rvlms.case import Case, load_case


def zhang2021_paths() -> list[Path]:
    folder = resources.files("rvlms.examples").joinpath("zhang2021")
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_zhang2021() -> list[Case]:
    """The four patients of zhang2021 Table 1, in case order."""
    return [load_case(p) for p in zhang2021_paths()]
