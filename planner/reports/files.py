"""Writing a report to disk: the one I/O module of ``planner.reports``.

Everything is checked before a byte is written (format, directory exists and is writable, the target
is not a directory), the report is rendered in memory, written to a temporary file beside the target
and renamed over it, so a failure never leaves a partial or half-replaced file.
"""

from __future__ import annotations

import os
from pathlib import Path

from planner.errors import choice
from planner.files import check_output, write_bytes
from planner.reports.model import Report


def check_target(fmt: str, path: str | os.PathLike[str]) -> Path:
    """Validate a format and an output path without writing anything; the resolved path."""
    from planner.reports import REPORT_FORMATS

    choice("format", fmt, REPORT_FORMATS)
    return check_output("out", path)


def write_report(report: Report, fmt: str, path: str | os.PathLike[str]) -> Path:
    """Render ``report`` as ``fmt`` and write it to ``path`` atomically; the path written."""
    from planner.reports import render

    check_target(fmt, path)
    return write_bytes("out", path, render(report, fmt))
