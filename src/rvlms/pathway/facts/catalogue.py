"""The catalogue of named facts: registration, derivation of every fact for a case, labels.

Rules in the knowledge files never read the case directly; they name facts from this
catalogue. Each fact has a label for people, the case field(s) a clinician fills in to
provide it (shown when it is missing), and a derivation. A derivation returns ``MISSING``
when the case does not hold the answer, never a default.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from rvlms.case import Case
from rvlms.imaging import Classification
from rvlms.pathway.conditions import MISSING, Facts

Derivation = Callable[[Case, Classification], Any]


@dataclass(frozen=True)
class Fact:
    name: str
    label: str
    fields: tuple[str, ...]
    derive: Derivation
    doc: str = ""


CATALOGUE: dict[str, Fact] = {}


def fact(label: str, *fields: str) -> Callable[[Derivation], Derivation]:
    def register(derive: Derivation) -> Derivation:
        name = derive.__name__
        CATALOGUE[name] = Fact(name, label, fields, derive, (derive.__doc__ or "").strip())
        return derive

    return register


def known(value: Any) -> Any:
    return MISSING if value is None else value


def derive_facts(
    case: Case, classification: Classification, names: Iterable[str] | None = None
) -> Facts:
    """Every fact of the catalogue for one case, or only the ``names`` asked for (the facts
    the rules of a plan read: each derivation costs, and an operated case's plan reads few);
    missing ones are absent from the mapping."""
    facts: Facts = {}
    for name in CATALOGUE if names is None else names:
        value = CATALOGUE[name].derive(case, classification)
        if value is not MISSING:
            facts[name] = value
    return facts


@cache
def labels() -> dict[str, str]:
    return {name: entry.label for name, entry in CATALOGUE.items()}
