"""``rvlms registry`` and ``rvlms redcap`` through Typer's runner, on a real database.

Clinical oracle: zhang2021 Table 1 (median operative time 314.5 min; case 2 tumour 4.2 cm).
"""

from __future__ import annotations

import csv
import io
import json
import statistics
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from rvlms.case import COHORT_COLUMNS
from rvlms.cli.common import cli_identity
from rvlms.cli.redcap_cmd import redcap_app
from rvlms.cli.registry_cmd import registry_app
from rvlms.examples import zhang2021_paths

app = typer.Typer()
app.add_typer(registry_app, name="registry")
app.add_typer(redcap_app, name="redcap")
runner = CliRunner()
CASE_FILES = [str(p) for p in zhang2021_paths()]
ACCOUNT = cli_identity().account
"""The operating-system user and host: what the history records for a command-line edit;
``--user``/``RVLMS_USER`` is only noted next to it."""


def _run(*args: str, db: str | None = None, user: str = "alice") -> object:
    extra = [] if db is None else ["--db", db]
    needs_user = args[1] in ("add", "edit", "import", "delete")
    return runner.invoke(app, [*args, *extra, *(["--user", user] if needs_user else [])])


@pytest.fixture
def db(db_url: str) -> str:
    result = runner.invoke(app, ["registry", "init", "--db", db_url])
    assert result.exit_code == 0, result.output
    assert "Registry ready at" in result.stdout
    result = runner.invoke(app, ["registry", "add", *CASE_FILES, "--db", db_url, "--user", "alice"])
    assert result.exit_code == 0, result.output
    return db_url


def test_add_list_show(db: str) -> None:
    listed = runner.invoke(app, ["registry", "list", "--format", "json", "--db", db])
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)
    assert [r["case_id"] for r in rows] == [f"zhang2021-case{i}" for i in range(1, 5)]
    assert {r["version"] for r in rows} == {1}

    table = runner.invoke(app, ["registry", "list", "--imaging-type", "intermediate", "--db", db])
    assert table.exit_code == 0
    assert "zhang2021-case3" in table.stdout and "zhang2021-case1" not in table.stdout

    shown = runner.invoke(app, ["registry", "show", "zhang2021-case2", "--db", db])
    assert shown.exit_code == 0
    assert shown.stdout.startswith("# zhang2021-case2: version 1")
    assert "max_diameter_cm: 4.2" in shown.stdout
    as_json = runner.invoke(
        app, ["registry", "show", "zhang2021-case2", "--format", "json", "--db", db]
    )
    assert json.loads(as_json.stdout)["imaging"]["max_diameter_cm"] == 4.2


def test_edit_with_set_then_stale_edit_is_refused(db: str) -> None:
    edit = ["registry", "edit", "zhang2021-case2", "--version", "1", "--db", db]
    first = runner.invoke(app, [*edit, "--set", "imaging.max_diameter_cm=4.5", "--user", "bob"])
    assert first.exit_code == 0, first.output
    assert "Saved zhang2021-case2 as version 2" in first.stdout
    assert "imaging.max_diameter_cm: 4.2 → 4.5" in first.stdout

    stale = runner.invoke(app, [*edit, "--set", "notes=late", "--user", "carol"])
    assert stale.exit_code == 1
    assert f"was changed by {ACCOUNT} (as bob)" in stale.stderr
    assert "you edited version 1" in stale.stderr
    assert "Traceback" not in stale.output

    history = runner.invoke(
        app, ["registry", "history", "zhang2021-case2", "--format", "json", "--db", db]
    )
    entries = json.loads(history.stdout)
    assert [(e["version"], e["action"], e["changed_by"]) for e in entries] == [
        (1, "create", f"{ACCOUNT} (as alice)"),
        (2, "update", f"{ACCOUNT} (as bob)"),
    ]
    text = runner.invoke(app, ["registry", "history", "zhang2021-case2", "--db", db])
    assert "imaging.max_diameter_cm" in text.stdout


