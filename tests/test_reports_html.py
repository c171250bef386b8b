"""HTML: one self-contained file whose tables parse back (html.parser) to the report's exact values."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from report_samples import GENERATED_AT, sample_report
from test_reports_markdown import SHOWN_REL

from planner.reports import render
from planner.reports.model import display_number


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


@pytest.mark.parametrize("table_id,attribute", [
    ("workload", "workload"), ("totals", "totals"), ("options", "table"), ("ranges", "option_ranges"),
    ("equivalences", "equivalences"), ("assumptions", "assumptions"), ("sources", "sources"),
    ("price-snapshots", "price_snapshots"),
])
def test_html_tables_parse_back_to_the_report_values(parsed, report, table_id, attribute):
    table = getattr(report, attribute)
    rows = parsed.tables[table_id]
    assert [text for text, _ in rows[0]] == [str(c) for c in table.columns]
    assert len(rows) - 1 == len(table)
    for cells, values in zip(rows[1:], table.itertuples(index=False), strict=True):
        for (text, exact), value in zip(cells, values, strict=True):
            if isinstance(value, float | int) and not isinstance(value, bool):
                if value != value:
                    assert exact == "nan" and text == ""
                    continue
                assert float(exact) == value  # data-value: full precision
                assert float(text.replace(",", "")) == pytest.approx(value, rel=SHOWN_REL)
            else:
                assert exact is None and text == display_number(value)


def test_html_is_one_self_contained_file_with_the_chart_inline(document, parsed):
    assert parsed.links == []  # no stylesheet, script, image or font fetched from anywhere
    assert "<style>" in document and document.count("<svg") == 1
    assert "Cost vs CO2e of the options compared" in document  # the chart's title, as SVG text


def test_html_marks_the_chosen_row_and_labels_the_generation_time(document):
    assert document.count('<tr class="chosen">') == 1
    assert f'<time id="generated-at">{GENERATED_AT}</time> (UTC)' in document


def test_html_escapes_text_from_the_data():
    report = sample_report(title="Compute <b>& more</b>")
    document = render(report, "html").decode("utf-8")
    assert "<h1>Compute &lt;b&gt;&amp; more&lt;/b&gt;</h1>" in document
