"""HTML: one self-contained, phone-readable file whose tables parse back (html.parser) to the report's values."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from report_samples import GENERATED_AT, sample_report

from planner.columns import column_format, header
from planner.reports import render


class _Tables(HTMLParser):
    """Tables by id: rows of (text, data-value or None); plus every src/href attribute seen."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[tuple[str, str | None]]]] = {}
        self.links: list[str] = []
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._value: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        self.links += [v for k, v in attrs.items() if k in ("src", "href") and v]
        if tag == "table":
            self._table = attrs.get("id")
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table:
            self._cell, self._value = [], attrs.get("data-value")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[self._table][-1].append(("".join(self._cell), self._value))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


@pytest.fixture(scope="module")
def report():
    return sample_report(chosen_index=None)


@pytest.fixture(scope="module")
def document(report):
    return render(report, "html").decode("utf-8")


@pytest.fixture(scope="module")
def parsed(document):
    parser = _Tables()
    parser.feed(document)
    return parser


def _expected(report, table_id):
    """The table each id shows, as the renderer selects it (headers: ``planner.columns`` unless named)."""
    from planner.reports.html import OPTION_COLUMNS

    assumptions = report.assumptions.assign(ref=report.assumptions["ref"].map(lambda r: f"[{r}]"))
    return {"key-options": (report.key_table, None),
            "options": (report.table[[c for c in OPTION_COLUMNS if c in report.table.columns]], None),
            "totals": (report.totals, ["Quantity", "Unit", "Central", "Low", "High"]),
            "assumptions": (assumptions[["name", "value", "unit", "ref", "as_of", "note"]],
                            ["Name", "Value", "Unit", "Source", "Date", "Note"]),
            "price-snapshots": (report.price_snapshots, None), "equivalences": (report.equivalences, None)}[table_id]


@pytest.mark.parametrize("table_id", ["key-options", "options", "totals", "assumptions", "price-snapshots",
                                      "equivalences"])
def test_html_tables_parse_back_to_the_report_values(parsed, report, table_id):
    table, headers = _expected(report, table_id)
    rows = parsed.tables[table_id]
    assert [text for text, _ in rows[0]] == (headers or [header(str(c)) for c in table.columns])
    assert len(rows) - 1 == len(table)
    for cells, values in zip(rows[1:], table.itertuples(index=False), strict=True):
        for (text, exact), column, value in zip(cells, table.columns, values, strict=True):
            fmt = column_format(str(column))
            assert text == fmt.show(value), (column, value)  # as a person reads it ($, separators, blank)
            if fmt.kind != "text" and isinstance(value, float | int) and not isinstance(value, bool):
                assert float(exact) == value or (value != value and exact == "nan")  # data-value: full precision


def test_html_sources_are_numbered_once_without_repository_paths(document, report):
    for r in report.sources.itertuples():
        assert document.count(f'<li value="{r.ref}">') == 1
    assert "shared/data" not in document


def test_html_reads_on_a_phone(document):
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in document
    # every table scrolls inside its own box instead of widening the page
    assert document.count('<div class="scroll"><table') == document.count("<table")


def test_html_is_one_self_contained_file_with_the_chart_inline(document, parsed):
    assert parsed.links == []  # no stylesheet, script, image or font fetched from anywhere
    assert "<style>" in document and document.count("<svg") == 1
    assert "Cost vs CO2e of the options compared" in document  # the chart's title, as SVG text


def test_html_marks_the_chosen_row_and_labels_the_generation_time(document):
    assert document.count('<tr class="chosen">') == 2  # the key options' first row and its options row
    assert f'<time id="generated-at">{GENERATED_AT}</time> (UTC)' in document


def test_html_escapes_text_from_the_data():
    report = sample_report(title="Compute <b>& more</b>")
    document = render(report, "html").decode("utf-8")
    assert "<h1>Compute &lt;b&gt;&amp; more&lt;/b&gt;</h1>" in document
