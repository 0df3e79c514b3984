"""Common shape of every score result: immutable, and carrying its citation."""

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

from rvlms.scores.citations import CitationKey


class ScoreResult(BaseModel):
    """Base of the result objects; a result is a record of a computation, so it is frozen.

    Derived (computed) fields appear in dumps but are recomputed, not read, when a stored result
    is loaded back, so a JSON dump always round-trips while unknown keys are still refused.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str
    citation_key: CitationKey

    @model_validator(mode="before")
    @classmethod
    def _recompute_derived_fields(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {
                key: value for key, value in data.items() if key not in cls.model_computed_fields
            }
        return data
