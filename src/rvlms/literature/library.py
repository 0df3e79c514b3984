"""Loading the published-case library: the packaged corpus or any folder of the same layout."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from rvlms.case.io import field_problems, read_case_data
from rvlms.datacache import cached_parse
from rvlms.errors import CaseInvalid, NotFound
from rvlms.literature.entry import PublishedCase

if TYPE_CHECKING:
    import pandas as pd

CORPUS_LABEL = "published cases, selection-biased"


@dataclass(frozen=True)
class Library:
    """A set of published cases, kept in file order (sorted by file name)."""

    cases: tuple[PublishedCase, ...]
    origin: str

    def __iter__(self) -> Iterator[PublishedCase]:
        return iter(self.cases)

    def __len__(self) -> int:
        return len(self.cases)

    def get(self, case_id: str) -> PublishedCase:
        for entry in self.cases:
            if entry.id == case_id:
                return entry
        raise NotFound(f"no published case {case_id!r} in {self.origin}")


def read_entry(path: Path) -> PublishedCase:
    """One corpus file; a bad file raises :class:`CaseInvalid` naming every field."""
    data = cached_parse(path, read_case_data)
    try:
        return PublishedCase.model_validate(data)
    except ValidationError as exc:
        raise CaseInvalid(field_problems(exc, PublishedCase), source=str(path)) from None


def load_library(folder: Path | str) -> Library:
    """Every ``*.yaml``/``*.yml``/``*.json`` file of a folder (a centre's own case set)."""
    root = Path(folder)
    if not root.is_dir():
        raise NotFound(f"{root}: not a folder of case files")
    files = sorted(p for p in root.iterdir() if p.suffix.lower() in (".yaml", ".yml", ".json"))
    return Library(tuple(read_entry(p) for p in files), str(root))


@cache
def published_cases() -> Library:
    """The corpus shipped with rvlms (``rvlms/knowledge/cases``)."""
    folder = resources.files("rvlms.knowledge").joinpath("cases")
    with resources.as_file(folder) as path:
        library = load_library(path)
    return Library(library.cases, "the rvlms published-case library")


def library_frame(library: Library) -> pd.DataFrame:
    """The library as a cohort table (one row per published case), for ``rvlms analyze``."""
    import pandas as pd

    from rvlms.case import COHORT_COLUMNS, OPTIONAL_COLUMNS
    from rvlms.case.cohort import cohort_row

    rows = [cohort_row(entry.case) for entry in library]
    return pd.DataFrame(rows, columns=[*COHORT_COLUMNS, *OPTIONAL_COLUMNS])
