"""``rvlms registry import --update`` on a real SQLite file: a re-imported export changes
nothing, and one edited case is the only one reported changed and given a new version.

Oracle: zhang2021 Table 1 (case 2 tumour 4.2 cm), the four cases shipped as examples.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from rvlms.cli.registry_cmd import registry_app
from rvlms.examples import zhang2021_paths
from rvlms.registry import Registry

app = typer.Typer()
app.add_typer(registry_app, name="registry")
runner = CliRunner()
CASE_IDS = [f"zhang2021-case{i}" for i in range(1, 5)]


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    for args in (
        ["init", "--db", url],
        ["add", *[str(p) for p in zhang2021_paths()], "--db", url, "--user", "alice"],
    ):
        result = runner.invoke(app, ["registry", *args])
        assert result.exit_code == 0, result.output
    return url


def _export(db: str, out: Path) -> Path:
    result = runner.invoke(
        app, ["registry", "export", "--format", "json", "--out", str(out), "--db", db]
    )
    assert result.exit_code == 0, result.output
    return out


def _versions(db: str) -> dict[str, int]:
    with Registry(db) as registry:
        return {s.case_id: s.version for s in registry.list()}


def _update(db: str, file: Path) -> tuple[int, str]:
    result = runner.invoke(
        app, ["registry", "import", str(file), "--update", "--db", db, "--user", "bob"]
    )
    return result.exit_code, result.stdout


def test_reimporting_an_export_changes_nothing(db: str, tmp_path: Path) -> None:
    exported = _export(db, tmp_path / "cases.json")
    before = _versions(db)
    assert before == dict.fromkeys(CASE_IDS, 1)

    code, report = _update(db, exported)

    assert code == 0, report
    assert "0 added, 0 changed, 4 unchanged, 0 conflicted, 0 refused" in report
    assert "changed: " not in report
    assert _versions(db) == before


def test_one_edited_case_is_the_only_change(db: str, tmp_path: Path) -> None:
    exported = _export(db, tmp_path / "cases.json")
    documents = json.loads(exported.read_text(encoding="utf-8"))
    cases = documents if isinstance(documents, list) else documents["cases"]
    edited = next(c for c in cases if c["case_id"] == "zhang2021-case2")
    assert edited["imaging"]["max_diameter_cm"] == 4.2
    edited["imaging"]["max_diameter_cm"] = 5.0
    exported.write_text(json.dumps(documents), encoding="utf-8")

    code, report = _update(db, exported)

    assert code == 0, report
    assert "0 added, 1 changed, 3 unchanged, 0 conflicted, 0 refused" in report
    assert "changed: zhang2021-case2\n  imaging.max_diameter_cm: 4.2 → 5" in report
    assert _versions(db) == {**dict.fromkeys(CASE_IDS, 1), "zhang2021-case2": 2}
    with Registry(db) as registry:
        stored = registry.get("zhang2021-case2")
        assert stored.case.imaging is not None
        assert stored.case.imaging.max_diameter_cm == 5.0
        assert "bob" in stored.updated_by


def test_update_refuses_rejects_with_usage_error(db: str, tmp_path: Path) -> None:
    exported = _export(db, tmp_path / "cases.json")
    result = runner.invoke(
        app,
        [
            "registry",
            "import",
            str(exported),
            "--update",
            "--skip-invalid",
            "--rejects",
            str(tmp_path / "r.csv"),
            "--db",
            db,
        ],
    )
    assert result.exit_code == 2
    assert "--rejects" in result.stderr and "--update" in result.stderr
    assert _versions(db) == dict.fromkeys(CASE_IDS, 1)
