"""Every field of the case record's JSON Schema says what it is, with its unit."""

from __future__ import annotations

from typing import Any

from rvlms.schemas import json_schema


def _properties() -> list[tuple[str, dict[str, Any]]]:
    schema = json_schema("case")
    found = [(f"Case.{name}", prop) for name, prop in schema["properties"].items()]
    for model, definition in schema["$defs"].items():
        found += [(f"{model}.{n}", p) for n, p in definition.get("properties", {}).items()]
    return found


def _unit(prop: dict[str, Any]) -> str | None:
    if "unit" in prop:
        return str(prop["unit"])
    for branch in prop.get("anyOf", []):
        if "unit" in branch:
            return str(branch["unit"])
    return None


def test_no_field_lacks_a_description() -> None:
    missing = [name for name, prop in _properties() if not prop.get("description")]
    assert not missing, missing
    assert len(_properties()) > 150


def test_every_unit_is_in_the_description() -> None:
    wrong = [
        name
        for name, prop in _properties()
        if (unit := _unit(prop)) and unit not in prop["description"]
    ]
    assert not wrong, wrong


def test_descriptions_name_the_papers() -> None:
    text = " ".join(prop["description"] for _, prop in _properties())
    assert text.count("zhang2021") > 20
    assert "yang2025" in text
