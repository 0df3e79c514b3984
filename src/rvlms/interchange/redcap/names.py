"""The versioned REDCap names of the case record: variable names, numeric codes, labels.

REDCap users expect short variable names (REDCap warns above 26 characters, the limit of
SAS and Stata variable names), numeric choice codes ("1, Female | 2, Male") and labels
written for people. None of these can be derived on the fly without renaming something
when the case record grows, so they are data: ``redcap_names.yaml`` in this package,
read through a pydantic model that fails loudly when a field or a vocabulary value has no
name or code. Branching logic lives there too, written in REDCap syntax over case-record
paths (``[imaging.no_tumour_thrombus] = '0'``) and translated to REDCap names here.

Files exported before version 1 used the case-record column names
(``demographics__age_years``) and the stored text codes (``R0``); :data:`LEGACY_SCHEME`
reads them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import cache
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from rvlms.errors import KnowledgeBaseError
from rvlms.interchange.fields import Leaf, LeafKind, case_leaves, leaves_of

__all__ = [
    "LEGACY_SCHEME",
    "MAX_NAME_LENGTH",
    "NAMES_FILE",
    "RECORD_ID",
    "Choice",
    "NameMap",
    "Scheme",
    "all_leaves",
    "branching_for",
    "current_scheme",
    "mapping_table",
    "name_map",
    "translate_logic",
]

NAMES_FILE = "redcap_names.yaml"
RECORD_ID = "record_id"
MAX_NAME_LENGTH = 26
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_YES_NO = {"true": "1", "false": "0"}
_REFERENCE = re.compile(
    r"\[([a-z0-9_.]+)(?:\(([^)]*)\))?\](\s*(?:=|<>)\s*)'([^']*)'|\[([a-z0-9_.]+)\]"
)


class Choice(BaseModel):
    """One value of a vocabulary: REDCap's numeric code, the stored value, the label."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: int = Field(ge=0)
    value: str
    label: str = Field(min_length=1)


class NameMap(BaseModel):
    """The contents of ``redcap_names.yaml``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int = Field(ge=1)
    fields: dict[str, str]
    choices: dict[str, list[Choice]]
    branching: dict[str, str] = Field(default_factory=dict)
    labels: dict[str, str] = Field(default_factory=dict)

    def name(self, leaf: Leaf) -> str:
        if leaf.path == ("case_id",):
            return RECORD_ID
        return self.fields[leaf.dotted]

    def choices_of(self, enum: type[Enum]) -> list[Choice]:
        return self.choices[enum.__name__]

    def code_of(self, enum: type[Enum], value: str) -> str:
        for choice in self.choices_of(enum):
            if choice.value == value:
                return str(choice.code)
        raise KeyError(f"{enum.__name__}: no REDCap code for {value!r}")

    def value_of(self, enum: type[Enum], code: str) -> str | None:
        for choice in self.choices_of(enum):
            if str(choice.code) == code.strip():
                return choice.value
        return None


def all_leaves() -> list[Leaf]:
    """Every scalar, choices and texts leaf, repeated records' fields included."""
    found: list[Leaf] = []
    for leaf in case_leaves():
        if leaf.kind is LeafKind.records:
            found.extend(leaves_of(leaf.item_model, leaf.path))
        else:
            found.append(leaf)
    return found


def _check(names: NameMap) -> None:
    """Every field named once, validly; every vocabulary value coded once."""
    problems: list[str] = []
    wanted = {leaf.dotted: leaf for leaf in all_leaves() if leaf.path != ("case_id",)}
    for path in sorted(set(wanted) - set(names.fields)):
        problems.append(f"fields: {path} has no REDCap name")
    for path in sorted(set(names.fields) - set(wanted)):
        problems.append(f"fields: {path} is not a field of the case record")
    seen: dict[str, str] = {}
    for path, name in names.fields.items():
        if not _NAME.match(name) or len(name) > MAX_NAME_LENGTH or "__" in name:
            problems.append(
                f"fields: {path}: {name!r} is not a REDCap name (a lower-case letter, then "
                f"letters, digits or single underscores, at most {MAX_NAME_LENGTH} characters)"
            )
        if name in seen or name == RECORD_ID:
            problems.append(f"fields: {name!r} names both {seen.get(name, 'case_id')} and {path}")
        seen[name] = path
    for leaf in wanted.values():
        enum = leaf.enum
        if enum is None:
            continue
        listed = names.choices.get(enum.__name__)
        if listed is None:
            problems.append(f"choices: {enum.__name__} (used by {leaf.dotted}) has no codes")
            continue
        values = [c.value for c in listed]
        codes = [c.code for c in listed]
        missing = [str(m.value) for m in enum if str(m.value) not in values]
        if missing or len(set(codes)) != len(codes) or len(set(values)) != len(values):
            problems.append(
                f"choices: {enum.__name__}: every value needs exactly one code "
                f"(missing: {', '.join(missing) or 'none'})"
            )
    for path in names.labels:
        if path not in names.fields:
            problems.append(f"labels: {path} is not a field")
    for path, logic in names.branching.items():
        for ref in re.findall(r"\[([a-z0-9_.]+)", logic):
            if ref not in names.fields:
                problems.append(f"branching: {path}: [{ref}] is not a field")
    if problems:
        raise KnowledgeBaseError(f"{NAMES_FILE}: " + "; ".join(problems))


