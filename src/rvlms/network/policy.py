"""A centre's release policy: what its node may send, configured on the node only.

The policy is node configuration (Flower ``--node-config``, or the keyword arguments of
:class:`NodePolicy`); the coordinator never sends it and cannot change it. It holds:

- ``centre``: the name the centre is reported under;
- ``registry``: the SQLite file or PostgreSQL URL of the centre's own rvlms registry
  (read on the node; it never leaves it);
- ``min_cell`` (k): the small-cell rule. Counts 1 to k-1 are sent as ``"<k"``; every
  released time-table row and histogram bin describes 0 or at least k patients; a survival
  or Cox query over a group with 1 to k-1 cases is refused. Five is the threshold of
  many registry disclosure policies (e.g. the "rule of five" in the NHS Digital / ONS
  statistical disclosure control guidance); the default follows it;
- ``times``: ``binned`` (default) sends event and censoring counts per time bin of
  ``bin_months``; ``exact`` sends them per distinct follow-up time, which the exact
  pooled Kaplan–Meier, log-rank and Cox need, and which only a data-sharing agreement
  that allows exact follow-up times should permit;
- ``variables``: the cohort columns the centre releases aggregates of;
- an inclusion filter (``synthetic``, ``imaging_type``, ``ivc_level``, ``sex``) applied
  to the registry before anything is computed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rvlms.analysis.variables import CATEGORICAL_VARIABLES, CONTINUOUS_VARIABLES
from rvlms.errors import InputError

__all__ = [
    "DEFAULT_MIN_CELL",
    "DEFAULT_VARIABLES",
    "NODE_CONFIG_KEYS",
    "NodePolicy",
    "PolicyError",
    "QueryRefused",
    "TimeMode",
]

TimeMode = Literal["exact", "binned"]

DEFAULT_MIN_CELL: Final[int] = 5
DEFAULT_BIN_MONTHS: Final[float] = 3.0

DEFAULT_VARIABLES: Final[tuple[str, ...]] = (
    *CATEGORICAL_VARIABLES,
    *CONTINUOUS_VARIABLES,
    "dfs_months",
    "os_months",
)

NODE_CONFIG_KEYS: Final[dict[str, str]] = {
    "centre": "name of the centre in reports (text)",
    "registry": "SQLite file or PostgreSQL URL of the centre's registry (text)",
    "min-cell": "small-cell threshold k (integer >= 1; default 5)",
    "times": "exact or binned (default binned)",
    "bin-months": "width of a time bin in months (number > 0; default 3)",
    "variables": "comma-separated cohort columns released (default: all analysis columns)",
    "synthetic": "include only synthetic (true) or only real (false) cases",
    "imaging-type": "include only this imaging type",
    "ivc-level": "include only this IVC level",
    "sex": "include only this sex",
}


class PolicyError(InputError):
    """The node configuration is invalid; the message names the key and allowed values."""


class QueryRefused(InputError):
    """A centre refuses a query that its policy does not allow.

    Raised on the node; the coordinator receives only the message, which names the centre,
    the rule and what the coordinator could ask instead.
    """

    status = 403
    title = "Query refused by the centre's policy"


class NodePolicy(BaseModel):
    """What one centre releases; see the module docstring for each field."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    centre: str = Field(min_length=1)
    registry: str = Field(min_length=1, repr=False)
    min_cell: int = Field(default=DEFAULT_MIN_CELL, ge=1)
    times: TimeMode = "binned"
    bin_months: float = Field(default=DEFAULT_BIN_MONTHS, gt=0)
    variables: tuple[str, ...] = DEFAULT_VARIABLES
    synthetic: bool | None = None
    imaging_type: str | None = None
    ivc_level: str | None = None
    sex: str | None = None

    def public(self) -> dict[str, object]:
        """The policy as reported to the coordinator: everything but the registry URL."""
        return self.model_dump(mode="json", exclude={"registry"})

    def inclusion(self) -> str:
        """The inclusion filter in words, for the report's provenance."""
        parts = [
            f"{name} = {value}"
            for name, value in (
                ("synthetic", self.synthetic),
                ("imaging_type", self.imaging_type),
                ("ivc_level", self.ivc_level),
                ("sex", self.sex),
            )
            if value is not None
        ]
        return "; ".join(parts) if parts else "all current cases"

    def require_variable(self, variable: str) -> None:
        """Refuse a query for a column this centre does not release."""
        if variable not in self.variables:
            raise QueryRefused(
                f"centre {self.centre} does not release variable {variable!r}; "
                f"allowed: {', '.join(self.variables)}"
            )

    @classmethod
    def from_node_config(cls, config: Mapping[str, object]) -> NodePolicy:
        """Build the policy from Flower node configuration (keys of :data:`NODE_CONFIG_KEYS`)."""
        unknown = sorted(set(config) - set(NODE_CONFIG_KEYS))
        if unknown:
            raise PolicyError(
                f"node config: unknown key(s) {', '.join(unknown)}; allowed: "
                + ", ".join(NODE_CONFIG_KEYS)
            )
        for key in ("centre", "registry"):
            if not str(config.get(key, "")).strip():
                raise PolicyError(f"node config: {key!r} is required ({NODE_CONFIG_KEYS[key]})")
        values: dict[str, object] = {
            key.replace("-", "_"): value for key, value in config.items() if key != "variables"
        }
        if "variables" in config:
            values["variables"] = tuple(
                v.strip() for v in str(config["variables"]).split(",") if v.strip()
            )
        if "synthetic" in config and isinstance(config["synthetic"], str):
            values["synthetic"] = config["synthetic"].strip().lower() in {"true", "1", "yes"}
        try:
            return cls.model_validate(values)
        except ValidationError as error:
            first = error.errors()[0]
            key = str(first["loc"][0]).replace("_", "-") if first["loc"] else "node config"
            raise PolicyError(
                f"node config {key!r}: {first['msg']}; expected {NODE_CONFIG_KEYS.get(key, key)}"
            ) from error
