"""Table 1 as HTML, PDF (WeasyPrint), CSV, LaTeX (booktabs) and Word (python-docx).

One page is the rule a journal or a slide imposes: the HTML/PDF page is A4, landscape
when the group columns need the width, and the font size is chosen from the number of
lines so the whole table fits; a row never splits across a page break
(``break-inside: avoid``; ``cantSplit`` in Word). The data-source label is printed in
the top margin of every PDF page, in the header of every Word page, as a LaTeX caption
line and as the last CSV row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Final

from rvlms.analysis.report import template_environment
from rvlms.analysis.table_one import TableOne, TableOneRow

__all__ = [
    "TABLE_ONE_FORMATS",
    "fit_to_page",
    "page_layout",
    "table_one_csv",
    "table_one_docx",
    "table_one_html",
    "table_one_latex",
    "table_one_pdf",
    "write_table_one",
]

TABLE_ONE_FORMATS: Final[dict[str, str]] = {
    ".html": "HTML",
    ".pdf": "PDF",
    ".csv": "CSV",
    ".tex": "LaTeX",
    ".docx": "Word",
}

_PT_PER_MM: Final[float] = 72 / 25.4
_MARGIN_MM: Final[float] = 14.0
_MIN_FONT: Final[float] = 5.5
_MAX_FONT: Final[float] = 10.0


def _has_tests(table: TableOne) -> bool:
    return any(row.test or row.p for row in table.rows)


def page_layout(table: TableOne) -> tuple[bool, float]:
    """(landscape, font size in pt) for formats that cannot be measured (HTML, Word):
    landscape when there are more than five group columns, and the largest font, at most
    10 pt, whose line height (1.25 em plus 2 pt of cell padding) fits every row, the
    header, the title and the footnotes into the printable height."""
    landscape = len(table.columns) > 5
    height_pt = ((210.0 if landscape else 297.0) - 2 * _MARGIN_MM - 10.0) * _PT_PER_MM
    footnote_lines = sum(1 + len(note.text) // 140 for note in table.footnotes)
    lines = len(table.rows) + 4.0 + 0.85 * footnote_lines
    size = (height_pt - 2.0 * lines) / (lines * 1.3)
    return landscape, _snap(max(_MIN_FONT, min(_MAX_FONT, size)))


def _snap(size: float) -> float:
    return round(size * 4) / 4


def _pages(table: TableOne, landscape: bool, font_pt: float, heading: str | None) -> int:
    from weasyprint import HTML

    html = _render(table, landscape, font_pt, fragment=False, heading=heading)
    return len(HTML(string=html).render().pages)


def fit_to_page(table: TableOne, heading: str | None = None) -> tuple[bool, float]:
    """(landscape, font size) of the largest font that puts ``table`` on one A4 page,
    measured by laying the page out with WeasyPrint (portrait and landscape, bisection
    to a quarter point). When nothing fits at the smallest font, the table runs on
    over pages in landscape, with no row split across a break. ``heading`` is the report
    title printed above the table on the same page."""
    best: tuple[float, bool] | None = None
    for landscape in (False, True):
        if _pages(table, landscape, _MIN_FONT, heading) > 1:
            continue
        low, high = _MIN_FONT, _MAX_FONT
        if _pages(table, landscape, high, heading) == 1:
            low = high
        while high - low > 0.25:
            middle = _snap((low + high) / 2)
            if middle in (low, high):
                break
            if _pages(table, landscape, middle, heading) == 1:
                low = middle
            else:
                high = middle
        if best is None or low > best[0]:
            best = (low, landscape)
    if best is None:
        return True, _MIN_FONT
    return best[1], best[0]


def table_one_html(
    table: TableOne,
    *,
    fragment: bool = False,
    layout: tuple[bool, float] | None = None,
    heading: str | None = None,
) -> str:
    """A standalone page (``fragment=False``) or the ``<section>`` for a larger report;
    ``layout`` is (landscape, font size), by default :func:`page_layout`; ``heading`` is
    a report title (with the data-source banner) shown above the table."""
    landscape, font_pt = layout or page_layout(table)
    return _render(table, landscape, font_pt, fragment=fragment, heading=heading)


def _render(
    table: TableOne, landscape: bool, font_pt: float, *, fragment: bool, heading: str | None
) -> str:
    return (
        template_environment()
        .get_template("table_one.html.j2")
        .render(
            table=table,
            tested=_has_tests(table),
            landscape=landscape,
            font_pt=font_pt,
            fragment=fragment,
            margin_mm=_MARGIN_MM,
            heading=heading,
        )
    )


def table_one_pdf(table: TableOne) -> bytes:
    from weasyprint import HTML

    pdf = HTML(string=table_one_html(table, layout=fit_to_page(table))).write_pdf()
    if not isinstance(pdf, bytes):
        raise TypeError("WeasyPrint returned no PDF")
    return pdf


def _markers(row: TableOneRow) -> tuple[str, str]:
    return row.test_marker, ",".join(row.caveat_markers)


def table_one_csv(table: TableOne) -> str:
    """Variable, Level, one column per group, Test, p, Caveats; footnotes and the
    data-source label follow a blank row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    tested = _has_tests(table)
    extra = [table.p_alt_label] if table.p_alt_label else []
    header = ["Variable", "Level", *table.columns]
    header += ["Test", "p", *extra, "Caveats"] if tested else []
    writer.writerow(header)
    variable = ""
    for row in table.rows:
        if row.level == 0:
            variable = row.label
        test_marker, caveat_markers = _markers(row)
        line = [variable, row.label if row.level else "", *row.cells]
        if tested:
            test = f"{row.test} [{test_marker}]" if test_marker else row.test
            line += [test, row.p] + ([row.p_alt] if extra else []) + [caveat_markers]
        writer.writerow(line)
    writer.writerow([])
    for note in table.footnotes:
        writer.writerow([note.marker, note.text])
    if table.label:
        writer.writerow(["", table.label])
    return buffer.getvalue()


