"""What the registry hands back: a stored case with its version, list rows and revisions."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from rvlms.case import Case
from rvlms.registry.tables import DEFAULT_CENTRE

__all__ = ["Action", "CaseSummary", "Change", "Revision", "StoredCase"]

Action = Literal["create", "update", "delete"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class StoredCase(_Frozen):
    """A case as the registry holds it; ``version`` is what an edit must name."""

    case: Case
    version: int
    centre: str = DEFAULT_CENTRE
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str

    @property
    def case_id(self) -> str:
        return self.case.case_id


class CaseSummary(_Frozen):
    """One line of a case list: the filterable fields and who touched the case last."""

    case_id: str
    version: int
    centre: str | None
    imaging_type: str | None
    ivc_level: str | None
    sex: str | None
    synthetic: bool
    updated_at: datetime
    updated_by: str
    deleted: bool = False
    centre_code: str = DEFAULT_CENTRE


class Change(_Frozen):
    """One field that differs between two versions (dotted path, as in validation errors)."""

    path: str
    old: Any = None
    new: Any = None


class Revision(_Frozen):
    """One entry of a case's history: who did what, when, and the full record afterwards."""

    case_id: str
    version: int
    action: Action
    changed_by: str
    changed_at: datetime
    changes: list[Change]
    data: dict[str, Any]

    @property
    def case(self) -> Case:
        from rvlms.case import parse_case

        return parse_case(self.data, source=f"{self.case_id} version {self.version}")
