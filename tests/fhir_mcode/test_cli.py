"""`rvlms fhir export|import` as real processes on real files and a real SQLite registry."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

from rvlms.examples import zhang2021_paths
from rvlms.registry import Registry

RVLMS = [str(Path(sys.executable).with_name("rvlms"))]


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(cwd), "RVLMS_DATA_DIR": str(cwd / "data")}
    return subprocess.run(
        [*RVLMS, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_export_import_and_cohort_ndjson_through_a_registry(tmp_path: Path) -> None:
    """A case file out as a Bundle, into a registry, and the registry out as NDJSON."""
    case4 = zhang2021_paths()[3]
    out = _run("fhir", "export", str(case4), "--out", "case4.json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    bundle = json.loads((tmp_path / "case4.json").read_text("utf-8"))
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"

    printed = _run("fhir", "import", "case4.json", cwd=tmp_path)
    assert printed.returncode == 0, printed.stderr
    record = yaml.safe_load(printed.stdout)
    assert record["case_id"] == "zhang2021-case4"
    assert record["imaging"]["max_diameter_cm"] == 10.7

    db = f"sqlite:///{tmp_path / 'cases.sqlite3'}"
    added = _run("fhir", "import", "case4.json", "--db", db, "--user", "dr.li", cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    assert "1 case(s) added" in added.stdout
    registry = Registry(db)
    try:
        assert registry.get("zhang2021-case4").case.pathology.fnclcc_grade == "G2"
        from rvlms.web.audit import AuditLog

        (entry,) = AuditLog(registry.engine).entries()
        assert (entry.action, entry.case_id, entry.via) == ("case.import", "zhang2021-case4", "cli")
        assert entry.outcome == "succeeded" and "case4.json" in (entry.detail or "")
    finally:
        registry.close()
    again = _run("fhir", "import", "case4.json", "--db", db, cwd=tmp_path)
    assert again.returncode != 0 and "already in the registry" in again.stderr
    assert "Traceback" not in again.stderr

    bulk = _run("fhir", "export", "--db", db, "--ndjson", "bulk", cwd=tmp_path)
    assert bulk.returncode == 0, bulk.stderr
    assert (tmp_path / "bulk" / "Patient.ndjson").read_text("utf-8").count("\n") == 1
    one = _run("fhir", "export", "zhang2021-case4", "--db", db, "--deidentified", cwd=tmp_path)
    assert one.returncode == 0 and json.loads(one.stdout)["resourceType"] == "Bundle"


def test_bad_files_and_options_give_one_clear_message(tmp_path: Path) -> None:
    (tmp_path / "not.json").write_text("{oops", encoding="utf-8")
    (tmp_path / "obs.json").write_text(json.dumps({"resourceType": "Observation"}), "utf-8")
    (tmp_path / "bad.ndjson").write_text(
        json.dumps({"resourceType": "Patient", "id": "p1", "birthDate": "31/12/1960"}) + "\n",
        encoding="utf-8",
    )
    cases = {
        ("fhir", "import", "missing.json"): "does not exist",
        ("fhir", "import", "not.json"): "is not JSON (line 1",
        ("fhir", "import", "obs.json"): "expected 'Bundle'",
        ("fhir", "import", "bad.ndjson"): "bad.ndjson:1(Patient/p1).birthDate",
        ("fhir", "export"): "give CASE (a case file) or --db URL",
    }
    for args, message in cases.items():
        result = _run(*args, cwd=tmp_path)
        assert result.returncode != 0, args
        assert message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr
