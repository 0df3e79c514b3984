"""Documentation that cannot drift: the rule reference is generated, every command and
setting is documented, and each package's public surface is what it declares."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
import typer

from rvlms.cli.main import app
from rvlms.pathway.reference import rules_markdown
from rvlms.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_rule_reference_is_generated() -> None:
    """docs/rules.md must equal `rvlms rules --markdown` (regenerate it after editing rules)."""
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == rules_markdown()


def _commands(typer_app: typer.Typer) -> list[str]:
    names = [
        c.name or (c.callback.__name__ if c.callback else "") for c in typer_app.registered_commands
    ]
    names += [g.name for g in typer_app.registered_groups if g.name]
    return names


@pytest.mark.parametrize("command", _commands(app))
def test_every_command_is_in_the_readme(command: str) -> None:
    assert f"rvlms {command}" in README or f"`{command}`" in README, command


@pytest.mark.parametrize("name", [n for n in Settings.model_fields])
def test_every_setting_is_in_the_readme(name: str) -> None:
    assert f"RVLMS_{name.upper()}" in README, name


PACKAGES = [
    "rvlms.case",
    "rvlms.scores",
    "rvlms.imaging",
    "rvlms.pathway",
    "rvlms.examples",
    "rvlms.registry",
    "rvlms.interchange",
    "rvlms.analysis",
    "rvlms.synth",
    "rvlms.reproduce",
    "rvlms.deid",
    "rvlms.fhir",
    "rvlms.network",
    "rvlms.literature",
    "rvlms.concordance",
]


@pytest.mark.parametrize("package", PACKAGES)
def test_public_surface(package: str) -> None:
    module = importlib.import_module(package)
    exported = module.__all__
    assert len(exported) == len(set(exported))
    for name in exported:
        assert hasattr(module, name), f"{package}.{name}"
    own = {
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and not isinstance(value, type(importlib))
        and str(getattr(value, "__module__", "")).startswith(package)
    }
    assert own <= set(exported), sorted(own - set(exported))
