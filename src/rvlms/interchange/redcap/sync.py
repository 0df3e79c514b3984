"""Import in update mode: a periodic REDCap → rvlms sync that changes only what changed.

Every record of the file is read and validated first; if one is invalid nothing is written
(unless ``skip_invalid``), as for a plain import. Each valid record is then matched to the
registry by its record id (the case_id):

- **added**: not in the registry yet; stored as a new case;
- **unchanged**: the same case as stored (coded lists compared as sets), so nothing is
  written and the version does not move; re-importing an export therefore changes nothing;
- **changed**: stored with :meth:`rvlms.registry.Registry.update` at the version read when
  the file was compared, with the field-level diff (``path: old → new``);
- **conflicted**: the case changed in the registry between the comparison and the write
  (the registry's version check refused the update), or was deleted meanwhile; left as it is;
- **refused**: invalid, or a case id that belonged to a deleted case (case ids are not
  reused); with the reasons.

The version check is per case: a conflict leaves that case alone and the others are written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rvlms.case import Case
from rvlms.errors import Conflict, NotFound
from rvlms.interchange.fields import Leaf, LeafKind
from rvlms.interchange.imports import ImportFormat, read_cases
from rvlms.interchange.problems import ImportRejected
from rvlms.interchange.redcap.names import all_leaves

if TYPE_CHECKING:
    from rvlms.registry import Registry

__all__ = ["FieldChange", "Outcome", "RecordSync", "SyncReport", "canonical", "sync_file"]


class Outcome(StrEnum):
    added = "added"
    changed = "changed"
    unchanged = "unchanged"
    conflicted = "conflicted"
    refused = "refused"


@dataclass(frozen=True)
class FieldChange:
    """One field that the import changes (dotted path, as in the case history)."""

    path: str
    old: Any
    new: Any

    def as_text(self) -> str:
        return f"{self.path}: {_shown(self.old)} → {_shown(self.new)}"


@dataclass
class RecordSync:
    """What happened to one record of the file."""

    case_id: str
    outcome: Outcome
    changes: list[FieldChange] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    version_before: int | None = None
    version_after: int | None = None
    case: Case | None = None


@dataclass(frozen=True)
class SyncReport:
    """The diff of an update-mode import; ``written`` is False when nothing was written."""

    source: str
    records: list[RecordSync]
    written: bool
    notes: list[str] = field(default_factory=list)

    def of(self, outcome: Outcome) -> list[RecordSync]:
        return [r for r in self.records if r.outcome is outcome]

    @property
    def counts(self) -> dict[str, int]:
        return {o.value: len(self.of(o)) for o in Outcome}

    @property
    def change_count(self) -> int:
        """Fields changed, plus cases added."""
        return sum(len(r.changes) for r in self.of(Outcome.changed)) + len(self.of(Outcome.added))

    def as_text(self) -> str:
        counts = ", ".join(f"{n} {name}" for name, n in self.counts.items())
        lines = [f"{self.source}: {counts}" + ("" if self.written else "; nothing was written")]
        lines += [f"note: {note}" for note in self.notes]
        for record in self.records:
            if record.outcome is Outcome.unchanged:
                continue
            lines.append(f"{record.outcome.value}: {record.case_id}")
            lines += [f"  {change.as_text()}" for change in record.changes]
            lines += [f"  {reason}" for reason in record.reasons]
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "written": self.written,
            "counts": self.counts,
            "notes": self.notes,
            "records": [
                {
                    "case_id": r.case_id,
                    "outcome": r.outcome.value,
                    "changes": [{"path": c.path, "old": c.old, "new": c.new} for c in r.changes],
                    "reasons": r.reasons,
                    "version_before": r.version_before,
                    "version_after": r.version_after,
                }
                for r in self.records
            ],
        }


def _shown(value: Any) -> str:
    if value is None:
        return "(blank)"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value)


def _choice_leaves() -> list[Leaf]:
    return [leaf for leaf in all_leaves() if leaf.kind is LeafKind.choices]


def _walk(data: Any, path: tuple[str, ...]) -> Iterator[tuple[dict[str, Any], str]]:
    """(container, key) of every value at ``path``, through lists of records."""
    if not path or not isinstance(data, dict):
        return
    head, rest = path[0], path[1:]
    value = data.get(head)
    if not rest:
        if value is not None:
            yield data, head
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item, rest)
    else:
        yield from _walk(value, rest)


def canonical(case: Case) -> dict[str, Any]:
    """The case as compared: JSON values, coded lists in vocabulary order."""
    data = case.model_dump(mode="json", exclude_none=True)
    for leaf in _choice_leaves():
        order = {code: index for index, code in enumerate(leaf.codes)}
        for container, key in _walk(data, leaf.path):
            container[key] = sorted(container[key], key=lambda v: order.get(str(v), len(order)))
    return data


def _diff(old: Case, new: Case) -> list[FieldChange]:
    from rvlms.registry.diff import changes_between

    return [
        FieldChange(c["path"], c["old"], c["new"])
        for c in changes_between(canonical(old), canonical(new))
    ]


def _compare(registry: Registry, checked_cases: list[tuple[str, Case]]) -> list[RecordSync]:
    taken = registry.existing(case_id for case_id, _ in checked_cases)
    planned: list[RecordSync] = []
    for case_id, case in checked_cases:
        state = taken.get(case_id)
        if state is None:
            planned.append(RecordSync(case_id, Outcome.added, case=case))
        elif state is False:
            planned.append(
                RecordSync(
                    case_id,
                    Outcome.refused,
                    reasons=[
                        "record_id belonged to a case that was deleted; case ids are not reused"
                    ],
                )
            )
        else:
            stored = registry.get(case_id)
            changes = _diff(stored.case, case)
            outcome = Outcome.changed if changes else Outcome.unchanged
            planned.append(
                RecordSync(
                    case_id,
                    outcome,
                    changes=changes,
                    version_before=stored.version,
                    version_after=stored.version,
                    case=case,
                )
            )
    return planned


def _apply(registry: Registry, planned: list[RecordSync], user: str) -> None:
    added = [r for r in planned if r.outcome is Outcome.added and r.case is not None]
    if added:
        try:
            registry.add_many([r.case for r in added if r.case is not None], user)
        except Conflict as taken:
            for record in added:
                record.outcome = Outcome.conflicted
                record.reasons.append(str(taken))
        else:
            for record in added:
                record.version_after = 1
    for record in planned:
        if record.outcome is not Outcome.changed or record.case is None:
            continue
        assert record.version_before is not None
        try:
            stored = registry.update(record.case_id, record.case, record.version_before, user)
        except (Conflict, NotFound) as refused:
            record.outcome = Outcome.conflicted
            record.reasons.append(str(refused))
            continue
        record.version_after = stored.version


def sync_file(
    registry: Registry,
    path: Path | str,
    *,
    user: str,
    fmt: ImportFormat | str | None = ImportFormat.redcap,
    skip_invalid: bool = False,
    dry_run: bool = False,
    before_write: Callable[[list[RecordSync]], None] | None = None,
) -> SyncReport:
    """Import ``path`` in update mode (see the module docstring) and report the diff.

    With ``dry_run`` the diff is computed and nothing is written. ``before_write`` is called
    with the planned outcomes just before writing (a progress display, or a test that
    changes the registry in between).
    """
    checked = read_cases(path, fmt)
    total = len(checked.records)
    if checked.file_problems:
        raise ImportRejected(checked.file_problems, total, total, checked.source, whole_file=True)
    valid = {id(record) for record, _ in checked.cases}
    refused = [
        RecordSync(
            record.case_id or f"row {record.row}",
            Outcome.refused,
            reasons=[p.as_text() for p in record.problems],
        )
        for record in checked.records
        if id(record) not in valid
    ]
    planned = _compare(registry, [(case.case_id, case) for _, case in checked.cases])
    records = refused + planned
    blocked = any(r.outcome is Outcome.refused for r in records) and not skip_invalid
    if dry_run or blocked:
        return SyncReport(checked.source, records, written=False, notes=checked.notes)
    if before_write is not None:
        before_write(planned)
    _apply(registry, planned, user)
    return SyncReport(checked.source, records, written=True, notes=checked.notes)
