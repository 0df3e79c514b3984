"""The published-case library: RVLMS cases from case reports and series."""

from rvlms.literature.entry import Citation, Done, OrganDone, PublishedCase

__all__ = ["Citation", "Done", "OrganDone", "PublishedCase"]
