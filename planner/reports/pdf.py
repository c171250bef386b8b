"""A report as PDF (fpdf2): title, summary, totals, the cost-vs-CO2e chart, the top options, method,
assumptions and sources.

Text is set in DejaVu Sans, read from matplotlib's bundled fonts (a dependency already), so '×', '·',
'↔' and '≈' print. The creation date is the report's ``generated_at`` and the file identifier is a hash
of the content, so the same report gives the same bytes.
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

from planner.reports.chart import chart_png
from planner.reports.model import Report, display_number, generated_datetime
from planner.reports.safe_text import covered_text, replaced_note
from planner.reports.water_time import start_months_image, start_months_title

#: Options shown in the PDF's comparison table (cheapest first; the chosen option is always shown).
TOP_OPTIONS = 15
_FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
_NUMERIC_OPTION_COLUMNS = ("gpu_hours", "energy_kwh", "co2e_kg", "co2e_embodied_kg", "cost_usd", "cost_usd_low",
                           "cost_usd_high")


@functools.lru_cache(maxsize=1)
def _glyphs() -> frozenset[int]:
    """Code points both embedded faces (DejaVu Sans, regular and bold) can print."""
    from fontTools.ttLib import TTFont

    faces = [TTFont(str(_FONT_DIR / name), lazy=True) for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")]
    return frozenset(set(faces[0].getBestCmap()) & set(faces[1].getBestCmap()))


def _has_glyph(char: str) -> bool:
    return ord(char) in _glyphs()


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


def top_options(report: Report, n: int = TOP_OPTIONS) -> pd.DataFrame:
    """The n cheapest options by ``cost_usd`` (missing costs last), plus the chosen one if it is not among them."""
    table = report.table.assign(_cost=pd.to_numeric(report.table["cost_usd"], errors="coerce"))
    ordered = table.sort_values("_cost", kind="mergesort", na_position="last")
    top = ordered.head(n)
    if not top["chosen"].any():
        top = pd.concat([top, ordered[ordered["chosen"]]])
    columns = ["option"] + [c for c in _NUMERIC_OPTION_COLUMNS if c in table.columns]
    return top[columns]


def _heading(pdf: FPDF, text: str) -> None:
    if pdf.get_y() > pdf.h - pdf.b_margin - 30:  # no heading alone at the foot of a page
        pdf.add_page()
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=8.5)


def _bullets(pdf: FPDF, lines: tuple[str, ...]) -> None:
    pdf.set_font("DejaVu", size=8.5)
    for line in lines:
        pdf.multi_cell(0, 4.3, f"• {line}", align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(0.6)


def _table(pdf: FPDF, table: pd.DataFrame, widths: tuple[float, ...], numeric: tuple[str, ...] = (),
           font_size: float = 7.0, bold_rows: tuple[int, ...] = ()) -> None:
    pdf.set_font("DejaVu", size=font_size)
    align = tuple("RIGHT" if c in numeric else "LEFT" for c in table.columns)
    with pdf.table(col_widths=widths, text_align=align, line_height=font_size * 0.5, padding=0.8,
                   headings_style=FontFace(emphasis="BOLD", fill_color=(238, 241, 244)),
                   first_row_as_headings=True) as out:
        header = out.row()
        for column in table.columns:
            # a zero-width space after '_' lets long unit-suffixed names wrap between words
            header.cell(str(column).replace("_", "_\u200b"))
        for i, values in enumerate(table.itertuples(index=False)):
            style = FontFace(emphasis="BOLD", fill_color=(255, 244, 229)) if i in bold_rows else None
            row = out.row(style=style)
            for value in values:
                row.cell(_fit(display_number(value)))
    pdf.ln(1)


#: Longest cell text a PDF table prints: a row must fit on one page (fpdf2 cannot split a row). The HTML,
#: Markdown, CSV and XLSX reports keep the full text.
PDF_CELL_CHARS = 700


def _fit(text: str) -> str:
    return text if len(text) <= PDF_CELL_CHARS else text[:PDF_CELL_CHARS - 40] + " … (full text in the XLSX/HTML report)"


def render_pdf(report: Report) -> bytes:
    """The report as PDF bytes (A4 portrait)."""
    report, missing = covered_text(report, _has_glyph)
    if missing:  # say what the font could not print rather than drop it silently
        report = dataclasses.replace(report, notes=(*report.notes, replaced_note(missing, "DejaVu Sans")))
    pdf = _ReportPDF(report.title)
    pdf.add_font("DejaVu", "", str(_FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(_FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_creation_date(generated_datetime(report))
    pdf.set_title(report.title)
    pdf.set_author("trainplan")
    pdf.set_creator("trainplan")
    pdf.set_margins(15, 14, 15)
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_page()

    pdf.set_font("DejaVu", "B", 15)
    pdf.multi_cell(0, 7, report.title, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=8)
    snapshots = ", ".join(f"{r.provider} {r.fetched_at}" for r in report.price_snapshots.itertuples()) or "none"
    pdf.set_text_color(90, 90, 90)
    pdf.multi_cell(0, 4, f"Generated at: {report.generated_at} (UTC) · Price snapshots: {snapshots}", align="L",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)

    _heading(pdf, "Summary")
    _bullets(pdf, report.summary)

    _heading(pdf, "Totals (chosen option)")
    _table(pdf, report.totals, (40, 30, 36, 36, 36), ("central", "low", "high"), font_size=8)

    png = chart_png(report)
    if png is not None:
        pdf.image(io.BytesIO(png), w=170, x=(pdf.w - 170) / 2)

    if len(report.start_months):
        if pdf.get_y() > pdf.h - pdf.b_margin - 80:  # the heading and its chart on one page
            pdf.add_page()
        _heading(pdf, start_months_title(report.chosen_label))
        bars = start_months_image(report.start_months, "png", "CO2e by start month (location-based)")
        if isinstance(bars, bytes):
            pdf.image(io.BytesIO(bars), w=170, x=(pdf.w - 170) / 2)

    top = top_options(report)
    _heading(pdf, f"Options compared ({len(top)} of {len(report.table)} shown, cheapest first)")
    numeric = tuple(c for c in top.columns if c != "option")
    chosen_rows = tuple(i for i, flag in enumerate(report.table.loc[top.index, "chosen"]) if flag)
    width = min(22.0, (180 - 50) / max(len(numeric), 1))
    _table(pdf, top, (180 - width * len(numeric),) + (width,) * len(numeric), numeric, bold_rows=chosen_rows)
    if len(report.table) > len(top):
        pdf.set_font("DejaVu", size=7)
        pdf.multi_cell(0, 4, "Every option is in the CSV and XLSX versions of this report.", new_x="LMARGIN",
                       new_y="NEXT")

    _heading(pdf, "Equivalences of the chosen option's CO2e")
    _table(pdf, report.equivalences[["comparison", "kg_co2e_each", "times", "as_of"]], (90, 35, 30, 25),
           ("kg_co2e_each", "times"), font_size=7.5)

    _heading(pdf, "Method")
    _bullets(pdf, report.method)
    if report.notes:
        _heading(pdf, "Notes")
        _bullets(pdf, report.notes)

    _heading(pdf, "Assumptions")
    assumptions = report.assumptions.assign(
        source=[f"{s} ({n})" if n else s for s, n in zip(report.assumptions["source"], report.assumptions["note"],
                                                          strict=True)])
    _table(pdf, assumptions[["name", "value", "unit", "source", "as_of"]], (34, 17, 22, 91, 16), ("value",),
           font_size=6.5)

    _heading(pdf, "Sources")
    _table(pdf, report.sources, (100, 22, 58), font_size=6.5)
    return bytes(pdf.output())
