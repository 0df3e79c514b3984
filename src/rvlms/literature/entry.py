"""One published case: its citation, its case record and what the treating team did.

A corpus file is YAML with four parts. ``citation`` names the publication; ``quote`` is the
key sentence, verbatim, so anyone can check the encoding; ``case`` is an ordinary rvlms case
record holding what the source states (pre-operative findings in ``imaging``, ``biopsy`` and
``labs``; the operation, specimen and follow-up in their own sections); ``done`` is what the
team decided, per decision, in the plan's vocabularies. Where the source is silent a field
stays empty: an absent ``done`` entry is "not reported", never "none".
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from rvlms.case import Case
from rvlms.case.vocab import (
    Approach,
    OrganResection,
    PerioperativeTherapy,
    Reconstruction,
    Resectability,
    Side,
    SystemicTherapy,
    VascularControl,
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Citation(_Model):
    authors: str = Field(min_length=2, description="First authors as printed, 'et al.' after three")
    title: str = Field(min_length=5)
    journal: str = Field(min_length=2)
    year: int = Field(ge=1900, le=2100)
    volume_pages: str | None = None
    doi: str | None = Field(default=None, pattern=r"^10\.\d{4,9}/\S+$")
    pmid: str | None = Field(default=None, pattern=r"^\d{5,9}$")
    url: str | None = None

    @model_validator(mode="after")
    def _resolvable(self) -> Citation:
        if not (self.doi or self.pmid or self.url):
            raise ValueError("give the DOI, the PMID or the URL of the publication")
        return self

    @property
    def short(self) -> str:
        first = self.authors.split(",")[0].strip()
        return f"{first} et al., {self.journal} {self.year}"

    @property
    def text(self) -> str:
        where = f" {self.volume_pages}" if self.volume_pages else ""
        ident = f" doi:{self.doi}" if self.doi else (f" PMID {self.pmid}" if self.pmid else "")
        authors, title = self.authors.rstrip("."), self.title.rstrip(".")
        return f"{authors}. {title}. {self.journal} {self.year}{where}.{ident}"


class OrganDone(_Model):
    item: OrganResection
    side: Side | None = None


class Done(_Model):
    """What the treating team did, decision by decision (``None``: the source does not say)."""

    resectability: Resectability | None = None
    approach: Approach | None = None
    vascular_control: list[VascularControl] | None = None
    reconstruction: list[Reconstruction] | None = None
    organ_resection: list[OrganDone] | None = Field(
        default=None, description="[] when the source says no organ was removed"
    )
    neoadjuvant: PerioperativeTherapy | None = None
    adjuvant: PerioperativeTherapy | None = None
    systemic_therapy: SystemicTherapy | None = None

    def known(self) -> dict[str, object]:
        return {name: value for name, value in self if value is not None}


Quote = Annotated[str, StringConstraints(min_length=10, max_length=600)]


class PublishedCase(_Model):
    id: str
    citation: Citation
    quote: Quote = Field(description="The key sentence of the source, verbatim")
    source_case: str | None = Field(
        default=None, description="Which patient of the publication, e.g. 'case 2 of 5'"
    )
    case: Case
    done: Done = Field(default_factory=Done)
    notes: str | None = Field(default=None, description="What the source leaves open")

    @model_validator(mode="after")
    def _ids_agree(self) -> PublishedCase:
        if self.case.case_id != self.id:
            raise ValueError(f"case.case_id {self.case.case_id!r} differs from id {self.id!r}")
        return self
