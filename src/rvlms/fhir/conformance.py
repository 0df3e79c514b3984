"""Checking exported resources against the mCODE profile rules rvlms relies on.

The rules are data (``mcode_requirements.yaml``), copied from the FHIR Shorthand source of
the mCODE IG with the file and commit each came from: fixed codes, required elements,
components, invariants, choice-type limits and value-set bindings. This is not a full FHIR
profile validator (the HL7 validator is Java and needs the network for terminology); it
checks exactly the rules listed, so that a change to the export that breaks one fails a
test.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Any

import yaml

from rvlms.fhir.vocabulary import MCODE

__all__ = ["check_resource", "must_support_gaps", "requirements"]

Json = dict[str, Any]


@cache
def requirements() -> Json:
    """The extracted rules, with their provenance (``source`` and each profile's commit)."""
    text = resources.files("rvlms.fhir").joinpath("mcode_requirements.yaml").read_text("utf-8")
    data: Json = yaml.safe_load(text)
    return data


def _profiles(resource: Json) -> list[str]:
    urls = resource.get("meta", {}).get("profile", [])
    return [u.removeprefix(MCODE) for u in urls if u.startswith(MCODE)]


def _values(node: Any, path: str) -> list[Any]:
    """Every value at ``path``; a name without a type suffix matches its choice types
    (``value`` finds ``valueQuantity``)."""
    items = node if isinstance(node, list) else [node]
    for part in path.split("."):
        found: list[Any] = []
        for item in items:
            if not isinstance(item, dict):
                continue
            for key, value in item.items():
                if key == part or (
                    key.startswith(part) and key[len(part) : len(part) + 1].isupper()
                ):
                    found.extend(value if isinstance(value, list) else [value])
        items = found
    return items


def _codings(values: Iterable[Any]) -> list[tuple[str, str]]:
    out = []
    for value in values:
        if isinstance(value, dict):
            for coding in value.get("coding", []) if "coding" in value else [value]:
                if "system" in coding and "code" in coding:
                    out.append((coding["system"], coding["code"]))
    return out


def _in_set(pair: tuple[str, str], members: list[list[str]]) -> bool:
    return any(pair[0] == s and (c == "*" or pair[1] == c) for s, c in members)


def _binding(resource: Json, rule: Json, sets: Json) -> list[str]:
    members = sets.get(rule["value_set"])
    if members is None:
        return []
    if "extension" in rule:
        holders = [
            e
            for e in _values(resource, rule["element"].rsplit(".extension", 1)[0] + ".extension")
            if isinstance(e, dict) and e.get("url") == rule["extension"]
        ]
        values = [e.get("valueCodeableConcept") for e in holders]
    else:
        values = _values(resource, rule["element"])
    return [
        f"{rule['element']}: {system}|{code} is not in {rule['value_set']} ({rule['strength']})"
        for system, code in _codings(values)
        if not _in_set((system, code), members)
    ]


def _invariants(resource: Json, rules: Json) -> list[str]:
    problems = []
    for name in rules.get("invariants", {}):
        if name == "must-have-focus-or-specimen-invariant":
            if bool(resource.get("focus")) == bool(resource.get("specimen")):
                problems.append(f"{name}: exactly one of focus and specimen must be present")
        elif name == "mcode-reason-required" and not (
            resource.get("reasonCode") or resource.get("reasonReference")
        ):
            problems.append(f"{name}: reasonCode or reasonReference must be present")
    return problems


def check_resource(resource: Json) -> list[str]:
    """Every listed rule of the resource's mCODE profiles that it breaks."""
    data = requirements()
    problems: list[str] = []
    for profile in _profiles(resource):
        rules = data["profiles"].get(profile)
        where = f"{resource.get('resourceType')}/{resource.get('id')} ({profile})"
        if rules is None:
            problems.append(f"{where}: no extracted rules for this profile")
            continue
        found = (
            [f"{where}: resourceType must be {rules['resource']}"]
            if resource.get("resourceType") != rules["resource"]
            else []
        )
        for element, (system, code) in rules.get("fixed", {}).items():
            if (system, code) not in _codings(_values(resource, element)):
                found.append(f"{where}: {element} must contain {system}|{code}")
        for element in rules.get("required", []):
            if not _values(resource, element):
                found.append(f"{where}: {element} is required (min 1)")
        for component in rules.get("components", []):
            system, code = component["code"]
            matching = [
                c for c in resource.get("component", []) if (system, code) in _codings([c["code"]])
            ]
            if not component["min"] <= len(matching) <= component["max"]:
                found.append(
                    f"{where}: component {code} must occur {component['min']}..{component['max']}"
                )
            for part in matching:
                value = part.get(component["value"])
                members = data["value_sets"][component["value_set"]]
                if value is None or not _in_set(
                    (value.get("system", ""), value.get("code", "")), members
                ):
                    found.append(
                        f"{where}: component {code} needs a {component['value']} "
                        f"in {component['value_set']}"
                    )
        for element, only in rules.get("only", {}).items():
            others = [k for k in resource if k.startswith(element) and k != only]
            if others:
                found.append(f"{where}: {element}[x] must be {only}, not {', '.join(others)}")
        for extension in rules.get("extensions", []):
            count = sum(
                1 for e in resource.get("extension", []) if e.get("url") == extension["url"]
            )
            if count > extension["max"]:
                found.append(f"{where}: extension {extension['url']} at most {extension['max']}")
        for rule in rules.get("bindings", []):
            found += [f"{where}: {text}" for text in _binding(resource, rule, data["value_sets"])]
        found += [f"{where}: {text}" for text in _invariants(resource, rules)]
        problems += found
    return problems


def must_support_gaps(resources: Iterable[Json]) -> dict[str, set[str]]:
    """For each profile used, the must-support elements that no resource populates and
    that the rules do not explain (``not_populated``)."""
    data = requirements()
    seen: dict[str, set[str]] = {}
    for resource in resources:
        for profile in _profiles(resource):
            rules = data["profiles"].get(profile, {})
            present = seen.setdefault(profile, set(rules.get("must_support", [])))
            present -= {e for e in list(present) if _values(resource, e)}
    return {profile: gaps for profile, gaps in seen.items() if gaps}
