"""What every command shares: reading a case file and turning errors into clear messages."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer
from rich.console import Console

from rvlms.errors import CaseInvalid, InputError, RvlmsError

if TYPE_CHECKING:
    from rvlms.case import Case

EXIT_INVALID = 1
EXIT_USAGE = 2

err_console = Console(stderr=True, highlight=False)


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {message}", markup=True, soft_wrap=True)
    raise typer.Exit(code)


def report_invalid(exc: CaseInvalid) -> None:
    where = f" in {exc.source}" if exc.source else ""
    err_console.print(f"[bold red]invalid case{where}[/]: {len(exc.problems)} problem(s)")
    for problem in exc.problems:
        err_console.print(f"  • {problem.as_text()}", markup=False, soft_wrap=True)


@contextmanager
def clinical_errors() -> Iterator[None]:
    """Render rvlms errors as messages with meaningful exit codes, never tracebacks."""
    try:
        yield
    except CaseInvalid as exc:
        report_invalid(exc)
        raise typer.Exit(EXIT_INVALID) from None
    except InputError as exc:
        fail(str(exc), EXIT_USAGE)
    except RvlmsError as exc:
        fail(f"{exc.title}: {exc}", EXIT_INVALID)


def read_case(path: Path) -> Case:
    from rvlms.case import load_case

    return load_case(path)
