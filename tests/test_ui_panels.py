"""The app's panels outside the page: the Export tab's report is the library's report of the same view."""

from __future__ import annotations

from datetime import UTC, datetime

from planner import api, options
from planner.reports import render
from planner.ui import panels, state

AT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
DEFAULT_COMPARE = {"providers": ["aws", "gcp", "azure", "owned"], "pricing": ["on_demand"], "site_zone": "USA"}


def test_export_report_is_the_library_report_of_the_view():
    values = dict(state.DEFAULTS, preset="elmo", provider="gcp", region="us-central1")
    shown = panels.report_bytes("md", values, generated_at=AT)
    workload, preset = api.make_workload("elmo")
    compared = api.compare(workload, preset, **DEFAULT_COMPARE)
    current = options.current_option(compared.table, "gcp", "us-central1", None, workload.gpu)
    report = api.report(workload, preset, provider="gcp", region="us-central1", comparison=compared,
                        chosen_row=current.name, generated_at=AT)
    assert shown == render(report, "md")
    assert report.chosen["cost_usd"] == current["cost_usd"]
    assert b"gcp us-central1" in shown


def test_export_pdf_renders_a_comparison_with_owned_servers():
    # The full comparison (2,000 rows, 1,000+ prices) overflows a PDF table row; the report-sized part does not.
    pdf = panels.report_bytes("pdf", dict(state.DEFAULTS), generated_at=AT)
    assert pdf.startswith(b"%PDF")
