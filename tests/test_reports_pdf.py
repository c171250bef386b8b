"""PDF: text extracted back (pypdf) holds the paragraph, key table, totals, every numbered source and the
generation time, on two reader pages and an appendix; every page as PNG for a person to look at."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from report_samples import GENERATED_AT, sample_rendering, sample_report

from planner.reports.model import display_number

pypdf = pytest.importorskip("pypdf")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def _squeezed(text: str) -> str:
    """Without any whitespace: PDF lines wrap inside table cells wherever the width runs out."""
    return "".join(text.split())


@pytest.fixture(scope="module")
def report():
    return sample_report(chosen_index=None)


@pytest.fixture(scope="module")
def pdf_bytes():
    return sample_rendering("pdf")


@pytest.fixture(scope="module")
def text(pdf_bytes):
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes))
    return _squeezed("\n".join(page.extract_text() for page in reader.pages))


def test_pdf_text_holds_every_total_as_shown(report, text):
    for row in report.totals.itertuples():
        for value in (row.central, row.low, row.high):
            if value == value:
                assert _squeezed(display_number(value)) in text, (row.quantity, value)
    # e.g. the cost range of the estimate: 3,278 / 1,200 / 3,500 dollars
    assert "$3,278(range$1,200to$3,500)" in text


def test_pdf_text_names_every_source_and_the_generation_time(report, text):
    for source in report.sources["source"]:
        assert _squeezed(source) in text, source
    assert _squeezed(f"Generated at {GENERATED_AT} (UTC)") in text
    assert _squeezed("E = PUE · t · (p_cpu + p_dram + n · p_gpu) / 1000") in text


def test_two_pages_for_the_reader_then_the_appendix_with_numbered_sources(pdf_bytes, report):
    pages = [_squeezed(p.extract_text()) for p in pypdf.PdfReader(io.BytesIO(pdf_bytes)).pages]
    assert len(pages) >= 3
    # page 1: the paragraph to paste and the key table (option, GPU, GPU count, wall-clock, GPU-hours, cost, CO2e)
    assert "Justificationofresources" in pages[0] and _squeezed(report.justification)[:200] in pages[0]
    assert all(h in pages[0] for h in ("Option", "GPU", "GPUs", "Wall-clock", "GPU-hours", "Cost", "CO2e"))
    key = report.key_table.iloc[0]
    assert _squeezed(f"${key['cost_usd']:,.0f}") in pages[0]
    # page 2: the method as a numbered list; the appendix starts on page 3
    assert "Method" in pages[1] and "1.GPU-hours" in pages[1] and "Appendix" not in pages[0] + pages[1]
    assert pages[2].startswith("Appendix")
    # each source once, numbered; assumptions cite the numbers; no repository path anywhere
    everything = "".join(pages)
    cited = {int(r) for refs in report.assumptions["ref"] for r in refs.split(", ")}
    listed = everything[everything.index("B.Sources"):]
    for ref in report.sources["ref"]:
        assert listed.count(f"[{ref}]") == 1  # listed once in B
        if ref in cited:  # and cited from the inputs in A
            assert f"[{ref}" in everything[:everything.index("B.Sources")] or f",{ref}]" in everything
    assert "shared/data" not in everything and "shared/" not in everything


def test_pdf_metadata_dates_are_the_generation_time(pdf_bytes):
    info = pypdf.PdfReader(io.BytesIO(pdf_bytes)).metadata
    assert info["/CreationDate"].startswith("D:20261125093000")
    assert info["/Title"].startswith("Compute resources for training: test run")


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) not installed")
def test_pdf_first_page_renders_to_png_for_a_person_to_look_at(pdf_bytes, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    source = tmp_path / "report.pdf"
    source.write_bytes(pdf_bytes)
    stem = ARTIFACTS / "report_page1"
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(source), str(stem)],
                   check=True, capture_output=True)
    png = stem.with_suffix(".png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
