"""The command line, driven through Typer's runner and, for start-up, a real subprocess."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rvlms.cli.main import app
from rvlms.examples import zhang2021_paths

runner = CliRunner()
CASE1, CASE2, CASE3, CASE4 = (str(p) for p in zhang2021_paths())


def test_plan_json_contract() -> None:
    """The public plan contract (schema_version, classification, warnings, stages, ...)."""
    result = runner.invoke(app, ["plan", CASE4, "--format", "json"])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert plan["schema_version"] == "1.1"
    assert set(plan["classification"]) >= {
        "ivc_level",
        "imaging_type",
        "imaging_type_source",
        "definition",
    }
    assert plan["classification"]["imaging_type_source"] in ("radiologist", "rule")
    assert isinstance(plan["warnings"], list)
    stage = plan["stages"][0]
    assert set(stage) >= {"stage", "recommendations"}
    recommendation = next(r for s in plan["stages"] for r in s["recommendations"])
    assert set(recommendation) >= {"id", "text", "strength", "status", "evidence", "because"}
    assert recommendation["status"] in ("current", "superseded")
    assert set(recommendation["evidence"][0]) >= {"source", "locator"}
    for name in ("approach", "vascular_control", "reconstruction"):
        assert set(plan["decisions"][name]) >= {"preferred", "alternatives"}
    assert plan["decisions"]["approach"]["preferred"] == "open"
    assert plan["decisions"]["organ_resection"][0]["item"] == "nephrectomy"
    assert all(set(m) >= {"fact", "needed_for"} for m in plan["missing_facts"])
    assert all(set(v) >= {"date", "what"} for v in plan["follow_up"])


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_plan_readable_formats(fmt: str) -> None:
    result = runner.invoke(app, ["plan", CASE1, "--format", fmt, "--as-of", "preoperative"])
    assert result.exit_code == 0, result.output
    assert "before surgery" in result.stdout
    assert "Paraganglioma not excluded" in result.stdout
    assert "SUPERSEDED" in result.stdout
    assert "lenders2014" in result.stdout


def test_validate_exit_codes(tmp_path: Path) -> None:
    assert runner.invoke(app, ["validate", CASE1, CASE2]).exit_code == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "case_id: b\npathology: {size_cm: 0}\n"
        "complications: [{description: x, clavien_dindo: VI}]\n"
    )
    result = runner.invoke(app, ["validate", CASE1, str(bad)])
    assert result.exit_code == 1
    assert "pathology.size_cm" in result.stderr
    assert "complications.0.clavien_dindo" in result.stderr
    assert "allowed: I, II, IIIa, IIIb, IVa, IVb, V" in result.stderr
    assert "Traceback" not in result.output


def test_unreadable_file_is_a_usage_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("case_id: [unclosed\n")
    result = runner.invoke(app, ["plan", str(broken)])
    assert result.exit_code == 2
    assert "not valid YAML" in result.stderr
    assert runner.invoke(app, ["plan", str(tmp_path / "absent.yaml")]).exit_code == 2


def test_classify_json() -> None:
    result = runner.invoke(app, ["classify", CASE2, "--format", "json"])
    data = json.loads(result.stdout)
    assert data["imaging_type"] == "peripheral"
    assert "proposed, not from yang2025" in data["definition"]


def test_explain() -> None:
    result = runner.invoke(app, ["explain", CASE1, "reconstruction.primary-repair"])
    assert result.exit_code == 0
    assert "cannot be decided" in result.stdout
    assert "imaging.ivc_patency" in result.stdout
    unknown = runner.invoke(app, ["explain", CASE1, "no.such-rule"])
    assert unknown.exit_code == 2


@pytest.mark.parametrize("name", ["case", "plan"])
def test_schema(name: str) -> None:
    schema = json.loads(runner.invoke(app, ["schema", name]).stdout)
    version = {"case": "1.0", "plan": "1.1"}[name]
    assert schema["$id"] == f"urn:rvlms:schema:{name}:{version}"
    assert "properties" in schema


def test_map_mermaid_highlights_the_path() -> None:
    text = runner.invoke(app, ["map", "--case", CASE4, "--format", "mermaid"]).stdout
    assert text.startswith("flowchart TB")
    fired = next(line for line in text.splitlines() if "class " in line and line.endswith(" fired"))
    assert "r_vascular_staged_retrohepatic" in fired


def test_map_svg_with_graphviz(tmp_path: Path) -> None:
    if shutil.which("dot") is None:
        pytest.skip("Graphviz dot is not installed")
    out = tmp_path / "map.svg"
    result = runner.invoke(app, ["map", "--case", CASE4, "--format", "svg", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text().lstrip().startswith("<?xml") and "<svg" in out.read_text()


def test_score_is_mounted() -> None:
    result = runner.invoke(
        app, ["score", "ajcc", "--size-cm", "10.7", "--grade", "G2", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["stage"] == "IIIB"


def test_plan_path_imports_no_heavy_libraries() -> None:
    """`rvlms plan` must start fast: no pandas, matplotlib, lifelines or SQLAlchemy on its path."""
    code = (
        "import sys; from rvlms.cli.main import app\n"
        "from typer.testing import CliRunner\n"
        f"r = CliRunner().invoke(app, ['plan', {CASE3!r}, '--format', 'json'])\n"
        "assert r.exit_code == 0, r.output\n"
        "print(sorted(m for m in ('pandas', 'matplotlib', 'lifelines', 'sqlalchemy', 'scipy')"
        " if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_local_imaging_definition(tmp_path: Path) -> None:
    """The imaging-type criterion is configurable and every output names the one used."""
    from rvlms.imaging import default_definition

    local = default_definition().model_dump(mode="json")
    local.update(id="centre-x-v1", label="centre X thresholds", extraluminal_max_fraction=0.3)
    path = tmp_path / "definition.yaml"
    import yaml

    path.write_text(yaml.safe_dump(local))
    result = runner.invoke(app, ["classify", CASE1, "--format", "json", "--definition", str(path)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["definition"].startswith("definition used: centre-x-v1")
    local["extraluminal_max_fraction"] = 0.95
    path.write_text(yaml.safe_dump(local))
    bad = runner.invoke(app, ["plan", CASE1, "--definition", str(path)])
    assert bad.exit_code == 2
    assert "extraluminal_max_fraction must be below" in bad.stderr
