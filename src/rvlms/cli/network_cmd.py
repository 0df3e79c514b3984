"""`rvlms network node|analyze|demo`: federated analysis across centres on Flower."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Mount this module's commands on the ``rvlms`` application."""
