"""The PDFs a user prints, rendered to PNG (poppler ``pdftoppm``) and read back as text
(``pdftotext``) page by page: Table 1 on one page, the data-source label on every page.

The cohorts: the Yang 2025-calibrated synthetic cohort (24 patients in groups of 6, 9,
4 and 5) and the four Zhang 2021 patients (median operative time 314.5 (224–467) min,
Results), written to CSV with ``rvlms synth`` and the cohort builder.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pytest
import typer
from PIL import Image
from typer.testing import CliRunner

from rvlms.analysis.formatting import LITERATURE_BANNER, SYNTHETIC_BANNER
from rvlms.cli.analysis_cmd import register
from rvlms.reproduce.zhang2021 import load_zhang2021_cohort

pytestmark = pytest.mark.skipif(
    shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None,
    reason="poppler-utils (pdftoppm, pdftotext) not installed",
)


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    application = typer.Typer()
    register(application)
    return application


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="module")
def yang_csv(app: typer.Typer, runner: CliRunner, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("yang") / "yang.csv"
    result = runner.invoke(app, ["synth", "--yang2025", "--out", str(path)])
    assert result.exit_code == 0, result.output
    return path


def pages_as_png(pdf: Path, dpi: int = 60) -> list[Path]:
    """Every page of ``pdf`` as a PNG next to it (pdftoppm)."""
    prefix = pdf.with_suffix("")
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(dpi), str(pdf), str(prefix)], check=True, timeout=120
    )
    return sorted(pdf.parent.glob(f"{prefix.name}-*.png"))


def page_texts(pdf: Path, pages: int) -> list[str]:
    return [
        subprocess.run(
            ["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for n in range(1, pages + 1)
    ]


def inked_fraction(png: Path) -> float:
    """Share of the page height between the first and the last non-white pixel row."""
    with Image.open(png) as image:
        grey = image.convert("L")
        box = grey.point(lambda v: 255 if v < 200 else 0).getbbox()
        assert box is not None
        return (box[3] - box[1]) / grey.height


def test_table_one_in_every_format_and_the_pdf_on_one_page(
    app: typer.Typer, runner: CliRunner, yang_csv: Path, tmp_path: Path
) -> None:
    outputs = [
        tmp_path / f"table1{suffix}" for suffix in (".pdf", ".html", ".csv", ".tex", ".docx")
    ]
    args = [
        "analyze",
        "--from",
        str(yang_csv),
        "--format",
        "json",
        "--out",
        str(tmp_path / "a.json"),
    ]
    for path in outputs:
        args += ["--table-one", str(path)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert all(path.stat().st_size > 0 for path in outputs)
    pngs = pages_as_png(outputs[0])
    assert len(pngs) == 1
    with Image.open(pngs[0]) as image:
        assert image.height > image.width
    assert inked_fraction(pngs[0]) > 0.6
    (text,) = page_texts(outputs[0], 1)
    assert SYNTHETIC_BANNER in text
    assert "Table 1. Patient characteristics by imaging type" in text
    assert "intraluminal (n = 6)" in text and "peripheral (n = 5)" in text
    assert "Death, n (%)" in text
    assert "e-0" not in text and "e-1" not in text and "e-2" not in text
    assert "<!DOCTYPE html>" in outputs[1].read_text(encoding="utf-8")


def test_cohort_report_label_on_every_page_and_table_one_first(
    app: typer.Typer, runner: CliRunner, yang_csv: Path, tmp_path: Path
) -> None:
    pdf = tmp_path / "report.pdf"
    result = runner.invoke(
        app, ["analyze", "--from", str(yang_csv), "--format", "pdf", "--out", str(pdf)]
    )
    assert result.exit_code == 0, result.output
    pngs = pages_as_png(pdf)
    texts = page_texts(pdf, len(pngs))
    assert len(pngs) >= 3
    for number, text in enumerate(texts, start=1):
        assert SYNTHETIC_BANNER in text, f"page {number} has no data label"
        assert f"page {number} of {len(pngs)}" in text
    first = texts[0]
    assert "Table 1. Patient characteristics" in first and "Death, n (%)" in first
    assert "Numbers at risk" not in first
    whole = "\n".join(texts)
    assert whole.index("Numbers at risk") < whole.index("Comparisons across")
    assert whole.index("Comparisons across") < whole.index("Data provenance")


def test_published_cases_are_labelled_literature_data(
    app: typer.Typer, runner: CliRunner, tmp_path: Path
) -> None:
    table = tmp_path / "published.pdf"
    result = runner.invoke(app, ["analyze", "--published", "--table-one", str(table)])
    assert result.exit_code == 0, result.output
    assert "LITERATURE DATA" in result.stdout
    (text,) = page_texts(table, len(pages_as_png(table)))
    assert LITERATURE_BANNER in text


def test_zhang2021_table_one_csv_shows_the_published_median(
    app: typer.Typer, runner: CliRunner, tmp_path: Path
) -> None:
    source = tmp_path / "zhang.csv"
    load_zhang2021_cohort().to_csv(source, index=False)
    out = tmp_path / "zhang_table1.csv"
    result = runner.invoke(
        app,
        ["analyze", "--from", str(source), "--by", "sex", "--summary", "range",
         "--table-one", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as handle:
        rows = {line[0]: line for line in csv.reader(handle) if line}
    operative = rows["Operative time (min), median (range)"]
    assert operative[2] == "314.5 (224–467)"
    assert rows["Age (years), median (range)"][2] == "56 (33–61)"


def test_table_one_option_names_the_formats(
    app: typer.Typer, runner: CliRunner, yang_csv: Path, tmp_path: Path
) -> None:
    result = runner.invoke(
        app, ["analyze", "--from", str(yang_csv), "--table-one", str(tmp_path / "t.xlsx")]
    )
    assert result.exit_code == 2
    assert "--table-one" in result.output and ".docx" in result.output
    assert "Traceback" not in result.output
