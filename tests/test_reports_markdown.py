"""Markdown: every table parses back to the report's values (to the 4 significant figures shown)."""

from __future__ import annotations

import re

import pytest
from report_samples import GENERATED_AT, sample_report

from planner.reports import render
from planner.reports.model import display_number

# Markdown and HTML show 4 significant figures, or whole units at >= 1,000: within 0.05 % of the value.
SHOWN_REL = 5e-4


def parse_markdown_tables(text: str) -> dict[str, list[list[str]]]:
    """Each '## heading' followed by a pipe table -> rows of cells (header first), '\\|' unescaped."""
    tables, heading, rows = {}, None, []
    for line in text.splitlines() + [""]:
        if line.startswith("## "):
            heading, rows = line[3:], []
        elif line.startswith("|") and heading:
            if re.fullmatch(r"\|(-+:?\|)+", line):
                continue
            cells = re.split(r"(?<!\\)\|", line.strip()[1:-1])
            rows.append([c.strip().replace("\\|", "|") for c in cells])
        elif rows and heading:
            tables[heading], rows = rows, []
    return tables


def assert_cells_match(rows: list[list[str]], table) -> None:
    assert rows[0] == [str(c) for c in table.columns]
    assert len(rows) - 1 == len(table)
    for shown_row, values in zip(rows[1:], table.itertuples(index=False), strict=True):
        for shown, value in zip(shown_row, values, strict=True):
            if isinstance(value, float) and value == value and not isinstance(value, bool):
                assert float(shown.replace(",", "")) == pytest.approx(value, rel=SHOWN_REL)
            else:
                assert shown == display_number(value).replace("\n", " ")


@pytest.fixture(scope="module")
def report():
    return sample_report(chosen_index=None)


@pytest.fixture(scope="module")
def tables(report):
    return parse_markdown_tables(render(report, "md").decode("utf-8"))


@pytest.mark.parametrize("heading,attribute", [
    ("Workload", "workload"), ("Totals (chosen option)", "totals"), ("Options compared", "table"),
    ("Ranges across the options compared", "option_ranges"), ("Equivalences", "equivalences"),
    ("Assumptions", "assumptions"), ("Sources", "sources"), ("Price snapshots", "price_snapshots"),
])
def test_markdown_tables_parse_back_to_the_report_values(tables, report, heading, attribute):
    assert_cells_match(tables[heading], getattr(report, attribute))


def test_markdown_escapes_pipes_inside_cells(tables):
    notes = [row[5] for row in tables["Assumptions"][1:]]
    assert "United States | generation-based" in notes


def test_markdown_labels_the_generation_time_and_the_snapshot_dates(report):
    text = render(report, "md").decode("utf-8")
    assert f"**Generated at:** {GENERATED_AT} (UTC)" in text
    assert "**Price snapshots:** aws 2026-11-24, gcp 2026-11-20" in text
    assert all(f"- {line}" in text for line in report.summary + report.method)
