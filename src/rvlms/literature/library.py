"""Loading the published-case library: the packaged corpus or any folder of the same layout."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from rvlms.case.io import field_problems, read_case_data
from rvlms.errors import CaseInvalid, NotFound
from rvlms.literature.entry import PublishedCase

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
    data = read_case_data(path)
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
