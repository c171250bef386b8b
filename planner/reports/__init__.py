"""Grant-proposal reports: one model (``build_report``) rendered to pdf, docx, html, md, csv or xlsx.

``render(report, fmt)`` is pure and returns bytes; ``write_report`` (in ``planner.reports.files``, the
one module here that touches the file system) checks the format and the path first and writes atomically.
Renderers are imported when first used: matplotlib, fpdf2 and openpyxl take seconds to import, and
``trainplan`` subcommands that make no report should not pay for them.
"""

from __future__ import annotations

import importlib

from planner.errors import choice
from planner.reports.files import write_report
from planner.reports.model import Report, build_report, display_number

#: Report formats, as the CLI's ``--format`` and the app's download buttons name them.
REPORT_FORMATS = ("pdf", "docx", "html", "md", "csv", "xlsx")
MIME_TYPES = {"pdf": "application/pdf", "html": "text/html", "md": "text/markdown", "csv": "text/csv",
              "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
              "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
#: The module and function that render each format.
RENDERERS = {"pdf": ("planner.reports.pdf", "render_pdf"), "html": ("planner.reports.html", "render_html"),
             "md": ("planner.reports.markdown", "render_markdown"), "csv": ("planner.reports.csv", "render_csv"),
             "xlsx": ("planner.reports.xlsx", "render_xlsx"), "docx": ("planner.reports.docx", "render_docx")}


def render(report: Report, fmt: str) -> bytes:
    """The report in one of ``REPORT_FORMATS`` as bytes (PlanError for any other format)."""
    module, function = RENDERERS[choice("format", fmt, REPORT_FORMATS)]
    return getattr(importlib.import_module(module), function)(report)


__all__ = ["MIME_TYPES", "REPORT_FORMATS", "Report", "build_report", "display_number", "render", "write_report"]
