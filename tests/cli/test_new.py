"""``rvlms new``: the template it writes validates with ``rvlms validate`` once case_id is set."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rvlms.case.template import TEMPLATE_VESSELS
from rvlms.cli.main import app
from rvlms.cli.new_cmd import TemplateVessel

runner = CliRunner()


def _fill(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^case_id:.*$", "case_id: new-1", text), encoding="utf-8")


@pytest.mark.parametrize("vessel", [None, *(v.value for v in TEMPLATE_VESSELS)])
def test_template_validates_after_filling_case_id(tmp_path: Path, vessel: str | None) -> None:
    out = tmp_path / "case.yaml"
    args = ["new", "--out", str(out)] + (["--vessel", vessel] if vessel else [])
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "rvlms validate" in result.stderr
    unfilled = runner.invoke(app, ["validate", str(out)])
    assert unfilled.exit_code == 1
    assert "case_id" in unfilled.stderr
    _fill(out)
    checked = runner.invoke(app, ["validate", str(out)])
    assert checked.exit_code == 0, checked.output
    if vessel:
        assert f"vessel_of_origin: {vessel}" in out.read_text(encoding="utf-8")


def test_template_to_stdout() -> None:
    result = runner.invoke(app, ["new", "--vessel", "renal_vein"])
    assert result.exit_code == 0
    assert "vessel_of_origin: renal_vein" in result.stdout
    assert "max_diameter_cm:" in result.stdout


def test_existing_file_is_kept_without_force(tmp_path: Path) -> None:
    out = tmp_path / "case.yaml"
    out.write_text("keep me", encoding="utf-8")
    refused = runner.invoke(app, ["new", "--out", str(out)])
    assert refused.exit_code == 2
    assert "--force" in refused.stderr
    assert out.read_text(encoding="utf-8") == "keep me"
    forced = runner.invoke(app, ["new", "--out", str(out), "--force"])
    assert forced.exit_code == 0
    assert "case_id:" in out.read_text(encoding="utf-8")


def test_unknown_vessel_is_a_usage_error() -> None:
    result = runner.invoke(app, ["new", "--vessel", "aorta"])
    assert result.exit_code == 2


def test_cli_vessels_are_the_template_vessels() -> None:
    assert [v.value for v in TemplateVessel] == [v.value for v in TEMPLATE_VESSELS]
