"""DOCX (python-docx): the paragraph, the key table and the method read back; appendix after a page break."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from report_samples import sample_report

from planner.columns import column_format
from planner.reports import render


@pytest.fixture(scope="module")
def report():
    return sample_report(chosen_index=None)


@pytest.fixture(scope="module")
def data(report):
    return render(report, "docx")


@pytest.fixture(scope="module")
def document(data):
    return docx.Document(io.BytesIO(data))


def test_docx_opens_with_the_justification_paragraph(document, report):
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == report.title
    assert texts.index("Justification of resources") < texts.index(report.justification) < texts.index("Method")


def test_docx_key_table_reads_back_as_shown_everywhere(document, report):
    table = document.tables[0]
    rows = [[c.text for c in row.cells] for row in table.rows]
    key = report.reader_key_table
    assert rows[0] == [column_format(c).header for c in key.columns]
    assert rows[1:] == [[column_format(c).show(v) for c, v in zip(key.columns, values, strict=True)]
                        for values in key.itertuples(index=False)]


def test_docx_method_is_a_numbered_list_and_the_appendix_follows_a_page_break(document, report, data):
    numbered = [p.text for p in document.paragraphs if p.style.name == "List Number"]
    assert numbered == list(report.method)
    body = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode("utf-8")
    assert body.index('w:type="page"') < body.index(">Appendix<")
    sources = [p.text for p in document.paragraphs if p.text.startswith("[")]
    assert [s.split("]")[0] for s in sources] == [f"[{r}" for r in report.sources["ref"]]
    assert "shared/data" not in body


def test_docx_bytes_are_stable_and_dated_by_generated_at(report, data):
    assert render(report, "docx") == data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2026, 11, 25, 9, 30, 0)}


def test_docx_appendix_inputs_table_cites_the_numbered_sources(document, report):
    from planner.reports.inputs import grouped_inputs

    # two tables: the key options and the inputs (every option is in the CSV and XLSX, not here)
    assert len(document.tables) == 2
    rows = [[c.text for c in row.cells] for row in document.tables[1].rows]
    inputs = grouped_inputs(report.assumptions)
    assert rows[0] == ["Input", "Value", "Unit", "Source", "Date"]
    # a kind's inputs on one line, its unit after its label (the sample's three equivalences)
    assert [r[0] for r in rows[1:]] == [f"{r.input}, {r.unit}" if r.grouped else r.input for r in inputs.itertuples()]
    assert "Equivalences, kg CO2e" in [r[0] for r in rows[1:]]
    assert [r[3] for r in rows[1:]] == [f"[{ref}]" for ref in inputs["ref"]]
    listed = {int(p.text[1:].split("]")[0]) for p in document.paragraphs if p.text.startswith("[")}
    assert {int(n) for refs in inputs["ref"] for n in refs.split(", ")} <= listed


def test_docx_says_how_many_options_and_what_the_co2e_equals(document, report):
    texts = [p.text for p in document.paragraphs]
    # the sample: 3 options compared, all feasible; the report's table holds the estimate row and those 3
    assert "3 options compared; the 4 options of this report (the estimate and the 3 compared) are in the CSV and " \
        "XLSX versions." in texts
    # 899.93 kg is one NY<->SF air trip (Strubell et al. 2019 Table 1: 1,984 lb)
    assert any(t.startswith("1 × Air travel, 1 passenger, NY↔SF (899.9 kg each, 2019)") for t in texts)
