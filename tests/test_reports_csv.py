"""CSV: the tidy options table reads back equal, numbers rounded to what the inputs support."""

from __future__ import annotations

import csv
import io
import math

import pandas as pd
import pytest
from report_samples import sample_report

from planner.reports import render


@pytest.mark.parametrize("chosen_index", [None, 2])
def test_csv_reads_back_equal_to_the_options_table(chosen_index):
    report = sample_report(chosen_index=chosen_index)
    back = pd.read_csv(io.BytesIO(render(report, "csv")))
    expected = report.table
    assert back.columns.tolist() == expected.columns.tolist()
    for column in expected.columns:
        for got, want in zip(back[column], expected[column], strict=True):
            if pd.isna(want):
                assert pd.isna(got), column
            elif isinstance(want, float):
                # cents for USD, 3 decimals otherwise, never fewer than 4 significant figures
                assert got == pytest.approx(want, rel=5e-4, abs=0.005), column
                assert len(repr(got).split(".")[-1]) <= max(3, 3 - math.floor(math.log10(abs(want)))) \
                    if want else True, column
            else:
                assert got == want, column


def test_csv_has_one_header_line_and_a_row_per_option():
    text = render(sample_report(chosen_index=None), "csv").decode("utf-8")
    lines = text.splitlines()
    assert lines[0].startswith("option,chosen,option_kind,provider,region")
    assert len(lines) == 1 + 4 and "\r" not in text
    # GPU counts are whole numbers and print as such (8, not 8.0)
    rows = list(csv.reader(io.StringIO(text)))
    column = rows[0].index("gpu_count")
    assert {row[column] for row in rows[1:]} == {"8"}
