"""The analyze / reproduce / synth / power commands, through Typer's test runner."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from rvlms.analysis import read_cohort_csv
from rvlms.cli.analysis_cmd import register

from .conftest import zhang2021_table1


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    application = typer.Typer()
    register(application)
    return application


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def yang_csv(app: typer.Typer, runner: CliRunner, tmp_path: Path) -> Path:
    path = tmp_path / "yang.csv"
    result = runner.invoke(app, ["synth", "--yang2025", "--format", "csv", "--out", str(path)])
    assert result.exit_code == 0, result.output
    return path


def test_commands_are_top_level(app: typer.Typer, runner: CliRunner) -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("analyze", "reproduce", "synth", "power"):
        assert command in result.stdout


def test_analyze_json_contract(app: typer.Typer, runner: CliRunner, yang_csv: Path) -> None:
    """Yang 2025 abstract: median DFS 19.0 months; between-type tests listed."""
    result = runner.invoke(app, ["analyze", "--from", str(yang_csv), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    dfs = data["survival"]["dfs"]
    assert dfs["median_months"] == 19.0
    assert isinstance(dfs["ci95"], list) and len(dfs["ci95"]) == 2
    assert set(dfs["logrank"]) >= {"statistic", "df", "p"}
    assert dfs["logrank"]["df"] == 3
    assert data["comparisons"]
    for comparison in data["comparisons"]:
        assert {"variable", "test", "statistic", "p"} <= set(comparison)
    assert data["synthetic"] is True
    assert data["methods"]["synthetic"] is True
    assert "Cox model not fitted" in result.stderr


def test_analyze_text_html_and_plots(
    app: typer.Typer, runner: CliRunner, yang_csv: Path, tmp_path: Path
) -> None:
    text = runner.invoke(app, ["analyze", "--from", str(yang_csv), "--min-cell", "5"])
    assert text.exit_code == 0, text.output
    assert text.stdout.startswith("*** SYNTHETIC DATA")
    assert "<5" in text.stdout
    report = tmp_path / "report.html"
    plots = tmp_path / "plots"
    html = runner.invoke(
        app,
        [
            "analyze",
            "--from",
            str(yang_csv),
            "--format",
            "html",
            "--out",
            str(report),
            "--plots",
            str(plots),
            "--by",
            "margin",
        ],
    )
    assert html.exit_code == 0, html.output
    assert report.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert (plots / "km_dfs_by_margin.svg").exists()


def test_analyze_rejects_bad_input(app: typer.Typer, runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    frame = zhang2021_table1()
    frame.loc[1, "sex"] = "F"
    frame.to_csv(bad, index=False)
    result = runner.invoke(app, ["analyze", "--from", str(bad)])
    assert result.exit_code == 2
    assert "column 'sex'" in result.stderr and "female, male" in result.stderr
    db = runner.invoke(app, ["analyze", "--db", "sqlite:///x.db"])
    assert db.exit_code == 2
    assert "no registry at sqlite:///x.db" in db.stderr
    neither = runner.invoke(app, ["analyze"])
    assert neither.exit_code == 2


def test_reproduce_json(app: typer.Typer, runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["reproduce", "yang2025", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["rows"]
    assert all({"quantity", "published", "reproduced", "match"} <= set(r) for r in rows)
    zhang = tmp_path / "zhang.csv"
    zhang2021_table1().to_csv(zhang, index=False)
    result = runner.invoke(
        app, ["reproduce", "zhang2021", "--from", str(zhang), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["all_match"] is True


def test_reproduce_text_is_side_by_side(app: typer.Typer, runner: CliRunner) -> None:
    result = runner.invoke(app, ["reproduce", "yang2025"])
    assert result.exit_code == 0, result.output
    assert "Published" in result.stdout and "Reproduced" in result.stdout
    assert "SYNTHETIC DATA" in result.stdout


def test_synth_is_deterministic_and_valid(
    app: typer.Typer, runner: CliRunner, tmp_path: Path
) -> None:
    first = runner.invoke(app, ["synth", "--n", "60", "--seed", "3"])
    second = runner.invoke(app, ["synth", "--n", "60", "--seed", "3"])
    assert first.exit_code == 0
    assert first.stdout == second.stdout
    path = tmp_path / "s.csv"
    path.write_text(first.stdout, encoding="utf-8")
    assert len(read_cohort_csv(path)) == 60
    as_json = runner.invoke(app, ["synth", "--n", "5", "--seed", "3", "--format", "json"])
    data = json.loads(as_json.stdout)
    assert data["synthetic"] is True
    assert len(data["rows"]) == 5
    assert data["rows"][0]["case_id"] == "SYN-0001"
    assert pd.DataFrame(data["rows"])["synthetic"].eq(1).all()


def test_power_json(app: typer.Typer, runner: CliRunner) -> None:
    result = runner.invoke(
        app,
        [
            "power",
            "--hr",
            "2.0",
            "--power",
            "0.8",
            "--alpha",
            "0.05",
            "--p-event-exp",
            "0.4583333",
            "--p-event-con",
            "0.4583333",
            "--ratio",
            "1",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["events_required"] == 71
    assert data["n_total"] == 156
    bad = runner.invoke(app, ["power", "--hr", "1"])
    assert bad.exit_code == 2


def test_cohort_report_pdf_and_html(app: typer.Typer, runner: CliRunner, tmp_path: Path) -> None:
    """The cohort report: figures, methods and provenance in HTML; the same as a PDF."""
    cohort = tmp_path / "cohort.csv"
    assert (
        runner.invoke(app, ["synth", "--n", "80", "--seed", "7", "--out", str(cohort)]).exit_code
        == 0
    )
    html = runner.invoke(app, ["analyze", "--from", str(cohort), "--format", "html"])
    assert html.exit_code == 0, html.output
    assert html.stdout.count("<svg") >= 3
    assert "Data provenance" in html.stdout and "80 patients (SYNTHETIC data)" in html.stdout
    pdf = tmp_path / "cohort.pdf"
    result = runner.invoke(
        app, ["analyze", "--from", str(cohort), "--format", "pdf", "--out", str(pdf)]
    )
    assert result.exit_code == 0, result.output
    assert pdf.read_bytes().startswith(b"%PDF")
    assert runner.invoke(app, ["analyze", "--from", str(cohort), "--format", "pdf"]).exit_code == 2