_LATEX_SPECIAL: Final[dict[str, str]] = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "–": "--",
    "×": r"$\times$",
}


def _tex(text: str) -> str:
    return "".join(_LATEX_SPECIAL.get(char, char) for char in text)


def table_one_latex(table: TableOne) -> str:
    """A ``table`` float with a booktabs ``tabular`` (needs ``\\usepackage{booktabs}``)."""
    tested = _has_tests(table)
    extra = [table.p_alt_label] if table.p_alt_label else []
    spec = "l" + "r" * len(table.columns) + (("lr" + "r" * len(extra)) if tested else "")
    header = ["", *table.columns] + (["Test", "p", *extra] if tested else [])
    lines = [
        "% " + (table.label or "rvlms Table 1"),
        r"\begin{table}[p]",
        r"\centering\small",
        rf"\caption{{{_tex(table.title)}"
        + (rf" \textbf{{{_tex(table.label)}}}" if table.label else "")
        + "}",
        rf"\begin{{tabular}}{{{spec}}}",
        r"\toprule",
        " & ".join(rf"\textbf{{{_tex(h)}}}" if h else "" for h in header) + r" \\",
        r"\midrule",
    ]
    for row in table.rows:
        label = (r"\quad " if row.level else "") + _tex(row.label)
        cells = [label, *(_tex(c) for c in row.cells)]
        if tested:
            test_marker, caveat_markers = _markers(row)
            test = _tex(row.test) + (rf"\textsuperscript{{{test_marker}}}" if test_marker else "")
            p = _tex(row.p) + (rf"\textsuperscript{{{caveat_markers}}}" if caveat_markers else "")
            cells += [test, p] + ([_tex(row.p_alt)] if extra else [])
        lines.append(" & ".join(cells) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}", r"\par\medskip\footnotesize"]
    for note in table.footnotes:
        marker = rf"\textsuperscript{{{note.marker}}}" if note.marker else ""
        lines.append(f"{marker}{_tex(note.text)}\\\\")
    lines += [r"\end{table}", ""]
    return "\n".join(lines)


def table_one_docx(table: TableOne) -> bytes:
    """A Word document of one section (landscape when the layout asks for it), the label
    in the page header, the header row repeated and no row split across pages."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.shared import Mm, Pt

    landscape, font_pt = page_layout(table)
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = (
        (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    )
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(_MARGIN_MM))
    if table.label:
        header = section.header.paragraphs[0]
        header.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = header.add_run(table.label)
        run.bold = True
        run.font.size = Pt(9)
    document.styles["Normal"].font.size = Pt(font_pt)
    title = document.add_paragraph()
    title.add_run(table.title).bold = True
    tested = _has_tests(table)
    extra = [table.p_alt_label] if table.p_alt_label else []
    headers = ["", *table.columns] + (["Test", "p", *extra] if tested else [])
    grid = document.add_table(rows=1, cols=len(headers))
    grid.style = "Table Grid"

    def fill(
        cell: object, text: str, sup: str = "", bold: bool = False, indent: bool = False
    ) -> None:
        paragraph = cell.paragraphs[0]  # type: ignore[attr-defined]
        paragraph.paragraph_format.space_after = Pt(0)
        if indent:
            paragraph.paragraph_format.left_indent = Pt(font_pt)
        run = paragraph.add_run(text)
        run.bold = bold
        if sup:
            paragraph.add_run(sup).font.superscript = True

    def no_split(row: object) -> None:
        properties = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
        properties.append(OxmlElement("w:cantSplit"))

    head = grid.rows[0]
    head._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    no_split(head)
    for cell, text in zip(head.cells, headers, strict=True):
        fill(cell, text, bold=True)
    for row in table.rows:
        cells = grid.add_row().cells
        no_split(grid.rows[-1])
        fill(cells[0], row.label, indent=bool(row.level), bold=not row.level)
        for cell, text in zip(cells[1 : 1 + len(row.cells)], row.cells, strict=True):
            fill(cell, text)
        if tested:
            test_marker, caveat_markers = _markers(row)
            base = 1 + len(row.cells)
            fill(cells[base], row.test, test_marker)
            fill(cells[base + 1], row.p, caveat_markers)
            if extra:
                fill(cells[base + 2], row.p_alt)
    for note in table.footnotes:
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(0)
        if note.marker:
            paragraph.add_run(note.marker).font.superscript = True
        paragraph.add_run(note.text).font.size = Pt(max(font_pt - 1, 5))
    buffer = io.BytesIO()
    document.core_properties.title = table.title
    document.save(buffer)
    return buffer.getvalue()


_WRITERS: Final[dict[str, Callable[[TableOne], str | bytes]]] = {
    ".html": table_one_html,
    ".pdf": table_one_pdf,
    ".csv": table_one_csv,
    ".tex": table_one_latex,
    ".docx": table_one_docx,
}


def write_table_one(table: TableOne, path: Path) -> Path:
    """Write ``table`` in the format its suffix names (see :data:`TABLE_ONE_FORMATS`)."""
    suffix = path.suffix.lower()
    writer = _WRITERS.get(suffix)
    if writer is None:
        allowed = ", ".join(TABLE_ONE_FORMATS)
        raise ValueError(f"{path.name}: unsupported Table 1 format {suffix!r}; use {allowed}")
    content = writer(table)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path
