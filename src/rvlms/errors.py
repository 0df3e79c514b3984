"""The errors rvlms raises, in one place.

Every error a user can cause names what was wrong and what is allowed; the CLI, the
REST API and the web app render the same objects (text, RFC 9457 problem details, HTML).

    RvlmsError
    ├── InputError                 bad input; status 422
    │   ├── CaseInvalid            a case record failed validation (one FieldProblem per field)
    │   └── FileUnreadable         a file could not be read or parsed
    ├── NotFound                   status 404
    ├── Conflict                   a stale edit or a duplicate; status 409
    ├── PermissionDenied           status 403
    └── KnowledgeBaseError         the packaged knowledge files are inconsistent; status 500
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar


@dataclass(frozen=True)
class FieldProblem:
    """One invalid field: where, what was given, why it is wrong, what would be accepted."""

    path: str
    message: str
    value: Any = None
    allowed: tuple[str, ...] = field(default_factory=tuple)

    def as_text(self) -> str:
        text = f"{self.path or '(case)'}: {self.message}"
        if self.value is not None and not isinstance(self.value, dict | list):
            text += f" (given: {self.value!r})"
        if self.allowed:
            text += f"; allowed: {', '.join(self.allowed)}"
        return text

    def as_dict(self) -> dict[str, Any]:
        return {
            "field": self.path,
            "message": self.message,
            "value": self.value if not isinstance(self.value, dict | list) else None,
            "allowed": list(self.allowed),
        }


class RvlmsError(Exception):
    status: ClassVar[int] = 500
    title: ClassVar[str] = "rvlms error"


class InputError(RvlmsError):
    status = 422
    title = "Invalid input"


class CaseInvalid(InputError):
    title = "Invalid case record"

    def __init__(self, problems: list[FieldProblem], source: str | None = None) -> None:
        self.problems = problems
        self.source = source
        where = f" in {source}" if source else ""
        lines = "\n".join(f"  - {p.as_text()}" for p in problems)
        super().__init__(f"{len(problems)} problem(s){where}:\n{lines}")


class FileUnreadable(InputError):
    title = "File cannot be read"


class NotFound(RvlmsError):
    status = 404
    title = "Not found"


class Conflict(RvlmsError):
    status = 409
    title = "Conflict"


class PermissionDenied(RvlmsError):
    status = 403
    title = "Forbidden"


class KnowledgeBaseError(RvlmsError):
    status = 500
    title = "Knowledge base inconsistent"
