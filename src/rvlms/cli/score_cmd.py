"""``rvlms score``: compute a grade, stage or score from the command line.

Every input error ends in one line naming the option and the allowed values, with exit code 2,
so the commands can be scripted; ``--format json`` prints the full result object with its
citation.
"""

import math
from collections.abc import Callable, Mapping, Sequence
from enum import StrEnum
from typing import Annotated, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from rvlms.scores import (
    CreatinineUnit,
    Differentiation,
    FnclccGrade,
    GfrCategory,
    Intervention,
    MCategory,
    NCategory,
    Necrosis,
    OrganDysfunction,
    ScoreInputError,
    ScoreResult,
    Sex,
    ajcc_stage,
    ckd_epi_2021,
    classify,
    describe_grade,
    fnclcc_grade,
)

R = TypeVar("R")

score_app = typer.Typer(
    help=(
        "Clinical grades and scores: FNCLCC grade, AJCC 8th stage (retroperitoneum), "
        "Clavien-Dindo grade and CKD-EPI 2021 eGFR. Each result shows its source."
    ),
    no_args_is_help=True,
)


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


_OPTION_FOR_FIELD = {
    "differentiation": "--differentiation",
    "mitoses_per_10hpf": "--mitoses",
    "necrosis": "--necrosis",
    "size_cm": "--size-cm",
    "grade": "--grade",
    "n": "--n",
    "m": "--m",
    "organ_dysfunction": "--organ-dysfunction",
    "intervention": "--intervention",
    "creatinine": "--creatinine",
    "unit": "--unit",
    "age_years": "--age",
    "sex": "--sex",
}


def _metavar(choices: type[StrEnum]) -> str:
    return "|".join(choice.value for choice in choices)


def _listed(choices: type[StrEnum]) -> str:
    return "one of: " + ", ".join(choice.value for choice in choices)


FormatOption = Annotated[
    str,
    typer.Option(
        "--format", metavar="text|json", help="Output: text (table) or json (the result object)."
    ),
]


def _fail(option: str, value: object, expected: str) -> NoReturn:
    typer.echo(f"Error: {option}: {value!r} is not allowed; expected {expected}", err=True)
    raise typer.Exit(code=2)


def _missing(option: str, expected: str) -> NoReturn:
    typer.echo(f"Error: {option} is required; expected {expected}", err=True)
    raise typer.Exit(code=2)


def _choice(option: str, text: str, choices: Sequence[str]) -> str:
    for choice in choices:
        if choice.lower() == text.strip().lower():
            return choice
    _fail(option, text, f"one of: {', '.join(choices)}")


def _number(option: str, text: str | None, expected: str) -> float:
    if text is None:
        _missing(option, expected)
    try:
        value = float(text)
    except ValueError:
        _fail(option, text, expected)
    if not math.isfinite(value):
        _fail(option, text, expected)
    return value


def _whole_number(option: str, text: str, expected: str) -> int:
    try:
        return int(text)
    except ValueError:
        _fail(option, text, expected)


def _compute(call: Callable[[], R], raw: Mapping[str, object]) -> R:
    try:
        return call()
    except ScoreInputError as err:
        option = _OPTION_FOR_FIELD.get(err.field, err.field)
        _fail(option, raw.get(err.field, err.value), err.expected)


def _output_format(text: str) -> OutputFormat:
    return OutputFormat(_choice("--format", text, [f.value for f in OutputFormat]))


