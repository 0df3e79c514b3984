"""What the mapping accumulates while it reads: case fields, where each came from, what
was left out, and whether the record is in scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol

from rvlms.errors import CaseInvalid, FieldProblem

__all__ = ["Builder", "Dated", "Found", "Ignored", "Located", "Mapped"]


class Located(Protocol):
    """A validated resource and where it was found (a prefetch key or a file position)."""

    @property
    def resource(self) -> Any: ...

    @property
    def where(self) -> str: ...

    @property
    def ref(self) -> str: ...


@dataclass(frozen=True)
class Found:
    """One resource of an imported Bundle or NDJSON file, with its position."""

    resource: Any
    where: str
    ref: str


@dataclass(frozen=True)
class Mapped:
    """One value read from the record: from where, into which case field, through what."""

    source: str
    field: str
    value: str
    via: str


@dataclass(frozen=True)
class Ignored:
    """Something received but not read, and why (shown on the plan card)."""

    source: str
    reason: str


@dataclass
class Dated:
    when: str
    found: Located
    value: Any
    via: str


@dataclass
class Builder:
    today: dt.date | None
    data: dict[str, Any] = field(default_factory=dict)
    origins: dict[str, Located] = field(default_factory=dict)
    mapped: list[Mapped] = field(default_factory=list)
    ignored: list[Ignored] = field(default_factory=list)
    scope: list[str] = field(default_factory=list)
    sites: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)

    def in_scope(self) -> tuple[bool, str]:
        """Leiomyosarcoma on record, or a retroperitoneal / abdominal soft-tissue malignancy
        whose histology is not another tumour (rvlms proposal: the service stays silent
        for patients it was not built for)."""
        if self.scope:
            return True, "; ".join(dict.fromkeys(self.scope + self.sites))
        sites = "; ".join(dict.fromkeys(self.sites))
        if self.sites and self.other:
            return False, f"{sites}, but {'; '.join(dict.fromkeys(self.other))}"
        if self.sites:
            return True, f"{sites} (histology not on record)"
        return (
            False,
            "no leiomyosarcoma or retroperitoneal malignancy among the conditions and reports",
        )

    def put(self, path: str, value: Any, found: Located, shown: str, via: str) -> None:
        node = self.data
        *parents, last = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
        self.origins[path] = found
        self.mapped.append(Mapped(found.ref, path, shown, via))

    def add(self, path: str, item: Any, found: Located, shown: str, via: str) -> None:
        node = self.data
        *parents, last = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        items = node.setdefault(last, [])
        if item not in items:
            items.append(item)
        self.origins[path] = found
        self.mapped.append(Mapped(found.ref, path, shown, via))

    def get(self, path: str) -> Any:
        node: Any = self.data
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return node

    def skip(self, found: Located, reason: str) -> None:
        self.ignored.append(Ignored(found.ref, reason))

    def field_problems(self, exc: CaseInvalid, fallback: str) -> list[FieldProblem]:
        """The case record's problems named by the resource each field was read from."""
        problems: list[FieldProblem] = []
        for problem in exc.problems:
            origin = next(
                (
                    found
                    for path, found in sorted(self.origins.items(), key=lambda kv: -len(kv[0]))
                    if problem.path == path or problem.path.startswith(path + ".")
                ),
                None,
            )
            where = f"{origin.where}({origin.ref})" if origin else fallback
            problems.append(
                FieldProblem(
                    path=where,
                    message=f"read as case field {problem.path}: {problem.message}",
                    value=problem.value,
                    allowed=problem.allowed,
                )
            )
        return problems
