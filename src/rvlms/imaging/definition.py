"""The configurable criterion that turns imaging findings into a yang2025 imaging type."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from rvlms.case.vocab import Vessel


class EvidenceRef(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str
    locator: str


class ImagingDefinition(BaseModel):
    """Thresholds of the imaging-type rule; every output names the definition it used."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    label: str
    status: str
    intraluminal_min_fraction: float = Field(gt=0, le=1)
    extraluminal_max_fraction: float = Field(ge=0, lt=1)
    tributaries: tuple[Vessel, ...]
    evidence: tuple[EvidenceRef, ...]

    @model_validator(mode="after")
    def _ordered(self) -> ImagingDefinition:
        if self.extraluminal_max_fraction >= self.intraluminal_min_fraction:
            raise ValueError("extraluminal_max_fraction must be below intraluminal_min_fraction")
        return self

    @property
    def described(self) -> str:
        return f"definition used: {self.id}: {self.label}"


@cache
def default_definition() -> ImagingDefinition:
    text = resources.files("rvlms.knowledge").joinpath("imaging_definition.yaml").read_text("utf-8")
    return ImagingDefinition.model_validate(yaml.safe_load(text))
