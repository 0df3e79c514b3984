"""The published-case library: RVLMS cases from case reports and series, the nearest
published neighbours of a case, and the library as a cohort."""

from rvlms.literature.entry import Citation, Done, OrganDone, PublishedCase
from rvlms.literature.library import (
    CORPUS_LABEL,
    Library,
    library_frame,
    load_library,
    published_cases,
    read_entry,
)
from rvlms.literature.similar import PublishedSummary, SimilarCase, nearest, similar_cases

__all__ = [
    "CORPUS_LABEL",
    "Citation",
    "Done",
    "Library",
    "OrganDone",
    "PublishedCase",
    "PublishedSummary",
    "SimilarCase",
    "library_frame",
    "load_library",
    "nearest",
    "published_cases",
    "read_entry",
    "similar_cases",
]
