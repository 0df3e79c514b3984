"""The parsed-file cache gives back exactly what parsing gives, and never stands in the way."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import pytest
import yaml

from rvlms.datacache import cache_folder, cached_parse
from rvlms.literature.library import load_library
from rvlms.pathway.knowledge import load_knowledge

CORPUS = Path(str(resources.files("rvlms.knowledge").joinpath("cases")))


def _parse(path: Path) -> object:
    return yaml.load(path.read_text("utf-8"), Loader=yaml.CSafeLoader)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("RVLMS_CACHE_DIR", str(folder))
    return folder


def test_a_cached_read_equals_the_parsed_file(tmp_path: Path, cache: Path) -> None:
    source = tmp_path / "rules.yaml"
    source.write_text("- id: a\n  when: {all: [x]}\n  weight: 1.5\n", encoding="utf-8")
    first = cached_parse(source, _parse)
    assert len(list(cache.iterdir())) == 1
    calls: list[Path] = []

    def counting(path: Path) -> object:
        calls.append(path)
        return _parse(path)

    assert cached_parse(source, counting) == first == _parse(source)
    assert calls == []


def test_a_changed_file_is_parsed_again(tmp_path: Path, cache: Path) -> None:
    source = tmp_path / "data.yaml"
    source.write_text("value: 1\n", encoding="utf-8")
    assert cached_parse(source, _parse) == {"value": 1}
    source.write_text("value: 22\n", encoding="utf-8")
    os.utime(source, ns=(1, 10**18))
    assert cached_parse(source, _parse) == {"value": 22}


def test_content_json_cannot_hold_is_never_cached(tmp_path: Path, cache: Path) -> None:
    source = tmp_path / "dated.yaml"
    source.write_text("surgery: 2024-03-14\n", encoding="utf-8")
    parsed = cached_parse(source, _parse)
    assert str(parsed["surgery"]) == "2024-03-14" and not isinstance(parsed["surgery"], str)
    assert not cache.exists() or not list(cache.iterdir())


def test_a_cache_that_cannot_be_written_or_read_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("RVLMS_CACHE_DIR", str(blocker / "cache"))
    source = tmp_path / "data.yaml"
    source.write_text("value: 3\n", encoding="utf-8")
    assert cached_parse(source, _parse) == {"value": 3}


def test_a_corrupt_entry_is_parsed_over(tmp_path: Path, cache: Path) -> None:
    source = tmp_path / "data.yaml"
    source.write_text("value: 4\n", encoding="utf-8")
    cached_parse(source, _parse)
    (entry,) = cache.iterdir()
    entry.write_text("{not json", encoding="utf-8")
    assert cached_parse(source, _parse) == {"value": 4}


def test_off_switches_the_cache_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RVLMS_CACHE_DIR", "off")
    assert cache_folder() is None


def test_knowledge_and_library_are_the_same_with_and_without_the_cache(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cached_library = load_library(CORPUS)
    load_knowledge.cache_clear()
    warm = load_knowledge()
    assert list(cache.iterdir())
    monkeypatch.setenv("RVLMS_CACHE_DIR", "off")
    load_knowledge.cache_clear()
    cold = load_knowledge()
    assert warm.model_dump() == cold.model_dump()
    assert [c.model_dump() for c in cached_library.cases] == [
        c.model_dump() for c in load_library(CORPUS).cases
    ]
