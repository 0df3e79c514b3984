"""Example cases shipped with rvlms: the four patients of zhang2021 Table 1."""

from rvlms.examples.loader import load_zhang2021, zhang2021_paths

__all__ = ["load_zhang2021", "zhang2021_paths"]
