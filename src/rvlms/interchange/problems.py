"""What an import reports: each bad value by row, column, value and reason."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rvlms.case import Case, parse_case
from rvlms.errors import CaseInvalid, InputError
from rvlms.interchange.flat import CellProblem

__all__ = ["ImportProblem", "ImportRejected", "Locator", "SourceRecord", "validate_record"]

Locator = Callable[[str], tuple[int, str]]
"""Maps a dotted field path of the case record to (row number, column) in the source."""

_SHOWN = 50


@dataclass(frozen=True)
class ImportProblem:
    """One refused value. ``row`` counts as a spreadsheet does (the header is row 1); in a
    JSON file it is the position of the case in the list, from 1."""

    row: int
    column: str
    value: Any
    reason: str
    case_id: str | None = None

    def as_text(self) -> str:
        where = f"row {self.row}" + (f", column {self.column}" if self.column else "")
        text = f"{where}: {self.reason}"
        if self.value is not None and not isinstance(self.value, dict | list):
            text += f" (given: {self.value!r})"
        return text

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value if not isinstance(self.value, dict | list) else None,
            "reason": self.reason,
            "case_id": self.case_id,
        }


@dataclass
class SourceRecord:
    """One case as read from a file: its original rows, its data and what was wrong."""

    row: int
    rows: list[dict[str, Any]]
    data: dict[str, Any] | None
    locate: Locator
    problems: list[ImportProblem] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)
    """File row of each entry of ``rows``; empty when they are consecutive from ``row``."""

    @property
    def case_id(self) -> str | None:
        value = self.data.get("case_id") if self.data else None
        return str(value) if value is not None else None

    def add_cell_problems(self, problems: list[CellProblem], row: int | None = None) -> None:
        for problem in problems:
            self.problems.append(
                ImportProblem(
                    row or self.row, problem.column, problem.value, problem.reason, self.case_id
                )
            )


def validate_record(record: SourceRecord) -> Case | None:
    """The validated case, or None with the record's problems filled in."""
    if record.problems or record.data is None:
        return None
    try:
        return parse_case(record.data)
    except CaseInvalid as invalid:
        for problem in invalid.problems:
            row, column = record.locate(problem.path)
            reason = problem.message
            if problem.allowed and f"'{problem.allowed[0]}'" not in reason:
                reason += f"; allowed: {', '.join(problem.allowed)}"
            value = problem.value if not isinstance(problem.value, dict | list) else None
            record.problems.append(ImportProblem(row, column, value, reason, record.case_id))
        return None


class ImportRejected(InputError):
    """An import refused as a whole: nothing was written. ``problems`` lists every value."""

    title = "Import refused"

    def __init__(
        self,
        problems: list[ImportProblem],
        rejected: int,
        total: int,
        source: str,
        *,
        whole_file: bool = False,
    ) -> None:
        self.problems = problems
        self.rejected = rejected
        self.total = total
        self.source = source
        lines = [p.as_text() for p in problems[:_SHOWN]]
        if len(problems) > _SHOWN:
            lines.append(f"... and {len(problems) - _SHOWN} more problem(s)")
        listing = "\n".join(f"  - {line}" for line in lines)
        summary = (
            "the file itself is not valid; nothing was imported"
            if whole_file
            else f"{rejected} of {total} case(s) are invalid; nothing was imported "
            "(use --skip-invalid to import the valid ones)"
        )
        super().__init__(f"{source}: {summary}:\n{listing}")
