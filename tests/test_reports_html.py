"""HTML: one self-contained, phone-readable file whose tables parse back (html.parser) to the report's values."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from report_samples import GENERATED_AT, sample_report

from planner.columns import column_format, header
from planner.reports import render

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


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
    from planner.reports.html import INPUT_HEADERS, inputs_table

    return {"key-options": (report.reader_key_table, None), "inputs": (inputs_table(report), INPUT_HEADERS)}[table_id]


@pytest.mark.parametrize("table_id", ["key-options", "inputs"])
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


def test_html_inputs_cite_sources_listed_once_without_repository_paths(document, report, parsed):
    for r in report.sources.itertuples():
        assert document.count(f'<li value="{r.ref}">') == 1
    cited = {int(n) for text, _ in (row[3] for row in parsed.tables["inputs"][1:])
             for n in text.strip("[]").split(", ")}
    assert cited <= set(report.sources["ref"])
    assert "shared/data" not in document


def test_html_reads_on_a_phone(document):
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in document
    # every table scrolls inside its own box, and on a narrow screen each row is a card of labelled lines
    assert document.count('<div class="scroll"><table') == document.count("<table")
    assert "@media (max-width:40rem)" in document and "content:attr(data-label)" in document
    assert document.count("<td") == document.count("<td data-label=") + document.count('<td class="num" data-label=')


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium not installed")
def test_html_fits_a_390_px_phone_screen_in_chromium(document, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    page_file = tmp_path / "report.html"
    page_file.write_text(document, encoding="utf-8")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync"]
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=flags)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})
            page.goto(page_file.as_uri())
            # nothing wider than the screen: no sideways scrolling of the page or of a table's box
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            widths = page.evaluate("[...document.querySelectorAll('.scroll')].map(b => b.scrollWidth - b.clientWidth)")
            assert widths and max(widths) <= 1
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "report_html_390px.png"), full_page=True)
        finally:
            browser.close()


def test_html_is_one_self_contained_file_with_the_chart_inline(document, parsed):
    assert parsed.links == []  # no stylesheet, script, image or font fetched from anywhere
    assert "<style>" in document and document.count("<svg") == 1
    assert "Cost vs CO2e of the options compared" in document  # the chart's title, as SVG text


def test_html_marks_the_chosen_row_and_labels_the_generation_time(document):
    assert document.count('<tr class="chosen">') == 1  # the key options' first row
    assert f'<time id="generated-at">{GENERATED_AT}</time> (UTC)' in document


def test_html_escapes_text_from_the_data():
    report = sample_report(title="Compute <b>& more</b>")
    document = render(report, "html").decode("utf-8")
    assert "<h1>Compute &lt;b&gt;&amp; more&lt;/b&gt;</h1>" in document
