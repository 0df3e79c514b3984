"""The configurable criterion that turns imaging findings into a yang2025 imaging type."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

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


def load_definition(path: Path) -> ImagingDefinition:
    """A local definition (same keys as the packaged ``imaging_definition.yaml``), so a centre
    can change the thresholds or adopt the published definition once it is available."""
    from rvlms.errors import FileUnreadable, InputError

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise FileUnreadable(f"{path}: {exc}") from None
    try:
        return ImagingDefinition.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(file)'}: {e['msg']}" for e in exc.errors()
        )
        raise InputError(f"{path}: invalid imaging definition: {problems}") from None


@cache
def default_definition() -> ImagingDefinition:
    text = resources.files("rvlms.knowledge").joinpath("imaging_definition.yaml").read_text("utf-8")
    return ImagingDefinition.model_validate(yaml.safe_load(text))
