"""A report as a Word document (python-docx), since proposals are written in Word: the justification
paragraph, the key options table, the chart and the method as a numbered list, then, after a page break,
the appendix as in the PDF (the inputs, a kind's per-option inputs on one line, citing the numbered sources;
each cited work once).

Byte-stable: the core properties' dates are the report's ``generated_at`` and every zip entry is restamped
with that time (python-docx would use the current time).
"""

from __future__ import annotations

import io
import zipfile

import pandas as pd
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

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


def _table(document: Document, table: pd.DataFrame, headers: list[str] | None = None, size: float = 8) -> None:
    """A Word table under human headers, numbers right-aligned, the first row (the header) repeated per page."""
    names = headers or [column_format(str(c)).header for c in table.columns]
    out = document.add_table(rows=1, cols=len(names))
    out.style = "Table Grid"
    out.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, name in zip(out.rows[0].cells, names, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(name)
        run.bold = True
        run.font.size = Pt(size)
    for values in table.itertuples(index=False):
        cells = out.add_row().cells
        for cell, column, value in zip(cells, table.columns, values, strict=True):
            paragraph = cell.paragraphs[0]
            run = paragraph.add_run(column_format(str(column)).show(value))
            run.font.size = Pt(size)
            if is_numeric(str(column)):
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _restamp(data: bytes, when: tuple[int, int, int, int, int, int]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=when)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(info.filename))
    return buffer.getvalue()


def render_docx(report: Report) -> bytes:
    """The report as DOCX bytes (A4 portrait)."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(1.8))
    section.top_margin = section.bottom_margin = Cm(1.6)
    document.styles["Normal"].font.size = Pt(10)
    when = generated_datetime(report).replace(tzinfo=None)
    props = document.core_properties
    props.title, props.author, props.last_modified_by = report.title, "trainplan", "trainplan"
    props.created = props.modified = when
    props.revision = 1

    document.add_heading(report.title, level=1)
    snapshots = ", ".join(f"{r.provider} {r.fetched_at}" for r in report.price_snapshots.itertuples()) or "none"
    meta = document.add_paragraph(f"Generated at {report.generated_at} (UTC) · prices fetched: {snapshots}")
    meta.runs[0].font.size = Pt(8)
    document.add_heading("Justification of resources", level=2)
    document.add_paragraph(report.justification)
    document.add_heading("Key options", level=2)
    co2e = co2e_column(report.key_table)
    _table(document, report.reader_key_table)
    counts = f"{report.compared_count:,} options compared" + (
        f", {report.feasible_count:,} feasible" if report.feasible_count != report.compared_count else "")
    drawn = drawn_on_text(report)
    note = f"{counts}; {drawn[0].lower()}{drawn[1:]} are in the CSV and XLSX versions."
    if co2e == "co2e_total_kg":
        note = "CO2e total: operational (electricity, location-based) + embodied (hardware). " + note
    document.add_paragraph(note).runs[0].font.size = Pt(8)
    png = chart_png(report)
    if png is not None:
        document.add_picture(io.BytesIO(png), width=Cm(16))
    document.add_heading("Method", level=2)
    for line in report.method:
        document.add_paragraph(line, style="List Number")
    if len(report.equivalences):
        document.add_heading("The chosen option's operational CO2e equals", level=2)
        document.add_paragraph("; ".join(
            f"{display_number(r.times, 2)} × {r.comparison} ({display_number(r.kg_co2e_each)} kg each, {r.as_of})"
            for r in report.equivalences.itertuples()) + ".")
    if report.notes:
        document.add_heading("Notes", level=2)
        for line in report.notes:
            document.add_paragraph(line, style="List Bullet")

    document.add_page_break()
    document.add_heading("Appendix", level=1)
    intro = document.add_paragraph(f"{drawn_on_text(report)}, with every column and range, are in the CSV and XLSX "
                                   "versions of this report; the XLSX also gives each input's full source text.")
    intro.runs[0].font.size = Pt(8)
    document.add_heading("A. Inputs (the source column cites the numbered sources in B)", level=2)
    inputs = grouped_inputs(report.assumptions)
    inputs = inputs.assign(input=[f"{r.input}, {r.unit}" if r.grouped else r.input for r in inputs.itertuples()],
                           unit=[("" if r.grouped else r.unit) for r in inputs.itertuples()],
                           ref=inputs["ref"].map(lambda r: f"[{r}]"))
    _table(document, inputs[["input", "value", "unit", "ref", "as_of"]], ["Input", "Value", "Unit", "Source", "Date"],
           size=7)
    document.add_heading("B. Sources", level=2)
    for r in report.sources.itertuples():
        item = document.add_paragraph(f"[{r.ref}] {source_line(r.source, r.as_of)}.")
        item.runs[0].font.size = Pt(8)
    buffer = io.BytesIO()
    document.save(buffer)
    return _restamp(buffer.getvalue(), when.timetuple()[:6])