def _emit(
    result: ScoreResult,
    output: OutputFormat,
    title: str,
    rows: Sequence[tuple[str, str]],
    notes: Sequence[str] = (),
    sources: Sequence[str] = (),
) -> None:
    if output is OutputFormat.JSON:
        typer.echo(result.model_dump_json(indent=2))
        return
    console = Console(highlight=False)
    table = Table(title=Text(title), show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    for label, value in rows:
        table.add_row(Text(label), Text(value))
    console.print(table)
    for note in notes:
        console.print(Text(f"Note: {note}"), soft_wrap=True)
    for source in (result.source, *sources):
        console.print(Text(f"Source: {source}"), soft_wrap=True)


@score_app.command("fnclcc")
def fnclcc_command(
    differentiation: Annotated[
        str | None,
        typer.Option(
            metavar=_metavar(Differentiation),
            help="Leiomyosarcoma differentiation (FNCLCC score 1, 2 or 3).",
        ),
    ] = None,
    mitoses: Annotated[
        str | None,
        typer.Option(metavar="COUNT", help="Mitoses per 10 high-power fields (whole number)."),
    ] = None,
    necrosis: Annotated[
        str | None,
        typer.Option(metavar=_metavar(Necrosis), help="Tumour necrosis: none, < 50 % or >= 50 %."),
    ] = None,
    output_format: FormatOption = "text",
) -> None:
    """FNCLCC grade (G1-G3) of a leiomyosarcoma; a component left out gives GX."""
    output = _output_format(output_format)
    mitoses_count = (
        None if mitoses is None else _whole_number("--mitoses", mitoses, "a whole number >= 0")
    )
    raw = {"differentiation": differentiation, "mitoses_per_10hpf": mitoses, "necrosis": necrosis}
    result = _compute(lambda: fnclcc_grade(differentiation, mitoses_count, necrosis), raw)

    def scored(value: object, score: int | None) -> str:
        return "not given" if value is None else f"{value} (score {score})"

    rows = [
        ("Differentiation", scored(result.differentiation, result.differentiation_score)),
        ("Mitoses per 10 HPF", scored(result.mitoses_per_10hpf, result.mitosis_score)),
        ("Necrosis", scored(result.necrosis, result.necrosis_score)),
        ("Total", "-" if result.total is None else str(result.total)),
        ("Grade", result.grade.value),
    ]
    notes = []
    if result.missing:
        notes.append(f"Missing: {', '.join(result.missing)}; grade cannot be assessed.")
    _emit(result, output, f"FNCLCC grade {result.grade.value}", rows, notes)


@score_app.command("ajcc")
def ajcc_command(
    size_cm: Annotated[
        str | None, typer.Option("--size-cm", metavar="CM", help="Greatest tumour dimension in cm.")
    ] = None,
    grade: Annotated[
        str | None, typer.Option(metavar=_metavar(FnclccGrade), help="FNCLCC grade.")
    ] = None,
    n: Annotated[
        str,
        typer.Option(
            "--n", metavar="N0|N1|unknown", help="Regional nodes; unknown is staged as N0."
        ),
    ] = "N0",
    m: Annotated[
        str, typer.Option("--m", metavar=_metavar(MCategory), help="Distant metastasis.")
    ] = "M0",
    output_format: FormatOption = "text",
) -> None:
    """AJCC 8th edition stage of a retroperitoneal soft tissue sarcoma."""
    output = _output_format(output_format)
    size = _number("--size-cm", size_cm, "a tumour size > 0 in cm")
    if grade is None:
        _missing("--grade", _listed(FnclccGrade))
    n_choice = _choice("--n", n, [*(c.value for c in NCategory), "unknown"])
    n_category = None if n_choice == "unknown" else n_choice
    raw = {"size_cm": size_cm, "grade": grade, "m": m}
    result = _compute(lambda: ajcc_stage(size, grade, n=n_category, m=m), raw)
    rows = [
        ("Size", f"{result.size_cm:g} cm"),
        ("T", result.t.value),
        ("N", result.n.value),
        ("M", result.m.value),
        ("Grade", result.grade.value),
        ("Stage", result.stage.value),
        ("Table row", result.rule),
    ]
    _emit(result, output, f"AJCC 8th stage {result.stage.value}", rows, result.notes)


@score_app.command("clavien")
def clavien_command(
    grade: Annotated[
        str | None,
        typer.Option(
            metavar="GRADE",
            help="Describe a recorded grade: I, II, IIIa, IIIb, IVa, IVb, V (or 1-5).",
        ),
    ] = None,
    died: Annotated[bool, typer.Option("--died", help="The patient died.")] = False,
    organ_dysfunction: Annotated[
        str,
        typer.Option(
            metavar=_metavar(OrganDysfunction),
            help="Organ dysfunction of a life-threatening complication managed in IC/ICU.",
        ),
    ] = "none",
    intervention: Annotated[
        str,
        typer.Option(
            metavar=_metavar(Intervention),
            help="Surgical, endoscopic or radiological intervention, and under which anaesthesia.",
        ),
    ] = "none",
    drugs: Annotated[
        bool, typer.Option("--drugs", help="Drugs beyond the grade-I list were needed.")
    ] = False,
    transfusion: Annotated[
        bool, typer.Option("--transfusion", help="Blood transfusion was needed.")
    ] = False,
    tpn: Annotated[
        bool, typer.Option("--tpn", help="Total parenteral nutrition was needed.")
    ] = False,
    disability: Annotated[
        bool, typer.Option("--disability", help="Still present at discharge (suffix d).")
    ] = False,
    output_format: FormatOption = "text",
) -> None:
    """Clavien-Dindo grade: describe a recorded --grade, or derive it from what was needed."""
    output = _output_format(output_format)
    structured = (
        died
        or drugs
        or transfusion
        or tpn
        or organ_dysfunction.strip().lower() != "none"
        or intervention.strip().lower() != "none"
    )
    raw = {"grade": grade, "organ_dysfunction": organ_dysfunction, "intervention": intervention}
    if grade is not None and structured:
        typer.echo(
            "Error: --grade cannot be combined with --died, --organ-dysfunction, "
            "--intervention, --drugs, --transfusion or --tpn; give one or the other",
            err=True,
        )
        raise typer.Exit(code=2)
    if grade is not None:
        given = grade
        result = _compute(lambda: describe_grade(given, disability_at_discharge=disability), raw)
    else:
        result = _compute(
            lambda: classify(
                died=died,
                organ_dysfunction=organ_dysfunction,
                intervention=intervention,
                drugs_beyond_grade_i=drugs,
                blood_transfusion=transfusion,
                parenteral_nutrition=tpn,
                disability_at_discharge=disability,
            ),
            raw,
        )
    rows = [
        ("Grade", result.label),
        ("Definition", result.definition),
        ("Decided by", result.decisive_fact),
        ("Facts given", ", ".join(result.facts) or "-"),
        ("Present at discharge", "yes" if result.disability_at_discharge else "no"),
    ]
    _emit(result, output, f"Clavien-Dindo grade {result.label}", rows)


@score_app.command("egfr")
def egfr_command(
    creatinine: Annotated[
        str | None, typer.Option(metavar="VALUE", help="Serum creatinine, in --unit.")
    ] = None,
    unit: Annotated[
        str, typer.Option(metavar=_metavar(CreatinineUnit), help="Creatinine unit.")
    ] = CreatinineUnit.UMOL_L.value,
    age: Annotated[
        str | None, typer.Option(metavar="YEARS", help="Age in years (adults only).")
    ] = None,
    sex: Annotated[str | None, typer.Option(metavar=_metavar(Sex), help="Sex.")] = None,
    not_steady_state: Annotated[
        bool,
        typer.Option(
            "--not-steady-state",
            help="Creatinine is changing (e.g. first post-operative week); adds a caveat.",
        ),
    ] = False,
    output_format: FormatOption = "text",
) -> None:
    """eGFR by the CKD-EPI 2021 creatinine equation, with its KDIGO category."""
    output = _output_format(output_format)
    scr = _number("--creatinine", creatinine, "a serum creatinine > 0")
    age_years = _number("--age", age, "an age >= 18 years")
    if sex is None:
        _missing("--sex", _listed(Sex))
    raw = {"creatinine": creatinine, "age_years": age, "sex": sex, "unit": unit}
    result = _compute(
        lambda: ckd_epi_2021(scr, age_years, sex, unit, steady_state=not not_steady_state), raw
    )
    category: GfrCategory = result.category
    rows = [
        (
            "Creatinine",
            f"{result.creatinine:g} {result.unit.value} ({result.creatinine_mg_dl:.3f} mg/dL)",
        ),
        ("Age", f"{result.age_years:g} years"),
        ("Sex", result.sex.value),
        ("eGFR", f"{result.rounded:.1f} mL/min/1.73 m²"),
        ("KDIGO category", f"{category.value} ({category.description})"),
    ]
    _emit(
        result,
        output,
        f"eGFR (CKD-EPI 2021) {result.rounded:.1f}",
        rows,
        result.caveats,
        sources=[result.category_source],
    )


__all__ = ["score_app"]
