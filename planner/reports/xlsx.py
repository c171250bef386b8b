"""A report as an XLSX workbook, a sheet per table: summary, key options, options, totals, assumptions,
sources, price snapshots, equivalences. Numbers are stored as numbers with a number format ($ and thousands
separators, whole numbers, percentages), headers are human labels with their unit (``planner.columns``),
each sheet has an autofilter, a frozen header row and column widths to its content.

The file is byte-stable: the document's created/modified dates are the report's ``generated_at`` and every
zip entry carries that time too.
"""

from __future__ import annotations

import io
import os
import zipfile

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from planner.columns import column_format
from planner.reports.model import Report, generated_datetime
from planner.reports.safe_text import xlsx_text

SHEETS = ("summary", "key options", "options", "totals", "assumptions", "sources", "price snapshots",
          "equivalences")


def sheet_tables(report: Report) -> dict[str, pd.DataFrame]:
    """The DataFrame written to each sheet, by sheet name."""
    summary = pd.concat([pd.DataFrame([{"section": "justification", "item": "paragraph",
                                        "value": report.justification, "unit": ""}]),
                         report.summary_table()], ignore_index=True)
    return {"summary": summary, "key options": report.key_table, "options": report.table, "totals": report.totals,
            "assumptions": report.assumptions[["name", "value", "unit", "ref", "source", "as_of", "note"]],
            "sources": report.sources, "price snapshots": report.price_snapshots,
            "equivalences": report.equivalences}


#: Columns whose rows hold values of different units, so no one column format fits: the number shown in full
#: (General) where the sheet lists one value per input (an input's 0.000392 must not print as 0.0004), and
#: separators with two decimals for the totals (USD, kWh, kg, h, L side by side).
SHEET_FORMATS = {("summary", "value"): None, ("assumptions", "value"): None, ("totals", "central"): "#,##0.00",
                 ("totals", "low"): "#,##0.00", ("totals", "high"): "#,##0.00"}


def number_format(column: str, sheet: str | None = None) -> str | None:
    """The Excel number format of a column's cells on a sheet (None: General)."""
    if (sheet, column) in SHEET_FORMATS:
        return SHEET_FORMATS[(sheet, column)]
    fmt = column_format(column)
    if fmt.kind == "usd":
        return '"$"#,##0' + ("." + "0" * fmt.decimals if fmt.decimals else "")
    if fmt.kind == "int":
        return "#,##0"
    if fmt.kind == "year":
        return "0"
    if fmt.kind == "percent":
        return "0" + ("." + "0" * fmt.decimals if fmt.decimals else "") + "%"
    if fmt.kind == "number":
        return "#,##0" + ("." + "0" * fmt.decimals if fmt.decimals else "")
    return None


def cell_value(value: object) -> object:
    """What a DataFrame cell becomes in the sheet: Python numbers and bools, None (an empty cell) for missing
    values and empty text, else text."""
    if value is None or value == "" or (isinstance(value, float | np.floating) and np.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value)
    return xlsx_text(str(value))


class _FixedTimeZip(zipfile.ZipFile):
    """A ZipFile that stamps every entry written by name with one fixed time (openpyxl would use now)."""

    def __init__(self, file: io.BytesIO, date_time: tuple[int, int, int, int, int, int]) -> None:
        super().__init__(file, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        self._date_time = date_time

    def writestr(self, zinfo_or_arcname: str | zipfile.ZipInfo, data: bytes | str,  # type: ignore[override]
                 compress_type: int | None = None, compresslevel: int | None = None) -> None:
        if isinstance(zinfo_or_arcname, str):
            zinfo_or_arcname = zipfile.ZipInfo(zinfo_or_arcname, date_time=self._date_time)
            zinfo_or_arcname.compress_type = zipfile.ZIP_DEFLATED
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename: str, arcname: str | None = None,  # type: ignore[override]
              compress_type: int | None = None, compresslevel: int | None = None) -> None:
        # openpyxl streams each worksheet to a temporary file and adds it with write(), which would
        # stamp the file's modification time.
        with open(filename, "rb") as source:
            self.writestr(arcname or os.path.basename(filename), source.read())


def render_xlsx(report: Report) -> bytes:
    """The workbook as bytes."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, table in sheet_tables(report).items():
        sheet = workbook.create_sheet(name)
        headers = [column_format(str(c)).header for c in table.columns]
        sheet.append(headers)
        for row in table.itertuples(index=False):
            sheet.append([cell_value(v) for v in row])
            for cell in sheet[sheet.max_row]:
                if cell.data_type == "f":  # openpyxl reads '=…' as a formula: user text is never run
                    cell.data_type = "s"
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "A2"
        if len(table):
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(table) + 1}"
        for i, column in enumerate(table.columns, start=1):
            letter = get_column_letter(i)
            fmt = number_format(str(column), name)
            if fmt:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=i, max_col=i):
                    if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                        cell.number_format = fmt
            longest = max([len(headers[i - 1]) + 3] + [len(str(v)) for v in table[column].head(200)])
            sheet.column_dimensions[letter].width = min(max(10, longest + 2), 70)
    when = generated_datetime(report).replace(tzinfo=None)
    workbook.properties.created = when
    workbook.properties.modified = when
    workbook.properties.creator = "trainplan"
    workbook.properties.lastModifiedBy = "trainplan"
    workbook.properties.title = xlsx_text(report.title)
    buffer = io.BytesIO()
    # openpyxl's save_workbook stamps 'modified' with the current time; its writer alone does not.
    ExcelWriter(workbook, _FixedTimeZip(buffer, when.timetuple()[:6])).save()
    return buffer.getvalue()
