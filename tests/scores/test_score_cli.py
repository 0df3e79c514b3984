"""``rvlms score`` commands driven through Typer's CliRunner, as mounted by the main CLI."""

import json

import pytest
import typer
from typer.testing import CliRunner

from rvlms.cli.score_cmd import score_app
from rvlms.scores import AjccResult, ClavienResult, EgfrResult, FnclccResult

app = typer.Typer()
app.add_typer(score_app, name="score")
runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["score", *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_fnclcc_text() -> None:
    code, out, _ = run(
        "fnclcc", "--differentiation", "conventional", "--mitoses", "12", "--necrosis", "lt50"
    )
    assert code == 0
    assert "FNCLCC grade G2" in out
    assert "12 (score 2)" in out
    assert "Source: Guillou L et al." in out


def test_fnclcc_json_is_the_result_object() -> None:
    code, out, _ = run("fnclcc", "--mitoses", "25", "--format", "json")
    assert code == 0
    result = FnclccResult.model_validate_json(out)
    assert result.grade == "GX"
    assert result.missing == ("differentiation", "necrosis")


def test_ajcc_zhang2021_case1() -> None:
    """zhang2021 Table 1 case 1: 7.2 cm, FNCLCC G1 -> T2 -> IB (clinical brief 4.2)."""
    code, out, _ = run("ajcc", "--size-cm", "7.2", "--grade", "G1")
    assert code == 0
    assert "AJCC 8th stage IB" in out
    assert "T2" in out


def test_ajcc_json_zhang2021_case4_with_unknown_nodes() -> None:
    """zhang2021 Table 1 case 4: 10.7 cm, G2 -> T3 -> IIIB; unknown N is staged as N0."""
    code, out, _ = run(
        "ajcc", "--size-cm", "10.7", "--grade", "G2", "--n", "unknown", "--format", "json"
    )
    assert code == 0
    result = AjccResult.model_validate_json(out)
    assert (result.t, result.n, result.stage) == ("T3", "N0", "IIIB")
    assert result.notes


def test_clavien_from_facts_zhang2021_case1() -> None:
    """zhang2021 Results: bleed treated by transfusion and compression -> Clavien-Dindo II."""
    code, out, _ = run("clavien", "--transfusion", "--format", "json")
    assert code == 0
    assert ClavienResult.model_validate_json(out).grade == "II"


def test_clavien_describe_a_recorded_grade() -> None:
    code, out, _ = run("clavien", "--grade", "3b", "--disability")
    assert code == 0
    assert "Clavien-Dindo grade IIIb-d" in out
    assert "under general anaesthesia" in out


def test_egfr_text_with_caveat() -> None:
    """Clinical brief 4.4 vector: 85 umol/L, female, 56 years -> 69.3 (CKD-EPI 2021)."""
    code, out, _ = run(
        "egfr",
        *("--creatinine", "85", "--unit", "umol/L", "--age", "56", "--sex", "female"),
        "--not-steady-state",
    )
    assert code == 0
    assert "69.3 mL/min/1.73 m²" in out
    assert "G2" in out
    assert "Note: Creatinine not in steady state" in out
    assert "KDIGO" in out


def test_egfr_json() -> None:
    code, out, _ = run(
        "egfr", "--creatinine", "99", "--age", "61", "--sex", "male", "--format", "json"
    )
    assert code == 0
    result = EgfrResult.model_validate_json(out)
    assert result.rounded == 74.7
    assert json.loads(out)["rounded"] == 74.7


@pytest.mark.parametrize(
    ("args", "option", "allowed"),
    [
        (["fnclcc", "--differentiation", "moderate"], "--differentiation", "well, conventional"),
        (["fnclcc", "--mitoses", "-1"], "--mitoses", ">= 0"),
        (["fnclcc", "--mitoses", "many"], "--mitoses", ">= 0"),
        (["fnclcc", "--necrosis", "30%"], "--necrosis", "none, lt50, ge50"),
        (["fnclcc", "--format", "xml"], "--format", "text, json"),
        (["ajcc", "--size-cm", "0", "--grade", "G1"], "--size-cm", "> 0 in cm"),
        (["ajcc", "--size-cm", "big", "--grade", "G1"], "--size-cm", "> 0 in cm"),
        (["ajcc", "--grade", "G1"], "--size-cm", "> 0 in cm"),
        (["ajcc", "--size-cm", "4"], "--grade", "GX, G1, G2, G3"),
        (["ajcc", "--size-cm", "4", "--grade", "G4"], "--grade", "GX, G1, G2, G3"),
        (["ajcc", "--size-cm", "4", "--grade", "G1", "--n", "N2"], "--n", "N0, N1, unknown"),
        (["ajcc", "--size-cm", "4", "--grade", "G1", "--m", "MX"], "--m", "M0, M1"),
        (["clavien", "--grade", "VI"], "--grade", "IIIa, IIIb, IVa, IVb, V"),
        (["clavien", "--intervention", "op"], "--intervention", "without_ga, under_ga"),
        (["clavien", "--organ-dysfunction", "two"], "--organ-dysfunction", "single, multi"),
        (["egfr", "--creatinine", "85", "--age", "17", "--sex", "female"], "--age", ">= 18"),
        (["egfr", "--creatinine", "-3", "--age", "50", "--sex", "male"], "--creatinine", "> 0"),
        (["egfr", "--age", "50", "--sex", "male"], "--creatinine", "> 0"),
        (["egfr", "--creatinine", "85", "--age", "50"], "--sex", "female, male"),
        (
            ["egfr", "--creatinine", "85", "--age", "50", "--sex", "male", "--unit", "mmol/L"],
            "--unit",
            "umol/L, mg/dL",
        ),
    ],
)
def test_bad_input_is_one_line_naming_option_and_allowed_values(
    args: list[str], option: str, allowed: str
) -> None:
    code, out, err = run(*args)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"Error: {option}")
    assert allowed in lines[0]
    assert "Traceback" not in err


def test_clavien_grade_and_facts_are_exclusive() -> None:
    code, _, err = run("clavien", "--grade", "II", "--transfusion")
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "--grade cannot be combined" in err


def test_help_lists_the_four_commands() -> None:
    result = runner.invoke(app, ["score", "--help"])
    assert result.exit_code == 0
    for command in ("fnclcc", "ajcc", "clavien", "egfr"):
        assert command in result.stdout