@cache
def name_map() -> NameMap:
    """The packaged name map, checked against the case record."""
    text = resources.files("rvlms.interchange").joinpath(NAMES_FILE).read_text("utf-8")
    names = NameMap.model_validate(yaml.safe_load(text))
    _check(names)
    return names


def branching_for(leaf: Leaf) -> str:
    """The REDCap branching logic of a field: the rule of its path or of the nearest
    enclosing section, unless the field is one the rule itself reads."""
    rules = name_map().branching
    for end in range(len(leaf.path), 0, -1):
        logic = rules.get(".".join(leaf.path[:end]))
        if logic is None:
            continue
        if f"[{leaf.dotted}]" in logic or f"[{leaf.dotted}(" in logic:
            return ""
        return translate_logic(logic)
    return ""


def _leaf_at(path: str) -> Leaf:
    for leaf in all_leaves():
        if leaf.dotted == path:
            return leaf
    raise KnowledgeBaseError(f"{NAMES_FILE}: branching refers to {path}, not a field")


def translate_logic(logic: str) -> str:
    """Branching logic over case-record paths and values → REDCap names and codes."""
    names = name_map()

    def code(leaf: Leaf, value: str) -> str:
        if leaf.value_type is bool and value in _YES_NO:
            return _YES_NO[value]
        enum = leaf.enum
        return names.code_of(enum, value) if enum is not None and value else value

    def replace(match: re.Match[str]) -> str:
        path, option, operator, value, bare = match.groups()
        if bare is not None:
            return f"[{names.fields[bare]}]"
        leaf = _leaf_at(path)
        name = names.fields[path]
        if option is not None:
            return f"[{name}({code(leaf, option)})]{operator}'{value}'"
        return f"[{name}]{operator}'{code(leaf, value)}'"

    return _REFERENCE.sub(replace, logic)


@dataclass(frozen=True)
class Scheme:
    """How a flat record file names columns and writes coded values."""

    version: int

    @property
    def legacy(self) -> bool:
        return self.version == 0

    def name(self, leaf: Leaf) -> str:
        if leaf.path == ("case_id",):
            return RECORD_ID
        return leaf.name if self.legacy else name_map().name(leaf)

    def option_column(self, leaf: Leaf, value: str) -> str:
        if self.legacy:
            return leaf.option_column(value)
        return f"{self.name(leaf)}___{name_map().code_of(_enum(leaf), value)}"

    def columns(self, leaf: Leaf) -> tuple[str, ...]:
        if leaf.kind is LeafKind.choices:
            return tuple(self.option_column(leaf, value) for value in leaf.codes)
        return (self.name(leaf),)

    def encode(self, leaf: Leaf, value: Any) -> str:
        """A stored coded value as this scheme writes it."""
        enum = leaf.enum
        if self.legacy or enum is None or value in (None, ""):
            return "" if value is None else str(value)
        return name_map().code_of(enum, str(value))

    def decode(self, leaf: Leaf, cell: str) -> str | None:
        """The stored value of a coded cell, or None if the code is not in the vocabulary."""
        enum = leaf.enum
        if self.legacy or enum is None:
            return cell
        return name_map().value_of(enum, cell)


def _enum(leaf: Leaf) -> type[Enum]:
    enum = leaf.enum
    if enum is None:
        raise TypeError(f"{leaf.dotted} is not a coded field")
    return enum


LEGACY_SCHEME = Scheme(0)


def current_scheme() -> Scheme:
    return Scheme(name_map().version)


def mapping_table() -> str:
    """The name map as a Markdown table (REDCap name, case-record path), for the docs."""
    names = name_map()
    lines = [
        f"<!-- generated from {NAMES_FILE} version {names.version}; do not edit by hand -->",
        "",
        "| REDCap variable | case-record field |",
        "|---|---|",
        f"| `{RECORD_ID}` | `case_id` |",
    ]
    lines += [f"| `{name}` | `{path}` |" for path, name in names.fields.items()]
    return "\n".join(lines) + "\n"
