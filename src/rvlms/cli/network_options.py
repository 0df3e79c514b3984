"""Option vocabularies and the error exit shared by the ``rvlms network`` commands."""

from __future__ import annotations

import enum

import typer

__all__ = ["MissingOption", "TimeOption", "network_error"]


class TimeOption(enum.StrEnum):
    exact = "exact"
    binned = "binned"


class MissingOption(enum.StrEnum):
    fail = "fail"
    report = "report"


def network_error(message: str, code: int = 2) -> typer.Exit:
    """Print ``error: message`` and give the exit to raise (status 2: bad usage)."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)
