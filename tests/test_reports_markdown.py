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
        if line.startswith(("## ", "### ")):
            heading, rows = line.split(" ", 1)[1], []
        elif line.startswith("|") and heading:
            if re.fullmatch(r"\|(-+:?\|)+", line):
                continue
            cells = re.split(r"(?<!\\)\|", line.strip()[1:-1])
            rows.append([c.strip().replace("\\|", "|") for c in cells])
        elif rows and heading:
            tables[heading], rows = rows, []
    return tables


def assert_cells_match(rows: list[list[str]], table, human: bool = False) -> None:
    from planner.columns import column_format

    if human:  # headers with units, cells as the column displays them
        assert rows[0] == [column_format(str(c)).header for c in table.columns]
        for shown_row, values in zip(rows[1:], table.itertuples(index=False), strict=True):
            assert shown_row == [column_format(str(c)).show(v) for c, v in zip(table.columns, values, strict=True)]
        return
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
    ("Workload", "workload"), ("B. Totals of the chosen option", "totals"), ("A. Options compared", "table"),
    ("F. Equivalences of the chosen option's CO2e", "equivalences"), ("E. Price snapshots", "price_snapshots"),
])
def test_markdown_tables_parse_back_to_the_report_values(tables, report, heading, attribute):
    assert_cells_match(tables[heading], getattr(report, attribute))


def test_markdown_key_options_read_as_a_person_reads_them(tables, report):
    assert_cells_match(tables["Key options"], report.reader_key_table, human=True)


def test_markdown_assumptions_cite_numbered_sources(tables, report):
    rows = tables["C. Assumptions (source: the numbered sources in D)"]
    assert rows[0] == ["name", "value", "unit", "source", "as_of", "note"]
    assert [r[3] for r in rows[1:]] == [f"[{ref}]" for ref in report.assumptions["ref"]]
    text = render(report, "md").decode("utf-8")
    for r in report.sources.itertuples():
        assert text.count(f"\n{r.ref}. {r.source}") == 1


def test_markdown_escapes_pipes_inside_cells(tables):
    notes = [row[5] for row in tables["C. Assumptions (source: the numbered sources in D)"][1:]]
    assert "United States | generation-based" in notes


def test_markdown_opens_with_the_paragraph_and_labels_the_generation_time(report):
    text = render(report, "md").decode("utf-8")
    assert f"**Generated at:** {GENERATED_AT} (UTC)" in text
    assert "**Price snapshots:** aws 2026-11-24, gcp 2026-11-20" in text
    assert text.index("## Justification of resources") < text.index("## Key options") < text.index("## Method") \
        < text.index("## Appendix")
    assert report.justification in text
    assert all(f"- {line}" in text for line in report.summary)
    assert all(f"{i}. {line}" in text for i, line in enumerate(report.method, start=1))
