"""The two questions a coordinator may ask a centre, as data.

Both travel as JSON, so any engine (Flower here, a vantage6 algorithm, a plain function
call in tests) carries them unchanged:

- :class:`SummaryQuery`: counts per category, binned histograms of continuous
  variables, and the Kaplan–Meier / log-rank time tables of each endpoint, by group;
- :class:`CoxQuery`: the Cox partial-likelihood pieces at the coordinator's current β
  (one federated Newton–Raphson iteration, WebDISCO: Lu CL et al., "WebDISCO: a web
  service for distributed Cox model learning without patient-level data sharing",
  J Am Med Inform Assoc 2015;22(6):1212-9).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from rvlms.analysis.survival import Endpoint

__all__ = ["CoxCovariate", "CoxQuery", "Query", "SummaryQuery", "parse_query"]


class SummaryQuery(BaseModel):
    """Round one: everything that needs no model parameters."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["summary"] = "summary"
    by: str | None = "imaging_type"
    categorical: tuple[str, ...] = ()
    continuous: tuple[str, ...] = ()
    endpoints: tuple[Endpoint, ...] = ("dfs", "os")
    cox_covariates: tuple[str, ...] = ("imaging_type",)
    cox_endpoint: Endpoint = "dfs"


class CoxCovariate(BaseModel):
    """One covariate of the model; a categorical one carries its pooled levels, the first
    being the reference, so that every centre codes the indicators alike."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    levels: tuple[str, ...] = ()


class CoxQuery(BaseModel):
    """One Newton–Raphson iteration: score and information pieces at ``beta``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["cox"] = "cox"
    endpoint: Endpoint = "dfs"
    covariates: tuple[CoxCovariate, ...]
    terms: tuple[str, ...]
    beta: tuple[float, ...]
    ties: Literal["efron", "breslow"] = "efron"
    iteration: int = Field(default=0, ge=0)


Query = SummaryQuery | CoxQuery

_ADAPTER: TypeAdapter[SummaryQuery | CoxQuery] = TypeAdapter(
    SummaryQuery | CoxQuery  # discriminated by ``kind``
)


def parse_query(data: dict[str, Any]) -> Query:
    """A query from its JSON form (raises pydantic's ValidationError when malformed)."""
    return _ADAPTER.validate_python(data)
