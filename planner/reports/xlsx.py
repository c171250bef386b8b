"""A report as an XLSX workbook: sheets summary, options, assumptions, sources; numbers stored as numbers.

Headers are the report's column names, which carry their unit (``cost_usd``, ``energy_kwh``) or sit
beside a ``unit`` column. The file is byte-stable: the document's created/modified dates are the
report's ``generated_at`` and every zip entry carries that time too.
"""

from __future__ import annotations

import io
import os
import zipfile

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from planner.reports.model import Report, generated_datetime
from planner.reports.safe_text import xlsx_text

SHEETS = ("summary", "options", "assumptions", "sources")


def sheet_tables(report: Report) -> dict[str, pd.DataFrame]:
    """The DataFrame written to each sheet, by sheet name."""
    return {"summary": report.summary_table(), "options": report.table, "assumptions": report.assumptions,
            "sources": report.sources}


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
        sheet.append([str(c) for c in table.columns])
        for row in table.itertuples(index=False):
            sheet.append([cell_value(v) for v in row])
            for cell in sheet[sheet.max_row]:
                if cell.data_type == "f":  # openpyxl reads '=…' as a formula: user text is never run
                    cell.data_type = "s"
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for i, column in enumerate(table.columns, start=1):
            longest = max([len(str(column))] + [len(str(v)) for v in table[column].head(200)])
            sheet.column_dimensions[get_column_letter(i)].width = min(max(10, longest + 2), 60)
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
