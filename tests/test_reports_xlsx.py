"""XLSX: a sheet per table whose every cell equals the report's DataFrames; numbers stored as numbers with
number formats; human headers with units; autofilter, frozen header and widths."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from report_samples import sample_report

from planner.columns import header
from planner.reports import render
from planner.reports.xlsx import SHEETS, cell_value, sheet_tables


@pytest.fixture(scope="module")
def report():
    return sample_report(chosen_index=None)


@pytest.fixture(scope="module")
def workbook(report):
    return openpyxl.load_workbook(io.BytesIO(render(report, "xlsx")))


def test_xlsx_has_a_sheet_per_table_in_order(workbook):
    assert workbook.sheetnames == list(SHEETS)


@pytest.mark.parametrize("sheet", SHEETS)
def test_every_xlsx_cell_equals_the_dataframe(workbook, report, sheet):
    table = sheet_tables(report)[sheet]
    rows = list(workbook[sheet].iter_rows(values_only=True))
    assert list(rows[0]) == [header(str(c)) for c in table.columns]
    assert len(rows) - 1 == len(table)
    for got, want in zip(rows[1:], table.itertuples(index=False), strict=True):
        expected = [cell_value(v) for v in want]
        # openpyxl writes floats as '%.16g' (Excel itself keeps 15 significant digits): equal to 1e-15.
        assert list(got) == [pytest.approx(v, rel=1e-15, abs=0) if isinstance(v, float) else v for v in expected]
        # Numbers come back as numbers (a whole float such as 64.0 reads back as the int 64), never as text.
        assert all(isinstance(g, int | float) and not isinstance(g, bool) for g, v in zip(got, expected, strict=True)
                   if isinstance(v, float))


def test_xlsx_numbers_carry_number_formats_and_headers_carry_units(workbook):
    options = workbook["options"]
    header_row = [c.value for c in options[1]]
    cost = options.cell(row=2, column=header_row.index("Cost (USD)") + 1)
    assert cost.data_type == "n" and cost.value == 3277.5 and cost.number_format == '"$"#,##0'
    gpus = options.cell(row=2, column=header_row.index("GPUs") + 1)
    assert gpus.number_format == "#,##0"
    hours = options.cell(row=2, column=header_row.index("Wall-clock (h)") + 1)
    assert hours.number_format == "#,##0.0"
    assert {"GPU-hours", "Energy (kWh)", "CO2e, operational (kg)", "Cost (USD)"} <= set(header_row)
    assert [c.value for c in workbook["assumptions"][1]][:4] == ["Name", "Value", "Unit", "Source no."]
    # an input's value is shown in full (one column holds W, ratios and kWh per GB-hour alike)
    values = [row[1] for row in workbook["assumptions"].iter_rows(min_row=2)]
    assert values and all(c.number_format == "General" for c in values)
    totals = [c for row in workbook["totals"].iter_rows(min_row=2, min_col=3) for c in row if c.value is not None]
    assert totals and all(c.number_format == "#,##0.00" for c in totals)


@pytest.mark.parametrize("sheet", ["key options", "options", "assumptions", "sources"])
def test_xlsx_sheets_filter_freeze_and_fit(workbook, report, sheet):
    ws = workbook[sheet]
    table = sheet_tables(report)[sheet]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{get_column_letter(len(table.columns))}{len(table) + 1}"
    widths = [ws.column_dimensions[get_column_letter(i)].width for i in range(1, len(table.columns) + 1)]
    assert all(10 <= w <= 72 for w in widths)


def test_xlsx_document_dates_and_zip_entries_come_from_generated_at(report):
    data = render(report, "xlsx")
    props = openpyxl.load_workbook(io.BytesIO(data)).properties
    assert props.created == props.modified == datetime(2026, 11, 25, 9, 30, 0)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2026, 11, 25, 9, 30, 0)}
