"""`rvlms fhir export|import`: cases in and out as FHIR R4 / mCODE."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Mount this module's commands on the ``rvlms`` application."""
