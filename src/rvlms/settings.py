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

from pydantic import Field, SecretStr, computed_field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRET = "change-me"


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
    behind_tls: bool = Field(
        default=False, description="Mark session cookies Secure (set when served over HTTPS)"
    )
    login_attempts_per_15_min: int = Field(default=5, ge=1)
    follow_up_years: int = Field(
        default=5,
        ge=1,
        le=15,
        description="How far the concrete follow-up calendar reaches",
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


def load_settings(**overrides: Any) -> Settings:
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
