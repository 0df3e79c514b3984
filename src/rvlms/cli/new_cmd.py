"""``rvlms new``: a commented YAML template of a case record to fill in.

Mounted on the main application with :func:`register`. The template is written from the
case record's own fields (:func:`rvlms.case.template.case_template`), so what it explains is
what ``rvlms validate`` accepts.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from rvlms.cli.common import err_console, fail

__all__ = ["TemplateVessel", "new_command", "register"]


class TemplateVessel(StrEnum):
    """The vessels of origin a template is written for (``rvlms.case.template``)."""

    ivc = "ivc"
    renal_vein = "renal_vein"
    adrenal_vein = "adrenal_vein"
    gonadal_vein = "gonadal_vein"
    iliac_vein = "iliac_vein"


def new_command(
    vessel: Annotated[
        TemplateVessel | None,
        typer.Option(
            "--vessel",
            help="Vessel of origin: the template holds the sections it needs and names it; "
            "default: every field",
            case_sensitive=False,
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the template to this file")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file")] = False,
) -> None:
    """A commented YAML template of a case: every field with its meaning, unit and words."""
    from rvlms.case.template import case_template

    text = case_template(vessel.value if vessel is not None else None)
    if out is None:
        typer.echo(text, nl=False)
        return
    if out.exists() and not force:
        fail(f"{out} exists; choose another file or add --force to overwrite it")
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"{out}: {exc.strerror or exc}")
    err_console.print(
        f"written: {out} — fill in case_id, then check it with: rvlms validate {out}",
        markup=False,
        soft_wrap=True,
    )


def register(app: typer.Typer) -> None:
    app.command("new")(new_command)
