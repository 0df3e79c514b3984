"""All settings of rvlms in one typed table.

Values come from keyword arguments, then ``RVLMS_*`` environment variables, then the
defaults below. Nothing is read at import time: callers build a ``Settings`` when they need
one (``load_settings()``), so tests can point one instance at SQLite and another at
PostgreSQL.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, computed_field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRET = "change-me"


class CdsIssuer(BaseModel):
    """An EHR allowed to call the CDS Hooks service: its ``iss`` and where its public keys
    (a JWK Set, CDS Hooks 2.0 §Trusting CDS Clients) are, as a file or an https URL."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    iss: str = Field(min_length=1, max_length=500, description="The EHR's `iss` claim")
    jwks_url: str | None = Field(
        default=None, pattern=r"^https?://\S+$", description="URL of the EHR's JWK Set"
    )
    jwks_file: Path | None = Field(default=None, description="A JWK Set file (JSON)")

    @model_validator(mode="after")
    def _one_key_source(self) -> CdsIssuer:
        if (self.jwks_url is None) == (self.jwks_file is None):
            raise ValueError(f"EHR {self.iss!r}: set exactly one of jwks_url and jwks_file")
        return self


def default_data_dir() -> Path:
    """``$XDG_DATA_HOME/rvlms`` (usually ``~/.local/share/rvlms``)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "rvlms"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RVLMS_", extra="ignore")

    environment: Literal["local", "production"] = Field(
        default="local", description="'production' refuses placeholder secrets"
    )
    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="Where the default SQLite registry and generated files live",
    )
    db: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the registry; default: a SQLite file in data_dir",
    )
    user: str | None = Field(
        default=None, description="Who is recorded in the history for command-line edits"
    )
    secret_key: SecretStr = Field(
        default=SecretStr(PLACEHOLDER_SECRET), description="Signs session cookies and tokens"
    )
    min_cell_count: int = Field(
        default=5,
        ge=1,
        description="Researchers' tables and plots suppress counts below this number",
    )
    deid_key: SecretStr | None = Field(
        default=None,
        description="Secret of researchers' pseudonyms and date shifts (HMAC-SHA256); "
        "required in production, a demo key derived from secret_key elsewhere",
    )
    deid_dates: Literal["shift", "year-month"] = Field(
        default="shift",
        description="Dates in de-identified exports: 'shift' (per-patient offset, intervals "
        "kept) or 'year-month' (day set to the 1st)",
    )
    deid_shift_max_days: int = Field(
        default=182,
        ge=1,
        le=365,
        description="Largest per-patient date shift, in days either way",
    )
    behind_tls: bool = Field(
        default=False, description="Mark session cookies Secure (set when served over HTTPS)"
    )
    login_attempts_per_15_min: int = Field(
        default=5,
        ge=1,
        description="Failed sign-ins of one account before it is locked (backoff doubles)",
    )
    session_idle_minutes: int = Field(
        default=30, ge=1, le=1440, description="A web session ends after this long unused"
    )
    session_hours: int = Field(
        default=8, ge=1, le=72, description="A web session ends this long after sign-in"
    )
    max_request_bytes: int = Field(
        default=1_048_576,
        ge=1024,
        description="Larger request bodies are refused with 413, on every route",
    )
    follow_up_years: int = Field(
        default=5,
        ge=1,
        le=15,
        description="How far the concrete follow-up calendar reaches",
    )

    demo: bool = Field(
        default=False,
        description="Set by `rvlms serve --demo`: a throwaway registry with demonstration data",
    )
    cds_public_base_url: str | None = Field(
        default=None,
        pattern=r"^https?://[^/?#\s]+(/[^?#\s]*)?$",
        description="The URL EHRs reach rvlms at (e.g. https://rvlms.example.org); the CDS "
        "service URL (the JWT `aud`) and card links are built on it",
    )
    cds_issuers: list[CdsIssuer] = Field(
        default_factory=list,
        description='EHRs allowed to call the CDS service, as JSON: [{"iss": "...", '
        '"jwks_url": "https://..."} or {"iss": "...", "jwks_file": "/path/jwks.json"}]',
    )
    cds_allow_unauthenticated: bool = Field(
        default=False,
        description="Accept CDS calls without a JWT; only together with demo (rvlms serve --demo)",
    )
    cds_jwt_leeway_s: int = Field(
        default=30, ge=0, le=300, description="Clock skew allowed on the JWT's exp and iat"
    )
    cds_launch_ttl_minutes: int = Field(
        default=60, ge=1, le=1440, description="How long a card's link to the plan stays valid"
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def database_url(self) -> str:
        if self.db:
            return self.db
        return f"sqlite:///{self.data_dir / 'registry.sqlite3'}"

    @model_validator(mode="after")
    def _no_placeholder_secret_in_production(self) -> Settings:
        if (
            self.environment == "production"
            and self.secret_key.get_secret_value() == PLACEHOLDER_SECRET
        ):
            raise ValueError("RVLMS_SECRET_KEY must be set in production")
        return self

    @model_validator(mode="after")
    def _pseudonym_key_in_production(self) -> Settings:
        if self.environment == "production" and self.deid_key is None:
            raise ValueError(
                "RVLMS_DEID_KEY must be set in production: researchers' pseudonyms and date "
                "shifts need a secret of at least 16 characters"
            )
        return self

    @model_validator(mode="after")
    def _unauthenticated_cds_only_in_demo(self) -> Settings:
        if self.cds_allow_unauthenticated and not self.demo:
            raise ValueError(
                "RVLMS_CDS_ALLOW_UNAUTHENTICATED=true is allowed only with rvlms serve --demo; "
                "configure the EHRs in RVLMS_CDS_ISSUERS instead"
            )
        return self


def load_settings(**overrides: Any) -> Settings:
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
