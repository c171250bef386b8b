"""A report's tidy options table as CSV: one row per option, full precision, unit-suffixed headers."""

from __future__ import annotations

from planner.reports.model import Report


def render_csv(report: Report) -> bytes:
    """``report.table`` as UTF-8 CSV with ``\\n`` line ends; floats written so they read back exactly."""
    return report.table.to_csv(index=False, lineterminator="\n").encode("utf-8")
