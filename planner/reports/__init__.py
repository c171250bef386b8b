"""Grant-proposal reports: one model (``build_report``) rendered to pdf, html, md, csv or xlsx.

``render(report, fmt)`` is pure and returns bytes; ``write_report`` (in ``planner.reports.files``, the
one module here that touches the file system) checks the format and the path first and writes atomically.
"""

from __future__ import annotations

from collections.abc import Callable

from planner.errors import choice
from planner.reports.csv import render_csv
from planner.reports.html import render_html
from planner.reports.markdown import render_markdown
from planner.reports.model import Report, build_report, display_number
from planner.reports.pdf import render_pdf
from planner.reports.xlsx import render_xlsx

#: Report formats, as the CLI's ``--format`` and the app's download buttons name them.
REPORT_FORMATS = ("pdf", "html", "md", "csv", "xlsx")
MIME_TYPES = {"pdf": "application/pdf", "html": "text/html", "md": "text/markdown", "csv": "text/csv",
              "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}

_RENDERERS: dict[str, Callable[[Report], bytes]] = {
    "pdf": render_pdf, "html": render_html, "md": render_markdown, "csv": render_csv, "xlsx": render_xlsx,
}


def render(report: Report, fmt: str) -> bytes:
    """The report in one of ``REPORT_FORMATS`` as bytes (PlanError for any other format)."""
    return _RENDERERS[choice("format", fmt, REPORT_FORMATS)](report)


from planner.reports.files import write_report  # noqa: E402  (files imports render from here)

__all__ = ["MIME_TYPES", "REPORT_FORMATS", "Report", "build_report", "display_number", "render", "write_report"]
