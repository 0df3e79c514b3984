"""Fixtures of the interchange tests: the zhang2021 cases and a registry on each backend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rvlms.case import Case
from rvlms.examples import load_zhang2021
from rvlms.registry import Registry


@pytest.fixture
def zhang_cases() -> list[Case]:
    """The four patients of zhang2021 Table 1."""
    return load_zhang2021()


@pytest.fixture
def registry(db_url: str) -> Iterator[Registry]:
    """An empty registry, once on a SQLite file and once on PostgreSQL."""
    with Registry(db_url) as opened:
        yield opened


@pytest.fixture
def filled(registry: Registry, zhang_cases: list[Case]) -> Registry:
    """The registry holding the four zhang2021 cases, added by "alice"."""
    registry.add_many(zhang_cases, "alice")
    return registry
