"""A report as PDF (fpdf2): two pages a reviewer reads, then the appendix.

Page 1: the title, the "justification of resources" paragraph (ready to paste) and the key options table;
page 2: the cost-vs-CO2e chart and the method as a numbered list. Appendix (from page 3): the inputs, one line
each, citing the numbered sources; each cited work once; the equivalences. The full options table is in the
CSV and XLSX reports, not here: a reviewer reads the key options. Text is set in DejaVu Sans, read from
matplotlib's bundled fonts (a dependency already), so '×', '·', '↔' and '≈' print; user text in Chinese,
Japanese or with emoji falls back to the fonts in ``FALLBACK_FONTS`` (subset-embedded), and whatever no font
holds is named in a note. The creation date is the report's ``generated_at`` and the file identifier is
a hash of the content, so the same report gives the same bytes.
"""

from __future__ import annotations

import dataclasses
import functools
import io
from pathlib import Path

import matplotlib
import pandas as pd
from fpdf import FPDF
from fpdf.fonts import FontFace

from planner.columns import column_format, is_numeric
from planner.reports.chart import chart_png
from planner.reports.inputs import grouped_inputs
from planner.reports.model import (
    Report,
    co2e_column,
    display_number,
    drawn_on_text,
    generated_datetime,
    source_line,
)
from planner.reports.safe_text import covered_text, replaced_note
from planner.reports.water_time import start_months_image, start_months_title

_FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
#: Widths [mm] of the appendix's inputs table: input, value, unit, source, date (174 mm of text width).
ASSUMPTION_WIDTHS = (56, 40, 46, 16, 16)


