"""Option vocabularies and the error exit shared by the ``rvlms network`` commands."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["MissingOption", "RootCertificatesOption", "TimeOption", "network_error"]

RootCertificatesOption = Annotated[
    Path | None,
    typer.Option(
        "--root-certificates",
        exists=True,
        dir_okay=False,
        help="CA of the SuperLink's TLS certificate.",
    ),
]


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