def test_edit_with_a_file(db: str, tmp_path: Path) -> None:
    shown = runner.invoke(app, ["registry", "show", "zhang2021-case1", "--db", db])
    edited = tmp_path / "case1.yaml"
    edited.write_text(shown.stdout.replace("operative_time_min: 467", "operative_time_min: 470"))
    result = runner.invoke(
        app,
        [
            "registry",
            "edit",
            "zhang2021-case1",
            "--version",
            "1",
            "--file",
            str(edited),
            "--db",
            db,
            "--user",
            "bob",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "operation.operative_time_min: 467.0 → 470.0" in result.stdout


def test_invalid_edit_names_field_value_and_limit(db: str) -> None:
    result = runner.invoke(
        app,
        [
            "registry",
            "edit",
            "zhang2021-case2",
            "--version",
            "1",
            "--set",
            "imaging.max_diameter_cm=-1",
            "--db",
            db,
            "--user",
            "bob",
        ],
    )
    assert result.exit_code == 1
    assert "imaging.max_diameter_cm: Input should be greater than 0 cm (given: -1)" in result.stderr


@pytest.mark.parametrize(
    "arguments",
    [
        ["registry", "edit", "zhang2021-case2", "--version", "1"],
        ["registry", "edit", "zhang2021-case2", "--version", "1", "--set", "no-equals-sign"],
        ["registry", "list", "--imaging-type", "bogus"],
        ["registry", "export", "--format", "excel"],
    ],
)
def test_usage_errors_exit_2(sqlite_url: str, arguments: list[str]) -> None:
    result = runner.invoke(app, [*arguments, "--db", sqlite_url])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_missing_case_and_invalid_file_exit_1(sqlite_url: str, tmp_path: Path) -> None:
    missing = runner.invoke(app, ["registry", "show", "nobody", "--db", sqlite_url])
    assert missing.exit_code == 1
    assert "case 'nobody' is not in the registry" in missing.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("case_id: bad-1\ndemographics: {sex: unknown}\n")
    added = runner.invoke(app, ["registry", "add", str(bad), "--db", sqlite_url, "--user", "a"])
    assert added.exit_code == 1
    assert "demographics.sex" in added.stderr and "allowed: female, male" in added.stderr


def test_export_csv_is_the_cohort_table(db: str) -> None:
    """zhang2021 Table 1: median operative time 314.5 min."""
    result = runner.invoke(app, ["registry", "export", "--format", "csv", "--db", db])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0])[: len(COHORT_COLUMNS)] == list(COHORT_COLUMNS)
    assert statistics.median(float(r["operative_time_min"]) for r in rows) == 314.5


def test_export_import_with_rejects(db: str, tmp_path: Path) -> None:
    target = f"sqlite:///{tmp_path / 'target.sqlite3'}"
    wide = tmp_path / "cases.csv"
    result = runner.invoke(
        app, ["registry", "export", "--format", "wide-csv", "--out", str(wide), "--db", db]
    )
    assert result.exit_code == 0, result.output
    with wide.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    rows[0]["demographics__age_years"] = "old"
    with wide.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    refused = runner.invoke(app, ["registry", "import", str(wide), "--db", target, "--user", "bob"])
    assert refused.exit_code == 1
    assert "row 2, column demographics__age_years" in refused.stderr
    assert "nothing was imported" in refused.stderr

    rejects = tmp_path / "rejects.csv"
    partial = runner.invoke(
        app,
        [
            "registry",
            "import",
            str(wide),
            "--skip-invalid",
            "--rejects",
            str(rejects),
            "--db",
            target,
            "--user",
            "bob",
        ],
    )
    assert partial.exit_code == 0, partial.output
    assert "Imported 3 of 4 case(s)" in partial.stdout
    assert rejects.exists()


def test_deidentified_json_export(db: str) -> None:
    result = runner.invoke(
        app, ["registry", "export", "--format", "json", "--deidentified", "--db", db]
    )
    assert result.exit_code == 0, result.output
    documents = json.loads(result.stdout)
    assert len(documents) == 4 and all(not d.get("identity") for d in documents)


def test_delete_hides_the_case(db: str) -> None:
    result = runner.invoke(
        app, ["registry", "delete", "zhang2021-case4", "--db", db, "--user", "bob"]
    )
    assert result.exit_code == 0, result.output
    listed = runner.invoke(app, ["registry", "list", "--format", "json", "--db", db])
    assert "zhang2021-case4" not in listed.stdout


def test_redcap_dictionary(tmp_path: Path) -> None:
    printed = runner.invoke(app, ["redcap", "dictionary"])
    assert printed.exit_code == 0
    assert printed.stdout.startswith("Variable / Field Name,Form Name,Section Header,")
    out = tmp_path / "dictionary.csv"
    written = runner.invoke(app, ["redcap", "dictionary", "--out", str(out)])
    assert written.exit_code == 0
    assert out.read_text(encoding="utf-8") == printed.stdout


def test_user_and_database_from_the_environment(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RVLMS_DB", sqlite_url)
    monkeypatch.setenv("RVLMS_USER", "dana")
    added = runner.invoke(app, ["registry", "add", CASE_FILES[0]])
    assert added.exit_code == 0, added.output
    history = runner.invoke(app, ["registry", "history", "zhang2021-case1", "--format", "json"])
    assert json.loads(history.stdout)[0]["changed_by"] == f"{ACCOUNT} (as dana)"