#: Fonts for what DejaVu Sans lacks, embedded (subset) only when the text needs them and where installed:
#: Droid Sans Fallback (Debian fonts-droid-fallback: Chinese, Japanese, Korean) and Symbola (fonts-symbola:
#: symbols and emoji to Unicode 7). A character none of them holds is printed as '?' and named in a note.
FALLBACK_FONTS = (("DroidSansFallback", Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")),
                  ("Symbola", Path("/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf")))


@functools.lru_cache(maxsize=1)
def _glyphs() -> frozenset[int]:
    """Code points both embedded faces (DejaVu Sans, regular and bold) can print."""
    from fontTools.ttLib import TTFont

    faces = [TTFont(str(_FONT_DIR / name), lazy=True) for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")]
    return frozenset(set(faces[0].getBestCmap()) & set(faces[1].getBestCmap()))


@functools.lru_cache(maxsize=4)
def _font_glyphs(path: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(str(path), lazy=True).getBestCmap())


def _has_glyph(char: str) -> bool:
    return ord(char) in _glyphs()


def _fallbacks(lacking: list[str]) -> list[tuple[str, Path]]:
    """The installed fallback fonts that hold at least one of the characters DejaVu Sans lacks."""
    return [(name, path) for name, path in FALLBACK_FONTS
            if path.is_file() and any(ord(c) in _font_glyphs(path) for c in lacking)]


class _ReportPDF(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self._report_title = title

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", size=7)
        self.set_text_color(110, 110, 110)
        self.cell(0, 5, f"{self._report_title} · page {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0, 0, 0)


def _heading(pdf: FPDF, text: str, size: float = 11) -> None:
    if pdf.get_y() > pdf.h - pdf.b_margin - 30:  # no heading alone at the foot of a page
        pdf.add_page()
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", size)
    pdf.cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=8.5)


def _numbered(pdf: FPDF, lines: tuple[str, ...] | list[str], size: float = 8.5) -> None:
    pdf.set_font("DejaVu", size=size)
    for i, line in enumerate(lines, start=1):
        pdf.multi_cell(0, size * 0.5, f"{i}. {line}", align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(0.6)


def _cell_text(column: str, value: object) -> str:
    return column_format(column).show(value)


def _table(pdf: FPDF, table: pd.DataFrame, widths: tuple[float, ...], font_size: float = 7.0,
           bold_rows: tuple[int, ...] = (), headers: list[str] | None = None) -> None:
    """A table under human headers (``planner.columns``); numbers right-aligned; text wraps between words."""
    pdf.set_font("DejaVu", size=font_size)
    align = tuple("RIGHT" if is_numeric(c) else "LEFT" for c in table.columns)
    with pdf.table(col_widths=widths, text_align=align, line_height=font_size * 0.5, padding=0.8,
                   headings_style=FontFace(emphasis="BOLD", fill_color=(238, 241, 244)),
                   first_row_as_headings=True, wrapmode="WORD") as out:
        header = out.row()
        for name in headers or [column_format(c).header for c in table.columns]:
            header.cell(name)
        for i, values in enumerate(table.itertuples(index=False)):
            style = FontFace(emphasis="BOLD", fill_color=(255, 244, 229)) if i in bold_rows else None
            row = out.row(style=style)
            for column, value in zip(table.columns, values, strict=True):
                text = _cell_text(column, value)
                row.cell(_fit(_breakable(text) if column == "name" else text))
    pdf.ln(1)


def _inputs_table(pdf: FPDF, inputs: pd.DataFrame, font_size: float = 6.3) -> None:
    """The appendix's inputs, one line each; a kind's per-option inputs on one line, its list across the value
    and unit columns."""
    pdf.set_font("DejaVu", size=font_size)
    with pdf.table(col_widths=ASSUMPTION_WIDTHS, text_align=("LEFT", "RIGHT", "LEFT", "LEFT", "LEFT"),
                   line_height=font_size * 0.5, padding=0.8, wrapmode="WORD", first_row_as_headings=True,
                   headings_style=FontFace(emphasis="BOLD", fill_color=(238, 241, 244))) as out:
        header = out.row()
        for name in ("Input", "Value", "Unit", "Source", "Date"):
            header.cell(name)
        for r in inputs.itertuples():
            row = out.row()
            if r.grouped:
                row.cell(f"{r.input}, {r.unit}")
                row.cell(_fit(_breakable(r.value), GROUPED_CELL_CHARS), colspan=2, align="LEFT")
            else:
                row.cell(_fit(_breakable(r.input)))
                row.cell(_fit(r.value))
                row.cell(_fit(r.unit))
            row.cell(f"[{r.ref}]")
            row.cell(r.as_of)
    pdf.ln(1)


def _breakable(text: str) -> str:
    # a zero-width space after '_' lets an assumption's name wrap at its parts, not mid-word (names only:
    # text a reader copies must not carry invisible characters)
    return text.replace("_", "_\u200b")


#: Longest cell text a PDF table prints: a row must fit on one page (fpdf2 cannot split a row). The HTML,
#: Markdown, DOCX, CSV and XLSX reports keep the full text.
PDF_CELL_CHARS = 700


#: Longest list of a kind's inputs on one line (about 20 lines of the value and unit columns).
GROUPED_CELL_CHARS = 1500


def _fit(text: str, limit: int = PDF_CELL_CHARS) -> str:
    return text if len(text) <= limit else text[:limit - 40] + " … (full text in the XLSX/HTML report)"


def render_pdf(report: Report) -> bytes:
    """The report as PDF bytes (A4 portrait): two pages for the reader, then the appendix."""
    _, lacking = covered_text(report, _has_glyph)
    fallbacks = _fallbacks(lacking)
    report, missing = covered_text(report, lambda c: _has_glyph(c) or any(ord(c) in _font_glyphs(p)
                                                                           for _, p in fallbacks))
    if missing:  # say what the fonts could not print rather than drop it silently
        fonts = " + ".join(["DejaVu Sans", *(name for name, _ in fallbacks)])
        report = dataclasses.replace(report, notes=(*report.notes, replaced_note(missing, fonts)))
    pdf = _ReportPDF(report.title)
    pdf.add_font("DejaVu", "", str(_FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(_FONT_DIR / "DejaVuSans-Bold.ttf"))
    for name, path in fallbacks:
        pdf.add_font(name, "", str(path))
    if fallbacks:  # bold text falls back to the regular face (neither font has a bold one)
        pdf.set_fallback_fonts([name for name, _ in fallbacks], exact_match=False)
    pdf.set_creation_date(generated_datetime(report))
    pdf.set_title(report.title)
    pdf.set_author("trainplan")
    pdf.set_creator("trainplan")
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_page()

    pdf.set_font("DejaVu", "B", 15)
    pdf.multi_cell(0, 7, report.title, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=8)
    snapshots = ", ".join(f"{r.provider} {r.fetched_at}" for r in report.price_snapshots.itertuples()) or "none"
    pdf.set_text_color(90, 90, 90)
    pdf.multi_cell(0, 4, f"Generated at {report.generated_at} (UTC) · prices fetched: {snapshots}", align="L",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)

    _heading(pdf, "Justification of resources", 12)
    pdf.set_font("DejaVu", size=10)
    # left-aligned: justified text spreads words apart, and a pasted copy would carry the extra spaces
    pdf.multi_cell(0, 5.2, report.justification, align="L", new_x="LMARGIN", new_y="NEXT")

    key = report.reader_key_table
    co2e = co2e_column(key)
    _heading(pdf, "Key options")
    headers = ["Why listed", "Option", "GPU", "GPUs", "Wall-clock\n(h)", "GPU-hours", "Cost\n(USD)",
               "CO2e\n(kg)" + (" *" if co2e == "co2e_total_kg" else "")]
    _table(pdf, key, (19, 42, 27, 10, 18, 18, 20, 20), font_size=7, bold_rows=(0,), headers=headers)
    pdf.set_font("DejaVu", size=7)
    counts = f"{report.compared_count:,} options compared"
    if report.feasible_count != report.compared_count:
        counts += f", {report.feasible_count:,} feasible"
    note = f"{counts}; {drawn_on_text(report)[0].lower()}{drawn_on_text(report)[1:]} are in the CSV and XLSX versions."
    if co2e == "co2e_total_kg":
        note = "* CO2e: operational (electricity, location-based) + embodied (hardware). " + note
    pdf.multi_cell(0, 3.6, note, new_x="LMARGIN", new_y="NEXT")

    pdf.add_page()
    png = chart_png(report)
    if png is not None:
        pdf.image(io.BytesIO(png), w=165, x=(pdf.w - 165) / 2)
    _heading(pdf, "Method")
    _numbered(pdf, report.method, size=8)
    if len(report.equivalences):
        _heading(pdf, "The chosen option's operational CO2e equals", 10)
        pdf.set_font("DejaVu", size=8)
        items = "; ".join(f"{display_number(r.times, 2)} × {r.comparison} ({display_number(r.kg_co2e_each)} kg each, "
                          f"{r.as_of})" for r in report.equivalences.itertuples())
        pdf.multi_cell(0, 4, items + ".", align="L", new_x="LMARGIN", new_y="NEXT")
    if report.notes:
        _heading(pdf, "Notes", 10)
        _numbered(pdf, report.notes, size=7.5)

    pdf.add_page()
    pdf.set_font("DejaVu", "B", 13)
    pdf.cell(0, 8, "Appendix", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=7.5)
    pdf.multi_cell(0, 3.8, f"{drawn_on_text(report)}, with every column and range, are in the CSV and XLSX versions "
                   "of this report; the XLSX also gives each input's full source text.", new_x="LMARGIN", new_y="NEXT")
    _heading(pdf, "A. Inputs (the source column cites the numbered sources in B)")
    _inputs_table(pdf, grouped_inputs(report.assumptions))

    _heading(pdf, "B. Sources")
    pdf.set_font("DejaVu", size=6.6)
    for r in report.sources.itertuples():
        pdf.multi_cell(0, 3.1, f"[{r.ref}] {source_line(r.source, r.as_of)}.", align="L", new_x="LMARGIN",
                       new_y="NEXT")
        pdf.ln(0.25)

    if len(report.start_months):
        if pdf.get_y() > pdf.h - pdf.b_margin - 80:  # the heading and its chart on one page
            pdf.add_page()
        _heading(pdf, "D. " + start_months_title(report.chosen_label))
        bars = start_months_image(report.start_months, "png", "CO2e by start month (location-based)")
        if isinstance(bars, bytes):
            pdf.image(io.BytesIO(bars), w=165, x=(pdf.w - 165) / 2)

    return bytes(pdf.output())

