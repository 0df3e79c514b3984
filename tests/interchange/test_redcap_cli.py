"""``rvlms redcap dictionary|project|check|import`` through Typer's runner, on a real SQLite
registry file."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

from typer.testing import CliRunner

from rvlms.case import Case
from rvlms.cli.main import app
from rvlms.interchange import export_cases, redcap_dictionary
from rvlms.registry import Registry

runner = CliRunner()


def test_dictionary_prints_and_writes(tmp_path: Path) -> None:
    printed = runner.invoke(app, ["redcap", "dictionary"])
    assert printed.exit_code == 0
    assert printed.stdout.startswith("Variable / Field Name,Form Name,Section Header,")
    assert printed.stdout == redcap_dictionary()
    out = tmp_path / "d" / "dictionary.csv"
    written = runner.invoke(app, ["redcap", "dictionary", "--out", str(out)])
    assert written.exit_code == 0
    assert out.read_text(encoding="utf-8") == printed.stdout


def test_project_xml(tmp_path: Path) -> None:
    out = tmp_path / "project.xml"
    result = runner.invoke(app, ["redcap", "project", "--out", str(out)])
    assert result.exit_code == 0, result.output
    root = ET.parse(out).getroot()
    assert root.get("ODMVersion") == "1.3.1"


def test_check_passes_ours_and_names_problems(tmp_path: Path) -> None:
    good = tmp_path / "dictionary.csv"
    good.write_text(redcap_dictionary(), encoding="utf-8")
    passed = runner.invoke(app, ["redcap", "check", str(good)])
    assert passed.exit_code == 0 and "no problems" in passed.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text(redcap_dictionary().replace("\ndem_age,", "\ndemographics_age_at_diagnosis,"))
    failed = runner.invoke(app, ["redcap", "check", str(bad)])
    assert failed.exit_code == 1
    assert "demographics_age_at_diagnosis" in failed.output and "26" in failed.output
    missing = runner.invoke(app, ["redcap", "check", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 2 and "Traceback" not in missing.output


def test_import_in_update_mode(zhang_cases: list[Case], tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cases.sqlite3'}"
    with Registry(url) as registry:
        registry.add_many(zhang_cases[:3], "alice")
    path = tmp_path / "records.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        export_cases(zhang_cases, "redcap", out)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    next(r for r in rows if r["record_id"] == "zhang2021-case2")["dem_age"] = "62"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")

    dry = runner.invoke(app, ["redcap", "import", str(path), "--db", url, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "1 added, 1 changed, 2 unchanged" in dry.stdout
    assert "demographics.age_years: 61 → 62" in dry.stdout
    with Registry(url) as registry:
        assert registry.count() == 3

    done = runner.invoke(
        app, ["redcap", "import", str(path), "--db", url, "--user", "bob", "--report", "json"]
    )
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    assert report["written"] and report["counts"]["added"] == 1
    again = runner.invoke(app, ["redcap", "import", str(path), "--db", url, "--user", "bob"])
    assert "0 added, 0 changed, 4 unchanged" in again.stdout
    with Registry(url) as registry:
        assert registry.get("zhang2021-case2").version == 2
        assert registry.get("zhang2021-case2").updated_by == "bob"
        from rvlms.web.audit import AuditLog

        written = {(e.action, e.case_id) for e in AuditLog(registry.engine).entries()}
    assert written == {("case.import", "zhang2021-case4"), ("case.update", "zhang2021-case2")}


def test_import_refusal_exits_1(zhang_cases: list[Case], tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cases.sqlite3'}"
    path = tmp_path / "records.csv"
    path.write_text("record_id,dem_age\nx1,300\n", encoding="utf-8")
    result = runner.invoke(app, ["redcap", "import", str(path), "--db", url, "--user", "bob"])
    assert result.exit_code == 1
    assert "refused: x1" in result.stdout and "dem_age" in result.stdout
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("record_id,nope\nx1,1\n", encoding="utf-8")
    refused = runner.invoke(app, ["redcap", "import", str(wrong), "--db", url, "--user", "bob"])
    assert refused.exit_code == 1 and "nope" in refused.output
    assert "Traceback" not in refused.output
